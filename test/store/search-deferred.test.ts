// The search index off the message's commit (migration 13, src/store/search.ts, issue 17) on real
// encrypted NodeStores. A fast-check property drives random sequences of inserts (text and event
// rows), deletes (of the newest row too, so that a rowid below the watermark is reused), edits,
// tombstones, catch-ups and searches against a model (the current rows' words), and after every
// step checks that FTS5's integrity-check against the content view passes (rank 1: the index holds
// exactly the rows ≤ W, with their current text — the module's invariant) and, in a transaction
// rolled back after (so the deferred state carries on to the next step), that a search finds
// exactly what the model says. Then: a message inserted a moment ago is found by the next search
// though not yet indexed; a reused rowid is indexed at once; catchUp steps over event rows and
// moves W; migration 13 on a version-12 database with history keeps every old row findable with
// no catch-up; a backup restored is searchable at once, W at its newest row.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import fc from 'fast-check'
import { exportRows, importRows } from '../../src/store/backup.js'
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js'
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { msg, newIdentity, tempHome } from './helpers.js'

const dbOf = (s: SqliteNodeStore): SqliteDatabase => (s as unknown as { db: SqliteDatabase }).db
/** No word is a prefix of another (a search term is a prefix query). */
const VOCAB = ['apple', 'berry', 'cider', 'dates', 'elder', 'figgy'] as const

/** fts5.html §6.4: with rank 1, the index is also checked against its content table (here the
 *  view of the rows ≤ W); throws SQLITE_CORRUPT_VTAB on a difference. */
function integrity(db: SqliteDatabase): void {
  db.prepare(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)`).run()
}
const watermark = (db: SqliteDatabase) =>
  db.prepare('SELECT w FROM search_watermark').pluck().get() as number
/** What the index answers now, without catching up. */
const indexed = (db: SqliteDatabase, word: string) =>
  db.prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?`).pluck().all(word)

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, newIdentity(), 'me')
})
afterEach(() => {
  store.close()
  t.cleanup()
})

type Op =
  | { t: 'insert'; words: string[]; kind: 'text' | 'file' | 'event' }
  | { t: 'deleteNewest' }
  | { t: 'delete'; pick: number }
  | { t: 'edit'; pick: number; words: string[] }
  | { t: 'tombstone'; pick: number }
  | { t: 'catchUp'; k: number }
  | { t: 'search' }

const words = fc.subarray([...VOCAB], { minLength: 0, maxLength: 3 })
const pick = fc.nat({ max: 1000 })
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('insert' as const),
      words,
      kind: fc.constantFrom('text' as const, 'file' as const, 'event' as const),
    }),
    weight: 5,
  },
  { arbitrary: fc.constant({ t: 'deleteNewest' as const }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('delete' as const), pick }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('edit' as const), pick, words }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('tombstone' as const), pick }), weight: 1 },
  {
    arbitrary: fc.record({ t: fc.constant('catchUp' as const), k: fc.integer({ min: 1, max: 4 }) }),
    weight: 2,
  },
  { arbitrary: fc.constant({ t: 'search' as const }), weight: 1 },
)

