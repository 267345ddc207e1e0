// Signed group ops and their replay (src/core/group/op.ts, control.ts; design §1–2): sign/verify
// round trip, every field change and every bit flip refused, the named limits at MAX+1
// (op bytes, members, ops per group); replay order independence (fast-check), the concurrent
// add/remove of two admins, the authorization rules, LEAVE and the last admin, second and foreign
// CREATEs; topic names and the LEAVE secret.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { toHex, utf8 } from '../../../src/core/bytes.js'
import {
  InvalidSignatureError,
  KithError,
  MalformedMessageError,
  MessageTooLargeError,
} from '../../../src/core/errors.js'
import {
  GroupOp,
  GroupStateError,
  comparePeerIds,
  groupTopic,
  leaveSecret,
  replayGroup,
  signGroupOp,
  verifyGroupOp,
  type GroupOpInit,
  type GroupOpRecord,
  type GroupState,
} from '../../../src/core/group/index.js'
import { IdentityKeyPair, peerIdFromPublicKey } from '../../../src/core/identity/identity.js'
import {
  GROUP_ID_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_OPS,
  MAX_GROUP_OP_BYTES,
} from '../../../src/core/wire/limits.js'
import * as pb from '../../../src/core/wire/pb/wire.js'
import { nodeCrypto as crypto } from '../../../src/platform/node-crypto.js'
import { seededRng } from '../../helpers/context.js'
import { atLimit, flipBit, growTo } from '../wire/helpers.js'

const seeded = seededRng('group-control')
const rng = (n: number): Uint8Array<ArrayBuffer> => Uint8Array.from(seeded(n))
const ids = Array.from({ length: 6 }, () => IdentityKeyPair.generate(crypto, rng))
// Sorted by PeerId bytes, so tests can say "the lowest" and control which op sorts first.
ids.sort((a, b) => comparePeerIds(a.peerId, b.peerId))
const [P0, P1, P2, P3, P4, P5] = ids as [
  IdentityKeyPair,
  IdentityKeyPair,
  IdentityKeyPair,
  IdentityKeyPair,
  IdentityKeyPair,
  IdentityKeyPair,
]
const GID = rng(GROUP_ID_BYTES)
const OTHER_GID = rng(GROUP_ID_BYTES)

const sign = (
  who: IdentityKeyPair,
  init: Omit<GroupOpInit, 'groupId'> & { groupId?: Uint8Array },
) => signGroupOp(crypto, who, { groupId: GID, ...init })
const fakePeer = (): string => peerIdFromPublicKey(rng(32))

/** P2 creates "friends" with P0, P1, P3 as members and P3 as admin. */
const create = (who = P2, members = [P0, P1, P3], admins = [P3]) =>
  sign(who, {
    op: GroupOp.CREATE,
    members: members.map((m) => m.peerId),
    admins: admins.map((m) => m.peerId),
    name: 'friends',
    epoch: 0,
  })
const add = (who: IdentityKeyPair, target: string, epoch: number, admin = false) =>
  sign(who, { op: GroupOp.ADD, members: [target], admins: admin ? [target] : [], epoch })
const remove = (who: IdentityKeyPair, target: string, epoch: number) =>
  sign(who, { op: GroupOp.REMOVE, members: [target], epoch })
const leave = (who: IdentityKeyPair, epoch: number) => sign(who, { op: GroupOp.LEAVE, epoch })
const rename = (who: IdentityKeyPair, name: string, epoch: number) =>
  sign(who, { op: GroupOp.RENAME, name, epoch })

const sorted = (...who: IdentityKeyPair[]): string[] =>
  who.map((w) => w.peerId).sort(comparePeerIds)
const view = (s: GroupState) => ({
  name: s.name,
  members: s.members,
  admins: s.admins,
  epoch: s.epoch,
  digest: toHex(s.digest),
  applied: s.applied.map(toHex),
})

