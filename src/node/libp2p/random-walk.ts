// A paced random walk in place of libp2p's `randomWalk` component, for the two services that
// use it: the circuit relay transport's relay discovery (while it holds fewer reservations than
// RELAY_RESERVATION_CONCURRENCY) and AutoNAT (while an address is unverified). This module owns
// the pacing of walks; it knows nothing of relays, AutoNAT or the DHT behind peerRouting.
//
// Workaround (libp2p 3.3.11 src/random-walk.ts, startWalk()): upstream loops
// `while (walkers > 0)` over peerRouting.getClosestPeers(<random key>) with no pause. Without a
// network every query fails within milliseconds (its dials get ENETUNREACH), so a node that
// wants a relay reservation spins: measured here (issue 12) 425 socket() + connect() per second
// and 40–50 % of a core after the links of its namespace were deleted. The walk came with
// js-libp2p PR #2563; js-libp2p issue #2676 describes the same discovery never letting go when
// no relay can be reached. Here a walker waits between two queries for a full-jitter backoff
// delay (WALK_BASE_DELAY_MS doubling to WALK_MAX_DELAY_MS), reset and woken at once by
// reset() (../connectivity/connectivity.ts: network back, woke up). Each walker paces itself; a failed query is
// logged and retried after the pause instead of ending the consumer's walk (upstream throws
// `walk:error` into relay discovery, which then stops for good: #2676). Listed in ./patches.ts
// (randomWalkSpin), whose canary tells when upstream changes.
import debug from 'debug'
import { Backoff } from '../connectivity/backoff.js'
import type { AbortOptions, PeerInfo } from '@libp2p/interface'

const log = debug('kith:node:random-walk')

/** Upper bound of the pause after a walk's first query; it doubles per query. A walk that
 *  found what its consumer wanted is ended by the consumer well before the pauses grow. */
export const WALK_BASE_DELAY_MS = 1_000
/** Cap of the pause between two queries of one walk: 5 min, as the dialer's redial cap. */
export const WALK_MAX_DELAY_MS = 5 * 60_000

export interface WalkComponents {
  peerRouting: {
    getClosestPeers(key: Uint8Array, options?: AbortOptions): AsyncIterable<PeerInfo>
  }
}

export interface PacedWalkInit {
  baseDelayMs?: number
  maxDelayMs?: number
  random?: () => number
}

export class PacedRandomWalk {
  readonly #base: number
  readonly #max: number
  readonly #random: () => number
  readonly #walkers = new Set<{ backoff: Backoff; wake: () => void }>()
  #routing: WalkComponents['peerRouting'] | undefined
  #queries = 0

  constructor(init: PacedWalkInit = {}) {
    this.#base = init.baseDelayMs ?? WALK_BASE_DELAY_MS
    this.#max = init.maxDelayMs ?? WALK_MAX_DELAY_MS
    this.#random = init.random ?? Math.random
  }

  readonly [Symbol.toStringTag] = 'kith:random-walk'

  /** Uses this node's peer routing (the first components given win). */
  bind(components: WalkComponents): void {
    this.#routing ??= components.peerRouting
  }

  /** getClosestPeers queries started so far (tests, diagnostics). */
  get queries(): number {
    return this.#queries
  }

  /** The network came back or the node woke up: every walker queries again at once. */
  reset(): void {
    for (const w of this.#walkers) {
      w.backoff.reset()
      w.wake()
    }
  }

  /** Random peers, as libp2p's RandomWalk.walk(): until the consumer stops or its signal aborts. */
  async *walk(options: AbortOptions = {}): AsyncGenerator<PeerInfo> {
    const routing = this.#routing
    if (routing == null) throw new Error('PacedRandomWalk used before bind()')
    const signal = options.signal
    const aborted = (): boolean => signal?.aborted === true
    const walker = { backoff: new Backoff(this.#base, this.#max, this.#random), wake: () => {} }
    this.#walkers.add(walker)
    try {
      while (!aborted()) {
        const key = crypto.getRandomValues(new Uint8Array(32))
        this.#queries++
        try {
          for await (const peer of routing.getClosestPeers(key, { signal })) yield peer
        } catch (err) {
          if (aborted()) return
          log('walk query failed: %s', err instanceof Error ? err.name : String(err))
        }
        await this.#pause(walker, walker.backoff.next(), signal)
      }
    } finally {
      this.#walkers.delete(walker)
    }
  }

  #pause(walker: { wake: () => void }, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        walker.wake = () => {}
        resolve()
      }
      const timer = setTimeout(done, ms)
      timer.unref()
      walker.wake = done
      signal?.addEventListener('abort', done, { once: true })
    })
  }
}

/**
 * Wraps a transport or service factory so that the service sees `walk` as its `randomWalk`
 * component (and nothing else changes). Every wrapped factory of one node shares `walk`.
 */
export function withPacedWalk<C extends object, T>(
  factory: (components: C) => T,
  walk: PacedRandomWalk,
): (components: C) => T {
  return (components) => {
    walk.bind(components as unknown as WalkComponents)
    const wrapped = new Proxy(components, {
      get(target, key, receiver) {
        if (key === 'randomWalk') return walk
        return Reflect.get(target, key, receiver) as unknown
      },
    })
    return factory(wrapped)
  }
}
