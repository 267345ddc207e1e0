// Group epoch inflation (issue 11, finding 10) in the groups service on a real store: a member's
// LEAVE signed at 2⁵³ − 1 by a modified client is refused (not stored, counted in
// rejected.opEpoch) and the admin's add and remove keep working, also for a log or row written
// before the epoch rule; a history batch that arrives out of order is still taken whole; every
// failing admin action is a typed error the API answers with a 4xx, never a 500.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { fromHex, toHex } from '../../src/core/bytes.js'
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { GroupOp, signGroupOp, type GroupOpRecord } from '../../src/core/group/index.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { MAX_GROUP_OPS } from '../../src/core/wire/limits.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { toHttpError } from '../../src/api/errors.js'
import type { Cards } from '../../src/service/offline/cards.js'
import {
  addMember,
  createGroup,
  leaveGroup,
  removeMember,
} from '../../src/service/groups/actions.js'
import type { GroupContext } from '../../src/service/groups/context.js'
import { ingestOps, refreshGroup } from '../../src/service/groups/membership.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { groupContext } from './group-context.js'

const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => 1_000 }
const me = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const x = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const y = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const z = IdentityKeyPair.generate(nodeCrypto, nodeRng)

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let G: GroupContext
const cardOwed = new Map<string, Set<string>>()

function contact(k: IdentityKeyPair, name: string): void {
  store.putContact({
    peerId: k.peerId,
    name,
    verified: false,
    keyChanged: false,
    addrs: [],
    addedAt: 0,
    lastSeen: undefined,
  })
}

beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, me, 'me')
  G = groupContext(ctx, store, me, {
    cards: { of: () => undefined } as unknown as Cards,
    ownCard: () => new Uint8Array([1]), // opaque here: only queued, never sent
  })
  contact(x, 'x')
  contact(y, 'y')
  contact(z, 'z')
})
afterEach(() => {
  store.close()
  t.cleanup()
})

const ingest = (gid: string, ops: GroupOpRecord[]) =>
  store.transaction(() =>
    ingestOps(
      G,
      fromHex(gid),
      ops.map((o) => o.bytes),
      ops.map(() => new Uint8Array(0)),
    ),
  )
const hugeLeave = (gid: string) =>
  signGroupOp(nodeCrypto, x, {
    groupId: fromHex(gid),
    op: GroupOp.LEAVE,
    epoch: Number.MAX_SAFE_INTEGER,
  })

/** A group of me (admin), x and y. */
function group(): string {
  const { groupId } = createGroup(G, 'crew')
  addMember(G, cardOwed, groupId, 'x', false)
  addMember(G, cardOwed, groupId, 'y', false)
  return groupId
}

