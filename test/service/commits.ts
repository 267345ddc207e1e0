// Counting a real store's COMMITs in service tests (issue 17: how many write transactions a send
// or a received batch costs). It wraps the store's transaction entry points; it knows nothing of
// what is written.
import { readFileSync } from 'node:fs'
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

/** WAL frames of the current WAL generation in the file at `walPath` (SQLite's WAL format: a
 *  32-byte header with the salts, then frames of a 24-byte header — page number, size after
 *  commit, the salts — and a page), and the generation's first salt. */
function walFrames(walPath: string, pageSize: number): { salt: number; frames: number } {
  let buf: Buffer
  try {
    buf = readFileSync(walPath)
  } catch {
    return { salt: 0, frames: 0 }
  }
  if (buf.length < 32) return { salt: 0, frames: 0 }
  const salt1 = buf.readUInt32BE(16)
  const salt2 = buf.readUInt32BE(20)
  let frames = 0
  for (let off = 32; off + 24 + pageSize <= buf.length; off += 24 + pageSize) {
    if (buf.readUInt32BE(off + 8) !== salt1 || buf.readUInt32BE(off + 12) !== salt2) break
    frames++
  }
  return { salt: salt1, frames }
}

/** Records, from now on, how many WAL pages each COMMIT of `p`'s store writes (the cost the
 *  SQLCipher commit pays per page: encrypt, MAC, write, and a copy at the next checkpoint). A
 *  checkpoint that restarted the WAL in between is seen by its new salt. */
export function pagesPerCommit(p: Peer): number[] {
  const pages: number[] = []
  const store = p.store as unknown as {
    transaction<T>(fn: () => T): T
    commitBatch(): void
    db: { inTransaction: boolean; name: string; pragma(s: string, o: { simple: true }): unknown }
  }
  const wal = `${store.db.name}-wal`
  const pageSize = store.db.pragma('page_size', { simple: true }) as number
  const measured = (run: () => void): void => {
    const before = walFrames(wal, pageSize)
    run()
    const after = walFrames(wal, pageSize)
    pages.push(after.salt === before.salt ? after.frames - before.frames : after.frames)
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
