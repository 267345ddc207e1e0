// Randomness for the service's scheduling choices (retry jitter, which member to sync with), drawn
// from the injected CoreContext rng (STYLE.md 2: no Math.random, so tests can seed it). Not for
// keys: the core draws those itself. It owns nothing and knows nothing of what the numbers choose.
import type { Rng } from '../core/index.js'

/** 2^32: four rng bytes read as an unsigned integer, scaled into [0, 1). */
const UINT32_RANGE = 0x1_0000_0000

/** A uniform number in [0, 1) from 32 bits of `rng` (the resolution a timer's jitter needs). */
export function unitRandom(rng: Rng): number {
  const b = rng(4)
  const u = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
  return u / UINT32_RANGE
}

/** A uniform index in [0, n) (n ≥ 1; the bias of scaling 32 bits is below 2^-24 for n < 256). */
export function randomIndex(rng: Rng, n: number): number {
  return Math.floor(unitRandom(rng) * n)
}