void describe('search index off the commit (migration 13)', () => {
  void it('random inserts, deletes, edits, tombstones, catch-ups: search = the model (property)', () => {
    const db = dbOf(store)
    let n = 0
    let runs = 0
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        // Each run starts from an empty table, every other one with W where the last run left
        // it (an empty table reuses rowids from 1, all ≤ W at first: the reuse case from the
        // start), the others with W = 0 (the index empty too: the invariant holds).
        db.exec('DELETE FROM messages')
        if (runs++ % 2 === 0) db.exec('UPDATE search_watermark SET w = 0')
        const model = new Map<string, { text: string; event: boolean }>()
        const ids = () =>
          db.prepare('SELECT id FROM messages ORDER BY rowid').pluck().all() as string[]
        const chosen = (p: number) => {
          const all = ids()
          return all.length === 0 ? undefined : all[p % all.length]
        }
        for (const o of ops) {
          if (o.t === 'insert') {
            const m = msg({ text: o.words.join(' '), kind: o.kind })
            store.insertMessage(m)
            model.set(m.id, { text: m.text, event: o.kind === 'event' })
          } else if (o.t === 'deleteNewest' || o.t === 'delete') {
            const id =
              o.t === 'delete'
                ? chosen(o.pick)
                : (db
                    .prepare('SELECT id FROM messages ORDER BY rowid DESC LIMIT 1')
                    .pluck()
                    .get() as string | undefined)
            if (id === undefined) continue
            db.prepare('DELETE FROM messages WHERE id = ?').run(id)
            model.delete(id)
          } else if (o.t === 'edit') {
            const id = chosen(o.pick)
            if (id === undefined) continue
            db.prepare('UPDATE messages SET text = ? WHERE id = ?').run(o.words.join(' '), id)
            model.get(id)!.text = o.words.join(' ')
          } else if (o.t === 'tombstone') {
            const id = chosen(o.pick)
            if (id === undefined) continue
            store.edits.wipe(id)
            model.get(id)!.text = ''
          } else if (o.t === 'catchUp') {
            store.search.catchUp(o.k)
          } else {
            store.search.search('apple')
          }
          integrity(db) // the invariant in the deferred state itself
          db.exec('BEGIN')
          try {
            for (const w of VOCAB) {
              const want = [...model]
                .filter(([, r]) => !r.event && r.text.split(' ').includes(w))
                .map(([id]) => id)
                .sort()
              assert.deepEqual(store.search.search(w, { limit: 500 }).sort(), want, w)
            }
            integrity(db)
            assert.equal(store.search.backlog(10).rows, 0, 'a search catches up completely')
          } finally {
            db.exec('ROLLBACK')
          }
          n++
        }
      }),
      { numRuns: 200 },
    )
    assert.ok(n > 200, 'steps checked')
  })

  void it('a message inserted a moment ago: not yet indexed, found by the next search', () => {
    const db = dbOf(store)
    const m = msg({ text: 'fresh rendezvous' })
    store.insertMessage(m)
    assert.deepEqual(indexed(db, 'rendezvous'), [], 'the insert did not index it')
    assert.deepEqual(store.search.backlog(10).rows, 1)
    assert.deepEqual(store.search.search('rendezvous'), [m.id])
    assert.equal(store.search.backlog(10).rows, 0)
    integrity(db)
  })

  void it('a rowid reused below W is indexed at once; its old tokens are gone', () => {
    const db = dbOf(store)
    const [a, b] = [msg({ text: 'first words' }), msg({ text: 'second words' })]
    store.insertMessage(a)
    store.insertMessage(b)
    assert.equal(store.search.catchUp(), 2)
    const w = watermark(db)
    db.prepare('DELETE FROM messages WHERE id = ?').run(b.id)
    const c = msg({ text: 'third words' })
    store.insertMessage(c)
    const rowid = db.prepare('SELECT rowid FROM messages WHERE id = ?').pluck().get(c.id) as number
    assert.ok(rowid <= w, 'SQLite reused the deleted newest rowid')
    assert.equal(indexed(db, 'third').length, 1, 'indexed by the trigger, no catch-up')
    assert.deepEqual(indexed(db, 'second'), [])
    integrity(db)
  })

  void it('catchUp(k) steps over event rows and moves W to the last rowid looked at', () => {
    const db = dbOf(store)
    const w0 = watermark(db)
    store.insertMessage(msg({ kind: 'event', from: '', text: '{"type":"added"}' }))
    store.insertMessage(msg({ text: 'after the event' }))
    store.insertMessage(msg({ text: 'later still' }))
    assert.equal(store.search.catchUp(2), 2)
    assert.equal(watermark(db), w0 + 2)
    assert.equal(indexed(db, 'event').length, 1)
    assert.deepEqual(indexed(db, 'later'), [], 'beyond k: still waiting')
    assert.deepEqual(indexed(db, 'added'), [], 'an event row is never indexed')
    assert.equal(store.search.catchUp(2), 1, 'fewer than k: none left')
    assert.equal(store.search.catchUp(2), 0)
    assert.throws(() => store.search.catchUp(0), RangeError)
    integrity(db)
  })

  void it('migration 13 on a version-12 database keeps the history findable, W at its newest', () => {
    const db = openDatabase(`${t.dir}/old`)
    try {
      for (let v = 0; v < 12; v++) db.exec(MIGRATIONS[v]!)
      db.pragma('user_version = 12')
      const insert = db.prepare(
        `INSERT INTO messages (id, conversation, sender, direction, seq, text, sent_at,
          received_at, status, sort_at, kind) VALUES (?, 'A', 'A', 'in', ?, ?, 1, 1, 'delivered', 1, ?)`,
      )
      for (let i = 0; i < 50; i++) insert.run(`old${i}`, i, `ancient history ${i}`, 'text')
      insert.run('ev', 99, 'ancient event', 'event')
      db.prepare(`DELETE FROM messages WHERE id = 'old7'`).run()
      assert.equal(migrate(db), SCHEMA_VERSION - 12, 'migration 13 and any after it')
      assert.equal(watermark(db), 51)
      assert.equal(indexed(db, 'ancient').length, 49, 'every old text row, no catch-up needed')
      integrity(db)
      insert.run('new', 100, 'modern times', 'text')
      assert.deepEqual(indexed(db, 'modern'), [], 'a new row waits for the catch-up')
      integrity(db)
    } finally {
      db.close()
    }
  })

  void it('a restored backup is searchable at once, W at its newest row', () => {
    const m = msg({ text: 'remember the password' })
    store.insertMessage(m)
    store.insertMessage(msg({ text: 'not yet indexed when the backup was made' }))
    const payload = exportRows(dbOf(store), store.peerId, 1)
    const db = openDatabase(`${t.dir}/restored`)
    try {
      importRows(db, payload)
      assert.equal(indexed(db, 'password').length, 1)
      assert.equal(indexed(db, 'indexed').length, 1)
      assert.equal(watermark(db), 2)
      integrity(db)
    } finally {
      db.close()
    }
  })
})
