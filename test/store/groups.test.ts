// SqliteGroupStore (migration 3) through a real encrypted NodeStore: migrating a version-2
// database keeps its rows; groups, ops and secrets, sender keys, marks, held messages and the
// control outbox survive a reopen; retention keeps GROUP_RETENTION_COUNT (tested at MAX and
// MAX+1 with a small limit, and once at the real constant) and drops what is older than
// GROUP_RETENTION_MS; envelopesAfter pages by items and bytes.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import Database from 'better-sqlite3-multiple-ciphers'
import { DB_FILE } from '../../src/store/database.js'
import {
  GROUP_RETENTION_COUNT,
  GROUP_RETENTION_MS,
  SqliteGroupStore,
} from '../../src/store/groups.js'
import { MIGRATIONS, migrate, SCHEMA_VERSION, schemaVersion } from '../../src/store/migrations.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import type { GroupRow } from '../../src/store/types.js'
import { msg, newIdentity, tempHome } from './helpers.js'

const G = 'aa'.repeat(16)
const group = (over: Partial<GroupRow> = {}): GroupRow => ({
  groupId: G,
  name: 'friends',
  members: ['p1', 'p2'],
  admins: ['p1'],
  epoch: 1,
  topic: '/kith/group/1/abc',
  active: true,
  createdAt: 5,
  ...over,
})
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill)

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
const reopen = (): SqliteNodeStore => {
  store.close()
  return (store = openNodeStore(t.home))
}

void describe('migration 3', () => {
  void it('brings a version-2 database to 3, keeping its messages', () => {
    const db = new Database(join(t.dir, DB_FILE))
    try {
      for (let v = 0; v < 2; v++) {
        db.exec(MIGRATIONS[v]!)
        db.pragma(`user_version = ${v + 1}`)
      }
      db.prepare(
        `INSERT INTO messages (id, conversation, sender, direction, seq, text, sent_at,
         received_at, status, sort_at) VALUES ('m1', 'c', 's', 'in', 1, 'hi', 1, 1, 'delivered', 1)`,
      ).run()
      assert.equal(migrate(db), SCHEMA_VERSION - 2)
      assert.equal(schemaVersion(db), SCHEMA_VERSION)
      assert.equal(db.prepare('SELECT text FROM messages').pluck().get(), 'hi')
      const groups = new SqliteGroupStore(db)
      groups.putGroup(group())
      assert.equal(groups.getGroup('friends')?.groupId, G)
    } finally {
      db.close()
    }
  })
})

void describe('SqliteGroupStore', () => {
  void it('keeps groups, ops with secrets, keys, marks, held messages across a reopen', () => {
    const s = store.groups
    s.putGroup(group())
    s.putGroup(group({ groupId: 'bb'.repeat(16), name: 'gone', active: false }))
    assert.equal(s.addOp(G, { hash: bytes(32, 1), bytes: bytes(10, 2), secret: undefined }), true)
    // A known op is not new, but takes a secret it lacked (never replaces one).
    assert.equal(
      s.addOp(G, { hash: bytes(32, 1), bytes: bytes(10, 2), secret: bytes(32, 3) }),
      false,
    )
    assert.equal(
      s.addOp(G, { hash: bytes(32, 1), bytes: bytes(10, 2), secret: bytes(32, 4) }),
      false,
    )
    s.putSenderKey(G, 'p2', { record: bytes(40, 5), currentChain: 7, retired: [6] })
    s.setMark(G, 'p2', 4)
    assert.equal(
      s.hold({ groupId: G, sender: 'p2', seq: 6, content: bytes(3, 1), receivedAt: 9 }),
      true,
    )
    assert.equal(
      s.hold({ groupId: G, sender: 'p2', seq: 6, content: bytes(3, 1), receivedAt: 9 }),
      false,
    )
    s.setKeySent(G, 'p2', 7)
    s.enqueueControl({
      messageId: 'c1',
      peer: 'p2',
      content: bytes(5, 9),
      attempts: 0,
      nextAttemptAt: 3,
    })
    s.enqueueControl({
      messageId: 'c2',
      peer: 'p2',
      content: bytes(5, 8),
      attempts: 0,
      nextAttemptAt: 1,
    })

    const r = reopen().groups
    assert.deepEqual(
      r.listGroups().map((g) => g.name),
      ['friends'],
      'a group we left is not listed',
    )
    assert.equal(r.getGroup('bb'.repeat(16))?.active, false, 'but still found by id')
    assert.deepEqual(r.getGroup('friends'), group())
    const ops = r.ops(G)
    assert.equal(ops.length, 1)
    assert.deepEqual(ops[0]?.secret, bytes(32, 3))
    assert.equal(r.opCount(G), 1)
    assert.deepEqual(r.getSenderKey(G, 'p2'), {
      record: bytes(40, 5),
      currentChain: 7,
      retired: [6],
    })
    assert.deepEqual(
      r.senderKeys(G).map((k) => k.sender),
      ['p2'],
    )
    assert.equal(r.mark(G, 'p2'), 4)
    assert.deepEqual(r.marks(G), [{ sender: 'p2', seq: 4 }])
    assert.deepEqual(
      r.held(G, 'p2').map((h) => h.seq),
      [6],
    )
    assert.equal(r.keySent(G, 'p2'), 7)
    assert.deepEqual(r.keysSentTo(G), ['p2'])
    assert.deepEqual(
      r.controlFor('p2').map((e) => e.messageId),
      ['c1', 'c2'],
      'oldest first',
    )
    assert.equal(r.nextControlAttemptAt('p2'), 1)
    assert.deepEqual(r.controlPeers(), ['p2'])
    r.rescheduleControl('c2', 1, 50)
    assert.equal(r.nextControlAttemptAt('p2'), 3)
    assert.equal(r.dequeueControl('c1'), true)
    assert.equal(r.dequeueControl('c1'), false)
    r.unhold(G, 'p2', 6)
    assert.deepEqual(r.allHeld(), [])
    r.clearKeysSent(G)
    assert.equal(r.keySent(G, 'p2'), undefined)
    r.deleteSenderKey(G, 'p2')
    assert.equal(r.getSenderKey(G, 'p2'), undefined)
  })

  void it('control contents never show in messages', () => {
    store.groups.enqueueControl({
      messageId: 'c1',
      peer: 'p2',
      content: bytes(5, 9),
      attempts: 0,
      nextAttemptAt: 0,
    })
    store.insertMessage(msg())
    assert.equal(store.listMessages({}).length, 1)
    assert.deepEqual(store.outboxPeers(), [])
  })
})

