// The groups service's message path (src/service/groups/messages.ts, keys.ts) on a real store
// with a fake node and clock: the topic validator's verdicts and counters, exactly-once display
// in per-sender order with hold-back, the gap timeout, key rotation making old chains `oldKey`,
// the `sent`/`queued` status of our own sends, and a blocked member's messages dropped (still
// forwarded, not asked for by sync).
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { toHex } from '../../src/core/bytes.js'
import type { CoreContext } from '../../src/core/crypto/provider.js'
import {
  createOwnState,
  encodeDistribution,
  encryptWithRecord,
  peekSenderKeyMessage,
  SenderKeyRecord,
} from '../../src/core/group/index.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import type { KithNode } from '../../src/node/types.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { GROUP_GAP_TIMEOUT_MS, type GroupContext } from '../../src/service/groups/context.js'
import { acceptDistribution, rotateOwn } from '../../src/service/groups/keys.js'
import { receiveEnvelope, skipStaleGaps, validate } from '../../src/service/groups/messages.js'
import { republishQueued, sendGroupMessage } from '../../src/service/groups/publish.js'
import { syncRequest } from '../../src/service/groups/sync.js'
import type { ServiceEvent } from '../../src/service/types.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { groupContext } from './group-context.js'

const GID = new Uint8Array(16).fill(7)
const gid = toHex(GID)

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let now: number
let published: number
let G: GroupContext
let events: ServiceEvent[]
let syncs: number
const me = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const x = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => now }

/** A sender X with its own record; its distribution reached us. */
function sender(baseline = 0) {
  const record = SenderKeyRecord.empty()
  record.resetTo(createOwnState(ctx))
  acceptDistribution(G, gid, x.peerId, encodeDistribution(GID, record.newest()!), baseline)
  return (seq: number, text = `x${seq}`) =>
    encryptWithRecord(
      nodeCrypto,
      record,
      GID,
      encodeChatContent({
        messageId: nodeRng(16),
        sender: peerIdBytesFromPublicKey(x.publicKey),
        seq: BigInt(seq),
        sentAt: BigInt(seq),
        conversation: GID,
        text: { text },
      }),
    )
}

const shown = () =>
  store
    .listMessages({ conversation: gid })
    .filter((m) => m.from === x.peerId)
    .map((m) => m.text)

beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, me, 'me')
  now = 1_000_000
  published = 1
  events = []
  syncs = 0
  const node = {
    pubsubPublish: () => Promise.resolve(published),
  } as unknown as KithNode
  G = groupContext(ctx, store, me, {
    node,
    emit: (e) => events.push(e),
    syncSoon: () => void syncs++,
  })
  store.groups.putGroup({
    groupId: gid,
    name: 'g',
    members: [me.peerId, x.peerId].sort(),
    admins: [me.peerId],
    epoch: 1,
    topic: '/kith/group/1/test',
    active: true,
    createdAt: 1,
  })
})
afterEach(() => {
  store.close()
  t.cleanup()
})

void describe('group messages: validator', () => {
  void it('accepts a member’s fresh message; rejects and counts everything else', () => {
    const send = sender()
    const m1 = send(1)
    assert.equal(validate(G, gid, m1), 'accept')
    receiveEnvelope(G, gid, m1)
    assert.equal(validate(G, gid, m1), 'reject', 'a replay after it was read')
    assert.equal(G.rejected.replay, 1)

    assert.equal(validate(G, gid, new Uint8Array([1, 2, 3])), 'reject')
    assert.equal(G.rejected.malformed, 1)

    const stranger = SenderKeyRecord.empty()
    stranger.resetTo(createOwnState(ctx))
    assert.equal(
      validate(G, gid, encryptWithRecord(nodeCrypto, stranger, GID, new Uint8Array(1))),
      'reject',
    )
    assert.equal(G.rejected.nonMember, 1)
    assert.equal(syncs, 1, 'an unknown chain asks a member for what we may lack')

    const m2 = send(2)
    const tampered = Uint8Array.from(m2)
    tampered[tampered.length - 1]! ^= 1
    assert.equal(validate(G, gid, tampered), 'reject')
    assert.equal(G.rejected.badSignature, 1)
    assert.equal(validate(G, gid, m2), 'accept', 'the genuine one still passes')

    // X rotates and we get its new key: its old chain is no longer accepted.
    const m3 = send(3)
    sender()
    assert.equal(validate(G, gid, m3), 'reject')
    assert.equal(G.rejected.oldKey, 1)
    assert.deepEqual(shown(), ['x1'])
  })

  void it('a stale distribution never makes a rotated chain current again', () => {
    const old = SenderKeyRecord.empty()
    old.resetTo(createOwnState(ctx))
    const oldDist = encodeDistribution(GID, old.newest()!)
    acceptDistribution(G, gid, x.peerId, oldDist, 0)
    sender() // the rotation
    acceptDistribution(G, gid, x.peerId, oldDist, 0) // a retried old update
    const m = encryptWithRecord(nodeCrypto, old, GID, new Uint8Array(1))
    assert.equal(validate(G, gid, m), 'reject')
    assert.equal(G.rejected.oldKey, 1)
  })
})

