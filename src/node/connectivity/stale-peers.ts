// The stale-peer sweep of the peer store (./dialer.ts "Stale peers"): every
// STALE_SWEEP_INTERVAL_MS, peers that are neither kept (watched or connected: the dialer says) nor
// ourselves and were last seen (connected or disconnected, else first noticed by a sweep) more than
// STALE_PEER_MS ago are deleted. It owns the last-seen times and knows nothing of why a peer is kept.
import debug from 'debug'
import type { Peer, PeerId } from '@libp2p/interface'

const log = debug('kith:node:dialer')

/** A peer not seen for this long (and neither watched nor connected) is dropped from the peer
 *  store. Matches libp2p's own address expiry (peer-store MAX_ADDRESS_AGE, 1 h): by then its
 *  addresses are forgotten anyway. */
export const STALE_PEER_MS = 60 * 60_000
/** How often the stale-peer sweep runs. */
export const STALE_SWEEP_INTERVAL_MS = 10 * 60_000

export interface StalePeersComponents {
  peerId: PeerId
  peerStore: {
    all(): Promise<Peer[]>
    delete(peerId: PeerId): Promise<void>
  }
}

export interface StalePeersOptions {
  stalePeerMs: number
  sweepIntervalMs: number
  now: () => number
  /** Peers never swept (watched or connected). */
  kept: (peer: PeerId) => boolean
}

export class StalePeers {
  readonly #c: StalePeersComponents
  readonly #o: StalePeersOptions
  readonly #lastSeen = new Map<string, number>()
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(components: StalePeersComponents, options: StalePeersOptions) {
    this.#c = components
    this.#o = options
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.sweep().catch((err: unknown) => {
        log('stale peer sweep failed: %s', err instanceof Error ? err.name : String(err))
      })
    }, this.#o.sweepIntervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** `peer` connected or disconnected now. */
  seen(peer: string): void {
    this.#lastSeen.set(peer, this.#o.now())
  }

  /** Deletes stale peers from the peer store. Returns how many. */
  async sweep(): Promise<number> {
    const now = this.#o.now()
    const self = this.#c.peerId.toString()
    const inStore = new Set<string>()
    let dropped = 0
    for (const peer of await this.#c.peerStore.all()) {
      const key = peer.id.toString()
      inStore.add(key)
      if (key === self || this.#o.kept(peer.id)) {
        this.#lastSeen.set(key, now)
        continue
      }
      const seen = this.#lastSeen.get(key)
      if (seen == null) {
        this.#lastSeen.set(key, now)
      } else if (now - seen > this.#o.stalePeerMs) {
        await this.#c.peerStore.delete(peer.id)
        this.#lastSeen.delete(key)
        dropped++
      }
    }
    for (const key of this.#lastSeen.keys()) if (!inStore.has(key)) this.#lastSeen.delete(key)
    if (dropped > 0) log('dropped %d stale peers from the peer store', dropped)
    return dropped
  }
}
