// /kith/dm framing (src/node/stream/frames.ts) without a network: round trips, the limit exactly and
// at MAX+1, over-long and non-minimal length prefixes, empty frames.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Uint8ArrayList } from 'uint8arraylist'
import { MalformedMessageError, MessageTooLargeError } from '../../src/node/errors.js'
import { streamPair } from '@libp2p/utils'
import { until } from '../helpers/wait.js'
import {
  encodeFrames,
  FrameReader,
  MAX_DM_FRAME_BYTES,
  MAX_DM_LENGTH_PREFIX_BYTES,
  parseLengthPrefix,
  varintLength,
} from '../../src/node/stream/frames.js'
import { MAX_ENVELOPE_BYTES } from '../../src/core/wire/limits.js'
import { leb as lebBytes } from './helpers.js'

function decodeAll(bytes: Uint8Array): Uint8Array[] {
  const buf = new Uint8ArrayList(bytes)
  const out: Uint8Array[] = []
  while (buf.byteLength > 0) {
    const h = parseLengthPrefix(buf, MAX_DM_FRAME_BYTES)
    assert.ok(h != null)
    out.push(buf.slice(h.prefixBytes, h.prefixBytes + h.length))
    buf.consume(h.prefixBytes + h.length)
  }
  return out
}

/** LEB128 of n as plain numbers (deepEqual against a byte array's spread). */
const leb = (n: number): number[] => [...lebBytes(n)]

describe('dm frames', () => {
  it('the frame limit is the envelope limit', () => {
    assert.equal(MAX_DM_FRAME_BYTES, MAX_ENVELOPE_BYTES)
    assert.equal(MAX_DM_LENGTH_PREFIX_BYTES, leb(MAX_DM_FRAME_BYTES).length)
  })

  it('round trips frames of many sizes, including exactly MAX', () => {
    const sizes = [1, 2, 127, 128, 300, 16383, 16384, MAX_DM_FRAME_BYTES]
    const frames = sizes.map((n, i) => new Uint8Array(n).fill(i + 1))
    const encoded = encodeFrames(frames)
    assert.equal(
      encoded.length,
      sizes.reduce((s, n) => s + n + varintLength(n), 0),
    )
    assert.deepEqual(decodeAll(encoded), frames)
  })

  it('encodes lengths as LEB128', () => {
    for (const n of [1, 127, 128, 255, 16384, MAX_DM_FRAME_BYTES]) {
      assert.deepEqual([...encodeFrames([new Uint8Array(n)]).subarray(0, leb(n).length)], leb(n))
    }
  })

  it('refuses to encode a frame of MAX+1 or an empty frame', () => {
    assert.throws(
      () => encodeFrames([new Uint8Array(MAX_DM_FRAME_BYTES + 1)]),
      MessageTooLargeError,
    )
    assert.throws(() => encodeFrames([Uint8Array.of(1), new Uint8Array(0)]), RangeError)
    assert.throws(() => encodeFrames(['x' as unknown as Uint8Array]), TypeError)
  })

  it('a length prefix of MAX+1 is refused before the frame arrives', () => {
    const buf = new Uint8ArrayList(Uint8Array.from(leb(MAX_DM_FRAME_BYTES + 1)))
    assert.throws(() => parseLengthPrefix(buf, MAX_DM_FRAME_BYTES), MessageTooLargeError)
    const ok = new Uint8ArrayList(Uint8Array.from(leb(MAX_DM_FRAME_BYTES)))
    assert.deepEqual(parseLengthPrefix(ok, MAX_DM_FRAME_BYTES), {
      length: MAX_DM_FRAME_BYTES,
      prefixBytes: MAX_DM_LENGTH_PREFIX_BYTES,
    })
  })

  it('a prefix longer than any valid one is refused without waiting for its end', () => {
    const buf = new Uint8ArrayList(new Uint8Array(MAX_DM_LENGTH_PREFIX_BYTES).fill(0x80))
    assert.throws(() => parseLengthPrefix(buf, MAX_DM_FRAME_BYTES), MessageTooLargeError)
    const short = new Uint8ArrayList(new Uint8Array(MAX_DM_LENGTH_PREFIX_BYTES - 1).fill(0x81))
    assert.equal(parseLengthPrefix(short, MAX_DM_FRAME_BYTES), undefined)
  })

  it('empty frames and non-minimal prefixes are malformed', () => {
    assert.throws(
      () => parseLengthPrefix(new Uint8ArrayList(Uint8Array.of(0)), MAX_DM_FRAME_BYTES),
      MalformedMessageError,
    )
    assert.throws(
      () => parseLengthPrefix(new Uint8ArrayList(Uint8Array.of(0x81, 0x00)), MAX_DM_FRAME_BYTES),
      MalformedMessageError,
    )
  })
})

describe('FrameReader', () => {
  it('reads a request that arrived whole, end of stream included, before the reader existed', async () => {
    // A short request under load: the remote wrote it and closed its write side before the
    // protocol handler made its reader. The bytes wait in the stream's read buffer; the end
    // event is gone. The old reader took the stream for ended and returned null ("stream ended
    // without a request": the sync-abuse flake, 2026-12-05).
    const [outbound, inbound] = await streamPair()
    const request = new Uint8Array(300).fill(7)
    outbound.send(encodeFrames([request]))
    await outbound.close()
    await until('the request and its end buffered', () =>
      inbound.remoteWriteStatus !== 'writable' && inbound.readBufferLength > 0 ? true : undefined,
    )
    const reader = new FrameReader(inbound, MAX_DM_FRAME_BYTES, MAX_DM_FRAME_BYTES)
    try {
      assert.deepEqual(await reader.next(), request)
      assert.equal(await reader.next(), null, 'then the clean end')
    } finally {
      reader.dispose()
    }
  })
})
