// Padding (src/core/wire/padding.ts): the bucket table, every bucket boundary (the 0x80 marker
// takes one byte, so n = bucket − 1 is the largest plaintext a bucket holds), the limits at MAX+1,
// malformed padding, and round trips (fast-check).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MalformedMessageError, MessageTooLargeError } from '../../../src/core/errors.js'
import { MAX_PADDED_BYTES, MAX_PLAINTEXT_BYTES } from '../../../src/core/wire/limits.js'
import { PADDING_BUCKETS, pad, paddedLength, unpad } from '../../../src/core/wire/padding.js'
import { typedOrOk } from './helpers.js'

void describe('padding buckets', () => {
  void it('ascend from 256 to MAX_PADDED_BYTES, which holds MAX_PLAINTEXT_BYTES and its marker', () => {
    assert.equal(PADDING_BUCKETS[0], 256)
    assert.equal(PADDING_BUCKETS.at(-1), MAX_PADDED_BYTES)
    for (let i = 1; i < PADDING_BUCKETS.length; i++) {
      assert.ok(PADDING_BUCKETS[i]! > PADDING_BUCKETS[i - 1]!)
    }
    assert.ok(MAX_PADDED_BYTES >= MAX_PLAINTEXT_BYTES + 1)
    assert.ok(Object.isFrozen(PADDING_BUCKETS))
  })

  void it('n = bucket − 1 fills the bucket; n = bucket and bucket + 1 go to the next one', () => {
    for (let i = 0; i < PADDING_BUCKETS.length; i++) {
      const bucket = PADDING_BUCKETS[i]!
      const next = PADDING_BUCKETS[i + 1]
      if (bucket - 1 <= MAX_PLAINTEXT_BYTES) {
        assert.equal(paddedLength(bucket - 1), bucket, `n = ${bucket - 1}`)
        assert.equal(pad(new Uint8Array(bucket - 1)).length, bucket)
      }
      for (const n of [bucket, bucket + 1]) {
        if (n <= MAX_PLAINTEXT_BYTES) {
          assert.equal(paddedLength(n), next, `n = ${n}`)
          assert.equal(pad(new Uint8Array(n)).length, next)
        } else {
          assert.throws(() => paddedLength(n), MessageTooLargeError)
        }
      }
    }
    assert.equal(paddedLength(0), 256)
  })

  void it('pads MAX_PLAINTEXT_BYTES to MAX_PADDED_BYTES and refuses MAX+1', () => {
    assert.equal(pad(new Uint8Array(MAX_PLAINTEXT_BYTES)).length, MAX_PADDED_BYTES)
    assert.throws(() => pad(new Uint8Array(MAX_PLAINTEXT_BYTES + 1)), MessageTooLargeError)
    assert.throws(() => paddedLength(MAX_PLAINTEXT_BYTES + 1), MessageTooLargeError)
    assert.throws(() => paddedLength(-1), RangeError)
    assert.throws(() => paddedLength(1.5), RangeError)
  })
})

void describe('pad / unpad', () => {
  void it('appends 0x80 then zeros (ISO/IEC 7816-4)', () => {
    const p = pad(Uint8Array.of(1, 2, 3))
    assert.deepEqual(p.subarray(0, 4), Uint8Array.of(1, 2, 3, 0x80))
    assert.ok(p.subarray(4).every((b) => b === 0))
    const empty = pad(new Uint8Array(0))
    assert.equal(empty.length, 256)
    assert.equal(empty[0], 0x80)
  })

  void it('round-trips any plaintext, including trailing zeros and 0x80 (fast-check, numRuns 500)', () => {
    const tail = fc.uint8Array({ maxLength: 8 }).map((t) => t.map((b) => (b & 1 ? 0x80 : 0)))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), tail, (body, t) => {
        const plaintext = new Uint8Array([...body, ...t])
        const padded = pad(plaintext)
        assert.ok(PADDING_BUCKETS.includes(padded.length))
        assert.equal(padded.length, paddedLength(plaintext.length))
        assert.deepEqual(unpad(padded), plaintext)
      }),
      { numRuns: 500 },
    )
  })

  void it('round-trips at every bucket edge', () => {
    for (const bucket of PADDING_BUCKETS) {
      for (const n of [bucket - 1, bucket, bucket + 1]) {
        if (n > MAX_PLAINTEXT_BYTES) continue
        const plaintext = new Uint8Array(n).fill(0xff)
        assert.deepEqual(unpad(pad(plaintext)), plaintext)
      }
    }
  })

  void it('unpad returns a copy', () => {
    const padded = pad(Uint8Array.of(9, 9))
    const out = unpad(padded)
    padded.fill(0)
    assert.deepEqual(out, Uint8Array.of(9, 9))
  })

  void it('refuses a missing marker or a non-zero tail', () => {
    assert.throws(() => unpad(new Uint8Array(0)), MalformedMessageError)
    assert.throws(() => unpad(new Uint8Array(256)), MalformedMessageError)
    const bad = pad(Uint8Array.of(1))
    bad[255] = 1
    assert.throws(() => unpad(bad), MalformedMessageError)
    assert.throws(() => unpad(Uint8Array.of(1, 2, 0x7f, 0, 0)), MalformedMessageError)
  })

  void it('refuses MAX_PADDED_BYTES + 1, and a plaintext over MAX_PLAINTEXT_BYTES inside', () => {
    const atMax = pad(new Uint8Array(MAX_PLAINTEXT_BYTES).fill(1))
    assert.equal(atMax.length, MAX_PADDED_BYTES)
    assert.equal(unpad(atMax).length, MAX_PLAINTEXT_BYTES)
    const over = new Uint8Array(MAX_PADDED_BYTES + 1)
    over[0] = 0x80
    assert.throws(() => unpad(over), MessageTooLargeError)
    const tooLongInside = new Uint8Array(MAX_PADDED_BYTES)
    tooLongInside[MAX_PLAINTEXT_BYTES + 1] = 0x80
    assert.throws(() => unpad(tooLongInside), MessageTooLargeError)
  })

  void it('random bytes give a plaintext or a typed error, never a crash (fast-check, numRuns 500)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (bytes) => typedOrOk(() => unpad(bytes))),
      { numRuns: 500 },
    )
  })
})
