// History paging's cursor (CLI.md "Conversations, receipts, edits": cursor paging; the web
// app's chat pages back with it): a message id, of the conversation paged. It knows nothing of
// how pages are read (store/chat.ts listMessages `before`).
import { MessageNotFoundError } from './errors.js'

/** `before` must be a message of `conversation` (of any, without one): MessageNotFoundError
 *  otherwise, so a stale or foreign id is an error, not an empty page. */
export function checkCursor(
  store: { getMessage(id: string): { conversation: string } | undefined },
  before: string,
  conversation: string | undefined,
): void {
  const m = store.getMessage(before)
  if (m === undefined || (conversation !== undefined && m.conversation !== conversation)) {
    throw new MessageNotFoundError(`no message "${before}" here`)
  }
}
