// Tampering and junk (src/core/group/cipher.ts, message.ts): any single bit flip of a sender-key
// message, a forged signature, a re-signed bad ciphertext and random bytes are each refused with
// a typed Kith error, and the stored record stays byte-for-byte what it was.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { KithError } from '../../../src/core/errors.js'
import { concat, utf8 } from '../../../src/core/bytes.js'
import {
  decodeSenderKeyMessage,
  decryptWithRecord,
  groupDecrypt,
  groupEncrypt,
} from '../../../src/core/group/index.js'
import { signSenderKeyMessage } from '../../../src/core/group/message.js'
import { ALICE, GROUP, throwsWith, twoMembers } from './helpers.js'

const BIT_FLIP_RUNS = 200
const JUNK_RUNS = 300

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[bit >> 3]! ^= 1 << (bit & 7)
  return out
}

describe('sender keys: tampering', () => {
  it(`refuses every single-bit flip, record unchanged (fast-check, numRuns ${BIT_FLIP_RUNS})`, () => {
    const { ctx, alice, bob } = twoMembers('flip')
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, utf8('the plaintext'))
    const before = bob.bytes(ALICE, GROUP)
    const writes = bob.writes
    fc.assert(
      fc.property(fc.nat({ max: msg.length * 8 - 1 }), (bit) => {
        assert.throws(() => groupDecrypt(ctx, bob, ALICE, flipBit(msg, bit)), KithError)
        assert.deepEqual(bob.bytes(ALICE, GROUP), before)
      }),
      { numRuns: BIT_FLIP_RUNS, seed: 0x5e7d },
    )
    assert.equal(bob.writes, writes, 'nothing was stored')
    // The state is intact: the untouched message still decrypts.
    assert.deepEqual(groupDecrypt(ctx, bob, ALICE, msg), utf8('the plaintext'))
  })

  it('checks every bit of a short message exhaustively', () => {
    const { ctx, alice, bob } = twoMembers('exhaustive')
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, new Uint8Array(0))
    const before = bob.bytes(ALICE, GROUP)
    for (let bit = 0; bit < msg.length * 8; bit++) {
      assert.throws(() => groupDecrypt(ctx, bob, ALICE, flipBit(msg, bit)), KithError, `bit ${bit}`)
    }
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
  })

  it('a non-canonical encoding of a valid message is a MalformedMessageError', () => {
    const { ctx, alice, bob } = twoMembers('canonical')
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, utf8('x'))
    assert.equal(msg[0], 0x0a, 'field 1, length-delimited')
    // The same fields: tag 1 with wire type 3 (the generated decoder ignores wire types) ...
    const wireType = Uint8Array.from(msg)
    wireType[0] = 0x0b
    // ... and with an unknown varint field 15 appended.
    const unknownField = concat(msg, Uint8Array.of(0x78, 0x01))
    for (const variant of [wireType, unknownField]) {
      throwsWith(() => groupDecrypt(ctx, bob, ALICE, variant), 'MalformedMessageError')
    }
    assert.deepEqual(groupDecrypt(ctx, bob, ALICE, msg), utf8('x'))
  })

  it('a flipped signature bit is an InvalidSignatureError', () => {
    const { ctx, alice, bob } = twoMembers('sig')
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, utf8('x'))
    // The signature is the last 64 bytes of the encoding (field 2, written last).
    const before = bob.bytes(ALICE, GROUP)
    throwsWith(
      () => groupDecrypt(ctx, bob, ALICE, flipBit(msg, msg.length * 8 - 1)),
      'InvalidSignatureError',
    )
    throwsWith(
      () => groupDecrypt(ctx, bob, ALICE, flipBit(msg, (msg.length - 64) * 8)),
      'InvalidSignatureError',
    )
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
  })

  it('a validly signed message with a bad ciphertext or relabelled header is a DecryptionError', () => {
    const { ctx, alice, bob } = twoMembers('aead')
    const own = alice.record(ALICE, GROUP).newest()
    assert.ok(own?.signingPrivate)
    const m0 = decodeSenderKeyMessage(groupEncrypt(ctx, alice, ALICE, GROUP, utf8('zero')))
    const m1 = decodeSenderKeyMessage(groupEncrypt(ctx, alice, ALICE, GROUP, utf8('one')))
    const sign = (f: typeof m0) => signSenderKeyMessage(ctx.crypto, own.signingPrivate!, f)
    const badTag = { ...m0, ciphertext: flipBit(m0.ciphertext, m0.ciphertext.length * 8 - 1) }
    // Message 1's ciphertext labelled as iteration 0: the key and the AD differ.
    const relabelled = { ...m1, iteration: 0 }
    const before = bob.bytes(ALICE, GROUP)
    for (const forged of [badTag, relabelled]) {
      throwsWith(() => groupDecrypt(ctx, bob, ALICE, sign(forged)), 'DecryptionError')
      assert.deepEqual(bob.bytes(ALICE, GROUP), before)
    }
    // The pure form leaves the record object unchanged too.
    const record = bob.record(ALICE, GROUP)
    assert.throws(
      () => decryptWithRecord(ctx.crypto, record, decodeSenderKeyMessage(sign(relabelled))),
      { name: 'DecryptionError' },
    )
    assert.deepEqual(record.serialize(), before)
    assert.deepEqual(decryptWithRecord(ctx.crypto, record, m0), utf8('zero'))
    assert.notDeepEqual(record.serialize(), before)
  })

  it(`random bytes are refused with a typed error (fast-check, numRuns ${JUNK_RUNS})`, () => {
    const { ctx, bob } = twoMembers('junk')
    const before = bob.bytes(ALICE, GROUP)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        assert.throws(() => groupDecrypt(ctx, bob, ALICE, junk), KithError)
      }),
      { numRuns: JUNK_RUNS, seed: 0x1badb002 },
    )
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
  })
})
