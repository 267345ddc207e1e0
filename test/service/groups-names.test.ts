// Group names a user can tell apart and group history lines (issue 14) on a real store:
// src/service/groups/naming.ts (GroupExists, ids never names, GroupAmbiguous for a joined group
// whose name we already use) and src/service/groups/events.ts (one `event` line per applied op,
// stored when the op is applied, never twice however often the log is replayed).
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { toHex } from '../../src/core/bytes.js'
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { GroupOp, signGroupOp, type GroupOpRecord } from '../../src/core/group/index.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { GroupContext } from '../../src/service/groups/context.js'
import { createGroup } from '../../src/service/groups/actions.js'
import { activeGroup, ingestOps } from '../../src/service/groups/membership.js'
import { findGroup, nameKey } from '../../src/service/groups/naming.js'
import { toMessageView } from '../../src/service/views.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { groupContext } from './group-context.js'

const GID = new Uint8Array(16).fill(9)
const gid = toHex(GID)
const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => 1_000 }
const me = IdentityKeyPair.generate(nodeCrypto, nodeRng)

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let G: GroupContext

beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, me, 'me')
  G = groupContext(ctx, store, me)
})
afterEach(() => {
  store.close()
  t.cleanup()
})

const secret = () => nodeRng(32)
const op = (who: IdentityKeyPair, init: Omit<Parameters<typeof signGroupOp>[2], 'groupId'>) =>
  signGroupOp(nodeCrypto, who, { groupId: GID, ...init })
const ingest = (ops: GroupOpRecord[], secrets: Uint8Array[] = ops.map(() => new Uint8Array(0))) =>
  store.transaction(() =>
    ingestOps(
      G,
      GID,
      ops.map((o) => o.bytes),
      secrets,
    ),
  )

const events = () =>
  store
    .listMessages({ conversation: gid })
    .map(toMessageView)
    .filter((m) => m.kind === 'event')

void describe('group names (issue 14)', () => {
  void it('refuses a second group of the same name, case-insensitively after NFC', () => {
    createGroup(G, 'friends')
    assert.throws(() => createGroup(G, 'friends'), { name: 'GroupExists' })
    assert.throws(() => createGroup(G, 'FRIENDS'), { name: 'GroupExists' })
    createGroup(G, 'Caf\u00e9')
    assert.throws(() => createGroup(G, 'cafe\u0301'), { name: 'GroupExists' })
    assert.equal(nameKey('Cafe\u0301'), nameKey('caf\u00e9'))
    assert.equal(store.groups.listGroups().length, 2)
  })

  void it('never takes a group id as a name', () => {
    const g = createGroup(G, 'team')
    assert.throws(() => createGroup(G, g.groupId), { name: 'GroupExists' })
    assert.throws(() => createGroup(G, g.groupId.toUpperCase()), { name: 'GroupExists' })
    assert.throws(() => createGroup(G, 'ab'.repeat(16)), { name: 'InvalidName' })
    assert.equal(store.groups.listGroups().length, 1)
  })

  void it('a joined group named like ours is reached by id; its name alone is ambiguous', () => {
    const own = createGroup(G, 'friends')
    const alice = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const create = op(alice, {
      op: GroupOp.CREATE,
      members: [me.peerId],
      name: 'Friends',
      epoch: 0,
    })
    assert.equal(ingest([create], [secret()]), gid)
    assert.throws(() => activeGroup(G, 'friends'), { name: 'GroupAmbiguous' })
    assert.equal(activeGroup(G, gid).groupId, gid)
    assert.equal(activeGroup(G, own.groupId).groupId, own.groupId)
    assert.equal(findGroup(G, 'nobody'), undefined)
  })
})

void describe('group history lines (issue 14)', () => {
  void it('stores one event per applied op, with the actor, members and sentence', () => {
    const alice = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const carol = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const create = op(alice, { op: GroupOp.CREATE, members: [me.peerId], name: 'g', epoch: 0 })
    const add = op(alice, { op: GroupOp.ADD, members: [carol.peerId], epoch: 1 })
    ingest([create, add], [secret(), new Uint8Array(0)])
    ingest([create, add], [secret(), new Uint8Array(0)]) // replayed again: no second line
    const leave = signGroupOp(nodeCrypto, carol, { groupId: GID, op: GroupOp.LEAVE, epoch: 2 })
    ingest([leave])
    const remove = op(alice, { op: GroupOp.REMOVE, members: [me.peerId], epoch: 3 })
    ingest([remove], [secret()])
    const ev = events()
    assert.deepEqual(
      ev.map((m) => m.event?.type),
      ['created', 'added', 'left', 'removed'],
    )
    assert.deepEqual(ev[1]?.event, { type: 'added', by: alice.peerId, members: [carol.peerId] })
    assert.equal(ev[1]?.from, alice.peerId)
    assert.equal(ev[1]?.text, `${alice.peerId} added ${carol.peerId}`)
    assert.equal(ev[2]?.text, `${carol.peerId} left`)
    assert.equal(ev[3]?.text, `you were removed by ${alice.peerId}`)
    assert.ok(
      ev.every((m) => m.direction === 'in' && m.status === 'read'),
      'never unread',
    )
    assert.deepEqual(ev[0]?.group, { id: gid, name: 'g' })
    assert.equal(store.unreadCount(gid), 0)
  })

  void it('our own actions are lines too', () => {
    const g = createGroup(G, 'mine')
    const [line] = store.listMessages({ conversation: g.groupId }).map(toMessageView)
    assert.equal(line?.kind, 'event')
    assert.equal(line?.direction, 'out')
    assert.equal(line?.text, 'you created the group "mine"')
  })
})
