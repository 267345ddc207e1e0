// `kith search` in the service (CLI.md "Conversations, receipts, edits"): resolves the optional
// conversation (a contact's name or PeerId, else a group's name or id, as `kith read` does) and
// turns the store's matching ids into message lines. The index and the query syntax are
// ../store/search.ts's (whose search first indexes the messages still waiting, so a search sees
// every stored message); when the index catches up otherwise is ./search-index.ts's. This module
// knows nothing of SQL.
import { findGroup } from './groups/naming.js'
import type { ChatContext } from './context.js'
import { ContactNotFoundError, InvalidArgumentError } from './errors.js'
import type { MessageView, SearchRequest } from './types.js'
import { toMessageView } from './views.js'

/** Messages matching every word of the query, newest first. Throws ContactNotFoundError (404)
 *  for an unknown conversation, InvalidArgumentError (400) for a query or limit out of bounds. */
export function searchMessages(cx: ChatContext, req: SearchRequest): MessageView[] {
  let conversation: string | undefined
  if (req.conversation !== undefined) {
    conversation =
      cx.store.getContact(req.conversation)?.peerId ?? findGroup(cx, req.conversation)?.groupId
    if (conversation === undefined) {
      throw new ContactNotFoundError(`no contact or group "${req.conversation}"`)
    }
  }
  let ids: string[]
  try {
    ids = cx.store.search.search(req.query, { conversation, limit: req.limit })
  } catch (err) {
    if (err instanceof RangeError) throw new InvalidArgumentError(err.message)
    throw err
  }
  return cx.store.transaction(() =>
    ids.flatMap((id) => {
      const m = cx.store.getMessage(id)
      return m === undefined ? [] : [toMessageView(m)]
    }),
  )
}