void describe('group ops: sign and verify', () => {
  void it('round-trips every op kind; hash = SHA-256(bytes)', () => {
    const ops = [
      create(),
      add(P2, P4.peerId, 1, true),
      remove(P3, P0.peerId, 2),
      leave(P1, 3),
      rename(P2, 'family', 4),
    ]
    for (const op of ops) {
      const back = verifyGroupOp(crypto, op.bytes)
      assert.deepEqual(back, op)
      assert.deepEqual(op.hash, crypto.sha256(op.bytes))
    }
    assert.equal(ops[0]!.actor, P2.peerId)
    assert.deepEqual(ops[1]!.admins, [P4.peerId])
  })

  void it('refuses every changed field with InvalidSignatureError', () => {
    const base = pb.GroupControl.decode(add(P2, P4.peerId, 3, true).bytes)
    const removal = pb.GroupControl.decode(remove(P2, P4.peerId, 3).bytes)
    const renaming = pb.GroupControl.decode(rename(P2, 'a', 3).bytes)
    const other = Uint8Array.from(pb.GroupControl.decode(add(P5, P0.peerId, 1).bytes).actor)
    const flipped = Uint8Array.from(base.groupId)
    flipped[0]! ^= 1
    const changes: pb.GroupControl[] = [
      { ...base, groupId: flipped },
      { ...base, op: GroupOp.ADD, members: [other], admins: [other] },
      { ...base, admins: [] },
      { ...base, epoch: base.epoch + 1n },
      { ...base, actor: other },
      { ...base, signature: flipBit(base.signature, 5) as Uint8Array<ArrayBuffer> },
      { ...removal, op: GroupOp.ADD },
      { ...renaming, name: 'b' },
    ]
    for (const c of changes) {
      assert.throws(() => verifyGroupOp(crypto, pb.GroupControl.encode(c)), InvalidSignatureError)
    }
  })

  void it('refuses every single bit flip of a signed op with a typed error', () => {
    const op = create()
    for (let bit = 0; bit < op.bytes.length * 8; bit++) {
      assert.throws(
        () => verifyGroupOp(crypto, flipBit(op.bytes, bit)),
        (e: unknown) => e instanceof KithError,
        `bit ${bit}`,
      )
    }
  })

  void it('gives a typed error for random bytes, never a crash (fast-check, numRuns 500)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        assert.throws(
          () => verifyGroupOp(crypto, bytes),
          (e: unknown) => e instanceof KithError,
        )
      }),
      { numRuns: 500 },
    )
  })

  void it('refuses bad shapes both ways (sender key, epochs, admins, lists, lengths)', () => {
    const p = P4.peerId
    const bad: GroupOpInit[] = [
      { groupId: GID, op: GroupOp.CREATE, epoch: 1 },
      { groupId: GID, op: GroupOp.ADD, members: [p], epoch: 0 },
      { groupId: GID, op: GroupOp.ADD, members: [], epoch: 1 },
      { groupId: GID, op: GroupOp.ADD, members: [p], admins: [P5.peerId], epoch: 1 },
      { groupId: GID, op: GroupOp.ADD, members: [p, p], epoch: 1 },
      { groupId: GID, op: GroupOp.REMOVE, members: [p], admins: [p], epoch: 1 },
      { groupId: GID, op: GroupOp.LEAVE, members: [p], epoch: 1 },
      { groupId: GID, op: GroupOp.ADD, members: [p], name: 'x', epoch: 1 },
      { groupId: GID, op: GroupOp.CREATE, members: [P0.peerId], epoch: 0 },
      { groupId: GID.subarray(1), op: GroupOp.RENAME, epoch: 1 },
      { groupId: GID, op: GroupOp.RENAME, name: 'x'.repeat(257), epoch: 1 },
    ]
    for (const init of bad) {
      assert.throws(
        () => signGroupOp(crypto, P0, init),
        (e: unknown) =>
          e instanceof TypeError || e instanceof RangeError || MessageTooLargeError.is(e),
      )
    }
    const base = pb.GroupControl.decode(rename(P2, 'a', 3).bytes)
    const key = {
      distributionId: GID,
      chainId: 1,
      iteration: 0,
      chainKey: rng(32),
      signingKey: rng(32),
    }
    const wrong: Partial<pb.GroupControl>[] = [
      { senderKey: key },
      { epoch: 0n },
      { members: [base.actor] },
      { actor: rng(38) },
      { signature: rng(63) },
      { groupId: rng(GROUP_ID_BYTES + 1) },
    ]
    for (const w of wrong) {
      const bytes = pb.GroupControl.encode({ ...base, ...w })
      assert.throws(() => verifyGroupOp(crypto, bytes), MalformedMessageError)
    }
  })

  void it(`is bounded by MAX_GROUP_OP_BYTES (${MAX_GROUP_OP_BYTES}) and MAX_GROUP_MEMBERS (${MAX_GROUP_MEMBERS}) per list`, () => {
    const op = rename(P2, 'a', 3)
    // Exactly MAX bytes is not refused for its size (an unknown field makes it non-canonical).
    atLimit(
      (b) => verifyGroupOp(crypto, b),
      growTo(op.bytes, MAX_GROUP_OP_BYTES),
      MAX_GROUP_OP_BYTES,
      false,
    )
    const many = Array.from({ length: MAX_GROUP_MEMBERS }, fakePeer)
    const full = sign(P0, { op: GroupOp.ADD, members: many, epoch: 1 })
    assert.equal(verifyGroupOp(crypto, full.bytes).members.length, MAX_GROUP_MEMBERS)
    const over = [...many, fakePeer()]
    assert.throws(
      () => sign(P0, { op: GroupOp.ADD, members: over, epoch: 1 }),
      MessageTooLargeError,
    )
    const raw = pb.GroupControl.decode(full.bytes)
    const overBytes = pb.GroupControl.encode({ ...raw, members: [...raw.members, raw.actor] })
    assert.ok(overBytes.length <= MAX_GROUP_OP_BYTES)
    assert.throws(() => verifyGroupOp(crypto, overBytes), MalformedMessageError)
    // 1,000 members and 600 admins is about 64 KiB: over MAX_GROUP_OP_BYTES.
    const admins = many.slice(0, 600)
    assert.throws(
      () => sign(P0, { op: GroupOp.ADD, members: many, admins, epoch: 1 }),
      MessageTooLargeError,
    )
  })
})

