// A 1:1 conversation's history as the API reads it (CLI.md "Messages": `kith messages`, cursor
// paging) and waiting for a sent message's delivery (`kith send --wait`). It reads the store and
// listens to the service's events; it knows nothing of how messages are sent or received.
import type { MessageStatus, NodeStore } from '../../store/types.js'
import { checkCursor } from '../cursor.js'
import { MessageNotFoundError } from '../errors.js'
import type { MessageView, ServiceEvent } from '../types.js'
import { toMessageView } from '../views.js'

/** What history reads of the store (a narrow port). */
export type HistoryStore = Pick<NodeStore, 'getMessage' | 'listMessages'>

/** Messages of `conversation` (all conversations if undefined), newest page before `before`. */
export function directHistory(
  store: HistoryStore & Parameters<typeof checkCursor>[0],
  conversation: string | undefined,
  opts: { limit?: number; before?: string },
): MessageView[] {
  if (opts.before !== undefined) checkCursor(store, opts.before, conversation)
  return store
    .listMessages({
      ...(conversation === undefined ? {} : { conversation }),
      ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      ...(opts.before === undefined ? {} : { before: opts.before }),
    })
    .map(toMessageView)
}

/** Resolves `delivered` (or `read`, which implies it) once the peer acked message `id`, else its
 *  status after `timeoutMs`. `on` subscribes to the service's events and returns the unsubscribe. */
export async function waitDelivered(
  store: HistoryStore,
  on: (fn: (e: ServiceEvent) => void) => () => void,
  id: string,
  timeoutMs: number,
): Promise<MessageStatus> {
  const m = store.getMessage(id)
  if (m === undefined) throw new MessageNotFoundError(`no message ${id}`)
  if (m.status === 'delivered' || m.status === 'read') return m.status
  return new Promise((resolve) => {
    const done = (status: MessageStatus) => {
      clearTimeout(timer)
      off()
      resolve(status)
    }
    const timer = setTimeout(() => done(store.getMessage(id)?.status ?? m.status), timeoutMs)
    const off = on((e) => {
      if (e.event === 'status' && e.id === id && (e.status === 'delivered' || e.status === 'read'))
        done(e.status)
    })
  })
}
