// Keeps watched peers (contacts) connected, and forgets peers not seen for a long time.
// This module owns the watch list (peer → candidate addresses with failure counts), and the redial
// schedule; the stale-peer sweep of the peer store is ./stale-peers.ts. It knows nothing of protocols or frames.
//
//  - Redial: a watched peer that is not connected is dialled address by address, in this order:
//    fewest failed dials first (an address that failed is tried after those that did not), then
//    the address policy's rank (./addr-policy.ts: same LAN, public, relayed, WebRTC, other LAN),
//    then TCP first. Addresses the policy forbids (our own, a peer's loopback unless we are
//    loopback-only, link-local) stay on the list but are not dialled;
//    after a round where none worked, the next round waits dialDelay(attempt): exponential
//    backoff with full jitter, uniform in [0, min(MAX_DIAL_DELAY_MS, BASE_DIAL_DELAY_MS·2^n))
//    (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015: "Full Jitter"). Any
//    connection to the peer, ours or theirs, resets the attempt count; a disconnect schedules
//    a redial at attempt 0. With no dialable address left, the peer is dialled by PeerId (peer
//    store, then the DHT; libp2p applies the same policy there: its gater and address sorter).
//  - Pruning: an address that failed MAX_ADDR_FAILURES dials in a row leaves the watch list
//    (a later watch() or discovery can bring it back).
//  - Discovery (mDNS, DHT) of a watched peer adds its addresses and dials at once (a round in
//    progress, e.g. stuck in a DHT lookup, is aborted and restarted with them).
//  - Lookup: when a round's addresses all failed, the peer is looked up (setLookup: the node
//    passes its signed-card DHT lookup and peer routing, src/node/card/routing.ts) at most once per
//    DHT_LOOKUP_MIN_INTERVAL_MS per peer, and the addresses it finds that were not on the watch
//    list are dialled in the same round. A contact whose address changed is found again this
//    way; the backoff still bounds how often rounds (and so lookups) happen.
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
import { dialAttemptSignal } from '../libp2p/patches.js'
import { BASE_DIAL_DELAY_MS, dialDelay, MAX_DIAL_DELAY_MS } from './backoff.js'
import { StalePeers, STALE_PEER_MS, STALE_SWEEP_INTERVAL_MS } from './stale-peers.js'

const log = debug('kith:node:dialer')

/** Bound of one dial attempt: one address, or a PeerId looked up in the peer store and the
 *  DHT. libp2p's own dialTimeout (10 s) does not apply once a caller passes an AbortSignal
 *  (../libp2p/patches.ts dialTimeoutWithSignal). */
export const DIAL_ATTEMPT_TIMEOUT_MS = 10_000
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

/** Finds current addresses of a peer (DHT); resolves [] when it finds none. */
export type AddrLookup = (peerId: PeerId, options: AbortOptions) => Promise<Multiaddr[]>

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

/** A watched peer as the dialer sees it (diagnostics and tests). */
export interface WatchState {
  addrs: string[]
  /** Failed rounds since the last connection. */
  attempt: number
  /** Dial attempts (addresses tried) since watched. */
  dials: number
  dialing: boolean
  /** When the next round is due (ms since epoch), if one is scheduled. */
  nextDialAt: number | undefined
  /** DHT lookups since watched. */
  lookups: number
}

interface Candidate {
  ma: Multiaddr
  failures: number
}

interface Watched {
  peerId: PeerId
  addrs: Map<string, Candidate>
  attempt: number
  dials: number
  dialing: boolean
  again: boolean
  /** Aborts the round in progress (a discovery brought better addresses). */
  round: AbortController | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  nextDialAt: number | undefined
  lookups: number
  lastLookupAt: number | undefined
}

