// SqliteChatStore through a real (encrypted, on-disk) NodeStore: contacts, messages and their
// display order, the outbox, sequence counters across a reopen, settings and transactions.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { ContactExistsError } from '../../src/store/errors.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import type { Contact } from '../../src/store/types.js'
import { msg, newIdentity, tempHome } from './helpers.js'

function contact(peerId: string, name: string, over: Partial<Contact> = {}): Contact {
  return {
    peerId,
    name,
    verified: false,
    keyChanged: false,
    addrs: [],
    addedAt: 1,
    lastSeen: undefined,
    profileName: '',
    blocked: false,
    ...over,
  }
}
// Real PeerIds: a ref that parses as one never matches a name (issue 11 finding 7).
const [P1, P2, P3] = [newIdentity(), newIdentity(), newIdentity()].map((k) => k.peerId) as [
  string,
  string,
  string,
]

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
const ids = (ms: { id: string }[]): string[] => ms.map((m) => m.id)

void describe('contacts', () => {
  void it('round-trips every field and finds a contact by name or PeerId', () => {
    const c = contact(P1, 'alice', {
      verified: true,
      keyChanged: true,
      addrs: [`/ip4/1.2.3.4/tcp/1/p2p/${P1}`],
      addedAt: 5,
      lastSeen: 7,
    })
    store.putContact(c)
    assert.deepEqual(store.getContact('alice'), c)
    assert.deepEqual(store.getContact(P1), c)
    assert.equal(store.getContact('bob'), undefined)
    assert.deepEqual(reopen().getContact(P1), c)
  })

  void it('refuses a name that belongs to another peer, changing nothing', () => {
    store.putContact(contact(P1, 'alice'))
    store.putContact(contact(P2, 'bob'))
    assert.throws(() => store.putContact(contact(P2, 'alice')), ContactExistsError)
    assert.throws(() => store.putContact(contact(P3, 'alice')), { name: 'ContactExistsError' })
    // Another contact's PeerId is not a free name either (getContact would be ambiguous).
    assert.throws(() => store.putContact(contact(P3, P1)), ContactExistsError)
    assert.deepEqual(
      store.listContacts().map((c) => [c.peerId, c.name]),
      [
        [P1, 'alice'],
        [P2, 'bob'],
      ],
    )
  })

  void it('renames by putting the same peer again; its old name becomes free', () => {
    store.putContact(contact(P1, P1)) // a peer that wrote first is named by its PeerId
    store.putContact(contact(P1, 'alice'))
    assert.equal(store.getContact(P1)?.name, 'alice')
    assert.equal(store.listContacts().length, 1)
    store.putContact(contact(P2, 'alice2'))
    store.putContact(contact(P1, 'carol'))
    store.putContact(contact(P2, 'alice'))
    assert.equal(store.getContact('alice')?.peerId, P2)
  })

  void it('setVerified and touchContact update only their fields', () => {
    store.putContact(contact(P1, 'alice', { addrs: ['/a'] }))
    store.setVerified(P1, true)
    store.touchContact(P1, 99)
    assert.deepEqual(
      store.getContact(P1),
      contact(P1, 'alice', { verified: true, addrs: ['/a'], lastSeen: 99 }),
    )
    store.touchContact(P1, 100, ['/b', '/c'])
    assert.deepEqual(store.getContact(P1)?.addrs, ['/b', '/c'])
    assert.equal(store.getContact(P1)?.lastSeen, 100)
  })

  void it('removes a contact keeping its messages, or purging them', () => {
    store.putContact(contact(P1, 'alice'))
    store.putContact(contact(P2, 'bob'))
    const a = msg({ conversation: P1, from: P1 })
    const out = msg({ conversation: P1, from: 'me', direction: 'out', status: 'queued' })
    const b = msg({ conversation: P2, from: P2 })
    for (const m of [a, out, b]) store.insertMessage(m)
    store.enqueue({ messageId: out.id, peer: P1, attempts: 0, nextAttemptAt: 0 })

    assert.equal(store.removeContact(P1, false), true)
    assert.equal(store.getContact(P1), undefined)
    assert.deepEqual(ids(store.listMessages({ conversation: P1 })), [a.id, out.id])
    assert.deepEqual(store.outboxPeers(), [], 'nothing is retried to a removed contact')
    assert.equal(store.removeContact(P1, false), false)

    assert.equal(store.removeContact(P2, true), true)
    assert.deepEqual(store.listMessages({ conversation: P2 }), [])
    assert.equal(store.hasMessage(b.id), false)
    assert.deepEqual(ids(store.listMessages({})), [a.id, out.id])
  })
})

