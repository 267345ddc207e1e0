// A removed member learns of her removal (src/service/groups/removal.ts) on the in-memory network
// (test/fakes/node-pair.ts): the removing admin is no contact of hers and has the higher
// PeerId, and no session existed between them when she was removed — the case where, since
// message requests, the admin refused the session she started and never started one itself, so
// its REMOVE for her waited forever. Also: she is told (event, NotAMember naming the admin), the
// admin stops watching her once she acked, and a "farewell" whose REMOVE does not apply (signed by
// a non-member) is refused with nothing stored.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { fromHex } from '../../src/core/bytes.js'
import { GroupOp, signGroupOp } from '../../src/core/group/index.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { initiateSession, sessionEncrypt } from '../../src/core/session/session.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { decodeInviteLink } from '../../src/core/wire/invite.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { ServiceEvent } from '../../src/service/types.js'
import { ctx, fakeNet, startPeer, type Peer, closePeers } from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

const fake = fakeNet()
const { net, watched, connected } = fake
const peers: Peer[] = []

async function peer(name: string, id?: IdentityKeyPair): Promise<Peer> {
  const p = await startPeer(fake, name, id)
  peers.push(p)
  return p
}

afterEach(async () => {
  await closePeers(peers)
  net.clear()
  watched.clear()
  connected.clear()
})

/** Two identities whose PeerId strings sort low < high (ensureSession's order). */
function ordered(): [IdentityKeyPair, IdentityKeyPair] {
  const x = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  const y = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  return x.peerId < y.peerId ? [x, y] : [y, x]
}

const inGroup = (p: Peer, groupId: string) => p.svc.listGroups().find((g) => g.groupId === groupId)

/** `a` and `b` see each other connect (the node's peer:connect). */
function connect(a: Peer, b: Peer): void {
  for (const fn of connected.get(a.id.peerId) ?? []) fn(b.id.peerId)
  for (const fn of connected.get(b.id.peerId) ?? []) fn(a.id.peerId)
}

describe('a removed member learns of it', () => {
  it('from an admin with the higher PeerId, no contact of hers, with no session between them', async () => {
    const [cId, bId] = ordered()
    const a = await peer('a')
    const b = await peer('b', bId)
    const c = await peer('c', cId)
    await a.svc.addContact(b.svc.invite().link, 'b')
    await a.svc.addContact(c.svc.invite().link, 'c')
    const { groupId } = a.svc.createGroup('crew')
    a.svc.addGroupMember('crew', 'c')
    await until('c is in', () => inGroup(c, groupId)?.members.length === 2)
    // c goes offline; b joins as an admin and removes c before b and c ever had a session.
    const handler = net.get(c.id.peerId)!
    net.delete(c.id.peerId)
    a.svc.addGroupMember('crew', 'b', true)
    await until('b is an admin of 3', () => inGroup(b, groupId)?.admins.includes(b.id.peerId))
    assert.equal(b.store.protocol.loadSession(c.id.peerId), undefined, 'no b–c session yet')
    assert.ok(b.store.groups.controlFor(c.id.peerId).length > 0, 'b owes c its key')
    b.svc.removeGroupMember(groupId, c.id.peerId)
    // What b had queued for c as a member (its key, with the op log and its secrets) is dropped:
    // only the farewell is left for her.
    const owed = b.store.groups.controlFor(c.id.peerId)
    assert.equal(owed.length, 1, 'only the farewell')
    const farewell = owed[0]!
    const events: ServiceEvent[] = []
    c.svc.on((e) => events.push(e))
    // c is back: it learns of b from a, starts a session with b (the lower PeerId) and is refused
    // as a stranger; b's farewell must reach it all the same.
    net.set(c.id.peerId, handler)
    connect(a, c)
    connect(b, c)
    await until('c drops the group', () => inGroup(c, groupId) === undefined)
    assert.deepEqual(
      events.filter((e) => e.event === 'group'),
      [{ event: 'group', groupId, name: 'crew', change: 'removed', by: b.id.peerId }],
    )
    // Issue 14: her next send says why.
    await assert.rejects(c.svc.sendGroup(groupId, 'still here?'), (err: Error) => {
      assert.equal(err.name, 'NotAMember')
      assert.ok(err.message.includes(`removed from this group by ${b.id.peerId}`), err.message)
      return true
    })
    // b's farewell was acked: nothing left for c, and c is no longer watched by b.
    await until('b holds nothing for c', () => b.store.groups.controlFor(c.id.peerId).length === 0)
    assert.equal(watched.has(`${b.id.peerId}>${c.id.peerId}`), false)
    // Her receipt lost: b sends the farewell again; c, out of the group and b no co-member of
    // hers any more, still takes it and acks it again.
    b.store.groups.enqueueControl({ ...farewell, attempts: 0, nextAttemptAt: Date.now() })
    connect(b, c)
    await until('the resent farewell is acked', () => {
      return b.store.groups.controlFor(c.id.peerId).length === 0
    })
    // Nothing c still had queued for the group is sent on (its key, ops for b).
    await until('c holds nothing for the group', () => c.store.groups.controlPeers().length === 0)
    // The others converge without c.
    await until('a sees the removal', () => inGroup(a, groupId)?.members.length === 2)
  })

  it('a REMOVE of us by a non-member is refused with nothing stored', async () => {
    const victim = await peer('victim')
    const { groupId } = victim.svc.createGroup('mine')
    const link = victim.svc.invite({ full: true }).link
    const h = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const remove = signGroupOp(nodeCrypto, h, {
      groupId: fromHex(groupId),
      op: GroupOp.REMOVE,
      members: [victim.id.peerId],
      epoch: 1,
    })
    const content = encodeChatContent({
      messageId: nodeRng(16),
      sender: peerIdBytesFromPublicKey(h.publicKey),
      seq: 1n,
      sentAt: BigInt(Date.now()),
      conversation: fromHex(groupId),
      group: {
        groupId: fromHex(groupId),
        ops: [remove.bytes],
        secrets: [new Uint8Array(0)],
        cards: [],
      },
    })
    const frame = sessionEncrypt(
      ctx,
      initiateSession(ctx, h, decodeInviteLink(link).bundle!),
      content,
    ).envelope
    const handler = net.get(victim.id.peerId)!
    await assert.rejects(async () => handler(h.peerId, frame), { name: 'StrangerFrame' })
    assert.equal(inGroup(victim, groupId)?.members.length, 1, 'still in its group')
    assert.equal(victim.store.protocol.loadSession(h.peerId), undefined, 'no session kept')
    assert.equal(victim.store.groups.opCount(groupId), 1, 'the op was not stored')
  })
})
