// Transactions of the node's store (StoreTransactions, ./chat-types.ts): `transaction(fn)` (BEGIN
// IMMEDIATE, savepoints when nested) and the group commit of issue 17 (`batched`, `commitBatch`,
// service/direct/receive-batch.ts). This module owns when a write becomes durable; it knows no table.
import type { StoreTransactions } from './chat-types.js'
import { SqliteTables } from './tables.js'

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
    return this.db.transaction(fn).immediate()
  }

  // --- group commit (issue 17, service/direct/receive-batch.ts)

  #batch: { onCommit: () => void } | undefined
  #inBatch = false

  batched<T>(fn: () => T, onCommit: () => void): T {
    if (this.#batch === undefined) {
      if (this.db.inTransaction) throw new TypeError('batched: inside another transaction')
      this.db.exec('BEGIN IMMEDIATE')
      this.#batch = { onCommit }
    }
    this.#inBatch = true
    try {
      return this.db.transaction(fn).immediate() // a savepoint of the batch
    } finally {
      this.#inBatch = false
    }
  }

  commitBatch(): void {
    const batch = this.#batch
    if (batch === undefined) return
    this.#batch = undefined
    try {
      this.db.exec('COMMIT')
    } catch (err) {
      // Nothing of the batch is durable, nothing of it was acked: its senders retry.
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw err
    }
    batch.onCommit()
  }
}
