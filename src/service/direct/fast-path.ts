// When the outbox's fast path may seal a send in its own transaction (issue 17, ./outbox.ts):
// the per-peer activity that rules it out — a flush running or scheduled, the fast path's write
// still in flight, a burst of sends that has not paused — and the two limits measured for it.
// It owns that bookkeeping only; it knows nothing of the store, sessions or the node.

/**
 * Most texts one send seals on the fast path (issue 17): one, i.e. a message sent on its own.
 * A batch send (up to MAX_SEND_BATCH) gains one commit per batch from it, but sealing hundreds
 * of frames at POST time starts all their ack timeouts (ACK_TIMEOUT_BASE_MS) before the wire
 * takes them; measured under load (2026-12-05), a slow receiver then timed out ≈ 30 % of a
 * 5,000-message batch run and A sent them again. The flush seals a batch page by page as the
 * wire takes it.
 */
export const FAST_PATH_MAX_TEXTS = 1

/**
 * After a send found the peer's outbox busy (a flush or a fast-path write running), sends to it
 * keep taking the flush until one comes this long after the previous: overlapping sends are a
 * burst, and the flush seals and writes a burst in one transaction and one write, where the fast
 * path would cost each message its own (measured, 2026-12-05: one POST per message from 8
 * clients cost A ≈ 0.15–0.3 ms more CPU per message with the fast path taken between flushes).
 * Messages sent one at a time wait for nothing and never see the outbox busy; 20 ms is longer
 * than the gaps of a burst on this machine (≈ 2 ms at 500 msg/s) and short enough that a
 * conversation's next message after a burst goes fast again.
 */
export const FAST_PATH_PAUSE_MS = 20

/** A peer's outbox activity, as the fast path needs to know it. */
export class PeerActivity {
  /** Peers whose flush is running (one per peer at a time: ./outbox.ts #flush). */
  readonly flushing = new Set<string>()
  /** Flushes scheduled (flushSoon) and not started yet, per peer. */
  readonly #pending = new Map<string, number>()
  /**
   * The fast path's write to a peer while it is in flight (one at a time: a send meanwhile takes
   * the flush, which waits for it). Its frames' ack timeout runs from their encryption, so frames
   * sealed while earlier ones still queue for the wire could time out before they even left:
   * one write at a time keeps sealing paced by the receiver, as the flush's pages are.
   */
  readonly #writing = new Map<string, Promise<void>>()
  /** Per peer in a burst of sends: the fast path waits until then (FAST_PATH_PAUSE_MS). */
  readonly #burstUntil = new Map<string, number>()

  /** A flush of `peer` was scheduled. */
  scheduled(peer: string): void {
    this.#pending.set(peer, (this.#pending.get(peer) ?? 0) + 1)
  }

  /** A scheduled flush of `peer` starts. */
  started(peer: string): void {
    const left = (this.#pending.get(peer) ?? 1) - 1
    if (left === 0) this.#pending.delete(peer)
    else this.#pending.set(peer, left)
  }

  /** The fast path's write `write` (which must not reject) to `peer` is in flight until it
   *  settles; then `done` runs. */
  writing(peer: string, write: Promise<void>, done: () => void): void {
    const tracked: Promise<void> = write.finally(() => {
      if (this.#writing.get(peer) === tracked) this.#writing.delete(peer)
      done()
    })
    this.#writing.set(peer, tracked)
  }

  /** The fast path's write to `peer` in flight, if any (it never rejects). */
  inFlight(peer: string): Promise<void> | undefined {
    return this.#writing.get(peer)
  }

  /**
   * Whether a send to `peer` at `now` may take the fast path as far as activity goes: nothing of
   * its outbox running, scheduled or in flight (that would send older entries first, or pile
   * frames behind a write), and not in a burst. Sends that overlap are a burst: they batch better
   * through the flush (one write and one seal for many), so a busy outbox starts or extends a
   * burst and the fast path waits until the peer's sends pause for FAST_PATH_PAUSE_MS.
   */
  quiet(peer: string, now: number): boolean {
    const busy = this.flushing.has(peer) || this.#pending.has(peer) || this.#writing.has(peer)
    if (busy || now < (this.#burstUntil.get(peer) ?? 0)) {
      this.#burstUntil.set(peer, now + FAST_PATH_PAUSE_MS)
      return false
    }
    this.#burstUntil.delete(peer)
    return true
  }
}
