// The EditStore on a real (encrypted, on-disk) NodeStore (migration 8): the latest edit wins
// whatever order edits arrive in; a wipe leaves a tombstone with no text and no reactions, also in
// the database's pages; reactions are one per reactor, latest wins, removal by ''; timers latest
// wins; an incoming disappearing message starts its timer when read, our own when sent; held
// edits are bounded and released once.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { DB_FILE } from '../../src/store/database.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
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

void describe('EditStore', () => {
  void it('keeps the latest edit (editor clock, then edit id) whatever the arrival order', () => {
    const m = msg({ replyTo: 'ab'.repeat(16) })
    store.insertMessage(m)
    assert.equal(store.getMessage(m.id)?.replyTo, 'ab'.repeat(16))
    assert.ok(store.edits.applyEdit(m.id, 'v2', 200, 'e2'))
    assert.equal(store.edits.applyEdit(m.id, 'v1', 100, 'e1'), false, 'older edit loses')
    assert.equal(store.edits.applyEdit(m.id, 'v2b', 200, 'e1'), false, 'tie: lower id loses')
    assert.ok(store.edits.applyEdit(m.id, 'v2c', 200, 'e3'), 'tie: higher id wins')
    const got = store.getMessage(m.id)
    assert.equal(got?.text, 'v2c')
    assert.equal(got?.editedAt, 200)
  })

  void it('wipes a deleted message: tombstone, no text, no reactions, no copy in the file', () => {
    const secret = `secret-${Math.random().toString(36).slice(2)}-text`
    const m = msg({ text: secret })
    store.insertMessage(m)
    assert.ok(store.edits.react(m.id, 'me', '👍', 1))
    assert.ok(store.edits.wipe(m.id))
    const got = store.getMessage(m.id)
    assert.equal(got?.text, '')
    assert.equal(got?.deleted, true)
    assert.equal(got?.reactions, undefined)
    assert.equal(store.edits.applyEdit(m.id, 'back', 999, 'z'), false, 'no edit revives it')
    assert.equal(store.edits.react(m.id, 'me', '👍', 2), false, 'no reaction on a tombstone')
    assert.equal(store.insertMessage({ ...m }), false, 'a retried copy does not come back')
    store.close()
    // Closed: the WAL is checkpointed into kith.db. The file is encrypted anyway; this also holds
    // for the plaintext pages because of secure_delete.
    assert.ok(!readFileSync(join(t.home, DB_FILE)).includes(Buffer.from(secret)))
  })

  void it('reactions: one per reactor, latest wins, removal is an empty emoji', () => {
    const m = msg()
    store.insertMessage(m)
    store.edits.react(m.id, 'peerB', '👍', 10)
    store.edits.react(m.id, 'me', '👍', 10)
    store.edits.react(m.id, 'peerC', '🎉', 10)
    assert.deepEqual(store.getMessage(m.id)?.reactions, { '👍': ['me', 'peerB'], '🎉': ['peerC'] })
    store.edits.react(m.id, 'peerB', '❤️', 20)
    assert.equal(store.edits.react(m.id, 'peerB', '😂', 15), false, 'an older one loses')
    store.edits.react(m.id, 'peerC', '', 30)
    assert.deepEqual(store.getMessage(m.id)?.reactions, { '❤️': ['peerB'], '👍': ['me'] })
    assert.equal(store.edits.react('nope', 'me', '👍', 1), false)
  })

  void it('timers: latest set wins; expiry from sending (ours) or reading (incoming)', () => {
    assert.equal(store.edits.timer('A'), undefined)
    assert.ok(store.edits.setTimer('A', 60, 100))
    assert.equal(store.edits.setTimer('A', 30, 50), false)
    assert.deepEqual(store.edits.timer('A'), { ttl: 60, setAt: 100 })
    const out = msg({ conversation: 'A', direction: 'out', sentAt: 1000, ttlSeconds: 5 })
    const inc = msg({ conversation: 'A', from: 'A', ttlSeconds: 5 })
    store.insertMessage(out)
    store.insertMessage(inc)
    assert.equal(store.getMessage(out.id)?.expiresAt, 6000)
    assert.equal(store.getMessage(inc.id)?.expiresAt, undefined, 'not read yet: no timer')
    assert.equal(store.edits.nextExpiry(), 6000)
    store.markRead('A', 10_000)
    assert.equal(store.getMessage(inc.id)?.expiresAt, 15_000)
    assert.deepEqual(store.edits.expired(10_000, 10), [out.id])
    store.edits.wipe(out.id)
    assert.deepEqual(store.edits.expired(20_000, 10), [inc.id])
    assert.equal(store.edits.nextExpiry(), 15_000)
  })

  void it('holds at most `keep` edits (oldest dropped) and releases them once', () => {
    for (let i = 0; i < 5; i++) {
      store.edits.hold(
        {
          id: `h${i}`,
          target: i < 3 ? 'T' : 'U',
          conversation: 'A',
          actor: 'A',
          content: new Uint8Array([i]),
          receivedAt: i,
        },
        4,
      )
    }
    assert.equal(store.edits.heldCount(), 4)
    assert.deepEqual(
      store.edits.release('T').map((h) => h.id),
      ['h1', 'h2'],
      'h0 was dropped by the bound',
    )
    assert.deepEqual(store.edits.release('T'), [])
    assert.equal(store.edits.heldCount(), 2)
  })
})
