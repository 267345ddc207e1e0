// Sender Keys distribution, rotation and the end of a chain (src/core/group/cipher.ts,
// record.ts `addState`): idempotent creation, late joiners, removed members after a rotation,
// replayed or conflicting distributions, NoSenderKeyError cases and the uint32 iteration bound.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../../src/core/bytes.js'
import {
  MAX_ITERATION,
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
import {
  ALICE,
  BOB,
  GROUP,
  MapSenderKeyStore,
  context,
  rejectsWith,
  twoMembers,
} from './helpers.js'

const text = (i: number) => utf8(`message ${i}`)
const decoder = new TextDecoder()

describe('sender keys: the end of a chain (MAX_ITERATION)', () => {
  it('sends at MAX_ITERATION - 1, then refuses; a receiver refuses MAX_ITERATION', async () => {
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
    await processSenderKeyDistribution(ctx, bob, ALICE, encodeDistribution(GROUP, own))
    const last = encryptWithRecord(ctx.crypto, sender, GROUP, text(1))
    assert.equal(decodeSenderKeyMessage(last).iteration, MAX_ITERATION - 1)
    // The chain is now at MAX_ITERATION, stored as such, and cannot send.
    const stored = SenderKeyRecord.deserialize(sender.serialize())
    assert.equal(stored.newest()?.chain.iteration, MAX_ITERATION)
    assert.throws(() => encryptWithRecord(ctx.crypto, stored, GROUP, text(2)), {
      name: 'NoSenderKeyError',
    })
    assert.equal(decoder.decode(await groupDecrypt(ctx, bob, ALICE, last)), 'message 1')
    // A validly signed message naming MAX_ITERATION cannot be stepped past: refused, not wrapped.
    const beyond = signSenderKeyMessage(ctx.crypto, fresh.signingPrivate!, {
      distributionId: GROUP,
      chainId: own.chainId,
      iteration: MAX_ITERATION,
      ciphertext: new Uint8Array(16),
    })
    const before = await bob.bytes(ALICE, GROUP)
    await rejectsWith(() => groupDecrypt(ctx, bob, ALICE, beyond), 'MalformedMessageError')
    assert.deepEqual(await bob.bytes(ALICE, GROUP), before)
  })
})

describe('sender keys: distribution and rotation', () => {
  it('createSenderKeyDistribution is idempotent and reports the current iteration', async () => {
    const ctx = context('idem')
    const alice = new MapSenderKeyStore()
    const d1 = await createSenderKeyDistribution(ctx, alice, ALICE, GROUP)
    assert.deepEqual(await createSenderKeyDistribution(ctx, alice, ALICE, GROUP), d1)
    for (let i = 0; i < 3; i++) await groupEncrypt(ctx, alice, ALICE, GROUP, text(i))
    const d2 = decodeDistribution(await createSenderKeyDistribution(ctx, alice, ALICE, GROUP))
    const first = decodeDistribution(d1)
    assert.equal(first.state.chain.iteration, 0)
    assert.ok(first.state.chainId < 2 ** 31, 'chain id is 31-bit')
    assert.equal(d2.state.chainId, first.state.chainId)
    assert.equal(d2.state.chain.iteration, 3)
    assert.deepEqual(d2.state.signingPublic, first.state.signingPublic)
    assert.notDeepEqual(d2.state.chain.key, first.state.chain.key)
    assert.deepEqual(d2.distributionId, GROUP)
  })

  it('a member who joins later cannot read earlier messages', async () => {
    const { ctx, alice, bob } = await twoMembers()
    const early = await groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    const dave = new MapSenderKeyStore()
    const late = await createSenderKeyDistribution(ctx, alice, ALICE, GROUP)
    await processSenderKeyDistribution(ctx, dave, ALICE, late)
    await rejectsWith(() => groupDecrypt(ctx, dave, ALICE, early), 'DuplicateMessageError')
    const after = await groupEncrypt(ctx, alice, ALICE, GROUP, text(1))
    assert.equal(decoder.decode(await groupDecrypt(ctx, dave, ALICE, after)), 'message 1')
    assert.equal(decoder.decode(await groupDecrypt(ctx, bob, ALICE, early)), 'message 0')
  })

  it('after a rotation, a member without the new distribution cannot decrypt', async () => {
    const { ctx, alice, bob } = await twoMembers()
    const removed = new MapSenderKeyStore()
    await processSenderKeyDistribution(
      ctx,
      removed,
      ALICE,
      await createSenderKeyDistribution(ctx, alice, ALICE, GROUP),
    )
    await processSenderKeyDistribution(
      ctx,
      bob,
      ALICE,
      await rotateSenderKey(ctx, alice, ALICE, GROUP),
    )
    const msg = await groupEncrypt(ctx, alice, ALICE, GROUP, text(1))
    assert.equal(decoder.decode(await groupDecrypt(ctx, bob, ALICE, msg)), 'message 1')
    await rejectsWith(() => groupDecrypt(ctx, removed, ALICE, msg), 'NoSenderKeyError')
  })

  it('re-processing a distribution does not rewind the chain (no replay)', async () => {
    const { ctx, alice, bob, distribution } = await twoMembers()
    const msg = await groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    await groupDecrypt(ctx, bob, ALICE, msg)
    await processSenderKeyDistribution(ctx, bob, ALICE, distribution)
    await rejectsWith(() => groupDecrypt(ctx, bob, ALICE, msg), 'DuplicateMessageError')
    assert.equal((await bob.record(ALICE, GROUP)).size, 1)
  })

  it('a distribution with a known chain id but another signing key replaces that state', async () => {
    const { ctx, alice, bob, distribution } = await twoMembers()
    const original = decodeDistribution(distribution).state
    const msg = await groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    // Another key pair on Alice's chain id (as if sent in her name: sender.ts must authenticate).
    const other = createOwnState(context('other'))
    const forged = new SenderKeyState({
      chainId: original.chainId,
      chain: other.chain,
      signingPublic: other.signingPublic,
    })
    await processSenderKeyDistribution(ctx, bob, ALICE, encodeDistribution(GROUP, forged))
    const record = await bob.record(ALICE, GROUP)
    assert.equal(record.size, 1)
    assert.deepEqual(record.newest()?.signingPublic, other.signingPublic)
    // Alice's message is now checked against the new key and refused, record untouched.
    const before = await bob.bytes(ALICE, GROUP)
    await rejectsWith(() => groupDecrypt(ctx, bob, ALICE, msg), 'InvalidSignatureError')
    assert.deepEqual(await bob.bytes(ALICE, GROUP), before)
  })

  it('NoSenderKeyError: no own key, a receive-only record, an unknown sender or group', async () => {
    const { ctx, alice, bob } = await twoMembers()
    await rejectsWith(
      () => groupEncrypt(ctx, new MapSenderKeyStore(), ALICE, GROUP, text(0)),
      'NoSenderKeyError',
    )
    // Bob holds only Alice's receiving state: he cannot send as Alice with it.
    await rejectsWith(() => groupEncrypt(ctx, bob, ALICE, GROUP, text(0)), 'NoSenderKeyError')
    const msg = await groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    await rejectsWith(() => groupDecrypt(ctx, bob, BOB, msg), 'NoSenderKeyError')
    const otherGroup = Uint8Array.of(1, 2, 3)
    await createSenderKeyDistribution(ctx, alice, ALICE, otherGroup)
    const elsewhere = await groupEncrypt(ctx, alice, ALICE, otherGroup, text(0))
    await rejectsWith(() => groupDecrypt(ctx, bob, ALICE, elsewhere), 'NoSenderKeyError')
  })

  it('refuses bad arguments with TypeError/RangeError naming the field', async () => {
    const ctx = context('args')
    const s = new MapSenderKeyStore()
    await assert.rejects(
      createSenderKeyDistribution(ctx, s, ALICE, new Uint8Array(0)),
      /distributionId/,
    )
    await assert.rejects(createSenderKeyDistribution(ctx, s, ALICE, new Uint8Array(65)), RangeError)
    await assert.rejects(
      createSenderKeyDistribution(ctx, s, ALICE, 'group' as unknown as Uint8Array),
      TypeError,
    )
    assert.equal(s.writes, 0)
  })
})
