// The 1:1 outbox (ARCHITECTURE.md "Delivery"): queueing sent messages durably (one transaction
// per send or batch send, MAX_SEND_BATCH; to a connected peer with nothing due, the same
// transaction also seals them: the fast path), flushing what is due to a peer in batches of MAX_BATCH
// read in seq order from an index (each batch one ratchet transaction that also stores `sent`),
// the mailbox fallback, backoff and the per-peer retry timer; the control outbox (group updates,
// profile names, 1:1 edits: ./control-outbox.ts) is drained in the same flush. It owns the flush
// state (one flush or fast-path write per peer at a time, folded re-runs) and the retry timers
// (./delivery.ts); the write and its failure path are ./deliver.ts. It knows nothing of
// receiving, receipts, contacts or groups beyond the ports in its context.
import debug from 'debug'
import { newMessageId, toHex } from '../../core/index.js'
import type { FileManifest } from '../../core/index.js'
import { checkEncodable, outgoingContent } from './content.js'
import type { MessageStatus, OutboxEntry, StoredMessage } from '../../store/types.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { canDeposit, encryptAll } from './sessions.js'
import type { ControlQueue } from './control-outbox.js'
import { MAX_BATCH, nextAttemptDelay, RetryTimers } from './delivery.js'
import { unitRandom } from '../random.js'
import type { Mailboxes } from '../offline/mailboxes.js'
import { deliverSealed } from './deliver.js'
import { FAST_PATH_MAX_TEXTS, PeerActivity } from './fast-path.js'
import { toMessageView } from '../views.js'
import { afterWrites } from '../after-writes.js'
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
export { FAST_PATH_MAX_TEXTS, FAST_PATH_PAUSE_MS } from './fast-path.js'

/** Frames sealed by the fast path, with the entries and `sent` messages they were sealed for. */
interface Sealed {
  frames: Uint8Array[]
  entries: OutboxEntry[]
  sent: StoredMessage[]
}

export class Outbox {
  readonly #cx: OutboxContext
  readonly #flushAgain = new Set<string>()
  readonly #flushAll = new Set<string>()
  /** Per peer: flushes running or scheduled, the fast path's write in flight, bursts. */
  readonly #activity = new PeerActivity()
  readonly #timers = new RetryTimers((peer) => void this.#flush(peer, false))
  /** The retry backoff's jitter, from the injected rng (./delivery.ts nextAttemptDelay). */
  readonly #jitter = (): number => unitRandom(this.#cx.ctx.rng)

  constructor(cx: OutboxContext) {
    this.#cx = cx
  }

