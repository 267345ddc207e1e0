// The epoch rule of group op replay (src/core/group/control.ts, docs/protocol.md §13.2): an op's
// epoch is at most the highest epoch known from the ops before it + MAX_EPOCH_STEP. A departing
// member's LEAVE at 2⁵³ − 1 (issue 11, finding 10) is refused, the group's epoch stays small and
// an admin can still sign; the rule at MAX and MAX+1; a gap refuses everything above it until it
// is filled; equal op sets give equal states and the epoch stays within the op count (fast-check).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { toHex } from '../../../src/core/bytes.js'
import {
  GroupEpochError,
  GroupOp,
  MAX_EPOCH_STEP,
  checkOpEpoch,
  comparePeerIds,
  knownEpoch,
  replayGroup,
  signGroupOp,
  type GroupOpInit,
  type GroupOpRecord,
  type GroupState,
} from '../../../src/core/group/index.js'
import { IdentityKeyPair } from '../../../src/core/identity/identity.js'
import { GROUP_ID_BYTES } from '../../../src/core/wire/limits.js'
import { nodeCrypto as crypto } from '../../../src/platform/node-crypto.js'
import { seededRng } from '../../helpers/context.js'

const seeded = seededRng('group-epoch')
const rng = (n: number): Uint8Array<ArrayBuffer> => Uint8Array.from(seeded(n))
const ids = Array.from({ length: 5 }, () => IdentityKeyPair.generate(crypto, rng))
ids.sort((a, b) => comparePeerIds(a.peerId, b.peerId))
const [A, B, C, D, E] = ids as [
  IdentityKeyPair,
  IdentityKeyPair,
  IdentityKeyPair,
  IdentityKeyPair,
  IdentityKeyPair,
]
const GID = rng(GROUP_ID_BYTES)
const sign = (who: IdentityKeyPair, init: Omit<GroupOpInit, 'groupId'>) =>
  signGroupOp(crypto, who, { groupId: GID, ...init })
/** A creates the group with B, C, D; B is an admin too. */
const create = sign(A, {
  op: GroupOp.CREATE,
  members: [B.peerId, C.peerId, D.peerId],
  admins: [B.peerId],
  name: 'g',
  epoch: 0,
})
const add = (who: IdentityKeyPair, target: IdentityKeyPair, epoch: number) =>
  sign(who, { op: GroupOp.ADD, members: [target.peerId], epoch })
const remove = (who: IdentityKeyPair, target: IdentityKeyPair, epoch: number) =>
  sign(who, { op: GroupOp.REMOVE, members: [target.peerId], epoch })
const leave = (who: IdentityKeyPair, epoch: number) => sign(who, { op: GroupOp.LEAVE, epoch })
const hex = (ops: readonly Uint8Array[]) => ops.map(toHex)
const view = (s: GroupState) => ({
  members: s.members,
  admins: s.admins,
  epoch: s.epoch,
  known: s.known,
  digest: toHex(s.digest),
  refused: hex(s.refused),
})

