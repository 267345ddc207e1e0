// Delivery receipts (acks) for received 1:1 messages and group control contents, and read
// receipts (`kith read`, protocol.md §4.8): batched per peer and kind until ACK_DELAY_MS pass
// without another, at most ACK_MAX_DELAY_MS (a burst of 1,000 messages is acked in a few receipts
// of MAX_ACK_BATCH ids), sent over the session, or deposited with the
// peer's mailboxes when it is not connected. It owns the pending receipts; it knows nothing of the
// outbox (a lost ack is covered by the sender's retry; a lost read receipt is not retried) nor of
// the read-receipt setting (the caller decides whether to queue one).
import debug from 'debug'
import { encodeChatContent, fromHex, newMessageId, ReceiptKind } from '../../core/index.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { canDeposit, encryptAll } from './sessions.js'
import { ACK_DELAY_MS, ACK_MAX_DELAY_MS, MAX_ACK_BATCH } from './delivery.js'
import { errorName } from '../../core/errors.js'
import type { Mailboxes } from '../offline/mailboxes.js'

/** The slice of the node receipts uses (a narrow port: ../context.ts WithNode). */
export type ReceiptsNode = Pick<KithNode, 'isConnected' | 'sendDm'>

/** The receipts' port: the service context, and the mailboxes a receipt is deposited with. */
export type ReceiptsContext = WithNode<ReceiptsNode> & {
  readonly mailboxes: Pick<Mailboxes, 'deposit'>
}

const log = debug('kith:service')

/** A peer's receipt being gathered: the ids, and its two timers (whichever fires first sends). */
interface Pending {
  acks: Set<string>
  reads: Set<string>
  /** ACK_DELAY_MS after the last id queued. */
  quiet: NodeJS.Timeout
  /** ACK_MAX_DELAY_MS after the first. */
  deadline: NodeJS.Timeout
}

export class Receipts {
  readonly #cx: ReceiptsContext
  readonly #pending = new Map<string, Pending>()

  readonly #delayMs: number
  readonly #maxDelayMs: number

  constructor(cx: ReceiptsContext, delayMs = ACK_DELAY_MS) {
    this.#cx = cx
    this.#delayMs = delayMs
    this.#maxDelayMs = Math.max(delayMs, ACK_MAX_DELAY_MS)
  }

  /** Acks are batched per peer: a burst of 1,000 messages is acked in a few receipts. */
  queueAck(peer: string, id: string): void {
    this.#queue(peer).acks.add(id)
  }

  /** A READ receipt naming `ids` (incoming messages from `peer` the user just read). */
  queueRead(peer: string, ids: readonly string[]): void {
    if (ids.length === 0) return
    const reads = this.#queue(peer).reads
    for (const id of ids) reads.add(id)
  }

  #queue(peer: string): Pending {
    const send = (): void => void this.#send(peer)
    const q = this.#pending.get(peer)
    if (q !== undefined) {
      // Another id before the window closed: ACK_DELAY_MS from this one, up to the deadline
      // (./delivery.ts ACK_MAX_DELAY_MS: a stream costs a DH step per 100 ms). A new timer,
      // not refresh(): node:test's mock timers do not restart a refreshed one (Node 20).
      clearTimeout(q.quiet)
      q.quiet = setTimeout(send, this.#delayMs).unref()
      return q
    }
    const p: Pending = {
      acks: new Set(),
      reads: new Set(),
      quiet: setTimeout(send, this.#delayMs).unref(),
      deadline: setTimeout(send, this.#maxDelayMs).unref(),
    }
    this.#pending.set(peer, p)
    return p
  }

  #contents(kind: ReceiptKind, ids: string[]): Uint8Array[] {
    const cx = this.#cx
    const contents: Uint8Array[] = []
    for (let i = 0; i < ids.length; i += MAX_ACK_BATCH) {
      contents.push(
        encodeChatContent({
          messageId: newMessageId(cx.ctx),
          sender: cx.meBytes,
          seq: 0n,
          sentAt: BigInt(cx.ctx.clock()),
          conversation: new Uint8Array(0),
          receipt: {
            kind,
            messageIds: ids.slice(i, i + MAX_ACK_BATCH).map((id) => fromHex(id)),
          },
        }),
      )
    }
    return contents
  }

  async #send(peer: string): Promise<void> {
    const cx = this.#cx
    const q = this.#pending.get(peer)
    if (q === undefined) return
    this.#pending.delete(peer)
    clearTimeout(q.quiet)
    clearTimeout(q.deadline)
    if (cx.stopped()) return
    // DELIVERED before READ: the sender's status passes delivered on the way to read.
    const contents = [
      ...this.#contents(ReceiptKind.DELIVERED, [...q.acks]),
      ...this.#contents(ReceiptKind.READ, [...q.reads]),
    ]
    if (contents.length === 0) return
    try {
      // A lost ack is not fatal: the sender retries and we ack the duplicate again.
      if (!cx.node.isConnected(peer) && !canDeposit(cx, peer)) return
      const frames = encryptAll(cx, peer, contents)
      try {
        await cx.node.sendDm(peer, frames)
      } catch {
        await cx.mailboxes.deposit(peer, frames)
      }
    } catch (err) {
      log('receipt to %s failed: %s', peer, errorName(err))
    }
  }
}
