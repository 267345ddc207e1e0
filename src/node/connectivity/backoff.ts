// Full-jitter exponential backoff with its attempt count, for diallers that keep their own
// schedule (../libp2p/random-walk.ts). The delay function is the dialer's (dialer.ts dialDelay: AWS
// Architecture Blog, "Exponential Backoff And Jitter", 2015, "Full Jitter").
import { dialDelay } from './dialer.js'

/** Full-jitter exponential backoff (dialer.ts dialDelay) with its attempt count. */
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
