// Full-text search (migrations 10 and 13, src/store/search.ts) on a real encrypted NodeStore: a
// search sees inserts, edits (UPDATE text) and deletes (DELETE and a wiped tombstone) made before
// it (the deferred index: test/store/search-deferred.test.ts); rows from before the migration
// are backfilled; event rows are not indexed; user input is never FTS5 syntax; the query and
// limit bounds hold at MAX and fail at MAX+1; and a 100k-message store answers in milliseconds
// (printed as a diagnostic).
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js'
import { migrate, MIGRATIONS } from '../../src/store/migrations.js'
import {
  ftsQuery,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_QUERY_CHARS,
  MAX_SEARCH_TERMS,
} from '../../src/store/search.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { msg, newIdentity, tempHome } from './helpers.js'

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
const dbOf = (s: SqliteNodeStore): SqliteDatabase => (s as unknown as { db: SqliteDatabase }).db
beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, newIdentity(), 'me')
})
afterEach(() => {
  store.close()
  t.cleanup()
})

void describe('search', () => {
  void it('finds words case- and accent-insensitively, as prefixes, every word required', () => {
    const a = msg({ conversation: 'A', text: 'Meet at the Café Überall tomorrow' })
    const b = msg({ conversation: 'B', text: 'the cafe is closed' })
    const c = msg({ conversation: 'A', text: 'nothing to see' })
    for (const m of [a, b, c]) store.insertMessage(m)
    assert.deepEqual(store.search.search('cafe'), [b.id, a.id], 'newest first')
    assert.deepEqual(store.search.search('CAFÉ uberall'), [a.id])
    assert.deepEqual(store.search.search('tomor'), [a.id], 'a prefix matches')
    assert.deepEqual(store.search.search('cafe', { conversation: 'A' }), [a.id])
    assert.deepEqual(store.search.search('cafe', { limit: 1 }), [b.id])
    assert.deepEqual(store.search.search('absent'), [])
  })

  void it('an edit re-indexes, a delete and a wiped tombstone leave the index', () => {
    const db = dbOf(store)
    const m = msg({ text: 'secret rendezvous point' })
    const keep = msg({ text: 'another rendezvous' })
    store.insertMessage(m)
    store.insertMessage(keep)
    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('changed plans', m.id)
    assert.deepEqual(store.search.search('secret'), [], 'the old text is gone')
    assert.deepEqual(store.search.search('plans'), [m.id], 'the new text is found')
    db.prepare(`UPDATE messages SET text = '' WHERE id = ?`).run(m.id)
    assert.deepEqual(store.search.search('plans'), [], 'a wiped tombstone is not findable')
    db.prepare('DELETE FROM messages WHERE id = ?').run(keep.id)
    assert.deepEqual(store.search.search('rendezvous'), [])
    // The index holds no token of the deleted texts (fts5vocab over the index).
    db.exec(`CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, 'messages_fts', 'row')`)
    const terms = db.prepare('SELECT term FROM temp.v').pluck().all() as string[]
    for (const w of ['secret', 'rendezvous', 'plans', 'changed']) assert.ok(!terms.includes(w), w)
    // integrity-check compares the index with the content table (fts5.html §6.4).
    db.exec(`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`)
  })

  void it('removing a contact with its history empties its part of the index', () => {
    const peer = newIdentity().peerId
    store.putContact({
      peerId: peer,
      name: 'bob',
      verified: false,
      keyChanged: false,
      addrs: [],
      addedAt: 1,
      lastSeen: undefined,
    })
    store.insertMessage(msg({ conversation: peer, from: peer, text: 'purge me please' }))
    assert.equal(store.search.search('purge').length, 1)
    store.removeContact(peer, true)
    assert.deepEqual(store.search.search('purge'), [])
  })

  void it('group history events (JSON) are not indexed', () => {
    store.insertMessage(msg({ kind: 'event', from: '', text: '{"type":"added","by":"x"}' }))
    assert.deepEqual(store.search.search('added'), [])
  })

  void it('user input is never FTS5 syntax', () => {
    const m = msg({ text: 'a OR b NEAR( "quoted" col:x -minus AND' })
    store.insertMessage(m)
    for (const q of ['"', 'a OR', 'NEAR(', 'col:x', '-minus', '""""', 'AND', '*', '^a', 'NOT']) {
      assert.doesNotThrow(() => store.search.search(q), q)
    }
    assert.deepEqual(store.search.search('NEAR('), [m.id])
    assert.deepEqual(store.search.search('col:x'), [m.id])
    assert.deepEqual(store.search.search('"'), [], 'no word: nothing')
    assert.equal(ftsQuery('a"b'), '"a""b"*')
  })

  void it('bounds: query length, word count and limit at MAX and MAX+1', () => {
    assert.doesNotThrow(() => store.search.search('x'.repeat(MAX_SEARCH_QUERY_CHARS)))
    assert.throws(() => store.search.search('x'.repeat(MAX_SEARCH_QUERY_CHARS + 1)), RangeError)
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ')
    assert.doesNotThrow(() => store.search.search(words(MAX_SEARCH_TERMS)))
    assert.throws(() => store.search.search(words(MAX_SEARCH_TERMS + 1)), RangeError)
    assert.doesNotThrow(() => store.search.search('x', { limit: MAX_SEARCH_LIMIT }))
    assert.throws(() => store.search.search('x', { limit: MAX_SEARCH_LIMIT + 1 }), RangeError)
    assert.throws(() => store.search.search('x', { limit: 0 }), RangeError)
  })

  void it('migration 9 backfills the messages stored before it', () => {
    const home = `${t.dir}/old`
    const db = openDatabase(home)
    for (let v = 0; v < 8; v++) db.exec(MIGRATIONS[v]!)
    db.pragma('user_version = 8')
    db.exec(`INSERT INTO identity VALUES (1, zeroblob(32), 'me', 0)`)
    db.prepare(
      `INSERT INTO messages (id, conversation, sender, direction, seq, text, sent_at,
        received_at, status, sort_at) VALUES ('old1', 'A', 'A', 'in', 1, 'ancient history', 1, 1,
        'delivered', 1)`,
    ).run()
    migrate(db)
    assert.equal(
      db.prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'ancient'`).all().length,
      1,
    )
    db.close()
  })

  void it('100k messages: search stays fast (diagnostic)', (tc) => {
    const db = dbOf(store)
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']
    const insert = db.prepare(
      `INSERT INTO messages (id, conversation, sender, direction, seq, text, sent_at,
        received_at, status, sort_at) VALUES (?, ?, ?, 'in', ?, ?, ?, ?, 'delivered', ?)`,
    )
    const N = 100_000
    const t0 = performance.now()
    db.transaction(() => {
      for (let i = 0; i < N; i++) {
        const text = `${words[i % 8]} ${words[(i * 7) % 8]} message number ${i} rare${i % 1000}`
        insert.run(`b${i}`, `c${i % 20}`, `c${i % 20}`, i, text, i, i, i)
      }
    })()
    const insertMs = performance.now() - t0
    const t1 = performance.now()
    store.search.catchUp() // deferred indexing (migration 13): all 100k in one transaction
    const indexMs = performance.now() - t1
    store.close()
    store = openNodeStore(t.home)
    const time = (q: string, o = {}) => {
      const s = performance.now()
      const r = store.search.search(q, o)
      return { ms: performance.now() - s, n: r.length }
    }
    time('warm')
    const rare = time('rare999')
    const common = time('alpha')
    const conv = time('alpha bravo', { conversation: 'c3' })
    tc.diagnostic(
      `100k insert ${insertMs.toFixed(0)} ms, then index ${indexMs.toFixed(0)} ms; rare word ${rare.ms.toFixed(1)} ms ` +
        `(${rare.n}); common word (12.5%) ${common.ms.toFixed(1)} ms (${common.n}); ` +
        `two words in one conversation ${conv.ms.toFixed(1)} ms (${conv.n})`,
    )
    assert.equal(rare.n, 50, 'default limit')
    assert.equal(common.n, 50)
    assert.ok(rare.ms < 2000 && common.ms < 5000, 'generous bounds on a loaded machine')
  })
})
