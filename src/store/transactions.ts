// Transactions of the node's store (StoreTransactions, ./chat-types.ts): `transaction(fn)` (BEGIN
// IMMEDIATE, savepoints when nested) and the group commit of issue 17 (`batched`, `commitBatch`,
// service/direct/receive-batch.ts). This module owns when a write becomes durable; it knows no table.
//
// Every BEGIN/SAVEPOINT/RELEASE/COMMIT/ROLLBACK is a statement prepared once per store (issue 17:
// a received frame opens three nested savepoints; `db.exec` parsed the SQL text on every call and
// better-sqlite3's `db.transaction(fn)` builds four wrapper functions per call). The nesting rules
// are better-sqlite3's own (lib/methods/transaction.js wrapTransaction): inside a transaction a
// savepoint, else BEGIN; on a throw roll back (to the savepoint, then release it) and rethrow; a
// function returning a promise is refused and rolled back.
//
// State kept for the open transaction (the decoded session records of ./session-cache.ts) follows
// it through the `participant` hooks: a savepoint begun, released or rolled back, the flush just
// before COMMIT, the commit, the abort.
import type { StoreTransactions } from './chat-types.js'
import type { TransactionParticipant } from './session-cache.js'
import { SqliteTables } from './tables.js'

/** A SAVEPOINT name of our own (nested ones may share it: RELEASE releases the innermost). */
const SAVEPOINT = 'kith_sp'

export abstract class SqliteTransactions extends SqliteTables implements StoreTransactions {
  /** BEGIN IMMEDIATE at the top level, so a read-then-write transaction waits (busy_timeout) for
   *  another process's writer instead of failing with SQLITE_BUSY at its first write. Nested
   *  calls become savepoints of the outer transaction. A throw rolls back (to the savepoint) and
   *  propagates; an async fn is refused and rolled back (its awaits would run after COMMIT). */
  transaction<T>(fn: () => T): T {
    // Anyone else's transaction first commits an open group-commit batch (below): what it writes
    // may leave the process (a frame sealed with a new ratchet state, a POST's answer) and must
    // not be durable only when the batch is.
    if (this.#batch !== undefined && !this.#inBatch) this.commitBatch()
    return this.#run(fn)
  }

  /**
   * Who keeps state for the open transaction and must follow its savepoints, rollbacks and
   * commit (./session-cache.ts: the decoded session records, written before COMMIT). Told only
   * of the transactions this class opens, and of their savepoints.
   */
  protected participant: TransactionParticipant | undefined

  /** Told after every COMMIT of ours (./checkpoint.ts: the WAL is checkpointed when they stop). */
  protected afterCommit: (() => void) | undefined

  /** The participant, if the level about to open is ours: a transaction we begin, or a
   *  savepoint inside one (not one inside a transaction opened elsewhere, by db.transaction). */
  #follows(nested: boolean): TransactionParticipant | undefined {
    const p = this.participant
    return p !== undefined && (!nested || p.active) ? p : undefined
  }

  /** `fn` in a savepoint of the open transaction, or in its own BEGIN IMMEDIATE … COMMIT. */
  #run<T>(fn: () => T): T {
    const nested = this.db.inTransaction
    const p = this.#follows(nested)
    this.q(nested ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN IMMEDIATE').run()
    p?.begin()
    try {
      const result = fn()
      if (result instanceof Promise || typeof (result as { then?: unknown })?.then === 'function')
        throw new TypeError('Transaction function cannot return a promise')
      if (nested) {
        this.q(`RELEASE ${SAVEPOINT}`).run()
        p?.release()
      } else {
        p?.flush()
        this.q('COMMIT').run()
        p?.committed()
        this.afterCommit?.()
      }
      return result
    } catch (err) {
      // SQLite may have rolled the whole transaction back already (SQLITE_FULL, say).
      if (this.db.inTransaction) {
        if (nested) {
          this.q(`ROLLBACK TO ${SAVEPOINT}`).run()
          this.q(`RELEASE ${SAVEPOINT}`).run()
          p?.rollback()
        } else {
          this.q('ROLLBACK').run()
          p?.aborted()
        }
      } else p?.aborted()
      throw err
    }
  }

  // --- group commit (issue 17, service/direct/receive-batch.ts)

  #batch: { onCommit: () => void } | undefined
  #inBatch = false

  batched<T>(fn: () => T, onCommit: () => void): T {
    if (this.#batch === undefined) {
      if (this.db.inTransaction) throw new TypeError('batched: inside another transaction')
      this.q('BEGIN IMMEDIATE').run()
      this.participant?.begin()
      this.#batch = { onCommit }
    }
    this.#inBatch = true
    try {
      return this.#run(fn) // a savepoint of the batch
    } finally {
      this.#inBatch = false
    }
  }

  commitBatch(): void {
    const batch = this.#batch
    if (batch === undefined) return
    this.#batch = undefined
    const p = this.participant?.active === true ? this.participant : undefined
    try {
      p?.flush()
      this.q('COMMIT').run()
      p?.committed()
      this.afterCommit?.()
    } catch (err) {
      // Nothing of the batch is durable, nothing of it was acked: its senders retry.
      if (this.db.inTransaction) this.q('ROLLBACK').run()
      p?.aborted()
      throw err
    }
    batch.onCommit()
  }
}