void describe('messages', () => {
  void it('round-trips a message; a duplicate id returns false and changes nothing', () => {
    const m = msg({ text: 'hi ✓ 😀', status: 'sent' })
    assert.equal(store.insertMessage(m), true)
    assert.equal(store.hasMessage(m.id), true)
    assert.deepEqual(store.getMessage(m.id), m)
    assert.equal(store.insertMessage({ ...m, text: 'changed', seq: 999, receivedAt: 1 }), false)
    assert.deepEqual(store.getMessage(m.id), m)
    assert.deepEqual(store.listMessages({}), [m])
    assert.equal(store.getMessage('nope'), undefined)
    assert.equal(store.hasMessage('nope'), false)
  })

  void it('rejects a malformed row instead of ignoring it', () => {
    const bad = msg({ direction: 'sideways' as 'in' })
    assert.throws(() => store.insertMessage(bad), /CHECK constraint/)
    assert.equal(store.hasMessage(bad.id), false)
  })

  void it('pages back with a cursor: before an id, in display order, within the conversation', () => {
    // Display order is a1 b1 b2 a2 a3 (b1 is shown beside b2, ahead of its own receivedAt).
    const g = 'groupP'
    for (const m of [
      msg({ id: 'a1', conversation: g, from: 'A', seq: 1, receivedAt: 10 }),
      msg({ id: 'b2', conversation: g, from: 'B', seq: 2, receivedAt: 20 }),
      msg({ id: 'a2', conversation: g, from: 'A', seq: 2, receivedAt: 30 }),
      msg({ id: 'x1', conversation: 'P9', from: 'P9', seq: 1, receivedAt: 25 }),
      msg({ id: 'b1', conversation: g, from: 'B', seq: 1, receivedAt: 40 }),
      msg({ id: 'a3', conversation: g, from: 'A', seq: 3, receivedAt: 50 }),
    ])
      store.insertMessage(m)
    const page = (before?: string) =>
      ids(store.listMessages({ conversation: g, limit: 2, ...(before ? { before } : {}) }))
    assert.deepEqual(page(), ['a2', 'a3'])
    assert.deepEqual(page('a2'), ['b1', 'b2'])
    assert.deepEqual(page('b1'), ['a1'])
    assert.deepEqual(page('a1'), [])
    // Without a limit: everything before; across conversations without one; unknown id: none.
    assert.deepEqual(ids(store.listMessages({ conversation: g, before: 'a3' })), [
      'a1',
      'b1',
      'b2',
      'a2',
    ])
    assert.deepEqual(ids(store.listMessages({ before: 'a2' })), ['a1', 'b1', 'b2', 'x1'])
    assert.deepEqual(store.listMessages({ conversation: g, before: 'nope' }), [])
  })

  void it('moves status forward only: queued → sent → delivered', () => {
    const m = msg({ direction: 'out', status: 'queued' })
    store.insertMessage(m)
    store.setStatus(m.id, 'delivered')
    store.setStatus(m.id, 'sent') // a late ack of an earlier attempt
    assert.equal(store.getMessage(m.id)?.status, 'delivered')
    const n = msg({ direction: 'out', status: 'queued' })
    store.insertMessage(n)
    store.setStatus(n.id, 'sent')
    assert.equal(store.getMessage(n.id)?.status, 'sent')
  })

  void it('lists oldest first by the time stored, each sender in seq order', () => {
    // Two senders interleave in a group; B's seq 2 arrives before its seq 1.
    const g = 'group1'
    const a1 = msg({ id: 'a1', conversation: g, from: 'A', seq: 1, receivedAt: 10 })
    const b2 = msg({ id: 'b2', conversation: g, from: 'B', seq: 2, receivedAt: 20 })
    const a2 = msg({ id: 'a2', conversation: g, from: 'A', seq: 2, receivedAt: 30 })
    const b1 = msg({ id: 'b1', conversation: g, from: 'B', seq: 1, receivedAt: 40 })
    const a3 = msg({ id: 'a3', conversation: g, from: 'A', seq: 3, receivedAt: 50 })
    const other = msg({ id: 'x1', conversation: 'P9', from: 'P9', seq: 1, receivedAt: 25 })
    for (const m of [a1, b2, a2, other, b1, a3]) store.insertMessage(m)
    // b1 is shown just before b2 (where B's sequence was first seen), not after a2.
    assert.deepEqual(ids(store.listMessages({ conversation: g })), ['a1', 'b1', 'b2', 'a2', 'a3'])
    assert.deepEqual(ids(store.listMessages({})), ['a1', 'b1', 'b2', 'x1', 'a2', 'a3'])
    // receivedAt itself is kept as stored.
    assert.equal(store.getMessage('b1')?.receivedAt, 40)
    // Equal times: sender, then seq.
    const c2 = msg({ id: 'c2', conversation: 'g2', from: 'C', seq: 2, receivedAt: 5 })
    const c1 = msg({ id: 'c1', conversation: 'g2', from: 'C', seq: 1, receivedAt: 5 })
    store.insertMessage(c2)
    store.insertMessage(c1)
    assert.deepEqual(ids(store.listMessages({ conversation: 'g2' })), ['c1', 'c2'])
  })

  void it('limit returns the newest N, still oldest first', () => {
    const all = [1, 2, 3, 4, 5].map((n) =>
      msg({ id: `l${n}`, conversation: 'L', from: 'L', seq: n, receivedAt: n * 10 }),
    )
    for (const m of [...all].reverse()) store.insertMessage(m)
    assert.deepEqual(ids(store.listMessages({ conversation: 'L', limit: 2 })), ['l4', 'l5'])
    assert.deepEqual(ids(store.listMessages({ conversation: 'L', limit: 10 })), [
      'l1',
      'l2',
      'l3',
      'l4',
      'l5',
    ])
    assert.deepEqual(store.listMessages({ conversation: 'L', limit: 0 }), [])
    assert.deepEqual(ids(store.listMessages({ limit: 3 })), ['l3', 'l4', 'l5'])
    assert.throws(() => store.listMessages({ limit: -1 }), RangeError)
  })

  void it('nextSeq starts at 1 per conversation and persists across a reopen', () => {
    assert.equal(store.nextSeq('P1'), 1)
    assert.equal(store.nextSeq('P1'), 2)
    assert.equal(store.nextSeq('P2'), 1)
    const s = reopen()
    assert.equal(s.nextSeq('P1'), 3)
    assert.equal(s.nextSeq('P2'), 2)
    assert.equal(s.nextSeq('P3'), 1)
  })
})