void describe('groups: the epoch rule in the service', () => {
  void it('refuses a LEAVE at 2^53 − 1 (not stored, counted); add and remove still work', () => {
    const gid = group()
    const before = store.groups.opCount(gid)
    assert.equal(ingest(gid, [hugeLeave(gid)]), undefined)
    assert.equal(store.groups.opCount(gid), before, 'the op is not stored')
    assert.equal(G.rejected.opEpoch, 1)
    const row = store.groups.getGroup(gid)!
    assert.ok(row.members.includes(x.peerId))
    assert.equal(row.epoch, 2)

    assert.ok(!removeMember(G, gid, 'y').members.includes(y.peerId))
    assert.ok(addMember(G, cardOwed, gid, 'z', false).members.includes(z.peerId))
    assert.equal(store.groups.getGroup(gid)?.epoch, 4)
  })

  void it('heals a log and a row written before the rule (the op stored, the row at 2^53 − 1)', () => {
    const gid = group()
    const huge = hugeLeave(gid)
    store.transaction(() => {
      store.groups.addOp(gid, { hash: huge.hash, bytes: huge.bytes, secret: undefined })
      store.groups.putGroup({ ...store.groups.getGroup(gid)!, epoch: Number.MAX_SAFE_INTEGER })
    })
    // The cached row still says 2^53 − 1: the action signs from the replayed log instead.
    assert.ok(!removeMember(G, gid, 'y').members.includes(y.peerId))
    const row = refreshGroup(G, gid)
    assert.equal(row.epoch, 3)
    assert.ok(row.members.includes(x.peerId))
  })

  void it('takes a history whose chunks arrive newest first, whole', () => {
    const gid = toHex(nodeRng(16))
    const sign = (op: Parameters<typeof signGroupOp>[2]) => signGroupOp(nodeCrypto, x, op)
    const ops = [
      sign({
        groupId: fromHex(gid),
        op: GroupOp.CREATE,
        members: [me.peerId],
        name: 'h',
        epoch: 0,
      }),
      ...Array.from({ length: 6 }, (_, i) =>
        sign({ groupId: fromHex(gid), op: GroupOp.RENAME, name: `n${i + 1}`, epoch: i + 1 }),
      ),
    ]
    ingest(gid, [ops[0]!, ops[1]!])
    ingest(gid, [...ops.slice(2)].reverse()) // one batch, newest first
    assert.equal(store.groups.opCount(gid), 7)
    assert.equal(G.rejected.opEpoch, 0)
    assert.equal(store.groups.getGroup(gid)?.name, 'n6')
    // A later chunk before the one it depends on: refused and counted, then healed by sync.
    const gap = sign({ groupId: fromHex(gid), op: GroupOp.RENAME, name: 'n8', epoch: 8 })
    ingest(gid, [gap])
    assert.equal(G.rejected.opEpoch, 1)
    const seven = sign({ groupId: fromHex(gid), op: GroupOp.RENAME, name: 'n7', epoch: 7 })
    ingest(gid, [seven, gap])
    assert.equal(store.groups.getGroup(gid)?.name, 'n8')
  })

  void it('answers every failing admin action with a typed 4xx', () => {
    const gid = group()
    const other = toHex(nodeRng(16))
    const failures: Array<[string, () => unknown]> = [
      ['unknown group', () => addMember(G, cardOwed, other, 'x', false)],
      ['unknown contact', () => addMember(G, cardOwed, gid, 'nobody', false)],
      ['remove a non-member', () => removeMember(G, gid, 'z')],
      ['remove an unknown name', () => removeMember(G, gid, 'nobody')],
      ['leave an unknown group', () => leaveGroup(G, other)],
      ['create without a name', () => createGroup(G, '')],
      ['create with a name over 256 bytes', () => createGroup(G, 'n'.repeat(257))],
    ]
    // Not an admin: a group x created with us as a plain member.
    const theirs = toHex(nodeRng(16))
    const create = signGroupOp(nodeCrypto, x, {
      groupId: fromHex(theirs),
      op: GroupOp.CREATE,
      members: [me.peerId, y.peerId],
      name: 'theirs',
      epoch: 0,
    })
    ingest(theirs, [create])
    failures.push(['add as a non-admin', () => addMember(G, cardOwed, theirs, 'z', false)])
    failures.push(['remove as a non-admin', () => removeMember(G, theirs, y.peerId)])
    for (const [what, fn] of failures) {
      let thrown: unknown
      try {
        fn()
      } catch (err) {
        thrown = err
      }
      assert.ok(thrown instanceof Error, `${what}: throws`)
      const { status, body } = toHttpError(thrown)
      assert.ok(status >= 400 && status < 500, `${what}: ${status} ${body.error}`)
    }
  })

  void it(`refuses an action on a log of MAX_GROUP_OPS (${MAX_GROUP_OPS}) ops: GroupLogFull 409`, () => {
    const gid = group()
    const n = store.groups.opCount(gid)
    store.transaction(() => {
      for (let e = 3; e < 3 + MAX_GROUP_OPS - n; e++) {
        const op = signGroupOp(nodeCrypto, me, {
          groupId: fromHex(gid),
          op: GroupOp.RENAME,
          name: `r${e}`,
          epoch: e,
        })
        store.groups.addOp(gid, { hash: op.hash, bytes: op.bytes, secret: undefined })
      }
    })
    assert.equal(store.groups.opCount(gid), MAX_GROUP_OPS)
    for (const fn of [
      () => addMember(G, cardOwed, gid, 'z', false),
      () => removeMember(G, gid, 'y'),
      () => leaveGroup(G, gid),
    ]) {
      assert.throws(fn, (err: Error) => {
        assert.equal(err.name, 'GroupLogFull')
        assert.equal(toHttpError(err).status, 409)
        return true
      })
    }
    assert.equal(store.groups.opCount(gid), MAX_GROUP_OPS)
  })
})
