// Sender Keys distribution, rotation and the end of a chain (src/core/group/sender-keys.ts,
// cipher.ts, record.ts `addState`): idempotent creation, late joiners, removed members after a
// rotation, replayed or conflicting distributions, the current and retired chains (at most
// MAX_RETIRED_CHAINS), NoSenderKeyError cases and the uint32 iteration bound.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../../src/core/bytes.js'
import {
  MAX_ITERATION,
  MAX_RETIRED_CHAINS,
  SenderChainKey,
  SenderKeyRecord,
  SenderKeyState,
  createOwnState,
  createSenderKeyDistribution,
  decodeDistribution,
  encodeDistribution,
  decodeSenderKeyMessage,
  encryptWithRecord,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  rotateSenderKey,
} from '../../../src/core/group/index.js'
import { signSenderKeyMessage } from '../../../src/core/group/message.js'
import { ALICE, BOB, GROUP, MapSenderKeyStore, context, throwsWith, twoMembers } from './helpers.js'

const text = (i: number) => utf8(`message ${i}`)
const decoder = new TextDecoder()

describe('sender keys: the end of a chain (MAX_ITERATION)', () => {
  it('sends at MAX_ITERATION - 1, then refuses; a receiver refuses MAX_ITERATION', () => {
    const ctx = context('end')
    const fresh = createOwnState(ctx)
    const own = new SenderKeyState({
      chainId: fresh.chainId,
      chain: new SenderChainKey(MAX_ITERATION - 1, fresh.chain.key),
      signingPublic: fresh.signingPublic,
      signingPrivate: fresh.signingPrivate,
    })
    const sender = SenderKeyRecord.empty()
    sender.addState(own)
    const bob = new MapSenderKeyStore()
    processSenderKeyDistribution(ctx, bob, ALICE, encodeDistribution(GROUP, own))
    const last = encryptWithRecord(ctx.crypto, sender, GROUP, text(1))
    assert.equal(decodeSenderKeyMessage(last).iteration, MAX_ITERATION - 1)
    // The chain is now at MAX_ITERATION, stored as such, and cannot send.
    const stored = SenderKeyRecord.deserialize(sender.serialize())
    assert.equal(stored.newest()?.chain.iteration, MAX_ITERATION)
    assert.throws(() => encryptWithRecord(ctx.crypto, stored, GROUP, text(2)), {
      name: 'NoSenderKeyError',
    })
    assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, last)), 'message 1')
    // A validly signed message naming MAX_ITERATION cannot be stepped past: refused, not wrapped.
    const beyond = signSenderKeyMessage(ctx.crypto, fresh.signingPrivate!, {
      distributionId: GROUP,
      chainId: own.chainId,
      iteration: MAX_ITERATION,
      ciphertext: new Uint8Array(16),
    })
    const before = bob.bytes(ALICE, GROUP)
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, beyond), 'MalformedMessageError')
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
  })
})

