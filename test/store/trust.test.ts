// SqliteTrustStore (src/store/trust.ts) and the contact lookups it changes: blocked peers left out
// of getContact/listContacts, a PeerId ref never matching a name (issue 11 finding 7), invite
// secrets (standing, single-use), held requests, and the migration that renames an impostor.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import Database from 'better-sqlite3-multiple-ciphers'
import { MIGRATIONS, migrate } from '../../src/store/migrations.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import type { Contact } from '../../src/store/types.js'
import { newIdentity, tempHome } from './helpers.js'

const contact = (peerId: string, name: string): Contact => ({
  peerId,
  name,
  verified: false,
  keyChanged: false,
  addrs: [],
  addedAt: 1,
  lastSeen: undefined,
})
const [A, B, C] = [newIdentity(), newIdentity(), newIdentity()].map((k) => k.peerId) as [
  string,
  string,
  string,
]
const held = (id: string, text = 'hi', at = 10) => ({
  id,
  seq: 1,
  text,
  sentAt: at,
  receivedAt: at,
})

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

void describe('contacts and blocking', () => {
  void it('a PeerId ref matches only that peer, never a contact named like it', () => {
    // An old database may hold an impostor named like B's PeerId (before the name rules).
    store.putContact(contact(A, 'alice'))
    ;(store as unknown as { db: Database.Database }).db
      .prepare('UPDATE contacts SET name = ? WHERE peer_id = ?')
      .run(B, A)
    assert.equal(store.getContact(B), undefined, 'B is not a contact: the impostor is not B')
    assert.equal(store.getContact(A)?.name, B)
  })

  void it('blocked contacts are left out unless asked for; unblock restores them', () => {
    store.putContact(contact(A, 'alice'))
    store.putContact(contact(B, 'bob'))
    assert.equal(store.isContact(A), true)
    store.trust.block(A, 5)
    assert.equal(store.getContact('alice'), undefined)
    assert.equal(store.getContact(A), undefined)
    assert.equal(store.isContact(A), false, 'isContact agrees with getContact: blocked left out')
    assert.equal(store.isContact(B), true)
    assert.equal(store.isContact('bob'), false, 'a name is not a PeerId')
    assert.equal(store.getContact(A, { includeBlocked: true })?.blocked, true)
    assert.deepEqual(
      store.listContacts().map((c) => c.name),
      ['bob'],
    )
    assert.deepEqual(
      store.listContacts({ includeBlocked: true }).map((c) => [c.name, c.blocked]),
      [
        ['alice', true],
        ['bob', false],
      ],
    )
    assert.equal(store.trust.isBlocked(C), false)
    store.trust.block(C, 6) // any PeerId
    assert.deepEqual(store.trust.blocked(), [A, C])
    assert.equal(store.trust.unblock(A), true)
    assert.equal(store.trust.unblock(A), false)
    assert.equal(store.getContact('alice')?.blocked, false)
  })

  void it('profile names persist; a put without one keeps it', () => {
    store.putContact({ ...contact(A, 'alice'), profileName: 'Alice A.' })
    store.putContact(contact(A, 'alice2'))
    assert.equal(store.getContact(A)?.profileName, 'Alice A.')
    assert.equal(openNodeStoreAgain().getContact(A)?.profileName, 'Alice A.')
  })
})

function openNodeStoreAgain(): SqliteNodeStore {
  store.close()
  return (store = openNodeStore(t.home))
}

void describe('invite secrets', () => {
  const h = (n: number) => new Uint8Array(32).fill(n)
  void it('a standing secret serves anyone; a single-use one only its first peer', () => {
    store.trust.addInviteSecret(h(1), false, 1)
    store.trust.addInviteSecret(h(2), true, 1)
    assert.equal(store.trust.redeemInviteSecret(h(1), A), true)
    assert.equal(store.trust.redeemInviteSecret(h(1), B), true)
    assert.equal(store.trust.redeemInviteSecret(h(2), A), true)
    assert.equal(store.trust.redeemInviteSecret(h(2), A), true, 'the same peer again')
    assert.equal(store.trust.redeemInviteSecret(h(2), B), false, 'used')
    assert.equal(store.trust.redeemInviteSecret(h(3), A), false, 'unknown')
  })

  void it('keeps only the newest single-use secrets', () => {
    for (let i = 0; i < 5; i++) store.trust.addInviteSecret(h(10 + i), true, i)
    store.trust.addInviteSecret(h(1), false, 0)
    assert.equal(store.trust.pruneOnceSecrets(3), 2)
    assert.equal(store.trust.redeemInviteSecret(h(10), A), false, 'oldest forgotten')
    assert.equal(store.trust.redeemInviteSecret(h(14), A), true)
    assert.equal(store.trust.redeemInviteSecret(h(1), A), true, 'the standing one stays')
  })

  void it('the proof we owe a contact is set and cleared', () => {
    store.putContact(contact(A, 'alice'))
    assert.equal(store.trust.inviteProof(A), undefined)
    store.trust.setInviteProof(A, new Uint8Array(16).fill(9))
    assert.deepEqual(store.trust.inviteProof(A), new Uint8Array(16).fill(9))
    store.trust.setInviteProof(A, undefined)
    assert.equal(store.trust.inviteProof(A), undefined)
  })
})

void describe('requests', () => {
  void it('holds messages once per id, totals them, lists oldest first, drops', () => {
    assert.equal(store.trust.hold(B, 'Bob', held('m1', 'héllo', 20)), true)
    assert.equal(store.trust.hold(B, '', held('m1', 'héllo', 20)), false, 'duplicate')
    assert.equal(store.trust.hold(B, '', held('m2', 'x', 21)), true)
    assert.equal(store.trust.hold(A, 'Al', held('m3', 'y', 10)), true)
    assert.deepEqual(
      store.trust.listRequests().map((r) => [r.peerId, r.profileName, r.messages, r.bytes]),
      [
        [A, 'Al', 1, 1],
        [B, 'Bob', 2, 7],
      ],
    )
    assert.deepEqual(store.trust.requestTotals(), { requests: 2, bytes: 8 })
    // Oldest = first held (insertion order), whatever the clock said.
    assert.equal(store.trust.oldestRequest(C), B)
    assert.equal(store.trust.oldestRequest(B), A)
    assert.deepEqual(
      store.trust.heldFor(B).map((m) => m.id),
      ['m1', 'm2'],
    )
    assert.equal(store.trust.dropRequest(B), true)
    assert.equal(store.trust.hasHeld('m1'), false)
    assert.deepEqual(store.trust.requestTotals(), { requests: 1, bytes: 1 })
  })
})

void describe('migration (requests, blocking, invite proofs)', () => {
  void it('renames a contact named like a PeerId that is not its own', () => {
    store.close()
    const db = new Database(join(t.dir, 'm.db'))
    try {
      const mine = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE blocked'))
      assert.ok(mine > 0)
      for (let v = 0; v < mine; v++) {
        db.exec(MIGRATIONS[v]!)
        db.pragma(`user_version = ${v + 1}`)
      }
      const put = db.prepare('INSERT INTO contacts (peer_id, name, added_at) VALUES (?, ?, 1)')
      put.run(A, B) // the impostor of finding 7
      put.run(C, 'carol')
      migrate(db)
      const names = db.prepare('SELECT peer_id, name FROM contacts ORDER BY name').all()
      assert.deepEqual(
        names,
        [
          { peer_id: A, name: A },
          { peer_id: C, name: 'carol' },
        ].sort((x, y) => (x.name < y.name ? -1 : 1)),
      )
    } finally {
      db.close()
    }
    store = openNodeStore(t.home)
  })
})
