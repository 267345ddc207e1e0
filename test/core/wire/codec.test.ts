// Wire codecs (src/core/wire/codec.ts): round trips; every decoder at exactly its named limit
// (grown with an unknown field) and at MAX+1; each field-length rule; versions and message
// types; random and mutated bytes give a typed error, never a crash (fast-check).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  MalformedMessageError,
  MessageTooLargeError,
  UnsupportedVersionError,
} from '../../../src/core/errors.js'
import {
  EnvelopeType,
  MAX_RATCHET_CIPHERTEXT_BYTES,
  RATCHET_HEADER_BYTES,
  WIRE_VERSION,
  decodeEnvelope,
  decodePrekeyBundle,
  decodePrekeyMessage,
  decodeRatchetMessage,
  encodeEnvelope,
  encodePrekeyBundle,
  encodePrekeyMessage,
  encodeRatchetMessage,
} from '../../../src/core/wire/codec.js'
import {
  MAX_ENVELOPE_BYTES,
  MAX_PADDED_BYTES,
  MAX_PREKEY_BUNDLE_BYTES,
  MAX_PREKEY_MESSAGE_BYTES,
  MAX_RATCHET_MESSAGE_BYTES,
} from '../../../src/core/wire/limits.js'
import * as pb from '../../../src/core/wire/pb/wire.js'
import {
  atLimit,
  bundleFor,
  exactly,
  flipBit,
  prekeyMessage,
  rand,
  ratchetMessage,
  typedOrOk,
} from './helpers.js'

void describe('Envelope', () => {
  void it('round-trips every message type at WIRE_VERSION 1', () => {
    assert.equal(WIRE_VERSION, 1)
    for (const type of [EnvelopeType.PREKEY, EnvelopeType.RATCHET, EnvelopeType.SENDER_KEY]) {
      const body = rand(100)
      const env = decodeEnvelope(encodeEnvelope(type, body))
      assert.equal(env.type, type)
      assert.deepEqual(env.body, body)
    }
  })

  void it('refuses other versions with UnsupportedVersionError', () => {
    for (const version of [0, 2, 0xffffffff]) {
      const bytes = pb.Envelope.encode({ version, type: EnvelopeType.RATCHET, body: rand(8) })
      assert.throws(() => decodeEnvelope(bytes), UnsupportedVersionError)
    }
  })

  void it('refuses UNSPECIFIED, unknown types and an empty body', () => {
    const unspecified = pb.Envelope.encode({ version: 1, body: rand(8) })
    assert.throws(() => decodeEnvelope(unspecified), MalformedMessageError)
    // version 1, type 7 (unknown), body [0]
    assert.throws(
      () => decodeEnvelope(Uint8Array.of(0x08, 0x01, 0x10, 0x07, 0x1a, 0x01, 0x00)),
      MalformedMessageError,
    )
    const empty = pb.Envelope.encode({ version: 1, type: EnvelopeType.PREKEY })
    assert.throws(() => decodeEnvelope(empty), MalformedMessageError)
    assert.throws(() => encodeEnvelope(EnvelopeType.ENVELOPE_TYPE_UNSPECIFIED, rand(1)), TypeError)
    assert.throws(() => encodeEnvelope(EnvelopeType.RATCHET, new Uint8Array(0)), RangeError)
  })

  void it(`is bounded by MAX_ENVELOPE_BYTES (${MAX_ENVELOPE_BYTES}) on both sides`, () => {
    const atMax = exactly(MAX_ENVELOPE_BYTES, (n) =>
      pb.Envelope.encode({ version: 1, type: EnvelopeType.RATCHET, body: rand(n + 1) }),
    )
    atLimit(decodeEnvelope, atMax, MAX_ENVELOPE_BYTES, true)
    assert.throws(
      () => encodeEnvelope(EnvelopeType.RATCHET, rand(MAX_ENVELOPE_BYTES)),
      MessageTooLargeError,
    )
  })
})

