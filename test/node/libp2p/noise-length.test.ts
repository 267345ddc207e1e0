// The Noise length decoder of patches.ts (cheapNoiseLengthDecoder → noiseLength) against
// upstream's (@libp2p/noise encoder.js uint16BEDecode), each driving @libp2p/utils'
// LengthPrefixedDecoder as a Noise connection does: for any sequence of frames (0 to 1,000
// bytes, lengths across the 2-byte prefix's range) cut into any chunks, both yield the same
// frames in the same order; and the short-buffer error is one object, not one per chunk.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseLength } from '../../../src/node/libp2p/patches.js'

/** noise 17.0.3 encoder.js uint16BEDecode, as installed (the canary checks the installed one). */
function upstreamUint16BEDecode(data: Uint8Array | Uint8ArrayList): number {
  if (data.length < 2) throw RangeError('Could not decode int16BE')
  if (data instanceof Uint8Array) return (data[0]! << 8) + data[1]!
  return data.getUint16(0)
}

function frames(decoder: LengthPrefixedDecoder, chunks: Uint8Array[]): number[][] {
  const out: number[][] = []
  for (const c of chunks) for (const f of decoder.decode(c)) out.push([...f.subarray()])
  return out
}

const decoderWith = (lengthDecoder: (d: Uint8Array | Uint8ArrayList) => number) =>
  new LengthPrefixedDecoder({
    lengthDecoder,
    maxBufferSize: 16 * 1024 * 1024,
    encodingLength: () => 2,
  })

describe('Noise length decoder without an Error per chunk (patches.ts noiseLength)', () => {
  it('yields what upstream yields for any frames cut into any chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 1000 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }),
        (payloads, cuts) => {
          const wire = new Uint8ArrayList()
          for (const p of payloads) wire.append(Uint8Array.of(p.length >> 8, p.length & 255), p)
          const bytes = wire.subarray()
          const chunks: Uint8Array[] = []
          let at = 0
          for (let i = 0; at < bytes.length; i++) {
            const n = cuts[i % cuts.length]!
            chunks.push(bytes.subarray(at, at + n))
            at += n
          }
          const ours = frames(decoderWith(noiseLength), chunks)
          assert.deepEqual(ours, frames(decoderWith(upstreamUint16BEDecode), chunks))
          assert.deepEqual(
            ours,
            payloads.map((p) => [...p]),
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('reads a length from a list across chunks, and throws the same RangeError each time', () => {
    assert.equal(noiseLength(new Uint8ArrayList(Uint8Array.of(1), Uint8Array.of(2))), 258)
    assert.equal(noiseLength(Uint8Array.of(255, 255)), 65_535)
    const errors = [new Uint8Array(0), Uint8Array.of(7), new Uint8ArrayList()].map((d) => {
      try {
        noiseLength(d)
      } catch (err) {
        return err
      }
      return undefined
    })
    assert.ok(errors[0] instanceof RangeError)
    assert.equal(errors[1], errors[0], 'one shared object')
    assert.equal(errors[2], errors[0])
  })
})