void describe('group messages: exactly once, per-sender order', () => {
  void it('holds a message after a gap until the gap fills; duplicates show once', () => {
    const send = sender()
    const [m1, m2, m3] = [send(1), send(2), send(3)]
    receiveEnvelope(G, gid, m1)
    receiveEnvelope(G, gid, m3)
    assert.deepEqual(shown(), ['x1'], 'x3 held back')
    assert.equal(syncs, 1, 'the gap asks for a sync')
    receiveEnvelope(G, gid, m2)
    assert.deepEqual(shown(), ['x1', 'x2', 'x3'])
    receiveEnvelope(G, gid, m2)
    receiveEnvelope(G, gid, m3)
    assert.deepEqual(shown(), ['x1', 'x2', 'x3'])
    assert.equal(events.filter((e) => e.event === 'message').length, 3)
    assert.ok(store.groups.getEnvelope(gid, x.peerId, 3) !== undefined, 'kept for others')
  })

  void it('skips a gap after GROUP_GAP_TIMEOUT_MS; a late message of the gap is dropped', () => {
    const send = sender()
    const [m1, m2, m3] = [send(1), send(2), send(3)]
    receiveEnvelope(G, gid, m1)
    receiveEnvelope(G, gid, m3)
    now += GROUP_GAP_TIMEOUT_MS - 1
    skipStaleGaps(G)
    assert.deepEqual(shown(), ['x1'], 'not yet')
    now += 1
    skipStaleGaps(G)
    assert.deepEqual(shown(), ['x1', 'x3'])
    receiveEnvelope(G, gid, m2)
    assert.deepEqual(shown(), ['x1', 'x3'])
  })

  void it('starts a sender at the baseline its key update named', () => {
    const send = sender(4)
    receiveEnvelope(G, gid, send(5))
    assert.deepEqual(shown(), ['x5'])
  })

  void it('the key may be ours: our own chain is never accepted from the topic', async () => {
    const r = await sendGroupMessage(G, 'g', 'mine')
    assert.equal(r.status, 'sent')
    const env = store.groups.getEnvelope(gid, me.peerId, 1)
    assert.ok(env !== undefined)
    assert.equal(validate(G, gid, env.data), 'reject')
    assert.equal(G.rejected.replay, 1)
  })
})

void describe('group messages: sending', () => {
  void it('`sent` when the publish reached a peer, else `queued`; seqs per group', async () => {
    published = 0
    const a = await sendGroupMessage(G, gid, 'one')
    assert.equal(a.status, 'queued')
    published = 2
    const b = await sendGroupMessage(G, gid, 'two')
    assert.equal(b.status, 'sent')
    const mine = store.listMessages({ conversation: gid })
    assert.deepEqual(
      mine.map((m) => [m.text, m.status]),
      [
        ['one', 'queued'],
        ['two', 'sent'],
      ],
    )
    assert.equal(store.groups.mark(gid, me.peerId), 2)
    await assert.rejects(sendGroupMessage(G, 'nope', 'x'), { name: 'GroupNotFound' })
    await assert.rejects(sendGroupMessage(G, gid, ''), { name: 'InvalidArgument' })
    rotateOwn(G, gid)
    assert.equal(store.groups.keysSentTo(gid).length, 0)
  })

  void it('a message queued before a rotation is republished under the current key', async () => {
    published = 0
    const q = await sendGroupMessage(G, gid, 'waited')
    assert.equal(q.status, 'queued')
    const kept = store.groups.getEnvelope(gid, me.peerId, 1)!.data
    rotateOwn(G, gid)
    const out: Uint8Array[] = []
    G.node = {
      pubsubPublish: (_t: string, d: Uint8Array) => (out.push(d), Promise.resolve(1)),
    } as unknown as KithNode
    await republishQueued(G, gid)
    assert.equal(out.length, 1)
    const newest = store.groups.getSenderKey(gid, me.peerId)!
    const chain = SenderKeyRecord.deserialize(newest.record).newest()!.chainId
    assert.notEqual(peekSenderKeyMessage(kept).chainId, chain)
    assert.equal(peekSenderKeyMessage(out[0]!).chainId, chain)
    assert.equal(store.getMessage(q.id)?.status, 'sent')
  })
})

void describe('group messages: a blocked member', () => {
  void it('its messages are forwarded but dropped: not kept, not shown, counted; unblock restores', () => {
    const send = sender()
    const [m1, m2, m3, m4] = [send(1), send(2), send(3), send(4)]
    receiveEnvelope(G, gid, m1)
    receiveEnvelope(G, gid, m3) // held back behind the gap at 2
    assert.deepEqual(shown(), ['x1'])
    assert.deepEqual(syncRequest(G, store.groups.getGroup(gid)!).marks, [
      { sender: x.peerId, seq: 1 },
    ])
    store.trust.block(x.peerId, now)
    // The validator judges authenticity only: gossipsub forwards it to the other members.
    assert.equal(validate(G, gid, m2), 'accept')
    receiveEnvelope(G, gid, m2)
    assert.equal(G.rejected.blocked, 1)
    assert.deepEqual(shown(), ['x1'], 'not shown')
    assert.equal(store.groups.getEnvelope(gid, x.peerId, 2), undefined, 'not kept')
    assert.equal(store.groups.mark(gid, x.peerId), 1, 'its mark unchanged')
    // What was held back before the block is dropped too when the gap is skipped.
    now += GROUP_GAP_TIMEOUT_MS
    skipStaleGaps(G)
    assert.deepEqual(shown(), ['x1'])
    assert.equal(G.rejected.blocked, 2)
    // Sync does not ask for its messages again (its mark is not sent).
    assert.deepEqual(syncRequest(G, store.groups.getGroup(gid)!).marks, [])
    assert.equal(events.filter((e) => e.event === 'message').length, 1)
    // Unblocked: its later messages are shown again.
    store.trust.unblock(x.peerId)
    receiveEnvelope(G, gid, m4)
    assert.deepEqual(shown(), ['x1', 'x4'])
    assert.equal(G.rejected.blocked, 2)
  })
})
