// Conversations, read marks and READ receipts (CLI.md "Conversations, receipts, edits") through
// real ChatServices on real stores, linked by an in-memory fake node: the conversation list
// (direct and group rows, unread counts, last message, newest first, no message requests);
// `read` marks and sends one READ receipt that moves the sender's messages to `read` with a
// status event; read receipts off sends nothing; a READ receipt from a stranger or naming
// messages of another conversation changes nothing.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { SessionRecord } from '../../src/core/session/record.js'
import { initiateSession, sessionEncrypt } from '../../src/core/session/session.js'
import { fromHex } from '../../src/core/bytes.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { decodeInviteLink, encodeInviteLink } from '../../src/core/wire/invite.js'
import * as pb from '../../src/core/wire/pb/wire.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { ServiceEvent } from '../../src/service/types.js'
import {
  ctx,
  fakeNet,
  startPeer,
  type Peer,
  drained,
  nothingHappens,
  quiet,
  closePeers,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

/** The in-memory network (test/fakes/node-pair.ts). */
const fake = fakeNet()
const { net, watched } = fake
const peers: Peer[] = []

async function peer(name: string, id?: IdentityKeyPair): Promise<Peer> {
  const p = await startPeer(fake, name, id)
  peers.push(p)
  return p
}

/** Every READ receipt frame `from` sent to `to` is counted by wrapping `to`'s handler. */
function countFrames(to: Peer): { n: number } {
  const c = { n: 0 }
  const h = net.get(to.id.peerId)!
  net.set(to.id.peerId, async (from, frame) => {
    c.n++
    await h(from, frame)
  })
  return c
}

let alice: Peer
let bob: Peer
beforeEach(async () => {
  alice = await peer('alice')
  bob = await peer('bob')
  await bob.svc.addContact(alice.svc.invite().link, 'alice')
  // Alice accepts bob by his invite proof on his first message; she names him.
  const first = bob.svc.send('alice', 'hello 0')
  await until('first delivered', () => bob.store.getMessage(first.id)?.status === 'delivered')
  alice.svc.renameContact(bob.id.peerId, 'bob')
  alice.svc.readConversation('bob')
  await until('first read', () => bob.store.getMessage(first.id)?.status === 'read')
})
afterEach(async () => {
  await closePeers(peers)
  net.clear()
  watched.clear()
})

async function bobSends(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => bob.svc.send('alice', `msg ${i}`).id)
  await until('all delivered', () =>
    ids.every((id) => bob.store.getMessage(id)?.status === 'delivered'),
  )
  return ids
}

