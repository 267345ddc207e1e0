// The 1:1 outbox (ARCHITECTURE.md "Delivery"): queueing sent messages durably (one transaction
// per send or batch send, MAX_SEND_BATCH), flushing what is due to a peer in batches of MAX_BATCH
// read in seq order from an index (each batch one ratchet transaction that also stores `sent`),
// the mailbox fallback, backoff and the per-peer retry timer; the control outbox (group updates,
// profile names, 1:1 edits: ./control-outbox.ts) is drained in the same flush. It owns the flush
// state (one flush per peer at a time, folded re-runs) and the retry timers; it knows nothing of
// receiving, receipts, contacts or groups beyond the ports in its context.
import debug from 'debug'
import { encodeChatContent, fromHex, MESSAGE_ID_BYTES, toHex } from '../../core/index.js'
import type { FileManifest } from '../../core/index.js'
import type { MessageStatus, OutboxEntry, StoredMessage } from '../../store/types.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { canDeposit, encryptAll } from './sessions.js'
import type { ControlQueue } from './control-outbox.js'
import { MAX_BATCH, nextAttemptDelay } from './delivery.js'
import { unitRandom } from '../random.js'
import { MAILBOX_REDEPOSIT_MS, type Mailboxes } from '../offline/mailboxes.js'
import { toMessageView } from '../views.js'
import { errorName } from '../../core/errors.js'

/** The slice of the node outbox uses (a narrow port: ../context.ts WithNode). */
export type OutboxNode = Pick<KithNode, 'isConnected' | 'peerId' | 'sendDm'>

/** The outbox's port: the service context, and what it calls besides (narrow ports). */
export type OutboxContext = WithNode<OutboxNode> & {
  /** Where frames go when the peer cannot be reached, and its card looked up (../offline/). */
  readonly mailboxes: Pick<Mailboxes, 'deposit' | 'lookUpCard'>
  /** The control outbox the flush also drains for a peer (./control-outbox.ts). */
  readonly control: ControlQueue
  /** A queued file message's manifest (../files/manifests.ts); absent without files. */
  readonly manifestFor?: (m: StoredMessage) => FileManifest | undefined
}

const log = debug('kith:service')

export { MAX_SEND_BATCH } from '../text.js'

export class Outbox {
  readonly #cx: OutboxContext
  readonly #flushing = new Set<string>()
  readonly #flushAgain = new Set<string>()
  readonly #flushAll = new Set<string>()
  readonly #timers = new Map<string, NodeJS.Timeout>()
  /** The retry backoff's jitter, from the injected rng (./delivery.ts nextAttemptDelay). */
  readonly #jitter = (): number => unitRandom(this.#cx.ctx.rng)

  constructor(cx: OutboxContext) {
    this.#cx = cx
  }

