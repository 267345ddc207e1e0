// The topic validator's verdict (src/core/group/validate.ts, design §3): ok, badSignature,
// replay, oldKey, noKey and malformed, each on real Sender Keys messages, with the record
// byte-for-byte unchanged after every check; peekSenderKeyMessage's fields and limits.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { utf8 } from '../../../src/core/bytes.js'
import { MalformedMessageError, MessageTooLargeError } from '../../../src/core/errors.js'
import {
  SenderKeyRecord,
  checkSenderKeyMessage,
  decodeSenderKeyMessage,
  decryptWithRecord,
  encryptWithRecord,
  peekSenderKeyMessage,
  processSenderKeyDistribution,
  rotateSenderKey,
  type GroupMessageVerdict,
} from '../../../src/core/group/index.js'
import { MAX_SENDER_KEY_MESSAGE_BYTES } from '../../../src/core/wire/limits.js'
import { flipBit, growTo } from '../wire/helpers.js'
import { ALICE, GROUP, twoMembers } from './helpers.js'

/** Alice's next message on her current chain (her stored record advances). */
function send(setup: ReturnType<typeof twoMembers>, text: string): Uint8Array {
  const record = setup.alice.record(ALICE, GROUP)
  const msg = encryptWithRecord(setup.ctx.crypto, record, GROUP, utf8(text))
  setup.alice.putRecord(ALICE, GROUP, record.serialize())
  return msg
}

/** The verdict, asserting the record serializes to the same bytes before and after. */
function check(
  setup: Awaited<ReturnType<typeof twoMembers>>,
  record: SenderKeyRecord,
  bytes: Uint8Array,
): GroupMessageVerdict {
  const before = record.serialize()
  const verdict = checkSenderKeyMessage(setup.ctx.crypto, record, bytes)
  assert.deepEqual(record.serialize(), before, 'record changed')
  return verdict
}

void describe('checkSenderKeyMessage', () => {
  void it('says ok for a fresh message, and decryption still works after', () => {
    const s = twoMembers('validate-ok')
    const bob = s.bob.record(ALICE, GROUP)
    const msg = send(s, 'hello')
    assert.equal(check(s, bob, msg), 'ok')
    assert.equal(check(s, bob, msg), 'ok') // checking twice consumes nothing
    assert.deepEqual(
      decryptWithRecord(s.ctx.crypto, bob, decodeSenderKeyMessage(msg)),
      utf8('hello'),
    )
  })

  void it('says badSignature when a signature or content byte is flipped', () => {
    const s = twoMembers('validate-sig')
    const bob = s.bob.record(ALICE, GROUP)
    const msg = send(s, 'hello')
    // The signature is the last field: its last byte is the message's last byte.
    assert.equal(check(s, bob, flipBit(msg, msg.length * 8 - 1)), 'badSignature')
    const fields = decodeSenderKeyMessage(msg)
    const at = msg.length - fields.signature.length - 3 // inside the ciphertext
    assert.equal(check(s, bob, flipBit(msg, at * 8)), 'badSignature')
  })

  void it('says replay for a message already decrypted, ok for a skipped one', () => {
    const s = twoMembers('validate-replay')
    const bob = s.bob.record(ALICE, GROUP)
    const first = send(s, 'one')
    const second = send(s, 'two')
    decryptWithRecord(s.ctx.crypto, bob, decodeSenderKeyMessage(second))
    assert.equal(check(s, bob, second), 'replay')
    assert.equal(check(s, bob, first), 'ok') // skipped: its key is kept
    decryptWithRecord(s.ctx.crypto, bob, decodeSenderKeyMessage(first))
    assert.equal(check(s, bob, first), 'replay')
  })

  void it('says oldKey for the chain of a rotated key, ok for the new one', () => {
    const s = twoMembers('validate-old')
    const old = send(s, 'before')
    const d = rotateSenderKey(s.ctx, s.alice, ALICE, GROUP)
    processSenderKeyDistribution(s.ctx, s.bob, ALICE, d)
    const bob = s.bob.record(ALICE, GROUP)
    assert.equal(bob.size, 2)
    assert.equal(check(s, bob, old), 'oldKey')
    assert.equal(check(s, bob, send(s, 'after')), 'ok')
    // Sync may still decrypt the old one (design §4): the state is kept.
    assert.deepEqual(
      decryptWithRecord(s.ctx.crypto, bob, decodeSenderKeyMessage(old)),
      utf8('before'),
    )
  })

  void it('says noKey for an unknown chain or an empty record', () => {
    const s = twoMembers('validate-nokey')
    const other = twoMembers('validate-nokey-other')
    const msg = send(other, 'stranger')
    assert.equal(check(s, s.bob.record(ALICE, GROUP), msg), 'noKey')
    assert.equal(check(s, SenderKeyRecord.empty(), msg), 'noKey')
  })

  void it('says malformed for bytes that do not decode, and at MAX_SENDER_KEY_MESSAGE_BYTES + 1', () => {
    const s = twoMembers('validate-malformed')
    const bob = s.bob.record(ALICE, GROUP)
    const msg = send(s, 'x')
    assert.equal(check(s, bob, new Uint8Array(0)), 'malformed')
    assert.equal(check(s, bob, msg.subarray(0, msg.length - 1)), 'malformed')
    assert.equal(check(s, bob, growTo(msg, MAX_SENDER_KEY_MESSAGE_BYTES + 1)), 'malformed')
  })

  void it('gives a verdict for any bit flip, never a throw, never ok (fast-check, numRuns 300)', () => {
    const s = twoMembers('validate-flip')
    const bob = s.bob.record(ALICE, GROUP)
    const msg = send(s, 'flip me')
    fc.assert(
      fc.property(fc.nat(msg.length * 8 - 1), (bit) => {
        assert.notEqual(check(s, bob, flipBit(msg, bit)), 'ok')
      }),
      { numRuns: 300 },
    )
  })
})

void describe('peekSenderKeyMessage', () => {
  void it('returns the routing fields; typed errors for junk and MAX + 1', () => {
    const s = twoMembers('validate-peek')
    const bob = s.bob.record(ALICE, GROUP)
    const msg = send(s, 'x')
    const peek = peekSenderKeyMessage(msg)
    assert.deepEqual(peek, { distributionId: GROUP, chainId: bob.chainIds[0], iteration: 0 })
    assert.throws(() => peekSenderKeyMessage(Uint8Array.of(1, 2, 3)), MalformedMessageError)
    const big = growTo(msg, MAX_SENDER_KEY_MESSAGE_BYTES + 1)
    assert.throws(() => peekSenderKeyMessage(big), MessageTooLargeError)
  })
})