describe('sender keys: distribution and rotation', () => {
  it('createSenderKeyDistribution is idempotent and reports the current iteration', () => {
    const ctx = context('idem')
    const alice = new MapSenderKeyStore()
    const d1 = createSenderKeyDistribution(ctx, alice, ALICE, GROUP)
    assert.deepEqual(createSenderKeyDistribution(ctx, alice, ALICE, GROUP), d1)
    for (let i = 0; i < 3; i++) groupEncrypt(ctx, alice, ALICE, GROUP, text(i))
    const d2 = decodeDistribution(createSenderKeyDistribution(ctx, alice, ALICE, GROUP))
    const first = decodeDistribution(d1)
    assert.equal(first.state.chain.iteration, 0)
    assert.ok(first.state.chainId < 2 ** 31, 'chain id is 31-bit')
    assert.equal(d2.state.chainId, first.state.chainId)
    assert.equal(d2.state.chain.iteration, 3)
    assert.deepEqual(d2.state.signingPublic, first.state.signingPublic)
    assert.notDeepEqual(d2.state.chain.key, first.state.chain.key)
    assert.deepEqual(d2.distributionId, GROUP)
  })

  it('a member who joins later cannot read earlier messages', () => {
    const { ctx, alice, bob } = twoMembers()
    const early = groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    const dave = new MapSenderKeyStore()
    const late = createSenderKeyDistribution(ctx, alice, ALICE, GROUP)
    processSenderKeyDistribution(ctx, dave, ALICE, late)
    throwsWith(() => groupDecrypt(ctx, dave, ALICE, early), 'DuplicateMessageError')
    const after = groupEncrypt(ctx, alice, ALICE, GROUP, text(1))
    assert.equal(decoder.decode(groupDecrypt(ctx, dave, ALICE, after)), 'message 1')
    assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, early)), 'message 0')
  })

  it('after a rotation, a member without the new distribution cannot decrypt', () => {
    const { ctx, alice, bob } = twoMembers()
    const removed = new MapSenderKeyStore()
    processSenderKeyDistribution(
      ctx,
      removed,
      ALICE,
      createSenderKeyDistribution(ctx, alice, ALICE, GROUP),
    )
    processSenderKeyDistribution(ctx, bob, ALICE, rotateSenderKey(ctx, alice, ALICE, GROUP))
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, text(1))
    assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, msg)), 'message 1')
    throwsWith(() => groupDecrypt(ctx, removed, ALICE, msg), 'NoSenderKeyError')
  })

  it('re-processing a distribution does not rewind the chain (no replay)', () => {
    const { ctx, alice, bob, distribution } = twoMembers()
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    groupDecrypt(ctx, bob, ALICE, msg)
    processSenderKeyDistribution(ctx, bob, ALICE, distribution)
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, msg), 'DuplicateMessageError')
    assert.equal(bob.record(ALICE, GROUP).size, 1)
  })

  it('a distribution with a known chain id but another signing key replaces that state', () => {
    const { ctx, alice, bob, distribution } = twoMembers()
    const original = decodeDistribution(distribution).state
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    // Another key pair on Alice's chain id (as if sent in her name: sender.ts must authenticate).
    const other = createOwnState(context('other'))
    const forged = new SenderKeyState({
      chainId: original.chainId,
      chain: other.chain,
      signingPublic: other.signingPublic,
    })
    processSenderKeyDistribution(ctx, bob, ALICE, encodeDistribution(GROUP, forged))
    const record = bob.record(ALICE, GROUP)
    assert.equal(record.size, 1)
    assert.deepEqual(record.newest()?.signingPublic, other.signingPublic)
    // Alice's message is now checked against the new key and refused, record untouched.
    const before = bob.bytes(ALICE, GROUP)
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, msg), 'InvalidSignatureError')
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
  })

  it('NoSenderKeyError: no own key, a receive-only record, an unknown sender or group', () => {
    const { ctx, alice, bob } = twoMembers()
    throwsWith(
      () => groupEncrypt(ctx, new MapSenderKeyStore(), ALICE, GROUP, text(0)),
      'NoSenderKeyError',
    )
    // Bob holds only Alice's receiving state: he cannot send as Alice with it.
    throwsWith(() => groupEncrypt(ctx, bob, ALICE, GROUP, text(0)), 'NoSenderKeyError')
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    throwsWith(() => groupDecrypt(ctx, bob, BOB, msg), 'NoSenderKeyError')
    const otherGroup = Uint8Array.of(1, 2, 3)
    createSenderKeyDistribution(ctx, alice, ALICE, otherGroup)
    const elsewhere = groupEncrypt(ctx, alice, ALICE, otherGroup, text(0))
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, elsewhere), 'NoSenderKeyError')
  })

  it('refuses bad arguments with TypeError/RangeError naming the field', () => {
    const ctx = context('args')
    const s = new MapSenderKeyStore()
    assert.throws(
      () => createSenderKeyDistribution(ctx, s, ALICE, new Uint8Array(0)),
      /distributionId/,
    )
    assert.throws(() => createSenderKeyDistribution(ctx, s, ALICE, new Uint8Array(65)), RangeError)
    assert.throws(
      () => createSenderKeyDistribution(ctx, s, ALICE, 'group' as unknown as Uint8Array),
      TypeError,
    )
    assert.equal(s.writes, 0)
  })
})

describe('sender keys: current and retired chains', () => {
  it('a rotation retires the old chain; its distribution, retried late, changes nothing', () => {
    const { ctx, alice, bob, distribution } = twoMembers('retired')
    const first = decodeDistribution(distribution).state.chainId
    assert.equal(alice.loadSenderKey(ALICE, GROUP)?.currentChain, first)
    const rotated = rotateSenderKey(ctx, alice, ALICE, GROUP)
    const second = decodeDistribution(rotated).state.chainId
    assert.deepEqual(alice.loadSenderKey(ALICE, GROUP)?.retired, [first])
    assert.equal(processSenderKeyDistribution(ctx, bob, ALICE, rotated), true)
    assert.deepEqual(bob.loadSenderKey(ALICE, GROUP), {
      ...bob.loadSenderKey(ALICE, GROUP)!,
      currentChain: second,
      retired: [first],
    })
    const writes = bob.writes
    // The old distribution again (a retry that lagged behind the rotation): ignored.
    assert.equal(processSenderKeyDistribution(ctx, bob, ALICE, distribution), false)
    // The current one again: ignored too, the chain is not rewound.
    assert.equal(processSenderKeyDistribution(ctx, bob, ALICE, rotated), false)
    assert.equal(bob.writes, writes, 'nothing stored')
    assert.equal(bob.loadSenderKey(ALICE, GROUP)?.currentChain, second)
    // Encrypting keeps the bookkeeping.
    groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    assert.deepEqual(alice.loadSenderKey(ALICE, GROUP)?.retired, [first])
    assert.equal(alice.loadSenderKey(ALICE, GROUP)?.currentChain, second)
  })

  it(`remembers the newest MAX_RETIRED_CHAINS (${MAX_RETIRED_CHAINS}) retired chains`, () => {
    const ctx = context('retired-bound')
    const alice = new MapSenderKeyStore()
    const chains = [decodeDistribution(createSenderKeyDistribution(ctx, alice, ALICE, GROUP))]
    for (let i = 0; i < MAX_RETIRED_CHAINS + 1; i++)
      chains.push(decodeDistribution(rotateSenderKey(ctx, alice, ALICE, GROUP)))
    const ids = chains.map((d) => d.state.chainId)
    const entry = alice.loadSenderKey(ALICE, GROUP)!
    assert.equal(entry.retired.length, MAX_RETIRED_CHAINS)
    assert.deepEqual(entry.retired, ids.slice(1, -1), 'the oldest one is forgotten')
    assert.equal(entry.currentChain, ids.at(-1))
  })
})
