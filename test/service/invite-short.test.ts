// First contact by a short invite link (core/wire/invite.ts version 2; CLI.md "kith invite
// prints a link of at most 400 characters, details come over the network on first contact"),
// through real ChatServices on real stores linked by the in-memory fake node: the adder fetches
// the inviter's signed card (node/card/index.ts, faked as a call to the inviter's handler),
// proving the link's secret; an offline inviter or a forged secret gives InviterUnreachable and
// stores nothing; a single-use link's card fetch does not use the link up.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { decodeInviteLink, encodeShortInviteLink } from '../../src/core/wire/invite.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { fakeNet, startPeer, type Peer, closePeers } from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

const fake = fakeNet()
const { net, connected } = fake
const peers: Peer[] = []

async function peer(name: string): Promise<Peer> {
  const p = await startPeer(fake, name)
  peers.push(p)
  return p
}

afterEach(async () => {
  await closePeers(peers)
  net.clear()
  connected.clear()
  fake.cards.clear()
})

void describe('short invite links', () => {
  void it('are ≤ 400 characters and carry no bundle; adding one fetches the card and starts a session both ways', async () => {
    const alice = await peer('alice')
    const bob = await peer('bob')
    const { link } = alice.svc.invite()
    assert.ok(link.length <= 400, `${link.length} characters`)
    assert.equal(decodeInviteLink(link).bundle, undefined)
    const full = alice.svc.invite({ full: true }).link
    assert.ok(full.length > 1_000, 'the full link carries the bundle')

    const added = await bob.svc.addContact(link, 'al')
    assert.equal(added.peerId, alice.id.peerId)
    const m = bob.svc.send('al', 'hi from a short link')
    await until('delivered', () => bob.store.getMessage(m.id)?.status === 'delivered')
    // Alice accepts Bob as a contact (he proved the link's secret) and can answer.
    const bobOnAlice = await until('alice has bob', () => alice.store.getContact(bob.id.peerId))
    const r = alice.svc.send(bobOnAlice.name, 'hello back')
    await until('answered', () => alice.store.getMessage(r.id)?.status === 'delivered')
  })

  void it('an offline inviter: InviterUnreachable, and nothing is stored', async () => {
    const alice = await peer('alice')
    const bob = await peer('bob')
    const { link } = alice.svc.invite()
    net.delete(alice.id.peerId) // alice goes offline
    await assert.rejects(bob.svc.addContact(link, 'al'), { name: 'InviterUnreachable' })
    assert.equal(bob.store.getContact(alice.id.peerId, { includeBlocked: true }), undefined)
  })

  void it('a secret that is not (or no longer) the inviter’s gets no card; a link changed and re-signed by someone else is refused', async () => {
    const alice = await peer('alice')
    const mallory = await peer('mallory')
    const d = decodeInviteLink(alice.svc.invite().link)
    const forged = encodeShortInviteLink({
      peerId: d.peerId,
      packedAddrs: d.packedAddrs,
      name: d.name,
      secret: new Uint8Array(d.secret.length).fill(1),
      sign: (m) => alice.id.sign(nodeCrypto, m), // as if alice had signed it (a revoked secret)
    })
    await assert.rejects(mallory.svc.addContact(forged, 'al'), { name: 'InviterUnreachable' })
    assert.equal(mallory.store.getContact(alice.id.peerId, { includeBlocked: true }), undefined)
    // Re-signed by anyone else, a changed link is refused before anything is asked.
    const tampered = encodeShortInviteLink({
      peerId: d.peerId,
      packedAddrs: d.packedAddrs,
      name: 'not alice',
      secret: d.secret,
      sign: (m) => mallory.id.sign(nodeCrypto, m),
    })
    await assert.rejects(mallory.svc.addContact(tampered, 'al'), { name: 'InvalidInvite' })
  })

  void it('a single-use link: fetching the card does not use it up; the first to write does', async () => {
    const alice = await peer('alice')
    const bob = await peer('bob')
    const carol = await peer('carol')
    const { link } = alice.svc.invite({ once: true })
    await bob.svc.addContact(link, 'al')
    await carol.svc.addContact(link, 'al') // fetching the card works for both
    const m = bob.svc.send('al', 'first')
    await until('bob delivered', () => bob.store.getMessage(m.id)?.status === 'delivered')
    assert.ok(alice.store.getContact(bob.id.peerId), 'bob redeemed the link')
    // Once bob redeemed it, a newcomer’s card fetch is refused.
    const dave = await peer('dave')
    await assert.rejects(dave.svc.addContact(link, 'al'), { name: 'InviterUnreachable' })
  })
})
