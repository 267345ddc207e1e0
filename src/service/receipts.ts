// Delivery receipts (acks) for received 1:1 messages and group control contents: batched per
// peer (a burst of 1,000 messages is acked in a few receipts of MAX_ACK_BATCH ids), sent over the
// session, or deposited with the peer's mailboxes when it is not connected. It owns the pending
// acks; it knows nothing of the outbox (a lost ack is covered by the sender's retry).
import debug from 'debug'
import { fromHex } from '../core/bytes.js'
import { encodeChatContent, MESSAGE_ID_BYTES } from '../core/wire/content.js'
import { ReceiptKind } from '../core/wire/pb/wire.js'
import { canDeposit, encryptAll, type ChatContext } from './context.js'
import { MAX_ACK_BATCH } from './delivery.js'

const log = debug('kith:service')

export class Receipts {
  readonly #cx: ChatContext
  readonly #acks = new Map<string, Set<string>>()

  constructor(cx: ChatContext) {
    this.#cx = cx
  }

  /** Acks are batched per peer: a burst of 1,000 messages is acked in a few receipts. */
  queueAck(peer: string, id: string): void {
    let set = this.#acks.get(peer)
    if (set === undefined) {
      set = new Set()
      this.#acks.set(peer, set)
      setImmediate(() => void this.#sendAcks(peer))
    }
    set.add(id)
  }

  async #sendAcks(peer: string): Promise<void> {
    const cx = this.#cx
    const ids = [...(this.#acks.get(peer) ?? [])]
    this.#acks.delete(peer)
    if (ids.length === 0 || cx.stopped()) return
    const contents: Uint8Array[] = []
    for (let i = 0; i < ids.length; i += MAX_ACK_BATCH) {
      contents.push(
        encodeChatContent({
          messageId: cx.ctx.rng(MESSAGE_ID_BYTES),
          sender: cx.meBytes,
          seq: 0n,
          sentAt: BigInt(cx.ctx.clock()),
          conversation: new Uint8Array(0),
          receipt: {
            kind: ReceiptKind.DELIVERED,
            messageIds: ids.slice(i, i + MAX_ACK_BATCH).map((id) => fromHex(id)),
          },
        }),
      )
    }
    try {
      // A lost ack is not fatal: the sender retries and we ack the duplicate again.
      if (!cx.node.isConnected(peer) && !canDeposit(cx, peer)) return
      const frames = encryptAll(cx, peer, contents)
      try {
        await cx.node.sendDm(peer, frames)
      } catch {
        await cx.mailboxes()?.deposit(peer, frames)
      }
    } catch (err) {
      log('ack to %s failed: %s', peer, (err as Error).name)
    }
  }
}
