// Token buckets keyed by PeerId or network group, in a table of bounded size (the least recently
// used entry is dropped). Owns nothing but the arithmetic; the DHT guard (index.ts) decides what
// the keys are and what a refusal means.

export class RateTable {
  readonly #burst: number
  readonly #perMs: number
  readonly #max: number
  /** Map order is recency: an entry is re-inserted on use. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>()

  /** `burst` tokens at most, refilled at `perMinute`; at most `maxEntries` keys. */
  constructor(burst: number, perMinute: number, maxEntries: number) {
    if (!(burst >= 1) || !(perMinute >= 0) || !(maxEntries >= 1)) {
      throw new RangeError('RateTable: burst ≥ 1, perMinute ≥ 0, maxEntries ≥ 1')
    }
    this.#burst = burst
    this.#perMs = perMinute / 60_000
    this.#max = maxEntries
  }

  /** Takes one token for `key` at time `now` (ms); false when its bucket is empty. */
  take(key: string, now: number): boolean {
    const b = this.#buckets.get(key)
    let tokens = this.#burst
    if (b != null) {
      this.#buckets.delete(key)
      tokens = Math.min(this.#burst, b.tokens + Math.max(0, now - b.at) * this.#perMs)
    } else if (this.#buckets.size >= this.#max) {
      const oldest = this.#buckets.keys().next().value
      if (oldest !== undefined) this.#buckets.delete(oldest)
    }
    const ok = tokens >= 1
    this.#buckets.set(key, { tokens: ok ? tokens - 1 : tokens, at: now })
    return ok
  }

  get size(): number {
    return this.#buckets.size
  }
}
