// Receive dispatch (src/service/direct/receive.ts) on the in-memory node pair: each kind of content a
// contact sends — text, edit, delete, reaction, disappearing timer, card with profile name, group
// update, read receipt — reaches its handler and lands in the receiver's store; a frame that is
// garbage, truncated, tampered with, sealed for someone else or replayed is refused with a typed
// error (what the node counts under dmRejected by name), changes no state, and the service keeps
// receiving afterwards.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { nodeRng } from '../../src/platform/node-crypto.js'
import { contactPair, fakeNet, startPeer, stopPeers, type Peer } from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

const peers: Peer[] = []
afterEach(() => stopPeers(peers))

/** Bob's view of his conversation with Alice, by message id. */
function bobSees(bob: Peer) {
  return new Map(bob.svc.messages({ contact: 'al', limit: 100 }).map((m) => [m.id, m]))
}

/** Everything a received frame could change at `p` about `peer`. */
function state(p: Peer, peer: string) {
  return {
    messages: p.store.listMessages({ limit: 1000 }),
    session: p.store.protocol.loadSession(peer),
    contacts: p.svc.listContacts(),
    groups: p.svc.listGroups(),
    requests: p.svc.listRequests(),
  }
}

describe('receive dispatch', () => {
  it('each content kind reaches its handler and the store', async () => {
    const fake = fakeNet()
    const { alice, bob } = await contactPair(fake)
    peers.push(alice, bob)

    const one = alice.svc.send('bob', 'first')
    const two = alice.svc.send('bob', 'second')
    await until('texts', () => bobSees(bob).get(two.id)?.text === 'second')
    assert.equal(bobSees(bob).get(one.id)?.text, 'first')

    alice.svc.editMessage(one.id, 'first, edited')
    await until('edit', () => bobSees(bob).get(one.id)?.text === 'first, edited')
    assert.ok((bobSees(bob).get(one.id)?.editedAt ?? 0) > 0)

    alice.svc.reactMessage(one.id, '👍', false)
    await until('reaction', () => bobSees(bob).get(one.id)?.reactions?.['👍'])
    assert.deepEqual(bobSees(bob).get(one.id)?.reactions?.['👍'], [alice.id.peerId])

    alice.svc.deleteMessage(two.id, true)
    await until('delete', () => bobSees(bob).get(two.id)?.deleted === true)
    assert.equal(bobSees(bob).get(two.id)?.text, '')

    alice.svc.setDisappearing('bob', 3600)
    await until('timer', () => bob.store.edits.timer(alice.id.peerId)?.ttl === 3600)
    const three = alice.svc.send('bob', 'fades')
    await until('a text under the timer', () => bob.store.getMessage(three.id))
    assert.equal(bob.store.getMessage(three.id)?.ttlSeconds, 3600, "Bob's side took the timer")

    alice.svc.setProfileName('Alice A.')
    await until('profile name (with a card)', () =>
      bob.svc
        .listContacts()
        .some((c) => c.peerId === alice.id.peerId && c.profileName === 'Alice A.'),
    )

    const { groupId } = alice.svc.createGroup('book club')
    alice.svc.addGroupMember(groupId, 'bob')
    await until('group update', () => bob.svc.listGroups().find((g) => g.groupId === groupId))
    assert.equal(bob.svc.listGroups().find((g) => g.groupId === groupId)?.name, 'book club')

    const mine = bob.svc.send('al', 'read this')
    await until('delivered', () => bob.store.getMessage(mine.id)?.status === 'delivered')
    alice.svc.readConversation('bob')
    await until('read receipt', () => bob.store.getMessage(mine.id)?.status === 'read')
  })

  it('a bad frame is refused with a typed error, changes nothing, and receiving goes on', async () => {
    const fake = fakeNet()
    const { alice, bob } = await contactPair(fake)
    const carol = await startPeer(fake, 'carol')
    peers.push(alice, bob, carol)
    await carol.svc.addContact(alice.svc.invite().link, 'al')
    const c = carol.svc.send('al', 'hi')
    await until('carol → alice', () => carol.store.getMessage(c.id)?.status === 'delivered')

    // Real frames Alice sends Bob and Carol, caught on the way (and not delivered).
    const handler = fake.net.get(bob.id.peerId)!
    const caught: Uint8Array[] = []
    fake.net.set(bob.id.peerId, (_from, frame) => {
      caught.push(frame)
      return Promise.resolve()
    })
    alice.svc.send('bob', 'caught')
    await until('a frame for Bob', () => caught.length > 0)
    fake.net.set(bob.id.peerId, handler)
    const toCarol = fake.net.get(carol.id.peerId)!
    const forCarol: Uint8Array[] = []
    fake.net.set(carol.id.peerId, (_from, frame) => {
      forCarol.push(frame)
      return Promise.resolve()
    })
    alice.svc.send(carol.id.peerId, 'for carol')
    await until('a frame for Carol', () => forCarol.length > 0)
    fake.net.set(carol.id.peerId, toCarol)

    const good = caught[0]!
    const flipped = good.slice()
    flipped[flipped.length - 5]! ^= 0x01
    const bad: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)],
      ['garbage', nodeRng(200)],
      ['truncated', good.slice(0, good.length >> 1)],
      ['tampered', flipped],
      ['sealed for Carol', forCarol[0]!],
    ]
    const before = state(bob, alice.id.peerId)
    for (const [what, frame] of bad) {
      await assert.rejects(handler(alice.id.peerId, frame), (err: Error) => {
        assert.ok(err instanceof Error, what)
        assert.notEqual(err.name, 'Error', `${what}: a typed error, not ${err.name}`)
        return true
      })
      assert.deepEqual(state(bob, alice.id.peerId), before, `${what} changed Bob's state`)
    }

    // The real frame still decrypts after all that; replayed, it is refused and stores nothing.
    await handler(alice.id.peerId, good)
    await until('the caught message', () =>
      bob.store
        .listMessages({ conversation: alice.id.peerId, limit: 100 })
        .find((m) => m.text === 'caught'),
    )
    const after = state(bob, alice.id.peerId)
    await assert.rejects(handler(alice.id.peerId, good))
    assert.deepEqual(
      state(bob, alice.id.peerId).messages,
      after.messages,
      'a replay stores nothing',
    )

    const later = alice.svc.send('bob', 'still here')
    await until('receiving goes on', () => alice.store.getMessage(later.id)?.status === 'delivered')
  })
})
