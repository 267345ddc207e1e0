// Deterministic core contexts for tests and vectors: a seeded rng (SHA-256 in counter mode over
// the seed) and a fixed clock, with either crypto provider.
import { createHash } from 'node:crypto'
import type { CoreContext, CryptoProvider, Rng } from '../../src/core/crypto/provider.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'

export function seededRng(seed: string): Rng {
  let counter = 0
  let pool = new Uint8Array(0)
  return (n: number) => {
    while (pool.length < n) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest()
      const next = new Uint8Array(pool.length + block.length)
      next.set(pool)
      next.set(block, pool.length)
      pool = next
    }
    const out = pool.slice(0, n)
    pool = pool.slice(n)
    return out
  }
}

export function testContext(
  seed: string,
  crypto: CryptoProvider = nodeCrypto,
  now = 1_750_000_000_000,
): CoreContext {
  return { crypto, rng: seededRng(seed), clock: () => now }
}
