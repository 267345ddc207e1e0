// What a backup holds (src/store/backup.ts): every table of the schema is either backed up or
// listed as left out (a new table must be classified); a round trip through exportRows → JSON →
// importRows into a fresh database keeps contacts, history (searchable again), settings, groups
// and others' sender keys, and leaves out sessions, our own sender chain and the daemon's ports;
// unsent messages become due at once; a payload from a newer schema is refused.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import {
  BACKUP_TABLES,
  exportRows,
  importRows,
  NOT_BACKED_UP,
  parsePayload,
} from '../../src/store/backup.js'
import { openDatabase, type SqliteDatabase } from '../../src/store/database.js'
import { SCHEMA_VERSION } from '../../src/store/migrations.js'
import { createNodeStore, loadIdentity, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { msg, newIdentity, tempHome } from './helpers.js'

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
const dbOf = (s: SqliteNodeStore): SqliteDatabase => (s as unknown as { db: SqliteDatabase }).db
const roundTrip = (s: SqliteNodeStore) =>
  parsePayload(new TextEncoder().encode(JSON.stringify(s.backupRows(42))))
beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, newIdentity(), 'me')
})
afterEach(() => {
  store.close()
  t.cleanup()
})

void describe('backup rows', () => {
  void it('every table is either backed up or listed as left out', () => {
    const tables = dbOf(store)
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
          AND name NOT LIKE 'messages_fts_%'`,
      )
      .pluck()
      .all() as string[]
    const known = new Set([...BACKUP_TABLES.map((r) => r.table), ...Object.keys(NOT_BACKED_UP)])
    for (const name of tables) assert.ok(known.has(name), `table ${name} is not classified`)
  })

  void it('round trip: history, contacts, groups; no sessions, own chain or ports', () => {
    const bob = newIdentity().peerId
    const carol = newIdentity().peerId
    store.putContact({
      peerId: bob,
      name: 'bob',
      verified: true,
      keyChanged: false,
      addrs: ['/ip4/127.0.0.1/tcp/1'],
      addedAt: 1,
      lastSeen: undefined,
      profileName: 'Robert',
    })
    const m1 = msg({ conversation: bob, from: bob, text: 'remember the password' })
    const m2 = msg({ conversation: bob, from: store.peerId, direction: 'out', status: 'queued' })
    store.insertMessage(m1)
    store.insertMessage(m2)
    store.enqueue({ messageId: m2.id, peer: bob, attempts: 3, nextAttemptAt: 999_999 })
    store.protocol.storeSession(bob, new Uint8Array([1, 2, 3]))
    store.setSetting('daemon.listen.tcpPort', '4001')
    store.setSetting('readReceipts', '0')
    const groupId = 'ab'.repeat(16)
    store.groups.putGroup({
      groupId,
      name: 'friends',
      members: [bob, carol, store.peerId].sort(),
      admins: [store.peerId],
      epoch: 1,
      topic: 't',
      active: true,
      createdAt: 5,
    })
    const key = { record: new Uint8Array([9]), currentChain: 7, retired: [] }
    store.groups.putSenderKey(groupId, store.peerId, key)
    store.groups.putSenderKey(groupId, carol, { ...key, currentChain: 8 })
    const payload = roundTrip(store)
    assert.equal(payload.tables.sessions, undefined)

    const home2 = `${t.dir}/restored`
    const db = openDatabase(home2)
    try {
      assert.deepEqual(importRows(db, payload), { contacts: 1, messages: 2 })
      const loaded = loadIdentity(db, nodeCrypto)
      assert.equal(loaded?.identity.peerId, store.peerId, 'the same identity')
      const q = (sql: string, ...args: unknown[]) => db.prepare(sql).all(...args)
      assert.deepEqual(q('SELECT * FROM sessions'), [], 'no ratchet session')
      assert.deepEqual(
        q('SELECT sender FROM group_sender_keys').map((r) => (r as { sender: string }).sender),
        [carol],
        'only others’ chains',
      )
      assert.deepEqual(
        q(`SELECT key FROM settings WHERE key GLOB 'daemon.*'`),
        [],
        'not the old device’s ports',
      )
      assert.deepEqual(q(`SELECT value FROM settings WHERE key = 'readReceipts'`), [{ value: '0' }])
      assert.deepEqual(q('SELECT name, verified, profile_name FROM contacts'), [
        { name: 'bob', verified: 1, profile_name: 'Robert' },
      ])
      assert.deepEqual(q('SELECT attempts, next_attempt_at FROM outbox'), [
        { attempts: 0, next_attempt_at: 0 },
      ])
      assert.deepEqual(
        q(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'password'`).length,
        1,
        'history is searchable again',
      )
      assert.equal(q('SELECT * FROM groups').length, 1)
    } finally {
      db.close()
    }
  })

  void it('refuses a payload from a newer schema, and malformed ones', () => {
    const payload = store.backupRows(1)
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
    assert.throws(() => parsePayload(enc({ ...payload, schema: SCHEMA_VERSION + 1 })), /newer/)
    assert.throws(() => parsePayload(enc({ ...payload, format: 2 })), /malformed/)
    assert.throws(() => parsePayload(new Uint8Array([0xff])), /not JSON/)
    assert.doesNotThrow(() => parsePayload(enc({ ...payload, schema: SCHEMA_VERSION })))
    // exportRows is what backupRows runs
    assert.equal(exportRows(dbOf(store), store.peerId, 1).peerId, store.peerId)
  })
})
