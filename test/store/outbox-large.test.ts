// A large outbox (issue 17): a contact offline for long can have 200,000 queued messages. The
// retry timer's next attempt is one index lookup (SQL min, never a spread of every entry into
// Math.min, which throws RangeError from ≈ 150,000 arguments on Node 20), and a flush pages
// through the due entries in seq order from an index (outboxDue) instead of sorting the whole
// outbox for every batch. Also: migration 11 backfills the seq of entries queued before it.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { msg, newIdentity, tempHome } from './helpers.js'

/** Above the ≈ 150,000 arguments at which a spread into Math.min throws on Node 20. */
const ENTRIES = 200_000
const PEER = 'peerB'
const PAGE = 256

describe('outbox at 200,000 entries', { timeout: 300_000 }, () => {
  const t = tempHome()
  let store: SqliteNodeStore
  before(() => {
    store = createNodeStore(t.home, newIdentity(), 'me')
    store.transaction(() => {
      for (let i = 1; i <= ENTRIES; i++) {
        const m = msg({
          conversation: PEER,
          from: 'me',
          direction: 'out',
          seq: i,
          status: 'queued',
        })
        store.insertMessage(m)
        // Due times not in seq order: every other entry is backed off into the future.
        const next = i % 2 === 0 ? 10_000_000 + i : 1_000 + (ENTRIES - i)
        store.enqueue({ messageId: m.id, peer: PEER, attempts: i % 2, nextAttemptAt: next })
      }
    })
  })
  after(() => {
    store.close()
    t.cleanup()
  })

  it('the next attempt is the SQL minimum, where a spread into Math.min throws', () => {
    const all = store.outboxFor(PEER).map((e) => e.nextAttemptAt)
    assert.equal(all.length, ENTRIES)
    assert.throws(() => Math.min(...all), RangeError)
    const t0 = performance.now()
    assert.equal(store.nextAttemptAt(PEER), 1_001) // seq ENTRIES - 1
    assert.ok(performance.now() - t0 < 50, 'an index lookup, not a scan')
  })

  it('pages through the due entries in seq order without sorting the outbox', () => {
    const now = 5_000_000
    let afterSeq = 0
    let pages = 0
    const seen: number[] = []
    const t0 = performance.now()
    let firstPageMs = 0
    for (;;) {
      const p0 = performance.now()
      const page = store.outboxDue(PEER, { dueBy: now, afterSeq, limit: PAGE })
      if (pages === 0) firstPageMs = performance.now() - p0
      if (page.length === 0) break
      assert.ok(page.length <= PAGE)
      for (const e of page) {
        assert.ok(e.nextAttemptAt <= now)
        seen.push(e.seq)
      }
      afterSeq = page[page.length - 1]!.seq
      pages++
    }
    const totalMs = performance.now() - t0
    // Every odd seq is due, each once, ascending.
    assert.equal(seen.length, ENTRIES / 2)
    for (let i = 0; i < seen.length; i++) assert.equal(seen[i], 2 * i + 1)
    assert.equal(pages, Math.ceil(ENTRIES / 2 / PAGE))
    // Generous bounds for a loaded machine: the old join + ORDER BY of all 200,000 entries per
    // page took ≈ 100 ms each, ≈ 40 s for the walk.
    assert.ok(firstPageMs < 100, `first page ${firstPageMs.toFixed(1)} ms`)
    assert.ok(totalMs < 10_000, `whole walk ${totalMs.toFixed(0)} ms`)
    // Where a flush starts its walk: the first due seq (none due before any time given).
    assert.equal(store.firstDueSeq(PEER, now), 1)
    assert.equal(store.firstDueSeq(PEER, 1_000 + ENTRIES - 3), 3)
    assert.equal(store.firstDueSeq(PEER, 0), undefined)
    // `everything` (the peer came back): all entries, due or not.
    const everything = store.outboxDue(PEER, {
      dueBy: Number.MAX_SAFE_INTEGER,
      afterSeq: 0,
      limit: 3,
    })
    assert.deepEqual(
      everything.map((e) => e.seq),
      [1, 2, 3],
    )
  })
})
