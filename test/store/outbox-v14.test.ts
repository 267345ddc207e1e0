// Migration 14 (issue 17, fewer pages per commit): the outbox becomes a WITHOUT ROWID table keyed
// by its message id and messages_by_conversation goes. An outbox written by version 13 keeps every
// entry, field for field, in the same column order; the cascade from messages still removes an
// entry; the indexes the queries name (INDEXED BY outbox_by_seq / outbox_due) exist.
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { openDatabase } from '../../src/store/database.js'
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js'
import { tempHome } from './helpers.js'

let t: ReturnType<typeof tempHome>
beforeEach(() => {
  t = tempHome()
  mkdirSync(t.home, { recursive: true })
})
afterEach(() => t.cleanup())

describe('migration 14: the outbox WITHOUT ROWID', () => {
  it('keeps a version-13 outbox, its column order, the cascade, and the named indexes', () => {
    const db = openDatabase(t.home)
    try {
      for (let v = 0; v < 13; v++) db.exec(MIGRATIONS[v]!)
      db.pragma('user_version = 13')
      const message = db.prepare(
        `INSERT INTO messages (id, conversation, sender, direction, seq, text, sent_at,
          received_at, status, sort_at) VALUES (?, 'P', 'me', 'out', ?, 'x', 1, 1, 'queued', 1)`,
      )
      const entry = db.prepare(
        'INSERT INTO outbox (message_id, peer, attempts, next_attempt_at, seq) VALUES (?, ?, ?, ?, ?)',
      )
      for (let i = 1; i <= 5; i++) {
        message.run(`m${i}`, i)
        entry.run(`m${i}`, 'P', i - 1, 1000 * i, i)
      }
      const before = db.prepare('SELECT * FROM outbox ORDER BY message_id').raw().all()
      assert.equal(migrate(db), SCHEMA_VERSION - 13)
      assert.deepEqual(db.prepare('SELECT * FROM outbox ORDER BY message_id').raw().all(), before)
      const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'outbox'`).pluck().get()
      assert.match(String(sql), /WITHOUT ROWID/)
      const indexes = db
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('outbox', 'messages')`,
        )
        .pluck()
        .all()
      assert.ok(indexes.includes('outbox_by_seq') && indexes.includes('outbox_due'))
      assert.ok(!indexes.includes('messages_by_conversation'))
      db.prepare(`DELETE FROM messages WHERE id = 'm3'`).run()
      assert.deepEqual(
        db.prepare('SELECT message_id FROM outbox ORDER BY message_id').pluck().all(),
        ['m1', 'm2', 'm4', 'm5'],
        'ON DELETE CASCADE still removes the entry',
      )
      assert.deepEqual(db.pragma('foreign_key_check'), [])
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
    } finally {
      db.close()
    }
  })
})
