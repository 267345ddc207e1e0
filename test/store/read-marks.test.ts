// Read marks on a real (encrypted, on-disk) NodeStore (migration 6): markRead marks only the
// conversation's unread incoming messages and returns exactly those ids, once; unreadCount and
// lastMessage; setStatus 'read' is derived from read_at, implies delivered and never moves back;
// the status survives a reopen; insertMessage of a message already `read`.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { SCHEMA_VERSION } from '../../src/store/migrations.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { msg, newIdentity, tempHome } from './helpers.js'

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

void describe('read marks', () => {
  void it('markRead marks the unread incoming messages of one conversation, once', () => {
    const a1 = msg({ conversation: 'A', from: 'A' })
    const a2 = msg({ conversation: 'A', from: 'A' })
    const mine = msg({ conversation: 'A', from: 'me', direction: 'out', status: 'sent' })
    const b1 = msg({ conversation: 'B', from: 'B' })
    for (const m of [a1, a2, mine, b1]) assert.ok(store.insertMessage(m))
    assert.equal(store.unreadCount('A'), 2)
    assert.equal(store.unreadCount('B'), 1)
    assert.equal(store.unreadCount('C'), 0)
    assert.deepEqual(store.markRead('A', 50).sort(), [a1.id, a2.id].sort())
    assert.equal(store.unreadCount('A'), 0)
    assert.equal(store.unreadCount('B'), 1, 'another conversation is untouched')
    assert.deepEqual(store.markRead('A', 60), [], 'nothing newly read')
    assert.equal(store.getMessage(a1.id)?.status, 'read')
    assert.equal(
      store.getMessage(mine.id)?.status,
      'sent',
      'outgoing messages are not ours to read',
    )
    const later = msg({ conversation: 'A', from: 'A' })
    store.insertMessage(later)
    assert.equal(store.unreadCount('A'), 1)
    assert.deepEqual(store.markRead('A', 70), [later.id])
  })

  void it('lastMessage is the newest in display order', () => {
    assert.equal(store.lastMessage('A'), undefined)
    const m1 = msg({ conversation: 'A', from: 'A', receivedAt: 10 })
    const m2 = msg({ conversation: 'A', from: 'me', direction: 'out', receivedAt: 20 })
    store.insertMessage(m1)
    store.insertMessage(m2)
    assert.equal(store.lastMessage('A')?.id, m2.id)
    assert.deepEqual(store.listMessages({ conversation: 'A', limit: 1 })[0], store.lastMessage('A'))
  })

  void it('status read implies delivered, only moves forward and survives a reopen', () => {
    const m = msg({ conversation: 'A', from: 'me', direction: 'out', status: 'queued' })
    store.insertMessage(m)
    store.setStatus(m.id, 'read', 5)
    assert.equal(store.getMessage(m.id)?.status, 'read')
    for (const s of ['queued', 'sent', 'delivered'] as const) {
      store.setStatus(m.id, s)
      assert.equal(store.getMessage(m.id)?.status, 'read', `${s} does not undo read`)
    }
    store.close()
    store = openNodeStore(t.home)
    assert.equal(store.getMessage(m.id)?.status, 'read')
    assert.equal(store.listMessages({ conversation: 'A' })[0]?.status, 'read')
  })

  void it('a message inserted as read counts as read', () => {
    const m = msg({ conversation: 'A', from: 'A', status: 'read' })
    assert.ok(store.insertMessage(m))
    assert.equal(store.getMessage(m.id)?.status, 'read')
    assert.equal(store.unreadCount('A'), 0)
  })

  void it('the schema has the unread index (migration 6)', () => {
    assert.ok(SCHEMA_VERSION >= 6)
    const plan = (
      store['db']
        .prepare(
          `EXPLAIN QUERY PLAN SELECT count(*) FROM messages
           WHERE conversation = 'A' AND direction = 'in' AND read_at IS NULL`,
        )
        .all() as Array<{ detail: string }>
    )
      .map((r) => r.detail)
      .join(' ')
    assert.match(plan, /messages_unread/)
  })
})