void describe('RatchetMessage', () => {
  void it('round-trips, with RATCHET_HEADER_BYTES = 68', () => {
    assert.equal(RATCHET_HEADER_BYTES, 12 + 40 + 16)
    const m = ratchetMessage()
    assert.deepEqual(decodeRatchetMessage(encodeRatchetMessage(m)), m)
  })

  void it('needs a 68-byte header and a ciphertext of 16 … MAX_PADDED_BYTES + 16 bytes', () => {
    const ok = ratchetMessage()
    for (const header of [rand(67), rand(69), new Uint8Array(0)]) {
      const bytes = pb.RatchetMessage.encode({ ...ok, header })
      assert.throws(() => decodeRatchetMessage(bytes), MalformedMessageError)
      assert.throws(() => encodeRatchetMessage({ ...ok, header }), RangeError)
    }
    assert.equal(MAX_RATCHET_CIPHERTEXT_BYTES, MAX_PADDED_BYTES + 16)
    decodeRatchetMessage(encodeRatchetMessage(ratchetMessage(16)))
    decodeRatchetMessage(encodeRatchetMessage(ratchetMessage(MAX_RATCHET_CIPHERTEXT_BYTES)))
    for (const n of [0, 15, MAX_RATCHET_CIPHERTEXT_BYTES + 1]) {
      const bytes = pb.RatchetMessage.encode({ ...ok, ciphertext: rand(n) })
      assert.throws(() => decodeRatchetMessage(bytes), MalformedMessageError, `n = ${n}`)
    }
  })

  void it(`is bounded by MAX_RATCHET_MESSAGE_BYTES (${MAX_RATCHET_MESSAGE_BYTES})`, () => {
    // The largest valid message is shorter than the limit; at the limit the ciphertext is too long.
    const largest = encodeRatchetMessage(ratchetMessage(MAX_RATCHET_CIPHERTEXT_BYTES))
    assert.ok(largest.length <= MAX_RATCHET_MESSAGE_BYTES)
    const atMax = exactly(MAX_RATCHET_MESSAGE_BYTES, (n) =>
      pb.RatchetMessage.encode({ header: rand(RATCHET_HEADER_BYTES), ciphertext: rand(n) }),
    )
    atLimit(decodeRatchetMessage, atMax, MAX_RATCHET_MESSAGE_BYTES, false)
  })
})

void describe('PrekeyMessage', () => {
  void it('refuses a non-canonical X25519 EK_A (bit 255 set, or u ≥ p): the same DH, another key', () => {
    const ok = prekeyMessage()
    const p = new Uint8Array(32).fill(0xff)
    p[0] = 0xed // 2^255 − 19, little-endian
    p[31] = 0x7f
    const highBit = ok.ephemeralKey.slice()
    highBit[31]! |= 0x80
    const pPlus1 = p.slice()
    pPlus1[0] = 0xee
    for (const ephemeralKey of [highBit, p, pPlus1]) {
      const bytes = pb.PrekeyMessage.encode({ ...ok, ephemeralKey })
      assert.throws(() => decodePrekeyMessage(bytes), MalformedMessageError)
      assert.throws(() => encodePrekeyMessage({ ...ok, ephemeralKey }), TypeError)
    }
    const pMinus1 = p.slice()
    pMinus1[0] = 0xec // the largest canonical u
    decodePrekeyMessage(encodePrekeyMessage({ ...ok, ephemeralKey: pMinus1 }))
  })

  void it('round-trips with and without a one-time prekey id (0 included)', () => {
    for (const id of [undefined, 0, 5, 0xffffffff]) {
      const m = prekeyMessage(id)
      const back = decodePrekeyMessage(encodePrekeyMessage(m))
      assert.deepEqual(back, m)
      assert.equal(back.oneTimePrekeyId, id)
    }
  })

  void it('checks IK 32, EK 32, ML-KEM-768 ciphertext 1088 and the nested ratchet message', () => {
    const ok = prekeyMessage()
    const bad: Partial<pb.PrekeyMessage>[] = [
      { identityKey: rand(33) },
      { ephemeralKey: rand(31) },
      { kemCiphertext: rand(1087) },
      { message: { header: rand(67), ciphertext: rand(300) } },
      { message: { header: rand(68), ciphertext: rand(3) } },
    ]
    for (const change of bad) {
      const m = { ...ok, ...change }
      assert.throws(() => decodePrekeyMessage(pb.PrekeyMessage.encode(m)), MalformedMessageError)
      assert.throws(() => encodePrekeyMessage(m), RangeError)
    }
    const { message: _m, ...noMessage } = ok
    const bytes = pb.PrekeyMessage.encode(noMessage)
    assert.throws(() => decodePrekeyMessage(bytes), MalformedMessageError)
    assert.throws(() => encodePrekeyMessage(noMessage), TypeError)
    assert.throws(() => encodePrekeyMessage({ ...ok, signedPrekeyId: -1 }), TypeError)
  })

  void it(`is bounded by MAX_PREKEY_MESSAGE_BYTES (${MAX_PREKEY_MESSAGE_BYTES})`, () => {
    const m = { ...prekeyMessage(1), message: ratchetMessage(MAX_RATCHET_CIPHERTEXT_BYTES) }
    decodePrekeyMessage(encodePrekeyMessage(m)) // the largest valid one
    const atMax = exactly(MAX_PREKEY_MESSAGE_BYTES, (n) =>
      pb.PrekeyMessage.encode({ ...m, message: { ...m.message, ciphertext: rand(n) } }),
    )
    atLimit(decodePrekeyMessage, atMax, MAX_PREKEY_MESSAGE_BYTES, false)
  })
})