function isTcp(ma: Multiaddr): boolean {
  const names = ma.getComponents().map((c) => c.name)
  return (
    names.includes('tcp') && !names.some((n) => n === 'ws' || n === 'wss' || n === 'p2p-circuit')
  )
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
      w = {
        peerId,
        addrs: new Map(),
        attempt: 0,
        dials: 0,
        dialing: false,
        again: false,
        round: undefined,
        timer: undefined,
        nextDialAt: undefined,
        lookups: 0,
        lastLookupAt: undefined,
      }
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
    return {
      addrs: [...w.addrs.keys()],
      attempt: w.attempt,
      dials: w.dials,
      dialing: w.dialing,
      nextDialAt: w.nextDialAt,
      lookups: w.lookups,
    }
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
      const last = ma.getComponents().at(-1)
      if (last?.name === 'p2p' && last.value !== key) continue
      const bare = last?.name === 'p2p' ? ma.decapsulateCode(last.code) : ma
      w.addrs.set(bare.toString(), { ma: bare, failures: 0 })
    }
  }

  #connected(peerId: PeerId): boolean {
    return this.#c.connectionManager.getConnections(peerId).some((c) => c.status === 'open')
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
      ok = await this.#tryAddrs(w, w.round.signal)
      if (!ok && !w.again && !w.round.signal.aborted && !this.#connected(w.peerId)) {
        const found = await this.#lookupAddrs(w, w.round.signal)
        if (found.size > 0) ok = await this.#tryAddrs(w, w.round.signal, found)
      }
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

  /**
   * Looks w up (at most once per lookupMinIntervalMs) and adds the addresses not yet on its
   * watch list; returns their keys. A failed or empty lookup returns an empty set.
   */
  async #lookupAddrs(w: Watched, round: AbortSignal): Promise<Set<string>> {
    const added = new Set<string>()
    const lookup = this.#lookup
    const now = this.#now()
    if (lookup == null) return added
    if (w.lastLookupAt != null && now - w.lastLookupAt < this.#lookupMinIntervalMs) return added
    w.lastLookupAt = now
    w.lookups++
    const key = w.peerId.toString()
    let found: Multiaddr[]
    try {
      found = await lookup(w.peerId, { signal: AbortSignal.any([this.#abort.signal, round]) })
    } catch (err) {
      log('lookup of %s failed: %s', key, err instanceof Error ? err.name : String(err))
      return added
    }
    if (this.#watched.get(key) !== w) return added
    for (const ma of found) {
      const last = ma.getComponents().at(-1)
      if (last?.name === 'p2p' && last.value !== key) continue
      const bare = last?.name === 'p2p' ? ma.decapsulateCode(last.code) : ma
      const addrKey = bare.toString()
      if (w.addrs.has(addrKey)) continue
      w.addrs.set(addrKey, { ma: bare, failures: 0 })
      added.add(addrKey)
    }
    log('lookup of %s: %d address(es), %d new', key, found.length, added.size)
    return added
  }

  /** Dials w's candidates (only those in `only`, if given) until one connects. */
  async #tryAddrs(w: Watched, round: AbortSignal, only?: ReadonlySet<string>): Promise<boolean> {
    const key = w.peerId.toString()
    const cancelled = AbortSignal.any([this.#abort.signal, round])
    const attempt = (): { signal: AbortSignal } => ({
      signal: dialAttemptSignal(cancelled, DIAL_ATTEMPT_TIMEOUT_MS),
    })
    // /webrtc addresses are the hole puncher's alone (libp2p's dial queue refuses them:
    // holepunch.ts gatedWebRTC); dialling one here only fails with NoValidAddressesError.
    const candidates = [...w.addrs.entries()]
      .filter(
        ([addrKey, c]) =>
          (only == null || only.has(addrKey)) &&
          this.#policy.dialable(c.ma) &&
          !c.ma.getComponents().some((p) => p.name === 'webrtc'),
      )
      .map(([addrKey, c]) => ({ addrKey, cand: c, rank: this.#policy.rank(c.ma) }))
      .sort(
        (a, b) =>
          a.cand.failures - b.cand.failures ||
          a.rank - b.rank ||
          Number(isTcp(b.cand.ma)) - Number(isTcp(a.cand.ma)),
      )
    if (candidates.length === 0) {
      if (only != null) return false
      w.dials++
      try {
        await this.#c.connectionManager.openConnection(w.peerId, attempt())
        return true
      } catch {
        return false
      }
    }
    for (const { addrKey, cand } of candidates) {
      if (cancelled.aborted || this.#watched.get(key) !== w) return false
      if (this.#connected(w.peerId)) return true
      w.dials++
      try {
        await this.#c.connectionManager.openConnection(
          cand.ma.encapsulate(`/p2p/${key}`),
          attempt(),
        )
        cand.failures = 0
        return true
      } catch (err) {
        if (cancelled.aborted) return false
        // Refused before any socket because the host is offline (offline-gate.ts): not the
        // address's fault, so it is not pruned; the reconnect round redials when the network is back.
        if (err instanceof Error && err.name === 'DialDeniedError') return false
        cand.failures++
        log(
          'dial %s at %s failed (%d): %s',
          key,
          addrKey,
          cand.failures,
          err instanceof Error ? err.name : '',
        )
        if (cand.failures >= this.#maxFailures && w.addrs.get(addrKey) === cand) {
          log('pruning %s from the watch list of %s', addrKey, key)
          w.addrs.delete(addrKey)
        }
      }
    }
    return false
  }
}

/** Factory in the js-libp2p service style: `services: { dialer: dialer() }`. */
export function dialer(init: DialerInit = {}): (components: DialerComponents) => Dialer {
  return (components) => new Dialer(components, init)
}