void describe('conversations and read receipts', () => {
  void it('lists unread and last; read marks them and the sender sees read with an event', async () => {
    const ids = await bobSends(3)
    const [row] = alice.svc.conversations()
    assert.equal(row?.conversation, bob.id.peerId)
    assert.equal(row?.kind, 'direct')
    assert.equal(row?.name, 'bob')
    assert.equal(row?.unread, 3)
    assert.equal(row?.last?.id, ids[2])
    assert.equal(row?.last?.text, 'msg 2')
    const events: ServiceEvent[] = []
    bob.svc.on((e) => events.push(e))
    assert.deepEqual(alice.svc.readConversation('bob'), { conversation: bob.id.peerId, read: 3 })
    assert.equal(alice.svc.conversations()[0]?.unread, 0)
    await until('read', () => ids.every((id) => bob.store.getMessage(id)?.status === 'read'))
    assert.deepEqual(
      events.filter((e) => e.event === 'status').map((e) => e.event === 'status' && e.status),
      ['read', 'read', 'read'],
    )
    assert.deepEqual(alice.svc.readConversation(bob.id.peerId), {
      conversation: bob.id.peerId,
      read: 0,
    })
    // The incoming messages show as read on alice's side too.
    assert.ok(alice.svc.messages({ contact: 'bob' }).every((m) => m.status === 'read'))
  })

  void it('with read receipts off, a read sends nothing and the sender stays delivered', async () => {
    assert.deepEqual(alice.svc.settings(), { readReceipts: true })
    assert.deepEqual(alice.svc.setSettings({ readReceipts: false }), { readReceipts: false })
    assert.equal(alice.store.getSetting('readReceipts'), '0', 'persisted')
    const ids = await bobSends(2)
    await quiet(alice, bob)
    await drained()
    const frames = countFrames(bob)
    assert.equal(alice.svc.readConversation('bob').read, 2)
    await nothingHappens() // no read receipt may leave
    assert.equal(frames.n, 0, 'no receipt sent')
    assert.ok(ids.every((id) => bob.store.getMessage(id)?.status === 'delivered'))
    alice.svc.setSettings({ readReceipts: true })
    assert.equal(alice.svc.settings().readReceipts, true)
  })

  void it('group rows appear with kind group; unknown refs are ContactNotFound', () => {
    const g = alice.svc.createGroup('team')
    const rows = alice.svc.conversations()
    const gr = rows.find((r) => r.conversation === g.groupId)
    assert.equal(gr?.kind, 'group')
    assert.equal(gr?.name, 'team')
    assert.equal(gr?.unread, 0)
    // Issue 14: the group's history starts with its own event line, which counts as read.
    assert.equal(gr?.last?.kind, 'event')
    assert.equal(gr?.last?.text, 'you created the group "team"')
    assert.equal(rows[0]?.conversation, g.groupId, 'the newest (created now) first')
    assert.deepEqual(alice.svc.readConversation('team'), { conversation: g.groupId, read: 0 })
    assert.throws(() => alice.svc.readConversation('nobody'), { name: 'ContactNotFound' })
  })

  void it('message requests are not conversations', async () => {
    const s = await peer('stranger')
    const d = decodeInviteLink(alice.svc.invite({ full: true }).link)
    await s.svc.addContact(
      encodeInviteLink({ peerId: d.peerId, addrs: d.addrs, bundle: d.bundle!, name: d.name }),
      'alice',
    )
    s.svc.send('alice', 'let me in')
    await until('a request', () => alice.svc.listRequests().length === 1 || undefined)
    assert.deepEqual(
      alice.svc.conversations().map((r) => r.conversation),
      [bob.id.peerId],
    )
  })

  void it('a READ receipt from a stranger, or for another conversation, changes nothing', async () => {
    const carol = await peer('carol')
    await carol.svc.addContact(alice.svc.invite().link, 'alice')
    const c = carol.svc.send('alice', 'hi from carol')
    await until('carol delivered', () => carol.store.getMessage(c.id)?.status === 'delivered')
    // Alice's own message to bob; carol (a contact, but of another conversation) claims to read it.
    const out = alice.svc.send('bob', 'for bob only')
    await until('to bob delivered', () => alice.store.getMessage(out.id)?.status === 'delivered')
    const readFrame = (sender: IdentityKeyPair, ids: string[]) =>
      encodeChatContent({
        messageId: nodeRng(16),
        sender: peerIdBytesFromPublicKey(sender.publicKey),
        seq: 0n,
        sentAt: BigInt(Date.now()),
        conversation: new Uint8Array(0),
        receipt: { kind: pb.ReceiptKind.READ, messageIds: ids.map((id) => fromHex(id)) },
      })
    // Through carol's real session: her receipt names a message of alice's conversation with bob.
    const bytes = carol.store.protocol.loadSession(alice.id.peerId)
    assert.ok(bytes !== undefined)
    const enc = sessionEncrypt(ctx, SessionRecord.deserialize(bytes), readFrame(carol.id, [out.id]))
    carol.store.protocol.storeSession(alice.id.peerId, enc.record.serialize())
    await net.get(alice.id.peerId)!(carol.id.peerId, enc.envelope)
    assert.equal(alice.store.getMessage(out.id)?.status, 'delivered', 'not carol’s to read')
    // A stranger (fresh keys, alice's bundle): its READ receipt starts a session: refused.
    const sid = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const r = sessionEncrypt(ctx, initiateSession(ctx, sid, d0(alice)), readFrame(sid, [out.id]))
    await assert.rejects(async () => net.get(alice.id.peerId)!(sid.peerId, r.envelope), {
      name: 'StrangerFrame',
    })
    assert.equal(alice.store.getMessage(out.id)?.status, 'delivered')
  })
})

function d0(p: Peer) {
  return decodeInviteLink(p.svc.invite({ full: true }).link).bundle!
}