void describe('group ops: the epoch rule', () => {
  void it('refuses a LEAVE at 2^53 − 1: the leaver stays, the epoch stays, the admin signs on', () => {
    const huge = leave(C, Number.MAX_SAFE_INTEGER)
    const s = replayGroup(crypto, [create, huge])
    assert.deepEqual(hex(s.refused), hex([huge.hash]))
    assert.ok(s.members.includes(C.peerId), 'the refused LEAVE changes nothing')
    assert.equal(s.epoch, 0)
    assert.equal(s.known, 0)
    assert.throws(() => checkOpEpoch(huge, s.known), GroupEpochError)
    // The admin's next op signs at 1 + epoch and applies.
    const next = remove(A, D, s.epoch + 1)
    checkOpEpoch(next, s.known)
    const s2 = replayGroup(crypto, [create, huge, next])
    assert.ok(!s2.members.includes(D.peerId))
    assert.equal(s2.epoch, 1)
  })

  void it(`takes an epoch of known + MAX_EPOCH_STEP (${MAX_EPOCH_STEP}), refuses known + MAX_EPOCH_STEP + 1`, () => {
    const one = add(A, E, 1)
    const atMax = leave(C, 1 + MAX_EPOCH_STEP)
    const over = leave(D, 1 + MAX_EPOCH_STEP + 1)
    checkOpEpoch(atMax, 1)
    assert.throws(
      () => checkOpEpoch(over, 1),
      (e: Error) => e.name === 'GroupEpochError',
    )
    const s = replayGroup(crypto, [create, one, atMax])
    assert.deepEqual(s.refused, [])
    assert.ok(!s.members.includes(C.peerId))
    const t = replayGroup(crypto, [create, one, over])
    assert.deepEqual(hex(t.refused), hex([over.hash]))
    assert.ok(t.members.includes(D.peerId))
    assert.equal(t.known, 1)
  })

  void it('counts ops that do not apply towards known (a concurrent removal leaves no gap)', () => {
    // B removes C at 1 while C (still an admin in its own view? no: a member) leaves at 1; the
    // LEAVE sorts after B's REMOVE when C > B and does not apply, yet an op at 2 still fits.
    const r = remove(B, C, 1)
    const l = leave(C, 1)
    const later = add(A, E, 2)
    const s = replayGroup(crypto, [create, r, l, later])
    assert.deepEqual(s.refused, [])
    assert.ok(s.members.includes(E.peerId))
    assert.equal(s.known, 2)
  })

  void it('refuses everything above a gap until the gap is filled', () => {
    const one = add(A, E, 1)
    const three = leave(D, 3)
    const gap = replayGroup(crypto, [create, one, three])
    assert.deepEqual(hex(gap.refused), hex([three.hash]))
    const two = remove(B, C, 2)
    const full = replayGroup(crypto, [three, two, create, one])
    assert.deepEqual(full.refused, [])
    assert.deepEqual(full.members, [A, B, E].map((x) => x.peerId).sort(comparePeerIds))
    assert.equal(full.epoch, 3)
  })

  void it('knownEpoch: the highest epoch reached from 0 in steps of MAX_EPOCH_STEP', () => {
    assert.equal(knownEpoch([]), 0)
    assert.equal(knownEpoch([create]), 0)
    assert.equal(knownEpoch([create, add(A, E, 1), leave(D, 2), leave(C, 2)]), 2)
    assert.equal(knownEpoch([create, add(A, E, 1), leave(D, 3)]), 1)
    assert.equal(knownEpoch([create, leave(C, Number.MAX_SAFE_INTEGER)]), 0)
  })

  void it('equal op sets give equal states, epoch ≤ op count (fast-check, numRuns 150)', () => {
    const kinds = [GroupOp.ADD, GroupOp.REMOVE, GroupOp.LEAVE] as const
    const step = fc.record({
      actor: fc.nat(ids.length - 1),
      kind: fc.nat(kinds.length - 1),
      target: fc.nat(ids.length - 1),
      epoch: fc.oneof(
        fc.integer({ min: 1, max: 6 }),
        fc.constant(Number.MAX_SAFE_INTEGER),
        fc.integer({ min: 7, max: Number.MAX_SAFE_INTEGER }),
      ),
    })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const ops: GroupOpRecord[] = [create]
        for (const s of steps) {
          const kind = kinds[s.kind]!
          ops.push(
            sign(ids[s.actor]!, {
              op: kind,
              epoch: s.epoch,
              ...(kind === GroupOp.LEAVE ? {} : { members: [ids[s.target]!.peerId] }),
            }),
          )
        }
        const expected = replayGroup(crypto, ops)
        assert.deepEqual(view(replayGroup(crypto, [...ops].reverse())), view(expected))
        assert.deepEqual(
          view(replayGroup(crypto, [...ops.slice(3), ...ops.slice(0, 3)])),
          view(expected),
        )
        assert.ok(expected.epoch <= expected.known && expected.known <= ops.length)
        assert.equal(expected.known, knownEpoch(ops))
      }),
      { numRuns: 150 },
    )
  })
})
