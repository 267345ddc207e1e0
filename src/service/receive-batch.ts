// Group commit of received /kith/dm frames (issue 17): frames that arrive together — a sender's
// flush writes up to MAX_BATCH frames at once — are stored in ONE SQLite transaction, each frame
// in its own savepoint (./receive.ts `apply`), instead of one commit per frame. It owns the queue
// of frames not yet stored; it knows nothing of what a frame holds.
//
// Exactly-once and order are those of ./receive.ts: frames are applied in arrival order, each
// frame's effects are all-or-nothing, and nothing is acked, shown or announced before the batch
// commits (the after-commit work of every frame runs after COMMIT, in order). A crash before the
// commit loses only frames nobody acked: their sender retries them (a fresh encryption) and the
// receiver drops ids it already stored.
//
// Only a ratchet frame from an accepted contact is queued; the node's handler then resolves at
// once, so the node reads the next frame while the batch fills. Such a frame that fails (a bad
// frame, a replay) is dropped and counted in `metrics.batchRejected`, but its stream is not
// closed: the node's guard (node/dm/guard.ts) only hears of failures from frames handled one at
// a time. Everything else — a PREKEY frame (PQXDH and ML-KEM: the guard must charge a failure),
// a stranger's or a blocked peer's frame — is handled alone as before, after the queue is drained,
// so the per-peer order holds.
import debug from 'debug'
import { parseEnvelope } from '../core/session/session.js'
import type { ChatContext } from './context.js'
import type { Receiver } from './receive.js'

const log = debug('kith:service')

/**
 * Most frames one batch stores: bounds the memory of frames read but not yet stored and the
 * length of one transaction (≈ 0.1 ms of CPU per frame, so ≈ 50 ms at most). Two of the sender's
 * MAX_BATCH flushes.
 */
export const MAX_RECEIVE_BATCH = 512

export class ReceiveBatcher {
  readonly #cx: ChatContext
  readonly #receiver: Receiver
  #queue: { from: string; frame: Uint8Array }[] = []
  #scheduled = false
  readonly metrics = { batches: 0, batchedFrames: 0, batchRejected: 0 }

  constructor(cx: ChatContext, receiver: Receiver) {
    this.#cx = cx
    this.#receiver = receiver
  }

  /** The node's DmHandler. Resolves once the frame is queued (or, when it cannot be batched,
   *  stored); rejects only for a frame handled alone. */
  handle(from: string, frame: Uint8Array): Promise<void> {
    try {
      if (!this.#batchable(from, frame)) {
        this.drain()
        this.#receiver.receive(from, frame)
        return Promise.resolve()
      }
      this.#queue.push({ from, frame })
      if (this.#queue.length >= MAX_RECEIVE_BATCH) this.drain()
      else if (!this.#scheduled) {
        this.#scheduled = true
        // setImmediate: after the poll phase, so every frame read from the sockets in this turn
        // of the event loop joins the batch.
        setImmediate(() => this.drain())
      }
      return Promise.resolve()
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Stores every queued frame in one transaction, then runs their after-commit work in order. */
  drain(): void {
    this.#scheduled = false
    const queue = this.#queue
    if (queue.length === 0) return
    this.#queue = []
    const cx = this.#cx
    if (cx.stopped()) return
    const after: (() => void)[] = []
    cx.store.transaction(() => {
      for (const { from, frame } of queue) {
        try {
          after.push(this.#receiver.apply(from, frame))
        } catch (err) {
          // Rolled back to its savepoint: nothing of it is stored or acked.
          this.metrics.batchRejected++
          log('batched dm frame from %s refused: %s', from, (err as Error).name)
        }
      }
    })
    this.metrics.batches++
    this.metrics.batchedFrames += queue.length
    for (const fn of after) fn()
  }

  #batchable(from: string, frame: Uint8Array): boolean {
    if (this.#cx.store.getContact(from) === undefined) return false // also: blocked
    try {
      return parseEnvelope(frame).type === 'ratchet'
    } catch {
      return false // malformed: handled alone, so the node closes the stream
    }
  }
}
