// Counting a real store's COMMITs in service tests (issue 17: how many write transactions a send
// or a received batch costs). It wraps the store's transaction entry points; it knows nothing of
// what is written.
import { walFramesBetween, walPosition } from '../../bench/lib/wal.js'
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

/** Records, from now on, how many WAL pages each COMMIT of `p`'s store writes (the cost the
 *  SQLCipher commit pays per page: encrypt, MAC, write, and a copy at the next checkpoint). A
 *  checkpoint that restarted the WAL in between is seen by its new salt. */
export function pagesPerCommit(p: Peer): number[] {
  const pages: number[] = []
  const store = p.store as unknown as {
    transaction<T>(fn: () => T): T
    commitBatch(): void
    db: { inTransaction: boolean; name: string }
  }
  const wal = `${store.db.name}-wal`
  const measured = (run: () => void): void => {
    const before = walPosition(wal)
    run()
    pages.push(walFramesBetween(before, walPosition(wal, before)))
  }
  const orig = store.transaction.bind(store)
  store.transaction = <T>(fn: () => T): T => {
    if (store.db.inTransaction) return orig(fn)
    let out!: T
    measured(() => (out = orig(fn)))
    return out
  }
  const origCommit = store.commitBatch.bind(store)
  store.commitBatch = (): void => {
    if (!store.db.inTransaction) return origCommit()
    measured(origCommit)
  }
  return pages
}