  /** Clears the retry timers (the service is stopping). */
  stop(): void {
    this.#timers.stop()
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
   * transaction (a batch send: one commit for the lot), and returns their ids once they are
   * durable. The fast path (issue 17, #sendsNow): when the peer is connected and nothing of its
   * outbox is due or being flushed, the same transaction also seals them (the encryption, the
   * reschedule and `sent`, as a flush would) and the frames go to the node right after the
   * commit: one commit per message instead of two. Otherwise a flush follows. The `message`
   * events follow the frames' hand-over (issue 17: the event push is off the critical path).
   */
  sendMany(
    peer: string,
    texts: readonly string[],
    opts: { replyTo?: string; ttlSeconds?: number; file?: { id: string } } = {},
  ): string[] {
    const { file } = opts
    const cx = this.#cx
    const now = cx.ctx.clock()
    // A file message's content carries its manifest (#content): always through the flush.
    const fast = file === undefined && texts.length <= FAST_PATH_MAX_TEXTS && this.#sendsNow(peer)
    // Refuse what could never be encoded now, not at delivery time (the fast path encodes the
    // real contents in its transaction below: a throw there stores nothing either).
    if (!fast) for (const text of texts) checkEncodable(cx.meBytes, text)
    let sealed: Sealed | undefined
    const messages = cx.store.transaction(() => {
      // Nothing older may be due: the fast path must not overtake a queued entry (per-sender
      // order), so with one due the flush sends them all in seq order.
      const sealHere = fast && this.#nothingDue(peer, now)
      const ms = texts.map((text) => {
        const m: StoredMessage = {
          id: file?.id ?? toHex(newMessageId(cx.ctx)),
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
      })
      if (sealHere) sealed = this.#sealNow(peer, ms, now)
      else if (fast) for (const m of ms) outgoingContent(cx, m) // the check skipped above
      return ms
    })
    if (sealed !== undefined) {
      // After the commit, in seq order behind any earlier write to the peer (node/dm/outbound.ts
      // serializes a peer's sends), then the flush's failure path and retry timer.
      const { frames, entries, sent } = sealed
      this.#activity.writing(
        peer,
        deliverSealed(cx, peer, entries, messages, frames, sent).catch((err: unknown) =>
          log('send to %s failed: %s', peer, errorName(err)),
        ),
        () => this.#scheduleRetry(peer),
      )
    } else this.flushSoon(peer)
    // After the frames reach the socket (../after-writes.ts): the event push is off the
    // critical path (issue 17); a flush's encryption and write into libp2p happen in its first
    // immediate, before its first real wait.
    afterWrites(() => {
      for (const m of messages) cx.emit({ event: 'message', message: toMessageView(m) })
    })
    return messages.map((m) => m.id)
  }

  /** Whether a send to `peer` may take the fast path: not in a burst (PeerActivity.quiet),
   *  connected, not blocked, not stopping. */
  #sendsNow(peer: string): boolean {
    const cx = this.#cx
    if (!this.#activity.quiet(peer, cx.ctx.clock())) return false
    return !cx.stopped() && cx.node.isConnected(peer) && !cx.store.trust.isBlocked(peer)
  }

  /** No outbox or control entry of `peer` is due at `now` (read inside the send's transaction). */
  #nothingDue(peer: string, now: number): boolean {
    const cx = this.#cx
    if (cx.store.firstDueSeq(peer, now) !== undefined) return false
    const control = cx.control.nextAttemptAt(peer)
    return control === undefined || control > now
  }

  /** The fast path's sealing, inside the send's transaction (#seal). Undefined when the session
   *  cannot encrypt (none yet, say): the savepoint rolls back alone and the flush takes over. */
  #sealNow(peer: string, messages: StoredMessage[], now: number): Sealed | undefined {
    const entries = messages.map((m) => ({
      messageId: m.id,
      peer,
      attempts: 0,
      nextAttemptAt: now,
    }))
    // Outside the try: an unencodable text is refused (the send's transaction rolls back).
    const contents = messages.map((m) => outgoingContent(this.#cx, m))
    try {
      return { ...this.#seal(peer, messages, contents, entries, now, true), entries }
    } catch (err) {
      log('sealing for %s deferred to the flush: %s', peer, errorName(err))
      return undefined
    }
  }

  /**
   * Encrypts `messages` (for the outbox entries `entries`) for `peer` in one ratchet transaction
   * (a savepoint inside the caller's), with their entries rescheduled after the ack timeout and,
   * when `direct` (connected), the still-queued ones stored `sent` (issue 17: one commit per
   * batch). A crash before the frames leave only means a retry (the receiver drops the duplicate
   * id); a failed write puts them back to `queued` (./deliver.ts).
   */
  #seal(
    peer: string,
    messages: StoredMessage[],
    contents: Uint8Array[],
    entries: readonly OutboxEntry[],
    now: number,
    direct: boolean,
  ): { frames: Uint8Array[]; sent: StoredMessage[] } {
    const cx = this.#cx
    let sent: StoredMessage[] = []
    const frames = encryptAll(cx, peer, contents, () => {
      this.#reschedule(entries, now)
      if (!direct) return
      sent = messages.filter((m) => m.status === 'queued')
      for (const m of sent) cx.store.setStatus(m.id, 'sent')
    })
    return { frames, sent }
  }

  flushSoon(peer: string, all = false): void {
    if (this.#cx.stopped()) return
    this.#activity.scheduled(peer)
    setImmediate(() => {
      this.#activity.started(peer)
      void this.#flush(peer, all)
    })
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
    if (this.#activity.flushing.has(peer)) {
      this.#flushAgain.add(peer)
      return
    }
    this.#activity.flushing.add(peer)
    try {
      // After the fast path's write in flight (it never rejects), so pages are sealed as the
      // wire takes them.
      await this.#activity.inFlight(peer)
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
      this.#activity.flushing.delete(peer)
      this.#scheduleRetry(peer)
    }
  }

  #backOff(entries: OutboxEntry[], now: number): void {
    this.#cx.store.transaction(() => this.#reschedule(entries, now))
  }

  /** The next attempt of each entry, after the backoff (inside the caller's transaction). */
  #reschedule(entries: readonly OutboxEntry[], now: number): void {
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
    const contents = messages.map((m) => outgoingContent(cx, m))
    const { frames, sent } = this.#seal(
      peer,
      messages,
      contents,
      batch,
      now,
      cx.node.isConnected(peer),
    )
    await deliverSealed(cx, peer, batch, messages, frames, sent)
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

  #scheduleRetry(peer: string): void {
    const cx = this.#cx
    if (cx.stopped()) return this.#timers.set(peer, undefined)
    const times = [cx.store.nextAttemptAt(peer), cx.control.nextAttemptAt(peer)]
    const next = times.reduce<number | undefined>(
      (a, b) => (b === undefined ? a : a === undefined ? b : Math.min(a, b)),
      undefined,
    )
    this.#timers.set(peer, next === undefined ? undefined : next - cx.ctx.clock())
  }
}
