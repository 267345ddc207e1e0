// Counting a real store's COMMITs in service tests (issue 17: how many write transactions a send
// or a received batch costs). It wraps the store's transaction entry points; it knows nothing of
// what is written.
import type { Peer } from '../fakes/node-pair.js'

/** Counts the COMMITs of `p`'s store from now on: top-level transactions and group-commit
 *  batches (store `batched`/`commitBatch`). */
export function countCommits(p: Peer): { n: number } {
  const counter = { n: 0 }
  const store = p.store as unknown as {
    transaction<T>(fn: () => T): T
    commitBatch(): void
    db: { inTransaction: boolean }
  }
  const orig = store.transaction.bind(store)
  store.transaction = <T>(fn: () => T): T => {
    if (!store.db.inTransaction) counter.n++
    return orig(fn)
  }
  const origCommit = store.commitBatch.bind(store)
  store.commitBatch = (): void => {
    if (store.db.inTransaction) counter.n++
    origCommit()
  }
  return counter
}
