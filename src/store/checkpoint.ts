// WAL checkpoints of the node's store, moved off the message path (issue 17, docs/performance.md
// "Issue 17, ninth session", Checkpoints when idle). SQLite's default folds the WAL back into
// kith.db inside the COMMIT that takes it past 1,000 pages: a ≈ 5 ms stall on whichever message
// made that commit, about one message in ≈ 70 one at a time, and so the DM latency's p99. Here the
// cap is WAL_AUTOCHECKPOINT_PAGES (reached only by a burst that never pauses) and the checkpoint
// runs CHECKPOINT_IDLE_MS after the last commit instead, when no message waits for it. It knows no
// table; the store tells it of each COMMIT (./transactions.ts).
//
// SQLite's WAL documentation ("Automatic Checkpoint", "Application-Initiated Checkpoints"): a
// PASSIVE checkpoint copies what it can without waiting for readers or blocking the writer, and
// the next writer restarts the WAL from its start once everything was copied.
import debug from 'debug'
import { errorName } from '../core/errors.js'
import type { SqliteDatabase } from './database.js'

const log = debug('kith:store')

/** The inline checkpoint's threshold (pages, ≈ 40 MiB of WAL): only a burst with no pause of
 *  CHECKPOINT_IDLE_MS gets there (≈ 4 s of batches at 5,000 msg/s). */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000
/** Quiet time after the last commit before the WAL is checkpointed. */
export const CHECKPOINT_IDLE_MS = 1_000
/** The WAL file is cut back to this size after a checkpoint (SQLite keeps it at its largest
 *  otherwise). */
export const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024

export class IdleCheckpoint {
  readonly #db: SqliteDatabase
  readonly #idleMs: number
  #commits = 0
  #seen = 0
  #timer: NodeJS.Timeout | undefined
  readonly metrics = { checkpoints: 0, failed: 0 }

  constructor(db: SqliteDatabase, idleMs = CHECKPOINT_IDLE_MS) {
    this.#db = db
    this.#idleMs = idleMs
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`)
  }

  /** A COMMIT: the checkpoint waits until CHECKPOINT_IDLE_MS pass without another. */
  committed(): void {
    this.#commits++
    if (this.#timer === undefined) this.#arm()
  }

  /** No checkpoint after this (the store is closing; closing checkpoints anyway). */
  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm(): void {
    this.#seen = this.#commits
    // Unref'd: a pending checkpoint never keeps a process alive (closing checkpoints).
    this.#timer = setTimeout(() => this.#due(), this.#idleMs).unref()
  }

  #due(): void {
    this.#timer = undefined
    if (!this.#db.open) return
    // Still busy (a commit since the timer was set, or a transaction open): wait again.
    if (this.#commits !== this.#seen || this.#db.inTransaction) return this.#arm()
    try {
      this.#db.pragma('wal_checkpoint(PASSIVE)')
      this.metrics.checkpoints++
    } catch (err) {
      // SQLITE_BUSY from another process's checkpoint, say: the next idle time tries again.
      this.metrics.failed++
      log('idle checkpoint failed: %s', errorName(err))
    }
  }
}
