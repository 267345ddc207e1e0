// Message ids are time-ordered (src/core/wire/message-id.ts, RFC 9562 §5.7's layout): 48 bits of
// milliseconds, then 80 random bits. Properties with fast-check: the prefix is the clock, ids
// made at increasing times sort in that order as bytes and as the hex the stores key by, and the
// random part comes from the injected rng.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { toHex } from '../../../src/core/bytes.js'
import { MESSAGE_ID_BYTES, newMessageId } from '../../../src/core/index.js'
import { nodeRng } from '../../../src/platform/node-crypto.js'

const at = (ms: number, rng = nodeRng) => newMessageId({ clock: () => ms, rng })
const MAX_MS = 2 ** 48 - 1

describe('message ids (time-ordered)', () => {
  it('RFC 9562 §5.7 layout: 2025-01-01T00:00:00.123Z is 01 94 1f 29 7c 7b, then the rng', () => {
    const ms = Date.UTC(2025, 0, 1, 0, 0, 0, 123)
    const id = at(ms, (n) => new Uint8Array(n).fill(0xab))
    assert.equal(id.length, MESSAGE_ID_BYTES)
    assert.equal(toHex(id), ms.toString(16).padStart(12, '0') + 'ab'.repeat(10))
    assert.equal(toHex(id).slice(0, 12), '01941f297c7b')
  })

  it('the prefix is the clock, clamped to 48 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MS }), (ms) => {
        const id = at(ms)
        assert.equal(parseInt(toHex(id).slice(0, 12), 16), ms)
      }),
    )
    assert.equal(toHex(at(-5)).slice(0, 12), '000000000000')
    assert.equal(toHex(at(2 ** 60)).slice(0, 12), 'ffffffffffff')
  })

  it('ids made at increasing times sort in that order, as bytes and as hex', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_MS - 1 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (t, dt) => {
          const a = toHex(at(t))
          const b = toHex(at(Math.min(t + dt, MAX_MS)))
          assert.ok(a < b, `${a} !< ${b}`)
          assert.ok(Buffer.compare(Buffer.from(a, 'hex'), Buffer.from(b, 'hex')) < 0)
        },
      ),
    )
  })

  it('80 random bits: ids of one millisecond differ', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => toHex(at(1_700_000_000_000))))
    assert.equal(ids.size, 10_000)
  })
})
