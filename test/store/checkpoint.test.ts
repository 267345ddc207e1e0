// WAL checkpoints off the message path (src/store/checkpoint.ts, issue 17): a real SQLCipher
// store's commits no longer checkpoint inline at SQLite's default 1,000 pages; the WAL is folded
// into kith.db CHECKPOINT_IDLE_MS after the commits stop, and commits that keep coming postpone it.
// The WAL is read from its file (bench/lib/wal.ts): a checkpoint that completed lets the next
// write restart it (new salts).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { afterEach, describe, it } from 'node:test'
import { walPosition } from '../../bench/lib/wal.js'
import {
  CHECKPOINT_IDLE_MS,
  IdleCheckpoint,
  WAL_AUTOCHECKPOINT_PAGES,
} from '../../src/store/checkpoint.js'
import type { SqliteDatabase } from '../../src/store/database.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { until } from '../helpers/wait.js'
import { msg, newIdentity, tempHome } from './helpers.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

function store(): { s: SqliteNodeStore; wal: string } {
  const t = tempHome()
  const s = createNodeStore(t.home, newIdentity(), 'me')
  cleanups.push(() => {
    s.close()
    t.cleanup()
  })
  return { s, wal: join(t.home, 'kith.db-wal') }
}

/** The store's connection (protected: the tests read its pragmas). */
const dbOf = (s: SqliteNodeStore): SqliteDatabase => (s as unknown as { db: SqliteDatabase }).db

/** One message in its own transaction (≈ 7 pages: the row and its indexes). */
const commitOne = (s: SqliteNodeStore): void => {
  s.insertMessage(msg())
}

describe('WAL checkpoints when the commits stop (issue 17)', () => {
  it('no inline checkpoint past 1,000 pages; one after CHECKPOINT_IDLE_MS of quiet; the next write restarts the WAL', async () => {
    const { s, wal } = store()
    assert.equal(dbOf(s).pragma('wal_autocheckpoint', { simple: true }), WAL_AUTOCHECKPOINT_PAGES)
    const start = walPosition(wal)
    for (let i = 0; i < 400; i++) commitOne(s)
    const grown = walPosition(wal, start)
    // SQLite's default would have checkpointed and restarted the WAL at 1,000 pages.
    assert.equal(grown.salts, start.salts, 'the WAL restarted: an inline checkpoint')
    assert.ok(grown.frames > 1_500, `${grown.frames} frames`)
    assert.equal(s.checkpoints.metrics.checkpoints, 0)
    const t0 = Date.now()
    await until('the idle checkpoint', () => s.checkpoints.metrics.checkpoints === 1, 10_000)
    assert.ok(Date.now() - t0 >= CHECKPOINT_IDLE_MS - 50, 'checkpointed before the idle time')
    // Everything was copied: a checkpoint now has nothing left to do.
    const [r] = dbOf(s).pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[]
    assert.equal(r!.checkpointed, r!.log)
    commitOne(s)
    const after = walPosition(wal)
    assert.notEqual(after.salts, grown.salts, 'the next write restarts the WAL')
    assert.ok(after.frames < 50, `${after.frames} frames after the restart`)
  })

  it('commits that keep coming postpone it; it runs once they stop', async () => {
    const { s } = store()
    const idle = new IdleCheckpoint(dbOf(s), 150)
    cleanups.push(() => idle.stop())
    let longGaps = 0
    let last = Date.now()
    for (let i = 0; i < 12; i++) {
      commitOne(s)
      idle.committed()
      await new Promise((r) => setTimeout(r, 50))
      // A loaded machine may sleep past the idle time: then a checkpoint in between is right.
      if (Date.now() - last >= 150) longGaps++
      last = Date.now()
    }
    // 600 ms of commits ≈ 50 ms apart: no checkpoint while they come.
    assert.ok(idle.metrics.checkpoints <= longGaps, `${idle.metrics.checkpoints} checkpoints`)
    const before = idle.metrics.checkpoints
    await until('checkpointed once quiet', () => idle.metrics.checkpoints === before + 1, 5_000)
    // Nothing more without commits.
    await new Promise((r) => setTimeout(r, 400))
    assert.equal(idle.metrics.checkpoints, before + 1)
  })

  it('a closed store: stop() leaves no timer and nothing runs', async () => {
    const { s } = store()
    commitOne(s)
    s.close()
    await new Promise((r) => setTimeout(r, CHECKPOINT_IDLE_MS + 200))
    assert.equal(s.checkpoints.metrics.checkpoints + s.checkpoints.metrics.failed, 0)
  })
})
