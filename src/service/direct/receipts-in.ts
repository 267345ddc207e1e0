// Receipts arriving in a 1:1 frame (protocol.md §4.8), applied inside receive's transaction
// (./receive.ts): DELIVERED moves our outgoing messages to `delivered` and out of the outbox (or
// dequeues a group control content: ../groups/); READ, from an accepted contact only, moves them
// to `read` (read implies delivered). Status only moves forward. It knows nothing of sending
// receipts (./receipts.ts) or of the frame around it.
import { ReceiptKind, toHex, type ChatContent } from '../../core/index.js'
import type { ChatContext } from '../context.js'
import type { ServiceEvent } from '../types.js'

/** The groups' side of a DELIVERED receipt (../groups/index.ts Groups.acked): whether `id` was
 *  one of our control contents to `peer`, dequeued then. */
export interface ControlAcks {
  acked(id: string, peer: string): boolean
}

/** What applying a receipt uses (a narrow port): the store, and the control contents' acks. */
export type ReceiptInContext = Pick<ChatContext, 'store'> & { readonly groups: ControlAcks }

export function applyReceipt(
  cx: ReceiptInContext,
  from: string,
  receipt: NonNullable<ChatContent['receipt']>,
  trusted: boolean,
  now: number,
  events: ServiceEvent[],
): void {
  if (receipt.kind === ReceiptKind.DELIVERED) {
    for (const raw of receipt.messageIds) {
      const id = toHex(raw)
      const m = cx.store.messageHead(id)
      if (m === undefined && cx.groups.acked(id, from)) continue
      if (m === undefined || m.direction !== 'out' || m.conversation !== from) continue
      cx.store.dequeue(id)
      if (m.status !== 'delivered') {
        cx.store.setStatus(id, 'delivered')
        events.push({ event: 'status', id, conversation: from, status: 'delivered' })
      }
    }
  } else if (receipt.kind === ReceiptKind.READ && trusted) {
    // The contact read our messages (`kith read` there; protocol.md §4.8). Only an accepted
    // contact's READ counts, and only for our own outgoing messages to it; read implies
    // delivered, so the entry leaves the outbox too. Status only moves forward.
    for (const raw of receipt.messageIds) {
      const id = toHex(raw)
      const m = cx.store.messageHead(id)
      if (m === undefined || m.direction !== 'out' || m.conversation !== from) continue
      cx.store.dequeue(id)
      if (m.status !== 'read') {
        cx.store.setStatus(id, 'read', now)
        events.push({ event: 'status', id, conversation: from, status: 'read' })
      }
    }
  }
}