void describe('retention (design §4)', () => {
  const env = (sender: string, seq: number, receivedAt: number, size = 10) => ({
    groupId: G,
    sender,
    seq,
    data: bytes(size, seq % 256),
    receivedAt,
  })

  void it('keeps the newest retentionCount: MAX kept, MAX+1 drops the oldest', () => {
    store.groups.putGroup(group())
    const MAX = 5
    const s = new SqliteGroupStore(
      (store as unknown as { db: ConstructorParameters<typeof SqliteGroupStore>[0] }).db,
      { retentionCount: MAX },
    )
    for (let i = 1; i <= MAX; i++) assert.equal(s.retain(env('p2', i, 100 + i)), true)
    assert.equal(s.retain(env('p2', 3, 999)), false, 'idempotent per (group, sender, seq)')
    assert.ok(s.getEnvelope(G, 'p2', 1) !== undefined, 'MAX kept')
    s.retain(env('p2', MAX + 1, 200))
    assert.equal(s.getEnvelope(G, 'p2', 1), undefined, 'MAX+1 dropped the oldest')
    assert.ok(s.getEnvelope(G, 'p2', MAX + 1) !== undefined)
  })

  void it('GROUP_RETENTION_COUNT holds at the real constant (MAX and MAX+1)', () => {
    store.groups.putGroup(group())
    const s = store.groups
    store.transaction(() => {
      for (let i = 1; i <= GROUP_RETENTION_COUNT; i++) s.retain(env('p2', i, i, 1))
    })
    assert.ok(s.getEnvelope(G, 'p2', 1) !== undefined)
    s.retain(env('p2', GROUP_RETENTION_COUNT + 1, GROUP_RETENTION_COUNT + 1, 1))
    assert.equal(s.getEnvelope(G, 'p2', 1), undefined)
    assert.ok(s.getEnvelope(G, 'p2', 2) !== undefined)
  })

  void it('drops what is older than GROUP_RETENTION_MS', () => {
    store.groups.putGroup(group())
    const now = 10 * GROUP_RETENTION_MS
    store.groups.retain(env('p2', 1, now - GROUP_RETENTION_MS - 1))
    store.groups.retain(env('p2', 2, now - GROUP_RETENTION_MS))
    assert.equal(store.groups.pruneEnvelopes(now), 1)
    assert.equal(store.groups.getEnvelope(G, 'p2', 1), undefined)
    assert.ok(store.groups.getEnvelope(G, 'p2', 2) !== undefined)
  })

  void it('envelopesAfter: above each mark, only named senders, paged by items and bytes', () => {
    store.groups.putGroup(group())
    for (let i = 1; i <= 6; i++) store.groups.retain(env('p2', i, i))
    for (let i = 1; i <= 3; i++) store.groups.retain(env('p3', i, i))
    store.groups.retain(env('p4', 1, 1))
    const marks = [
      { sender: 'p2', seq: 2 },
      { sender: 'p3', seq: 0 },
    ]
    const all = store.groups.envelopesAfter(G, marks, 100, 1_000_000)
    assert.deepEqual(
      all.envelopes.map((e) => `${e.sender}:${e.seq}`),
      ['p2:3', 'p2:4', 'p2:5', 'p2:6', 'p3:1', 'p3:2', 'p3:3'],
    )
    assert.equal(all.more, false)
    const few = store.groups.envelopesAfter(G, marks, 3, 1_000_000)
    assert.equal(few.envelopes.length, 3)
    assert.equal(few.more, true)
    const small = store.groups.envelopesAfter(G, marks, 100, 25)
    assert.equal(small.envelopes.length, 2)
    assert.equal(small.more, true)
  })
})
