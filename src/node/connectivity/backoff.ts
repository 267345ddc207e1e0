// Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015,
// "Full Jitter"): the delay function of the dialer's redials (./dialer.ts), and a Backoff with its
// attempt count for diallers that keep their own schedule (../libp2p/random-walk.ts).

/** Upper bound of the first redial delay; it doubles per failed round. */
export const BASE_DIAL_DELAY_MS = 1_000
/** Cap of the redial delay (a contact offline for a day is retried at least every 5 min). */
export const MAX_DIAL_DELAY_MS = 5 * 60_000
/**
 * Full-jitter exponential backoff: a delay uniform in [0, min(maxMs, baseMs·2^attempt)).
 * `random` returns a number in [0, 1).
 */
export function dialDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs = BASE_DIAL_DELAY_MS,
  maxMs = MAX_DIAL_DELAY_MS,
): number {
  if (!Number.isInteger(attempt) || attempt < 0)
    throw new RangeError('attempt must be an integer ≥ 0')
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 52))
  return Math.floor(random() * ceiling)
}

/** Full-jitter exponential backoff (dialDelay) with its attempt count. */
export class Backoff {
  #attempt = 0
  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
    readonly random: () => number = Math.random,
  ) {}

  get attempt(): number {
    return this.#attempt
  }

  /** The next delay: uniform in [0, min(maxMs, baseMs·2^attempt)), then attempt + 1. */
  next(): number {
    return dialDelay(this.#attempt++, this.random, this.baseMs, this.maxMs)
  }

  reset(): void {
    this.#attempt = 0
  }
}
