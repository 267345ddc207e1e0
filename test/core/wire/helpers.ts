// Shared fixtures for the wire and contact-card tests: well-shaped messages filled with random
// bytes (the codecs check shapes, not keys), a way to grow an encoding to an exact size with an
// unknown field, and the "typed error or success, never a crash" assertion.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { KithError, MessageTooLargeError } from '../../../src/core/errors.js'
import {
  MLKEM768_CIPHERTEXT_BYTES,
  MLKEM768_PUBLIC_KEY_BYTES,
  RATCHET_HEADER_BYTES,
  type DecodedPrekeyBundle,
} from '../../../src/core/wire/codec.js'
import type * as pb from '../../../src/core/wire/pb/wire.js'

type B = Uint8Array<ArrayBuffer>

export const rand = (n: number): B => new Uint8Array(randomBytes(n))

/** Random bytes shaped as a canonical X25519 public key (bit 255 clear: RFC 7748 §5). */
export function randX25519(): B {
  const k = rand(32)
  k[31]! &= 0x7f
  return k
}

/** A bundle of the right shape for `identityKey`; optional parts included unless `minimal`. */
export function bundleFor(identityKey: Uint8Array, minimal = false): DecodedPrekeyBundle {
  const bundle: DecodedPrekeyBundle = {
    identityKey: identityKey as B,
    signedPrekey: { id: 7, publicKey: randX25519(), signature: rand(64) },
    kemPrekey: {
      id: 8,
      publicKey: rand(MLKEM768_PUBLIC_KEY_BYTES),
      signature: rand(64),
      lastResort: true,
    },
  }
  if (!minimal) {
    bundle.oneTimePrekey = { id: 9, publicKey: randX25519() }
    bundle.oneTimeKemPrekey = {
      id: 10,
      publicKey: rand(MLKEM768_PUBLIC_KEY_BYTES),
      signature: rand(64),
      lastResort: false,
    }
  }
  return bundle
}

export function ratchetMessage(ciphertextBytes = 256 + 16): pb.RatchetMessage {
  return { header: rand(RATCHET_HEADER_BYTES), ciphertext: rand(ciphertextBytes) }
}

export function prekeyMessage(oneTimePrekeyId?: number): pb.PrekeyMessage {
  return {
    identityKey: rand(32),
    ephemeralKey: randX25519(),
    signedPrekeyId: 1,
    kemPrekeyId: 2,
    kemCiphertext: rand(MLKEM768_CIPHERTEXT_BYTES),
    ...(oneTimePrekeyId === undefined ? {} : { oneTimePrekeyId }),
    message: ratchetMessage(),
  }
}

function varint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}

/**
 * `encoded` followed by an unknown length-delimited field (number 15, unused by every Kith
 * message), exactly `size` bytes in all: bytes of a given length for the MAX+1 tests.
 */
export function growTo(encoded: Uint8Array, size: number): Uint8Array {
  const tag = (15 << 3) | 2
  for (let lenBytes = 1; lenBytes <= 5; lenBytes++) {
    const fill = size - encoded.length - 1 - lenBytes
    if (fill >= 0 && varint(fill).length === lenBytes) {
      const out = new Uint8Array(size)
      out.set(encoded)
      out.set([tag, ...varint(fill)], encoded.length)
      return out
    }
  }
  throw new Error(`cannot grow ${encoded.length} bytes to ${size}`)
}

/** `build(n)` for the n that makes it exactly `size` bytes (n is a variable field length). */
export function exactly(size: number, build: (n: number) => Uint8Array): Uint8Array {
  const start = size - build(0).length
  for (let n = start; n >= 0 && n > start - 12; n--) {
    const bytes = build(n)
    if (bytes.length === size) return bytes
  }
  throw new Error(`no field length gives exactly ${size} bytes`)
}

/**
 * A decoder's size limit: `atMax` (exactly `max` bytes, canonical) is not refused for its size
 * (it decodes when `valid`, else fails for another reason), and max + 1 bytes are.
 */
export function atLimit(
  decode: (b: Uint8Array) => unknown,
  atMax: Uint8Array,
  max: number,
  valid: boolean,
): void {
  assert.equal(atMax.length, max)
  if (valid) decode(atMax)
  else {
    assert.throws(
      () => decode(atMax),
      (err: unknown) => err instanceof KithError && !MessageTooLargeError.is(err),
    )
  }
  assert.throws(() => decode(growTo(atMax.subarray(0, max - 8), max + 1)), MessageTooLargeError)
}

/** Runs `f`: it may succeed, or throw a Kith error; any other throw is a crash. */
export function typedOrOk(f: () => unknown): void {
  try {
    f()
  } catch (err) {
    assert.ok(err instanceof KithError, `untyped error: ${String(err)}`)
  }
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[bit >>> 3]! ^= 1 << (bit & 7)
  return out
}
