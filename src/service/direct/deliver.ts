// Handing sealed 1:1 frames to the network (ARCHITECTURE.md "Delivery"), shared by the outbox's
// flush and its fast path (./outbox.ts): the write to the peer, and when it fails the one failure
// path — the messages stored `sent` go back to `queued`, the same frames go to the recipient's
// mailboxes, and what no mailbox took stays rescheduled for a retry — then the `sent` events.
// It owns no state and decides nothing about what to send or when; it knows nothing of the
// flush's batching, the retry timers or how the frames were sealed.
import type { MessageStatus, OutboxEntry, StoredMessage } from '../../store/types.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { MAILBOX_REDEPOSIT_MS, type Mailboxes } from '../offline/mailboxes.js'

/** What delivering uses (a narrow port): the store, the clock, the node's write, the mailboxes
 *  and the event sink. */
export type DeliverContext = Pick<
  WithNode<Pick<KithNode, 'sendDm'>>,
  'ctx' | 'store' | 'node' | 'emit'
> & { readonly mailboxes: Pick<Mailboxes, 'deposit'> }

/** A message's status as the store holds it now (an ack may have moved it on meanwhile). */
const statusNow = (cx: DeliverContext, id: string): MessageStatus | undefined =>
  cx.store.messageStatus(id)

/**
 * Writes `frames` (sealed from `messages`, in order, for the outbox entries `batch`) to `peer`.
 * `sent`: the messages whose `sent` status was stored with the encryption (the peer was
 * connected). When the write fails they go back to `queued` (ChatStore.unsend) and the same
 * frames are deposited with the peer's mailboxes; the messages a mailbox took are rescheduled
 * after MAILBOX_REDEPOSIT_MS and become `sent`. No mailbox took any: rethrows the write's error
 * (the entries keep the backoff the encryption's transaction gave them). Then a `status` event
 * for each message that is still `sent` (an ack may have overtaken the write).
 */
export async function deliverSealed(
  cx: DeliverContext,
  peer: string,
  batch: readonly OutboxEntry[],
  messages: StoredMessage[],
  frames: Uint8Array[],
  sent: readonly StoredMessage[],
): Promise<void> {
  try {
    await cx.node.sendDm(peer, frames)
  } catch (err) {
    if (sent.length > 0) {
      const ids = sent.map((m) => m.id)
      cx.store.transaction(() => cx.store.unsend(ids))
      sent = []
    }
    // Unreachable: hand the same sealed frames to the recipient's mailboxes (status `sent`
    // once one accepted them). A direct send still follows when the peer is back.
    const accepted = await cx.mailboxes.deposit(peer, frames)
    if (accepted === 0) throw err
    const later = cx.ctx.clock() + MAILBOX_REDEPOSIT_MS
    cx.store.transaction(() => {
      for (const m of messages.slice(0, accepted)) {
        const e = batch.find((x) => x.messageId === m.id)
        if (e !== undefined) cx.store.reschedule(m.id, e.attempts + 1, later)
      }
    })
    const deposited = messages.slice(0, accepted)
    sent = cx.store.transaction(() =>
      deposited.filter((m) => {
        if (statusNow(cx, m.id) !== 'queued') return false
        cx.store.setStatus(m.id, 'sent')
        return true
      }),
    )
  }
  for (const m of sent) {
    // An ack may have overtaken the write's completion: status only moves forward.
    if (statusNow(cx, m.id) !== 'sent') continue
    cx.emit({ event: 'status', id: m.id, conversation: peer, status: 'sent' })
  }
}