void describe('outbox', () => {
  void it('lists a peer’s entries in sequence order, reschedules and dequeues', () => {
    const out = [3, 1, 2].map((seq) =>
      msg({
        id: `o${seq}`,
        conversation: 'P1',
        from: 'me',
        direction: 'out',
        status: 'queued',
        seq,
        receivedAt: 100,
      }),
    )
    for (const m of out) {
      store.insertMessage(m)
      store.enqueue({ messageId: m.id, peer: 'P1', attempts: 0, nextAttemptAt: 0 })
    }
    const other = msg({
      id: 'q1',
      conversation: 'P2',
      from: 'me',
      direction: 'out',
      status: 'queued',
    })
    store.insertMessage(other)
    store.enqueue({ messageId: other.id, peer: 'P2', attempts: 0, nextAttemptAt: 0 })

    assert.deepEqual(store.outboxPeers(), ['P1', 'P2'])
    assert.deepEqual(
      store.outboxFor('P1').map((e) => e.messageId),
      ['o1', 'o2', 'o3'],
    )
    assert.equal(store.nextAttemptAt('P1'), 0)
    store.reschedule('o1', 1, 7000)
    store.reschedule('o3', 1, 6000)
    store.reschedule('o2', 3, 5000)
    assert.equal(store.nextAttemptAt('P1'), 5000, 'the earliest next attempt of the peer')
    assert.equal(store.nextAttemptAt('nobody'), undefined)
    assert.deepEqual(store.outboxFor('P1')[1], {
      messageId: 'o2',
      peer: 'P1',
      attempts: 3,
      nextAttemptAt: 5000,
    })
    store.dequeue('o1')
    store.dequeue('o1')
    assert.deepEqual(
      store.outboxFor('P1').map((e) => e.messageId),
      ['o2', 'o3'],
    )
    store.dequeue('q1')
    assert.deepEqual(store.outboxPeers(), ['P1'])
    assert.equal(reopen().outboxFor('P1').length, 2)
  })

  void it('refuses an entry for a message that is not stored', () => {
    assert.throws(
      () => store.enqueue({ messageId: 'ghost', peer: 'P1', attempts: 0, nextAttemptAt: 0 }),
      /FOREIGN KEY/,
    )
    assert.deepEqual(store.outboxPeers(), [])
  })
})

