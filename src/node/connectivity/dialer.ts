// Keeps watched peers (contacts) connected, and forgets peers not seen for a long time.
// This module owns the watch list and the redial schedule; one round of one peer (dial order,
// pruning, lookup) is ./dial-round.ts, the stale-peer sweep of the peer store ./stale-peers.ts.
// It knows nothing of protocols or frames.
//
//  - Schedule: after a round where no address worked, the next round waits dialDelay(attempt):
//    exponential backoff with full jitter, uniform in [0, min(MAX_DIAL_DELAY_MS,
//    BASE_DIAL_DELAY_MS·2^n)) (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015:
//    "Full Jitter"). Any connection to the peer, ours or theirs, resets the attempt count; a
//    disconnect schedules a redial at attempt 0.
//  - Discovery (mDNS, DHT) of a watched peer adds its addresses and dials at once (a round in
//    progress, e.g. stuck in a DHT lookup, is aborted and restarted with them).
//  - Lookup: setLookup gives the rounds the node's signed-card DHT lookup and peer routing
//    (src/node/card/routing.ts), at most once per DHT_LOOKUP_MIN_INTERVAL_MS per peer; the
//    backoff still bounds how often rounds (and so lookups) happen.
//  - Stale peers: every STALE_SWEEP_INTERVAL_MS, peers in the peer store that are neither
//    watched nor connected and were last seen (connected or disconnected, else first noticed
//    by a sweep) more than STALE_PEER_MS ago are deleted from the peer store.
// Every timer is unref'd and cleared on stop(); dials in flight are aborted.
import debug from 'debug'
import type {
  AbortOptions,
  Connection,
  Libp2pEvents,
  Peer,
  PeerId,
  PeerInfo,
  Startable,
  TypedEventTarget,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { AddrPolicy } from './addr-policy.js'
import {
  bareAddr,
  dialRound,
  newWatched,
  watchStateOf,
  type AddrLookup,
  type RoundContext,
  type Watched,
  type WatchState,
} from './dial-round.js'
import { BASE_DIAL_DELAY_MS, dialDelay, MAX_DIAL_DELAY_MS } from './backoff.js'
import { StalePeers, STALE_PEER_MS, STALE_SWEEP_INTERVAL_MS } from './stale-peers.js'

const log = debug('kith:node:dialer')

/** Least time between two DHT lookups of one watched peer (each is a DHT get and a FIND_NODE
 *  query, ≈10 requests): with many contacts offline, lookups stay a trickle. */
export const DHT_LOOKUP_MIN_INTERVAL_MS = 30_000
/** Consecutive failed dials after which an address is pruned from the watch list. */
export const MAX_ADDR_FAILURES = 5
export interface DialerComponents {
  peerId: PeerId
  connectionManager: {
    openConnection(peer: PeerId | Multiaddr, options?: AbortOptions): Promise<Connection>
    getConnections(peerId?: PeerId): Connection[]
  }
  peerStore: {
    all(): Promise<Peer[]>
    delete(peerId: PeerId): Promise<void>
  }
  events: TypedEventTarget<Libp2pEvents>
}

export interface DialerInit {
  baseDelayMs?: number
  maxDelayMs?: number
  maxAddrFailures?: number
  stalePeerMs?: number
  sweepIntervalMs?: number
  lookupMinIntervalMs?: number
  /** Which addresses may be dialled and in what order (the node's one AddrPolicy). Default: a
   *  policy that knows no address of ours (every address dialable, ranked by its class). */
  policy?: Pick<AddrPolicy, 'dialable' | 'rank'>
  /** Injected for tests. */
  random?: () => number
  now?: () => number
}

export class Dialer implements Startable {
  readonly #c: DialerComponents
  readonly #base: number
  readonly #max: number
  readonly #maxFailures: number
  readonly #lookupMinIntervalMs: number
  readonly #random: () => number
  readonly #now: () => number
  readonly #policy: Pick<AddrPolicy, 'dialable' | 'rank'>
  readonly #watched = new Map<string, Watched>()
  readonly #stale: StalePeers
  #lookup: AddrLookup | undefined
  #abort = new AbortController()
  #started = false

  constructor(components: DialerComponents, init: DialerInit = {}) {
    this.#c = components
    this.#base = init.baseDelayMs ?? BASE_DIAL_DELAY_MS
    this.#max = init.maxDelayMs ?? MAX_DIAL_DELAY_MS
    this.#maxFailures = init.maxAddrFailures ?? MAX_ADDR_FAILURES
    this.#lookupMinIntervalMs = init.lookupMinIntervalMs ?? DHT_LOOKUP_MIN_INTERVAL_MS
    this.#random = init.random ?? Math.random
    this.#now = init.now ?? Date.now
    this.#policy = init.policy ?? new AddrPolicy()
    this.#stale = new StalePeers(components, {
      stalePeerMs: init.stalePeerMs ?? STALE_PEER_MS,
      sweepIntervalMs: init.sweepIntervalMs ?? STALE_SWEEP_INTERVAL_MS,
      now: this.#now,
      kept: (peer) => this.#watched.has(peer.toString()) || this.#connected(peer),
    })
  }

  readonly [Symbol.toStringTag] = 'kith:dialer'

  isStarted(): boolean {
    return this.#started
  }

  start(): void {
    if (this.#started) return
    this.#started = true
    this.#abort = new AbortController()
    this.#c.events.addEventListener('peer:connect', this.#onConnect)
    this.#c.events.addEventListener('peer:disconnect', this.#onDisconnect)
    this.#c.events.addEventListener('peer:discovery', this.#onDiscovery)
    this.#stale.start()
    for (const w of this.#watched.values()) this.#dialSoon(w, 0)
  }

  stop(): void {
    if (!this.#started) return
    this.#started = false
    this.#abort.abort()
    this.#stale.stop()
    this.#c.events.removeEventListener('peer:connect', this.#onConnect)
    this.#c.events.removeEventListener('peer:disconnect', this.#onDisconnect)
    this.#c.events.removeEventListener('peer:discovery', this.#onDiscovery)
    for (const w of this.#watched.values()) this.#clearTimer(w)
  }

  /** Sets how a peer whose addresses all failed is looked up (undefined: no lookups). */
  setLookup(lookup: AddrLookup | undefined): void {
    this.#lookup = lookup
  }

  /** Watches `peerId` with these candidate addresses (merged; re-given ones get a clean slate). */
  watch(peerId: PeerId, addrs: readonly Multiaddr[]): void {
    const key = peerId.toString()
    let w = this.#watched.get(key)
    if (w == null) {
      w = newWatched(peerId)
      this.#watched.set(key, w)
    }
    this.#addAddrs(w, addrs)
    if (this.#started) this.#dialSoon(w, 0)
  }

  unwatch(peerId: PeerId): void {
    const key = peerId.toString()
    const w = this.#watched.get(key)
    if (w == null) return
    this.#clearTimer(w)
    this.#watched.delete(key)
  }

  /** The network is back or the node woke up (connectivity.ts): every watched peer that is not
   *  connected, and not being dialled, is dialled now with its backoff reset. */
  redialAll(): void {
    for (const w of this.#watched.values()) {
      if (w.dialing || this.#connected(w.peerId)) continue
      w.attempt = 0
      this.#dialSoon(w, 0)
    }
  }

  watchState(peer: string): WatchState | undefined {
    const w = this.#watched.get(peer)
    if (w == null) return undefined
    return watchStateOf(w)
  }

  /** Deletes stale peers from the peer store (see the header). Returns how many. */
  sweepStalePeers(): Promise<number> {
    return this.#stale.sweep()
  }

  readonly #onConnect = (evt: CustomEvent<PeerId>): void => {
    const key = evt.detail.toString()
    this.#stale.seen(key)
    const w = this.#watched.get(key)
    if (w == null) return
    this.#clearTimer(w)
    w.attempt = 0
  }

  readonly #onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const key = evt.detail.toString()
    this.#stale.seen(key)
    const w = this.#watched.get(key)
    if (w == null || this.#connected(w.peerId)) return
    log('watched peer %s disconnected', key)
    this.#dialSoon(w, dialDelay(0, this.#random, this.#base, this.#max))
  }

  readonly #onDiscovery = (evt: CustomEvent<PeerInfo>): void => {
    const w = this.#watched.get(evt.detail.id.toString())
    if (w == null) return
    this.#addAddrs(w, evt.detail.multiaddrs)
    if (!this.#connected(w.peerId)) {
      log('watched peer %s discovered: dialling now', w.peerId.toString())
      if (w.dialing) w.round?.abort()
      this.#dialSoon(w, 0)
    }
  }

  #addAddrs(w: Watched, addrs: readonly Multiaddr[]): void {
    const key = w.peerId.toString()
    for (const ma of addrs) {
      const bare = bareAddr(ma, key)
      if (bare != null) w.addrs.set(bare.toString(), { ma: bare, failures: 0 })
    }
  }

  #connected(peerId: PeerId): boolean {
    return this.#c.connectionManager.getConnections(peerId).some((c) => c.status === 'open')
  }

  #roundContext(): RoundContext {
    return {
      openConnection: (peer, options) => this.#c.connectionManager.openConnection(peer, options),
      policy: this.#policy,
      maxFailures: this.#maxFailures,
      lookupMinIntervalMs: this.#lookupMinIntervalMs,
      lookup: () => this.#lookup,
      now: this.#now,
      stopped: () => this.#abort.signal,
      current: (w) => this.#watched.get(w.peerId.toString()) === w,
      connected: (peerId) => this.#connected(peerId),
    }
  }

  #clearTimer(w: Watched): void {
    clearTimeout(w.timer)
    w.timer = undefined
    w.nextDialAt = undefined
  }

  /** (Re)schedules w's next round in `delay` ms; during a round, asks for another one. */
  #dialSoon(w: Watched, delay: number): void {
    if (!this.#started) return
    if (w.dialing) {
      if (delay === 0) w.again = true
      return
    }
    this.#clearTimer(w)
    w.nextDialAt = this.#now() + delay
    w.timer = setTimeout(() => {
      w.timer = undefined
      w.nextDialAt = undefined
      void this.#round(w)
    }, delay)
    w.timer.unref()
  }

  async #round(w: Watched): Promise<void> {
    const key = w.peerId.toString()
    if (!this.#started || this.#watched.get(key) !== w || this.#connected(w.peerId)) return
    w.dialing = true
    w.again = false
    w.round = new AbortController()
    let ok = false
    try {
      ok = await dialRound(w, w.round.signal, this.#roundContext())
    } finally {
      w.dialing = false
      w.round = undefined
    }
    if (!this.#started || this.#watched.get(key) !== w) return
    if (ok || this.#connected(w.peerId)) {
      w.attempt = 0
      return
    }
    if (w.again) {
      this.#dialSoon(w, 0)
      return
    }
    const delay = dialDelay(w.attempt, this.#random, this.#base, this.#max)
    w.attempt++
    log('redial %s in %d ms (attempt %d)', key, delay, w.attempt)
    this.#dialSoon(w, delay)
  }
}

/** Factory in the js-libp2p service style: `services: { dialer: dialer() }`. */
export function dialer(init: DialerInit = {}): (components: DialerComponents) => Dialer {
  return (components) => new Dialer(components, init)
}
