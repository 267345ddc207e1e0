// Our profile name (src/service/profile.ts, CLI.md "Profile, requests, blocking") through real
// ChatServices on real stores, linked by an in-memory fake node: the name's rules, persistence and
// invites; a change reaches every accepted contact through the control outbox (acked, a newer
// change replacing a queued one) and every card push; the receiver keeps only a clean name from
// an accepted contact, the newest by sentAt, and never touches the name the user chose.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { initiateSession, sessionEncrypt } from '../../src/core/session/session.js'
import type { SessionRecord } from '../../src/core/session/record.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { decodeInviteLink } from '../../src/core/wire/invite.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { MAX_CONTACT_NAME_CHARS } from '../../src/service/direct/names.js'
import {
  ctx,
  fakeNet,
  startPeer,
  type Peer,
  nothingHappens,
  closePeers,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

/** The in-memory network (test/fakes/node-pair.ts). */
const fake = fakeNet()
const { net, connected } = fake
const peers: Peer[] = []

async function peer(name: string, id?: IdentityKeyPair): Promise<Peer> {
  const p = await startPeer(fake, name, id)
  peers.push(p)
  return p
}

/** Alice and Bob, contacts of each other: Bob added Alice's invite and wrote; she answered. */
async function pair() {
  const alice = await peer('alice')
  const bob = await peer('bob')
  await bob.svc.addContact(alice.svc.invite().link, 'al')
  const m = bob.svc.send('al', 'hi')
  await until('delivered', () => bob.store.getMessage(m.id)?.status === 'delivered')
  alice.svc.renameContact(bob.id.peerId, 'bobby')
  const r = alice.svc.send('bobby', 'hello')
  await until('answered', () => alice.store.getMessage(r.id)?.status === 'delivered')
  return { alice, bob }
}

afterEach(async () => {
  await closePeers(peers)
  net.clear()
  connected.clear()
})

void describe('profile: our name', () => {
  void it('shows {peerId, name}; refuses unclean names; persists; new invites carry it', async () => {
    const a = await peer('alice')
    assert.deepEqual(a.svc.profile(), { peerId: a.id.peerId, name: 'alice' })
    for (const bad of [
      'Al\x1b[2Jice',
      'a\nb',
      'bo\u202eb',
      'b\u200bob',
      ' alice',
      '',
      'x'.repeat(MAX_CONTACT_NAME_CHARS + 1),
      a.id.peerId,
    ])
      assert.throws(() => a.svc.setProfileName(bad), { name: 'InvalidName' }, bad)
    assert.equal(a.svc.profile().name, 'alice', 'unchanged by a refusal')
    assert.deepEqual(a.svc.setProfileName('Alice B'), { peerId: a.id.peerId, name: 'Alice B' })
    assert.equal(a.svc.profile().name, 'Alice B')
    assert.equal(a.svc.status().name, 'Alice B')
    assert.equal(a.store.getIdentityName(), 'Alice B', 'persisted (kith id, restarts)')
    assert.equal(decodeInviteLink(a.svc.invite({ full: true }).link).name, 'Alice B')
    assert.equal(a.svc.setProfileName('é'.repeat(MAX_CONTACT_NAME_CHARS)).name.length, 64)
  })
})

void describe('profile: telling contacts', () => {
  void it('a change reaches each accepted contact as its profileName; its own name for us stays', async () => {
    const { alice, bob } = await pair()
    assert.equal(bob.store.getContact('al')?.profileName, 'alice', 'from the invite')
    assert.equal(alice.store.getContact('bobby')?.profileName, 'bob', 'beside the proof')
    alice.svc.setProfileName('Alice B')
    await until('bob sees it', () => bob.store.getContact('al')?.profileName === 'Alice B')
    assert.equal(bob.store.getContact(alice.id.peerId)?.name, 'al', 'the local name stays')
    assert.equal(bob.svc.listContacts()[0]?.profileName, 'Alice B')
    await until('acked', () => alice.store.groups.controlFor(bob.id.peerId).length === 0)
    bob.svc.setProfileName('Robert')
    await until('alice sees it', () => alice.store.getContact('bobby')?.profileName === 'Robert')
    assert.equal(alice.store.getContact(bob.id.peerId)?.name, 'bobby')
  })

  void it('a newer change replaces a queued one; a blocked contact is not told', async () => {
    const { alice, bob } = await pair()
    const carol = await peer('carol')
    await carol.svc.addContact(alice.svc.invite().link, 'al')
    const c = carol.svc.send('al', 'hey')
    await until('carol delivered', () => carol.store.getMessage(c.id)?.status === 'delivered')
    alice.svc.blockContact(carol.id.peerId)
    net.delete(bob.id.peerId) // Bob is away: the update waits in the outbox
    alice.svc.setProfileName('one')
    alice.svc.setProfileName('two')
    assert.equal(alice.store.groups.controlFor(bob.id.peerId).length, 1, 'only the newest waits')
    assert.equal(alice.store.groups.controlFor(carol.id.peerId).length, 0, 'blocked: not told')
    await nothingHappens() // Bob is away: his view of the name must not change
    assert.equal(bob.store.getContact('al')?.profileName, 'alice')
  })

  void it('on connect, the card push carries the current name too', async () => {
    const { alice, bob } = await pair()
    const bobHandler = net.get(bob.id.peerId)!
    net.delete(bob.id.peerId) // Bob is away
    alice.svc.setProfileName('Pushed')
    // The outbox entry is gone (say its receipt was lost after a restore): the push still tells.
    for (const e of alice.store.groups.controlFor(bob.id.peerId))
      alice.store.groups.dequeueControl(e.messageId)
    net.set(bob.id.peerId, bobHandler)
    for (const fn of connected.get(alice.id.peerId) ?? []) fn(bob.id.peerId)
    await until('pushed', () => bob.store.getContact('al')?.profileName === 'Pushed')
  })
})

void describe('profile: what a contact may set', () => {
  void it('only a clean name from an accepted contact, the newest by sentAt', async () => {
    const alice = await peer('alice')
    const link = alice.svc.invite({ full: true }).link
    const invite = decodeInviteLink(link)
    const id = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    let record: SessionRecord = initiateSession(ctx, id, invite.bundle!)
    let seq = 0
    const frame = (body: { text?: string; card?: Uint8Array }, profileName: string, at: number) => {
      const content = encodeChatContent({
        messageId: nodeRng(16),
        sender: peerIdBytesFromPublicKey(id.publicKey),
        seq: BigInt(++seq),
        sentAt: BigInt(at),
        conversation: new Uint8Array(0),
        ...(body.text !== undefined ? { text: { text: body.text } } : {}),
        ...(body.card !== undefined ? { card: body.card } : {}),
        inviteProof: invite.secret,
        profileName,
      })
      const r = sessionEncrypt(ctx, record, content)
      record = r.record
      return r.envelope
    }
    const deliver = (f: Uint8Array) => net.get(alice.id.peerId)!(id.peerId, f)
    const card = new Uint8Array(40) // not a valid card: ignored, the name still counts
    await deliver(frame({ text: 'hi' }, 'mallory', 1000))
    const name = () => alice.store.getContact(id.peerId)?.profileName
    assert.equal(name(), 'mallory')
    await deliver(frame({ card }, 'Mal\x1b[2J', 2000))
    assert.equal(name(), 'mallory', 'an unclean name is not kept')
    await deliver(frame({ card }, 'Mal', 3000))
    assert.equal(name(), 'Mal')
    await deliver(frame({ card }, 'older', 2500))
    assert.equal(name(), 'Mal', 'an older update does not win')
    assert.equal(alice.store.getContact(id.peerId)?.name, id.peerId, 'our name for it stays')
    // Blocked: refused before anything is read.
    alice.svc.blockContact(id.peerId)
    await assert.rejects(async () => deliver(frame({ card }, 'Blocked', 4000)), {
      name: 'BlockedPeer',
    })
    assert.equal(alice.store.getContact(id.peerId, { includeBlocked: true })?.profileName, 'Mal')
  })
})
