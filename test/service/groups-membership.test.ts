// The groups service's op log (src/service/groups/membership.ts) on a real store: the CREATE a
// member first accepted stays pinned against a forged CREATE that would sort first, and signed ops
// of someone who was never a member are not stored (they would fill MAX_GROUP_OPS).
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { toHex } from '../../src/core/bytes.js'
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { GroupOp, signGroupOp, type GroupOpRecord } from '../../src/core/group/index.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { GroupContext } from '../../src/service/groups/context.js'
import { ingestOps, loadGroup } from '../../src/service/groups/membership.js'
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

/** Identities whose PeerId bytes sort below / above `than`'s. */
function keyOrdered(than: IdentityKeyPair, below: boolean): IdentityKeyPair {
  const ref = toHex(peerIdBytesFromPublicKey(than.publicKey))
  for (;;) {
    const k = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const hex = toHex(peerIdBytesFromPublicKey(k.publicKey))
    if (below ? hex < ref : hex > ref) return k
  }
}

void describe('group membership: op log', () => {
  void it('keeps the CREATE it first accepted when a forged CREATE would sort first', () => {
    const admin = keyOrdered(me, false)
    const create = op(admin, { op: GroupOp.CREATE, members: [me.peerId], name: 'real', epoch: 0 })
    assert.equal(ingest([create], [secret()]), gid)
    assert.deepEqual(loadGroup(G, gid).state.name, 'real')

    // A former member (or anyone who learnt the id) signs a CREATE at epoch 0 with a lower key.
    const forger = keyOrdered(admin, true)
    const forged = op(forger, { op: GroupOp.CREATE, members: [me.peerId], name: 'fake', epoch: 0 })
    ingest([forged], [secret()])
    const g = loadGroup(G, gid)
    assert.equal(g.state.name, 'real')
    assert.deepEqual(g.state.admins, [admin.peerId])
    assert.equal(store.groups.getGroup(gid)?.name, 'real')
  })

  void it('does not store signed ops of someone who was never a member', () => {
    const admin = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const create = op(admin, { op: GroupOp.CREATE, members: [me.peerId], name: 'g', epoch: 0 })
    ingest([create], [secret()])
    const before = store.groups.opCount(gid)
    const stranger = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const spam = Array.from({ length: 5 }, (_, i) =>
      op(stranger, { op: GroupOp.RENAME, name: `spam${i}`, epoch: i + 1 }),
    )
    assert.equal(ingest(spam), undefined)
    assert.equal(store.groups.opCount(gid), before)

    // A member's op is stored (and applies).
    const rename = op(admin, { op: GroupOp.RENAME, name: 'renamed', epoch: 1 })
    assert.equal(ingest([rename]), gid)
    assert.equal(store.groups.opCount(gid), before + 1)
    assert.equal(store.groups.getGroup(gid)?.name, 'renamed')
  })
})