void describe('PrekeyBundle', () => {
  void it('round-trips complete and minimal bundles', () => {
    for (const minimal of [false, true]) {
      const b = bundleFor(rand(32), minimal)
      assert.deepEqual(decodePrekeyBundle(encodePrekeyBundle(b)), b)
    }
  })

  void it('checks every key and signature length and the required prekeys', () => {
    const ok = bundleFor(rand(32))
    const bad: Partial<pb.PrekeyBundle>[] = [
      { identityKey: rand(31) },
      { signedPrekey: { ...ok.signedPrekey, publicKey: rand(33) } },
      { signedPrekey: { ...ok.signedPrekey, signature: rand(63) } },
      { kemPrekey: { ...ok.kemPrekey, publicKey: rand(1183) } },
      { kemPrekey: { ...ok.kemPrekey, signature: rand(65) } },
      { oneTimePrekey: { id: 1, publicKey: rand(0) } },
      { oneTimeKemPrekey: { ...ok.kemPrekey, publicKey: rand(800) } },
    ]
    for (const change of bad) {
      const b = { ...ok, ...change }
      assert.throws(() => decodePrekeyBundle(pb.PrekeyBundle.encode(b)), MalformedMessageError)
      assert.throws(() => encodePrekeyBundle(b), RangeError)
    }
    for (const missing of ['signedPrekey', 'kemPrekey'] as const) {
      const { [missing]: _gone, ...rest } = ok
      assert.throws(() => decodePrekeyBundle(pb.PrekeyBundle.encode(rest)), MalformedMessageError)
    }
  })

  void it(`is bounded by MAX_PREKEY_BUNDLE_BYTES (${MAX_PREKEY_BUNDLE_BYTES})`, () => {
    const b = bundleFor(rand(32))
    assert.ok(encodePrekeyBundle(b).length < MAX_PREKEY_BUNDLE_BYTES) // the largest valid one
    const atMax = exactly(MAX_PREKEY_BUNDLE_BYTES, (n) =>
      pb.PrekeyBundle.encode({ ...b, oneTimeKemPrekey: { ...b.kemPrekey, publicKey: rand(n) } }),
    )
    atLimit(decodePrekeyBundle, atMax, MAX_PREKEY_BUNDLE_BYTES, false)
  })
})

void describe('bad input', () => {
  const decoders: [string, (b: Uint8Array) => unknown, () => Uint8Array][] = [
    ['Envelope', decodeEnvelope, () => encodeEnvelope(EnvelopeType.RATCHET, rand(40))],
    ['RatchetMessage', decodeRatchetMessage, () => encodeRatchetMessage(ratchetMessage())],
    ['PrekeyMessage', decodePrekeyMessage, () => encodePrekeyMessage(prekeyMessage(3))],
    ['PrekeyBundle', decodePrekeyBundle, () => encodePrekeyBundle(bundleFor(rand(32)))],
  ]
  for (const [name, decode, valid] of decoders) {
    void it(`${name}: random bytes give a typed error, never a crash (fast-check, numRuns 500)`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => typedOrOk(() => decode(bytes))),
        { numRuns: 500 },
      )
    })

    void it(`${name}: bit flips and truncations of a valid message (fast-check, numRuns 500)`, () => {
      const bytes = valid()
      fc.assert(
        fc.property(fc.nat(bytes.length * 8 - 1), fc.nat(bytes.length), (bit, cut) => {
          typedOrOk(() => decode(flipBit(bytes, bit)))
          typedOrOk(() => decode(bytes.subarray(0, cut)))
        }),
        { numRuns: 500 },
      )
    })
  }
})