void describe('settings and transactions', () => {
  void it('settings round-trip and survive a reopen', () => {
    assert.equal(store.getSetting('port'), undefined)
    store.setSetting('port', '4001')
    store.setSetting('port', '4002')
    assert.equal(reopen().getSetting('port'), '4002')
  })

  void it('a throw rolls back everything written in the transaction, nested ones too', () => {
    const m = msg()
    assert.throws(
      () =>
        store.transaction(() => {
          store.insertMessage(m)
          store.nextSeq('P1')
          store.putContact(contact('P1', 'alice'))
          store.transaction(() => store.setSetting('k', 'v'))
          void store.protocol.storeSession('P1', new Uint8Array([1]))
          throw new Error('boom')
        }),
      /boom/,
    )
    const s = reopen()
    assert.equal(s.hasMessage(m.id), false)
    assert.equal(s.getContact('P1'), undefined)
    assert.equal(s.getSetting('k'), undefined)
    assert.equal(s.protocol.loadSession('P1'), undefined)
    assert.equal(s.nextSeq('P1'), 1)
  })

  void it('a nested throw caught by the outer transaction undoes only the inner part', () => {
    store.transaction(() => {
      store.setSetting('outer', '1')
      assert.throws(() =>
        store.transaction(() => {
          store.setSetting('inner', '1')
          throw new Error('inner')
        }),
      )
    })
    assert.equal(store.getSetting('outer'), '1')
    assert.equal(store.getSetting('inner'), undefined)
  })

  void it('refuses an async function and rolls it back', () => {
    assert.throws(
      () =>
        store.transaction(() => {
          store.setSetting('a', '1')
          return Promise.resolve()
        }),
      TypeError,
    )
    assert.equal(store.getSetting('a'), undefined)
  })

  void it('commits and returns the function’s value', () => {
    const r = store.transaction(() => {
      store.setSetting('x', '1')
      return store.nextSeq('P1')
    })
    assert.equal(r, 1)
    assert.equal(reopen().getSetting('x'), '1')
  })
})
