// The service's scheduling randomness (src/service/random.ts) comes from the injected rng: the
// same seed gives the same choices, and the values stay in range at the byte extremes.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { randomIndex, unitRandom } from '../../src/service/random.js'
import { nextAttemptDelay, ACK_TIMEOUT_BASE_MS } from '../../src/service/direct/delivery.js'
import { seededRng } from '../helpers/context.js'

const fixed = (byte: number) => (n: number) => new Uint8Array(n).fill(byte)

describe('service randomness from the injected rng', () => {
  it('unitRandom is in [0, 1) at the byte extremes and follows the seed', () => {
    assert.equal(unitRandom(fixed(0)), 0)
    const top = unitRandom(fixed(0xff))
    assert.ok(top < 1 && top > 0.999_999, `0xffffffff maps below 1 (got ${top})`)
    const a = seededRng('kith'),
      b = seededRng('kith')
    const xs = Array.from({ length: 32 }, () => unitRandom(a))
    assert.deepEqual(
      Array.from({ length: 32 }, () => unitRandom(b)),
      xs,
    )
    assert.ok(new Set(xs).size > 30, 'draws differ')
  })

  it('randomIndex stays in [0, n) and reaches both ends', () => {
    assert.equal(randomIndex(fixed(0), 7), 0)
    assert.equal(randomIndex(fixed(0xff), 7), 6)
    const rng = seededRng('members')
    const seen = new Set<number>()
    for (let i = 0; i < 500; i++) {
      const k = randomIndex(rng, 5)
      assert.ok(Number.isInteger(k) && k >= 0 && k < 5)
      seen.add(k)
    }
    assert.equal(seen.size, 5)
  })

  it('the retry jitter spans [base/2, base] with the rng it is given', () => {
    assert.equal(
      nextAttemptDelay(0, () => unitRandom(fixed(0))),
      ACK_TIMEOUT_BASE_MS / 2,
    )
    const hi = nextAttemptDelay(0, () => unitRandom(fixed(0xff)))
    assert.ok(hi <= ACK_TIMEOUT_BASE_MS && hi >= ACK_TIMEOUT_BASE_MS - 1)
  })
})