void describe('group ops: replay', () => {
  void it('makes the group from the CREATE: actor is member and admin', () => {
    const c = create()
    const s = replayGroup(crypto, [c])
    assert.deepEqual(s.members, sorted(P0, P1, P2, P3))
    assert.deepEqual(s.admins, sorted(P2, P3))
    assert.equal(s.name, 'friends')
    assert.equal(s.epoch, 0)
    assert.deepEqual(s.groupId, GID)
    assert.deepEqual(s.applied, [c.hash])
    assert.deepEqual(s.digest, crypto.sha256(c.hash))
    assert.deepEqual(s.secretOp, c.hash)
  })

  void it('throws GroupStateError without a CREATE, and over MAX_GROUP_OPS', () => {
    assert.throws(() => replayGroup(crypto, []), GroupStateError)
    assert.throws(() => replayGroup(crypto, [add(P2, P4.peerId, 1)]), GroupStateError)
    assert.throws(() => replayGroup(crypto, [create()], { groupId: OTHER_GID }), GroupStateError)
  })

  void it(`replays MAX_GROUP_OPS (${MAX_GROUP_OPS}) distinct ops, not one more`, () => {
    const ops = [create()]
    for (let i = 1; i < MAX_GROUP_OPS; i++) ops.push(rename(P2, `n${i}`, i))
    const s = replayGroup(crypto, [...ops, ops[5]!]) // a duplicate counts once
    assert.equal(s.applied.length, MAX_GROUP_OPS)
    assert.equal(s.name, `n${MAX_GROUP_OPS - 1}`)
    ops.push(rename(P2, 'one too many', MAX_GROUP_OPS))
    assert.throws(() => replayGroup(crypto, ops), GroupStateError)
  })

  void it(`caps the group at MAX_GROUP_MEMBERS (${MAX_GROUP_MEMBERS}): a CREATE or ADD past it does not apply`, () => {
    const others = Array.from({ length: MAX_GROUP_MEMBERS - 1 }, fakePeer)
    const full = sign(P0, { op: GroupOp.CREATE, members: others, epoch: 0 })
    const s = replayGroup(crypto, [full])
    assert.equal(s.members.length, MAX_GROUP_MEMBERS)
    const addOne = add(P0, P5.peerId, 1)
    assert.equal(replayGroup(crypto, [full, addOne]).members.length, MAX_GROUP_MEMBERS)
    assert.ok(!replayGroup(crypto, [full, addOne]).members.includes(P5.peerId))
    const tooBig = sign(P0, { op: GroupOp.CREATE, members: [...others, fakePeer()], epoch: 0 })
    assert.throws(() => replayGroup(crypto, [tooBig]), GroupStateError)
  })

  void it('gives the same state for any order of the same ops (fast-check, numRuns 200)', () => {
    const kinds = [GroupOp.ADD, GroupOp.REMOVE, GroupOp.LEAVE, GroupOp.RENAME] as const
    const step = fc.record({
      actor: fc.nat(ids.length - 1),
      kind: fc.nat(kinds.length - 1),
      target: fc.nat(ids.length - 1),
      epoch: fc.integer({ min: 1, max: 4 }),
      admin: fc.boolean(),
      foreign: fc.boolean(),
    })
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 14 }),
        fc.boolean(),
        fc.integer(),
        (steps, secondCreate, seed) => {
          const ops: GroupOpRecord[] = [create()]
          if (secondCreate) ops.push(create(P0, [P5], [P5]))
          for (const s of steps) {
            const who = ids[s.actor]!
            const target = ids[s.target]!.peerId
            const groupId = s.foreign && s.epoch === 4 ? OTHER_GID : GID
            const kind = kinds[s.kind]!
            ops.push(
              sign(who, {
                groupId,
                op: kind,
                epoch: s.epoch,
                ...(kind === GroupOp.ADD
                  ? { members: [target], admins: s.admin ? [target] : [] }
                  : {}),
                ...(kind === GroupOp.REMOVE ? { members: [target] } : {}),
                ...(kind === GroupOp.RENAME ? { name: `name ${s.target}` } : {}),
              }),
            )
          }
          const expected = view(replayGroup(crypto, ops, { groupId: GID }))
          assert.deepEqual(
            view(replayGroup(crypto, shuffle(ops, seed), { groupId: GID })),
            expected,
          )
          assert.deepEqual(
            view(replayGroup(crypto, [...ops].reverse(), { groupId: GID })),
            expected,
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  void it('converges on a concurrent add (admin A) and remove (admin B)', () => {
    const c = create() // admins P2, P3
    const a = add(P2, P4.peerId, 1)
    const b = remove(P3, P1.peerId, 1)
    const one = replayGroup(crypto, [c, a, b])
    const two = replayGroup(crypto, [b, c, a])
    assert.deepEqual(view(one), view(two))
    assert.deepEqual(one.members, sorted(P0, P2, P3, P4))
    // Admin B removes admin A while A adds someone: the same winner for every member.
    // (Epoch 1: without ops at 1 in this set, ops at 2 would break the epoch rule, §13.2.)
    const x = add(P2, P5.peerId, 1)
    const y = remove(P3, P2.peerId, 1)
    const s1 = replayGroup(crypto, [c, x, y])
    const s2 = replayGroup(crypto, [y, x, c])
    assert.deepEqual(view(s1), view(s2))
    // Same epoch: P2 sorts before P3, so P2's ADD applies, then P3 removes P2.
    assert.deepEqual(s1.members, sorted(P0, P1, P3, P5))
    assert.deepEqual(s1.admins, sorted(P3))
  })

  void it('ignores an ADD, REMOVE or RENAME by a non-admin and a LEAVE by a non-member', () => {
    const c = create()
    const ignored = [
      add(P0, P4.peerId, 1),
      remove(P1, P3.peerId, 1),
      rename(P0, 'x', 1),
      leave(P5, 1),
    ]
    const s = replayGroup(crypto, [c, ...ignored])
    assert.deepEqual(view(s), view(replayGroup(crypto, [c])))
  })

  void it("ignores a removed admin's later ops", () => {
    const c = create()
    const out = remove(P2, P3.peerId, 1)
    const late = add(P3, P4.peerId, 2)
    const s = replayGroup(crypto, [c, out, late])
    assert.deepEqual(s.members, sorted(P0, P1, P2))
    assert.deepEqual(s.applied, [c.hash, out.hash])
    assert.equal(s.epoch, 1)
  })

  void it("promotes an existing member listed in an ADD's admins", () => {
    const c = create()
    const promote = sign(P2, {
      op: GroupOp.ADD,
      members: [P0.peerId],
      admins: [P0.peerId],
      epoch: 1,
    })
    const s = replayGroup(crypto, [c, promote])
    assert.deepEqual(s.members, sorted(P0, P1, P2, P3))
    assert.deepEqual(s.admins, sorted(P0, P2, P3))
  })

  void it('applies a LEAVE: the member is gone and the LEAVE is the secret op', () => {
    const c = create()
    const l = leave(P1, 1)
    const r = rename(P2, 'later', 2)
    const s = replayGroup(crypto, [c, l, r])
    assert.deepEqual(s.members, sorted(P0, P2, P3))
    assert.deepEqual(s.secretOp, l.hash)
    assert.equal(s.name, 'later')
    // A LEAVE by an admin drops the admin role too.
    assert.deepEqual(replayGroup(crypto, [c, leave(P3, 1)]).admins, sorted(P2))
  })

  void it('promotes the lowest remaining member when the last admin leaves or is removed', () => {
    const c = create(P2, [P1, P3, P4], [])
    const s = replayGroup(crypto, [c, leave(P2, 1)])
    assert.deepEqual(s.members, sorted(P1, P3, P4))
    assert.deepEqual(s.admins, [P1.peerId])
    const self = replayGroup(crypto, [c, remove(P2, P2.peerId, 1)])
    assert.deepEqual(self.admins, [P1.peerId])
    // The promoted member acts as admin afterwards.
    const after = replayGroup(crypto, [c, leave(P2, 1), add(P1, P5.peerId, 2)])
    assert.ok(after.members.includes(P5.peerId))
  })

  void it('ignores a second CREATE, and a pinned CREATE wins over a lower forged one', () => {
    const real = create(P2)
    const later = create(P4, [P5], [P5]) // P4 sorts after P2
    assert.deepEqual(view(replayGroup(crypto, [later, real])), view(replayGroup(crypto, [real])))
    const forged = create(P0, [P5], [P5]) // P0 sorts before P2: it would win unpinned
    assert.deepEqual(replayGroup(crypto, [real, forged]).members, sorted(P0, P5))
    const pinned = replayGroup(crypto, [real, forged], { create: real.hash })
    assert.deepEqual(view(pinned), view(replayGroup(crypto, [real])))
  })

  void it('ignores ops of another group id', () => {
    const c = create()
    const foreign = sign(P2, {
      groupId: OTHER_GID,
      op: GroupOp.ADD,
      members: [P4.peerId],
      epoch: 1,
    })
    const s = replayGroup(crypto, [c, foreign])
    assert.deepEqual(view(s), view(replayGroup(crypto, [c])))
    // With an explicit group id, a foreign CREATE sorting first is ignored too.
    const foreignCreate = sign(P0, { groupId: OTHER_GID, op: GroupOp.CREATE, epoch: 0 })
    const pinned = replayGroup(crypto, [foreignCreate, c], { groupId: GID })
    assert.deepEqual(view(pinned), view(replayGroup(crypto, [c])))
  })
})

void describe('group topics and secrets', () => {
  const secret = rng(32)
  const c = create()
  const s0 = replayGroup(crypto, [c])
  const s1 = replayGroup(crypto, [c, add(P2, P4.peerId, 1)])
  const s2 = replayGroup(crypto, [c, add(P2, P4.peerId, 1), remove(P2, P4.peerId, 2)])

  void it('names the topic /kith/group/1/<64 hex> and changes it with membership', () => {
    const topics = [s0, s1, s2].map((s) => groupTopic(crypto, secret, s))
    for (const t of topics) assert.match(t, /^\/kith\/group\/1\/[0-9a-f]{64}$/)
    assert.equal(new Set(topics).size, 3)
    assert.equal(groupTopic(crypto, secret, s1), topics[1])
    const expected = crypto.sha256(
      Uint8Array.from([...utf8('kith-group-topic-v1'), ...secret, ...s0.digest]),
    )
    assert.equal(topics[0], `/kith/group/1/${toHex(expected)}`)
  })

  void it('differs per secret and reveals neither the name nor the id', () => {
    const a = groupTopic(crypto, secret, s1)
    const b = groupTopic(crypto, rng(32), s1)
    assert.notEqual(a, b)
    for (const t of [a, b]) {
      assert.ok(!t.includes(toHex(GID)))
      assert.ok(!t.includes(toHex(utf8('friends'))))
      assert.ok(!t.includes('friends'))
    }
    assert.throws(() => groupTopic(crypto, rng(31), s1), RangeError)
  })

  void it('derives the LEAVE secret with HKDF from the previous secret and the op hash', () => {
    const l1 = leave(P1, 1)
    const l2 = leave(P0, 1)
    const k1 = leaveSecret(crypto, secret, l1.hash)
    assert.equal(k1.length, 32)
    assert.deepEqual(k1, leaveSecret(crypto, secret, l1.hash))
    assert.deepEqual(k1, crypto.hkdfSha256(secret, l1.hash, utf8('kith-group-leave-secret-v1'), 32))
    assert.notDeepEqual(k1, leaveSecret(crypto, secret, l2.hash))
    assert.notDeepEqual(k1, leaveSecret(crypto, rng(32), l1.hash))
    assert.notDeepEqual(k1, secret)
    assert.throws(() => leaveSecret(crypto, secret, rng(16)), RangeError)
  })
})

/** A deterministic Fisher–Yates shuffle (the suite's seeded RNG, seeded by fast-check). */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  const rng = seededRng(`shuffle:${seed}`)
  const next = (): number => new DataView(rng(4).buffer).getUint32(0) / 4294967296
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
