// The search index's background catch-up (src/service/search-index.ts, issue 17). Its policy,
// driven look by look (`tick`) on a real store: a small backlog waits while messages keep being
// stored and is indexed once a look finds nothing new; SEARCH_INDEX_BATCH waiting rows start a
// catch-up at once, one batch per transaction, a burst's full batches one after another with the
// event loop free in between and the remainder left for quiet. Then end to end: a message
// received by a real ChatService (in-memory fake network) becomes indexed with no search at all.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import {
  SEARCH_INDEX_BATCH,
  SEARCH_INDEX_DELAY_MS,
  SearchIndexer,
} from '../../src/service/search-index.js'
import type { SqliteDatabase } from '../../src/store/database.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { fakeNet, startPeer, stopPeers, type Peer } from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'
import { msg, newIdentity, tempHome } from '../store/helpers.js'

const dbOf = (s: SqliteNodeStore): SqliteDatabase => (s as unknown as { db: SqliteDatabase }).db
/** What the index answers now, without a search (which would catch up first). */
const indexed = (s: SqliteNodeStore, word: string) =>
  dbOf(s).prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?`).pluck().all(word)
const insert = (s: SqliteNodeStore, n: number, text = 'burst words') =>
  s.transaction(() => {
    for (let i = 0; i < n; i++) s.insertMessage(msg({ text }))
  })

void describe('search index catch-up policy', () => {
  let t: ReturnType<typeof tempHome>
  let store: SqliteNodeStore
  let indexer: SearchIndexer
  beforeEach(() => {
    t = tempHome()
    store = createNodeStore(t.home, newIdentity(), 'me')
    indexer = new SearchIndexer({ store, stopped: () => false }) // not started: ticks by hand
  })
  afterEach(() => {
    store.close()
    t.cleanup()
  })

  void it('a small backlog waits while writes go on, and is indexed once they are quiet', () => {
    insert(store, 3, 'early words')
    indexer.tick()
    assert.equal(store.search.backlog(10).rows, 3, 'stored since the last look: wait')
    insert(store, 2, 'early words')
    indexer.tick()
    assert.equal(store.search.backlog(10).rows, 5, 'still being written: wait')
    indexer.tick()
    assert.equal(store.search.backlog(10).rows, 0, 'nothing new since the last look: indexed')
    assert.equal(indexed(store, 'early').length, 5)
    assert.deepEqual(indexer.metrics, { batches: 1, rows: 5 })
    indexer.tick()
    assert.deepEqual(indexer.metrics, { batches: 1, rows: 5 }, 'nothing waits: no transaction')
  })

  void it('a full batch waiting is indexed at once, a burst a batch per turn, the rest at quiet', async () => {
    indexer.tick() // the first look (empty store)
    insert(store, SEARCH_INDEX_BATCH - 1)
    indexer.tick()
    assert.equal(indexer.metrics.batches, 0, 'one short of a batch, not quiet: wait')
    insert(store, 1)
    indexer.tick()
    assert.deepEqual(indexer.metrics, { batches: 1, rows: SEARCH_INDEX_BATCH })
    assert.equal(store.search.backlog(10).rows, 0)

    const extra = 40
    insert(store, 2 * SEARCH_INDEX_BATCH + extra)
    indexer.tick()
    assert.equal(indexer.metrics.batches, 2, 'one batch in this turn of the event loop')
    await until('the second batch, in a later turn', () => indexer.metrics.batches === 3)
    assert.equal(store.search.backlog(1000).rows, extra, 'less than a batch waits for quiet')
    indexer.tick() // nothing stored since the last look
    await until('the remainder', () => store.search.backlog(1000).rows === 0)
    assert.equal(indexed(store, 'burst').length, 3 * SEARCH_INDEX_BATCH + extra)
  })

  void it('started, it looks after a message is stored and sleeps once nothing waits', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
    const live = new SearchIndexer({ store, stopped: () => false })
    live.start()
    try {
      await until('the look at start', () => live.looks >= 1, 10_000)
      await sleep(SEARCH_INDEX_DELAY_MS * 2.5)
      assert.equal(live.looks, 1, 'one look at start, then asleep (no timer every second)')
      insert(store, 2, 'later words')
      live.noteStored()
      live.noteStored() // a second note while a look is scheduled adds none
      await until('indexed', () => indexed(store, 'later').length === 2, 5_000)
      const looks = live.looks
      assert.ok(looks >= 2 && looks <= 4, `${looks} looks`)
      await sleep(SEARCH_INDEX_DELAY_MS * 2.5)
      assert.ok(live.looks <= looks + 1, 'asleep again once nothing waits')
    } finally {
      live.stop()
    }
  })

  void it('a stopped service does not catch up', () => {
    const stopped = new SearchIndexer({ store, stopped: () => true })
    insert(store, SEARCH_INDEX_BATCH)
    stopped.tick()
    assert.equal(stopped.metrics.batches, 0)
  })
})

void describe('search index catch-up in the service', () => {
  const peers: Peer[] = []
  afterEach(() => stopPeers(peers))

  void it('a received message becomes indexed without any search', async () => {
    const fake = fakeNet()
    const alice = await startPeer(fake, 'alice')
    const bob = await startPeer(fake, 'bob')
    peers.push(alice, bob)
    await bob.svc.addContact(alice.svc.invite().link, 'alice')
    const m = bob.svc.send('alice', 'a zanzibar postcard')
    await until('alice has it', () => alice.store.getMessage(m.id) !== undefined)
    // The background catch-up (SEARCH_INDEX_DELAY_MS, then quiet): both sides' copies.
    await until('alice indexed it', () => indexed(alice.store, 'zanzibar').length === 1)
    await until('bob indexed his own', () => indexed(bob.store, 'zanzibar').length === 1)
    assert.deepEqual(
      alice.svc.search({ query: 'zanzibar' }).map((v) => v.id),
      [m.id],
    )
  })
})
