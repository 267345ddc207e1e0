// Group commit of received /kith/dm frames (issue 17): frames that arrive together — a sender's
// flush writes up to MAX_BATCH frames at once, and one socket read holds many — are stored in ONE
// SQLite transaction instead of one commit per frame. It owns the batch's after-commit work; it
// knows nothing of what a frame holds (./receive.ts does).
//
// Each frame is still handled at once and alone, in arrival order, as a savepoint of the open
// batch (store `batched`): a bad frame throws and is rolled back to its savepoint, so the node
// closes its stream and charges its source as before, and a frame's effects are visible to
// whatever reads the store next. Only durability waits: the batch commits on process.nextTick —
// after the microtasks of the socket read that delivered the frames, before any other I/O
// callback — or at MAX_RECEIVE_BATCH frames, or as soon as anything else opens a transaction
// (store `transaction()` commits the batch first: nothing sealed or answered from the store can be
// durable only with it). Acks, events and follow-ups run after the COMMIT, in order. A crash
// before the commit loses only frames nobody acked: their sender retries them (a fresh
// encryption) and ids already stored are dropped, so exactly-once and per-sender order hold.
import debug from 'debug'
import type { ChatContext } from '../context.js'
import type { Receiver } from './receive.js'
import { errorName, defineError } from '../../core/errors.js'

const log = debug('kith:service')

/** A frame arrived after ChatService.stop: refused (the node closes its stream). */
export class ServiceStoppedError extends defineError('ServiceStoppedError') {}

/**
 * Most frames one batch holds before it commits: bounds the work one commit can lose and how long
 * the write lock is held (≈ 0.1–0.3 ms of CPU per frame: ≤ ≈ 150 ms). Two of the sender's
 * MAX_BATCH flushes.
 */
export const MAX_RECEIVE_BATCH = 512

export class ReceiveBatcher {
  readonly #cx: ChatContext
  readonly #receiver: Receiver
  #after: (() => void)[] = []
  #scheduled = false
  readonly metrics = { batches: 0, frames: 0 }

  constructor(cx: ChatContext, receiver: Receiver) {
    this.#cx = cx
    this.#receiver = receiver
  }

  /** The node's DmHandler: the frame is handled (or refused, rejecting) before it resolves;
   *  stored durably at the batch's commit. */
  handle(from: string, frame: Uint8Array): Promise<void> {
    const store = this.#cx.store
    try {
      // Stopping: the store is about to close; the sender retries what is refused here.
      if (this.#cx.stopped()) throw new ServiceStoppedError('the service is stopping')
      // The frame's work runs in its savepoint of the batch (receive.ts's own transaction would
      // be a second, nested one).
      const after = this.#receiver.apply(from, frame, (fn) =>
        store.batched(fn, () => this.#committed()),
      )
      this.#after.push(after)
      this.metrics.frames++
      if (this.#after.length >= MAX_RECEIVE_BATCH) store.commitBatch()
      else if (!this.#scheduled) {
        this.#scheduled = true
        process.nextTick(() => this.drain())
      }
      return Promise.resolve()
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Commits the open batch now (and runs its after-commit work). */
  drain(): void {
    this.#scheduled = false
    try {
      this.#cx.store.commitBatch()
    } catch (err) {
      // Rolled back (a full disk, a closed store): nothing of the batch was acked; the senders
      // retry it.
      log('group commit failed: %s', errorName(err))
    }
  }

  #committed(): void {
    const after = this.#after
    this.#after = []
    this.metrics.batches++
    for (const fn of after) {
      // The commit may have been forced by someone else's transaction(): a failure here must
      // not surface there, nor stop the next frame's work.
      try {
        fn()
      } catch (err) {
        log('after a received frame: %s', errorName(err))
      }
    }
  }
}
