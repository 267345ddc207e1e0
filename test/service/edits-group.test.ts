// Edits, deletes and reactions in a group (src/service/groups/messages.ts → service/edits.ts) on a
// real store with two members X and Y whose sender keys reached us: an edit or delete by its
// author applies in the author's seq order; one by another member (Y forging X's message) is
// refused and counted, and so is one naming our own message; a reaction that overtakes its
// message (another sender) is held and applied when the message arrives; a timer change makes an
// event line.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { fromHex, toHex } from '../../src/core/bytes.js'
import type { CoreContext } from '../../src/core/crypto/provider.js'
import {
  createOwnState,
  encodeDistribution,
  encryptWithRecord,
  SenderKeyRecord,
} from '../../src/core/group/index.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { ChatContext } from '../../src/service/context.js'
import { Disappearing } from '../../src/service/disappearing.js'
import { Edits } from '../../src/service/edits.js'
import type { GroupContext } from '../../src/service/groups/context.js'
import { acceptDistribution } from '../../src/service/groups/keys.js'
import { receiveEnvelope } from '../../src/service/groups/messages.js'
import type { KithNode } from '../../src/node/types.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { groupContext } from './group-context.js'

const GID = new Uint8Array(16).fill(5)
const gid = toHex(GID)
const me = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const x = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const y = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let G: GroupContext
let edits: Edits

type Body = Omit<
  Parameters<typeof encodeChatContent>[0],
  'messageId' | 'sender' | 'seq' | 'sentAt' | 'conversation'
>

/** A member whose distribution reached us; returns its sender of bodies with its own seqs. */
function member(id: IdentityKeyPair) {
  const record = SenderKeyRecord.empty()
  record.resetTo(createOwnState(ctx))
  acceptDistribution(G, gid, id.peerId, encodeDistribution(GID, record.newest()!), 0)
  let seq = 0
  return (body: Body, messageId = nodeRng(16)) => {
    receiveEnvelope(
      G,
      gid,
      encryptWithRecord(
        nodeCrypto,
        record,
        GID,
        encodeChatContent({
          messageId,
          sender: peerIdBytesFromPublicKey(id.publicKey),
          seq: BigInt(++seq),
          sentAt: BigInt(Date.now()),
          conversation: GID,
          ...body,
        }),
      ),
    )
    return toHex(messageId)
  }
}

beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, me, 'me')
  const cx = {
    ctx,
    store,
    node: { peerId: me.peerId } as KithNode,
    emit: () => undefined,
    stopped: () => false,
  } as unknown as ChatContext
  const hooks = { send: () => undefined }
  edits = new Edits({ ...cx, ...hooks })
  const disappearing = new Disappearing({ ...cx, ...hooks })
  G = groupContext(ctx, store, me, {
    bodies: {
      receive: (g, from, c, raw, events) =>
        c.disappearing !== undefined
          ? disappearing.receive(g, from, c, events)
          : edits.receive(g, from, c, raw, events),
      inserted: (id, events) => edits.inserted(id, events),
      ttl: (g) => disappearing.ttl(g),
    },
  })
  store.groups.putGroup({
    groupId: gid,
    name: 'g',
    members: [me.peerId, x.peerId, y.peerId].sort(),
    admins: [me.peerId],
    epoch: 1,
    topic: '',
    active: true,
    createdAt: 1,
  })
})
afterEach(() => {
  store.close()
  t.cleanup()
})

void describe('group edits, deletes, reactions', () => {
  void it("applies the author's edit and delete; refuses and counts another member's", () => {
    const fromX = member(x)
    const fromY = member(y)
    const id = fromX({ text: { text: 'original' } })
    fromY({ edit: { targetId: fromHex(id), text: 'forged by y' } })
    fromY({ delete: { targetId: fromHex(id) } })
    assert.equal(store.getMessage(id)?.text, 'original')
    assert.equal(edits.metrics.refused, 2)
    fromX({ edit: { targetId: fromHex(id), text: 'edited by x' } })
    assert.equal(store.getMessage(id)?.text, 'edited by x')
    assert.equal(typeof store.getMessage(id)?.editedAt, 'number')
    fromX({ delete: { targetId: fromHex(id) } })
    assert.equal(store.getMessage(id)?.deleted, true)
    assert.equal(store.getMessage(id)?.text, '')

    const mine = toHex(nodeRng(16))
    store.insertMessage({
      id: mine,
      conversation: gid,
      from: me.peerId,
      direction: 'out',
      seq: 1,
      text: 'ours',
      sentAt: Date.now(),
      receivedAt: Date.now(),
      status: 'sent',
    })
    fromX({ edit: { targetId: fromHex(mine), text: 'x rewrites ours' } })
    assert.equal(store.getMessage(mine)?.text, 'ours')
    assert.equal(edits.metrics.refused, 3)
  })

  void it('holds a reaction that overtakes its message, applies it on arrival', () => {
    const fromX = member(x)
    const fromY = member(y)
    const msgId = nodeRng(16)
    fromY({ reaction: { targetId: msgId, emoji: '🎉', remove: false } })
    assert.equal(store.edits.heldCount(), 1)
    const id = fromX({ text: { text: 'party' } }, msgId)
    assert.deepEqual(store.getMessage(id)?.reactions, { '🎉': [y.peerId] })
    assert.equal(store.edits.heldCount(), 0)
  })

  void it('a timer change from a member makes an event line; later texts carry it', () => {
    const fromX = member(x)
    fromX({ disappearing: { ttlSeconds: 60 } })
    const line = store.listMessages({ conversation: gid }).find((m) => m.kind === 'event')
    assert.ok(line?.text.includes('"type":"timer"'))
    const id = fromX({ text: { text: 'brief' } })
    assert.equal(store.getMessage(id)?.ttlSeconds, 60)
  })
})