  /** Clears the retry timers (the service is stopping). */
  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
  }

  /** Stores `text` for contact `peer` as a queued message in the outbox, and flushes soon.
   *  `replyTo` (checked by the caller) and the conversation's disappearing timer ride along;
   *  `file`: a file message (./files/: `text` is its FileInfo JSON) with that message id. */
  send(
    peer: string,
    text: string,
    opts: { replyTo?: string; ttlSeconds?: number; file?: { id: string } } = {},
  ): { id: string; status: MessageStatus } {
    const [id] = this.sendMany(peer, [text], opts)
    return { id: id!, status: 'queued' }
  }

  /**
   * Stores `texts` for contact `peer` as queued messages, in order (consecutive seqs), in ONE
   * transaction (a batch send: one commit for the lot), and flushes soon. Returns their ids once
   * they are durable. The `message` events follow the flush's start (issue 17: the event push is
   * off the critical path), so the frames are handed to the network first.
   */
  sendMany(
    peer: string,
    texts: readonly string[],
    opts: { replyTo?: string; ttlSeconds?: number; file?: { id: string } } = {},
  ): string[] {
    const { file } = opts
    const cx = this.#cx
    const now = cx.ctx.clock()
    // Refuse what could never be encoded now, not at delivery time.
    for (const text of texts) {
      encodeChatContent({
        messageId: new Uint8Array(16),
        sender: cx.meBytes,
        seq: 1n,
        sentAt: 0n,
        conversation: new Uint8Array(0),
        text: { text },
      })
    }
    const messages = cx.store.transaction(() =>
      texts.map((text) => {
        const m: StoredMessage = {
          id: file?.id ?? toHex(cx.ctx.rng(MESSAGE_ID_BYTES)),
          conversation: peer,
          from: cx.node.peerId,
          direction: 'out',
          seq: cx.store.nextSeq(peer),
          text,
          sentAt: now,
          receivedAt: now,
          status: 'queued',
          ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}),
          ...(opts.ttlSeconds !== undefined ? { ttlSeconds: opts.ttlSeconds } : {}),
          ...(file !== undefined ? { kind: 'file' as const } : {}),
        }
        cx.store.insertMessage(m)
        cx.store.enqueue({ messageId: m.id, peer, attempts: 0, nextAttemptAt: now })
        return m
      }),
    )
    this.flushSoon(peer)
    // Queued after the flush: setImmediate callbacks run in order, and the flush's encryption
    // and write into libp2p happen before its first real wait.
    setImmediate(() => {
      for (const m of messages) cx.emit({ event: 'message', message: toMessageView(m) })
    })
    return messages.map((m) => m.id)
  }

  flushSoon(peer: string, all = false): void {
    if (this.#cx.stopped()) return
    setImmediate(() => void this.#flush(peer, all))
  }

  /**
   * Sends what is due in the outbox to `peer` (`all`: everything unacked, as when the peer just
   * came back), in batches of MAX_BATCH, each batch one ratchet transaction. One flush per peer
   * runs at a time; calls meanwhile are folded into one more round.
   */
  async #flush(peer: string, all: boolean): Promise<void> {
    const cx = this.#cx
    // Nothing goes to a blocked peer (service/direct/requests.ts); unblocking flushes it again.
    if (cx.store.trust.isBlocked(peer)) return
    if (all) this.#flushAll.add(peer)
    if (this.#flushing.has(peer)) {
      this.#flushAgain.add(peer)
      return
    }
    this.#flushing.add(peer)
    try {
      do {
        this.#flushAgain.delete(peer)
        const everything = this.#flushAll.delete(peer)
        const now = cx.ctx.clock()
        // Paged from an index in seq order (store outboxDue): never the whole outbox at once.
        const dueBy = everything ? Number.MAX_SAFE_INTEGER : now
        // Start at the first due entry: in a burst the entries in flight (sent, awaiting their
        // ack) all have lower seqs, and the walk would step over them on every flush.
        let afterSeq = everything ? 0 : (cx.store.firstDueSeq(peer, now) ?? 1) - 1
        let reachable = true
        for (;;) {
          const page = cx.store.outboxDue(peer, { dueBy, afterSeq, limit: MAX_BATCH })
          if (page.length === 0) break
          afterSeq = page[page.length - 1]!.seq
          if (cx.stopped()) return
          // Encrypt only for a reachable peer: every encryption advances the ratchet, and frames
          // that never leave would make the receiver skip keys (bounded by MAX_SKIP). Nowhere to
          // send: back off (a connection or a new card flushes everything at once). Control
          // entries back off on their own below; a flush asked meanwhile runs the loop again.
          if (reachable) reachable = await this.#reachableSomehow(peer)
          if (!reachable) this.#backOff(page, now)
          else await this.#sendBatch(peer, page, now)
        }
        await cx.control.flush(peer, everything, now, {
          reachable: (p) => this.#reachableSomehow(p),
          jitter: this.#jitter,
        })
      } while (this.#flushAgain.has(peer))
    } catch (err) {
      log('flush to %s failed: %s', peer, errorName(err))
    } finally {
      this.#flushing.delete(peer)
      this.#scheduleRetry(peer)
    }
  }

  #backOff(entries: OutboxEntry[], now: number): void {
    this.#cx.store.transaction(() => this.#reschedule(entries, now))
  }

  /** The next attempt of each entry, after the backoff (inside the caller's transaction). */
  #reschedule(entries: OutboxEntry[], now: number): void {
    for (const e of entries) {
      const next = now + nextAttemptDelay(e.attempts, this.#jitter)
      this.#cx.store.reschedule(e.messageId, e.attempts + 1, next)
    }
  }

  async #sendBatch(peer: string, batch: OutboxEntry[], now: number): Promise<void> {
    const cx = this.#cx
    // Skip what was acked since the batch was listed.
    const messages = batch
      .map((e) => cx.store.getMessage(e.messageId))
      .filter((m): m is StoredMessage => m !== undefined && m.status !== 'delivered')
    if (messages.length === 0) return
    // Connected: the `sent` status is written in the encryption's transaction (issue 17: one
    // commit per batch). A crash before the frames leave only means a retry (the receiver drops
    // the duplicate id); a failed write puts them back to `queued` below.
    const direct = cx.node.isConnected(peer)
    let sent: StoredMessage[] = []
    const frames = encryptAll(
      cx,
      peer,
      messages.map((m) => this.#content(m)),
      () => {
        this.#reschedule(batch, now)
        if (!direct) return
        sent = messages.filter((m) => m.status === 'queued')
        for (const m of sent) cx.store.setStatus(m.id, 'sent')
      },
    )
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
      messages.splice(accepted)
      sent = cx.store.transaction(() =>
        messages.filter((m) => {
          if (cx.store.getMessage(m.id)?.status !== 'queued') return false
          cx.store.setStatus(m.id, 'sent')
          return true
        }),
      )
    }
    for (const m of sent) {
      // An ack may have overtaken the write's completion: status only moves forward.
      if (cx.store.getMessage(m.id)?.status !== 'sent') continue
      cx.emit({ event: 'status', id: m.id, conversation: peer, status: 'sent' })
    }
  }

  /**
   * Before encrypting for a peer we are not connected to: is there anywhere for the frames to go?
   * Without a card we look it up in the DHT first (rate-limited), so frames are not sealed for
   * nowhere (each would make the receiver skip a key).
   */
  async #reachableSomehow(peer: string): Promise<boolean> {
    const cx = this.#cx
    if (cx.node.isConnected(peer) || canDeposit(cx, peer)) return true
    if (cx.cards.of(peer) === undefined) await cx.mailboxes.lookUpCard(peer)
    return canDeposit(cx, peer)
  }

  #content(m: StoredMessage): Uint8Array {
    // A file message carries its manifest (./files/); the text is only its local JSON line.
    const file = m.kind === 'file' ? this.#cx.manifestFor?.(m) : undefined
    return encodeChatContent({
      messageId: fromHex(m.id),
      sender: this.#cx.meBytes,
      seq: BigInt(m.seq),
      sentAt: BigInt(m.sentAt),
      conversation: new Uint8Array(0),
      ...(file !== undefined ? { file } : { text: { text: m.text } }),
      ...(m.replyTo !== undefined && file === undefined ? { replyTo: fromHex(m.replyTo) } : {}),
    })
  }

  #scheduleRetry(peer: string): void {
    const cx = this.#cx
    clearTimeout(this.#timers.get(peer))
    this.#timers.delete(peer)
    if (cx.stopped()) return
    const times = [cx.store.nextAttemptAt(peer), cx.control.nextAttemptAt(peer)]
    const next = times.reduce<number | undefined>(
      (a, b) => (b === undefined ? a : a === undefined ? b : Math.min(a, b)),
      undefined,
    )
    if (next === undefined) return
    const t = setTimeout(
      () => {
        this.#timers.delete(peer)
        void this.#flush(peer, false)
      },
      Math.max(0, next - cx.ctx.clock()),
    )
    t.unref()
    this.#timers.set(peer, t)
  }
}
