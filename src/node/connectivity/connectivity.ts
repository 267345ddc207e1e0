// The network state of this node (docs/connectivity.md "Network loss and sleep"): is there a
// network at all, did it change, did the process sleep. This module owns that judgement and the
// "reconnect round" it triggers; it knows nothing of contacts, relays or protocols: the node
// registers what a round does (dial the configured relays, redial watched contacts, restart
// random walks) with onReconnect().
//
//  - Online/offline: every NETWORK_POLL_INTERVAL_MS our addresses and routes are read
//    (host-network.ts). The node is `offline` when it has no usable address (not loopback, not
//    link-local) or no route leaves through a non-loopback interface that is up (carrier);
//    else `online`. While offline, offline-gate.ts refuses non-loopback dials and probes the
//    relays every OFFLINE_PROBE_INTERVAL_MS; a connection that opens anyway (routes this module
//    cannot see) makes that network `online`.
//  - Network back: a change of that fingerprint while online (links up, an address or a route
//    added, another Wi-Fi), or the first connection after FIRST_CONNECTION_QUIET_MS with none,
//    starts a round.
//  - Sleep: a poll that comes NETWORK_SLEEP_GAP_MS later than due (wall clock or monotonic: a
//    suspended laptop, SIGSTOP) means the process slept; connections it held are likely dead on
//    the other side, so a round starts at once.
//  - Rounds are at least RECONNECT_ROUND_MIN_INTERVAL_MS apart (a flapping link); one asked for
//    sooner runs when that time is up.
import debug from 'debug'
import { hostNetwork, isLoopback, type NetworkSnapshot } from './host-network.js'
import { invalidateInterfaces } from './interfaces-cache.js'
import { OFFLINE_PROBE_INTERVAL_MS } from './anchors.js'
import type { Libp2pEvents, Startable, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:connectivity')

/** How often interfaces and routes are read. Reading them costs ≈0.1 ms; 2 s keeps "network
 *  back → reconnected" well inside the 10 s goal of issue 12. */
export const NETWORK_POLL_INTERVAL_MS = 2_000
/** A poll this much later than due means the process did not run (sleep, SIGSTOP). A loaded
 *  machine delays timers by well under a second; 10 s leaves room and still wakes a laptop's
 *  node at once. A false alarm only costs one reconnect round. */
export const NETWORK_SLEEP_GAP_MS = 10_000
/** Least time between two reconnect rounds: a flapping link costs at most one round (a few
 *  dials) per 5 s. */
export const RECONNECT_ROUND_MIN_INTERVAL_MS = 5_000
/** A connection that opens after this long without any counts as "network back". Shorter gaps
 *  are churn (a contact reconnecting), and a round resets every contact's redial backoff. */
export const FIRST_CONNECTION_QUIET_MS = 30_000
/** How long after a connection that opened while offline the network is looked at again
 *  before the connection is taken as proof of a network /proc/net does not show: Linux updates
 *  an interface's operstate up to 1 s after its carrier (linkwatch), so 3 s. */
export const PROOF_DELAY_MS = 3_000
/** …and only if that offline-looking network had not changed for this long before: a link that
 *  was just re-created or set up looks offline while its operstate lags (seconds on a loaded
 *  machine), a policy-routed host looks so all the time. */
export const PROOF_STABLE_MS = 10_000

export type NetworkState = 'online' | 'offline'
export type RoundReason = 'network-changed' | 'woke-up' | 'first-connection'

export interface ConnectivityInit {
  pollIntervalMs?: number
  sleepGapMs?: number
  roundMinIntervalMs?: number
  firstConnectionQuietMs?: number
  offlineProbeIntervalMs?: number
  proofDelayMs?: number
  proofStableMs?: number
  /** Injected for tests. */
  snapshot?: () => NetworkSnapshot
  now?: () => number
  monotonic?: () => number
}

export interface ConnectivityComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: { getConnections(): Array<{ remoteAddr: Multiaddr }> }
}

export class Connectivity implements Startable {
  readonly #c: ConnectivityComponents
  readonly #pollMs: number
  readonly #gapMs: number
  readonly #roundMinMs: number
  readonly #quietMs: number
  readonly #probeMs: number
  readonly #probeHandlers = new Set<() => void>()
  #lastProbe = -Infinity
  /** A fingerprint /proc/net called offline although a connection opened (routes elsewhere). */
  #provenFingerprint: string | undefined
  readonly #snapshot: () => NetworkSnapshot
  readonly #now: () => number
  readonly #mono: () => number
  readonly #handlers = new Set<(reason: RoundReason) => void>()
  #state: NetworkState = 'online'
  #everOnline = false
  #since = 0
  #fingerprint = ''
  #lastTick = { wall: 0, mono: 0 }
  #lastRoundAt = -Infinity
  /** Since when no connection is open (monotonic ms); undefined while one is. */
  #emptySince: number | undefined
  #pendingRound: ReturnType<typeof setTimeout> | undefined
  #proof: ReturnType<typeof setTimeout> | undefined
  readonly #proofDelayMs: number
  readonly #proofStableMs: number
  /** When the fingerprint last changed (monotonic ms). */
  #fingerprintSince = 0
  #pendingReason: RoundReason | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  #started = false
  readonly #counts = { rounds: 0, wakeups: 0, changes: 0 }

  constructor(components: ConnectivityComponents, init: ConnectivityInit = {}) {
    this.#c = components
    this.#pollMs = init.pollIntervalMs ?? NETWORK_POLL_INTERVAL_MS
    this.#gapMs = init.sleepGapMs ?? NETWORK_SLEEP_GAP_MS
    this.#roundMinMs = init.roundMinIntervalMs ?? RECONNECT_ROUND_MIN_INTERVAL_MS
    this.#quietMs = init.firstConnectionQuietMs ?? FIRST_CONNECTION_QUIET_MS
    this.#probeMs = init.offlineProbeIntervalMs ?? OFFLINE_PROBE_INTERVAL_MS
    this.#proofDelayMs = init.proofDelayMs ?? PROOF_DELAY_MS
    this.#proofStableMs = init.proofStableMs ?? PROOF_STABLE_MS
    this.#snapshot = init.snapshot ?? hostNetwork
    this.#now = init.now ?? Date.now
    this.#mono = init.monotonic ?? (() => performance.now())
  }

  readonly [Symbol.toStringTag] = 'kith:connectivity'

  isStarted(): boolean {
    return this.#started
  }

  start(): void {
    if (this.#started) return
    this.#started = true
    const snap = this.#snapshot()
    this.#fingerprint = snap.fingerprint
    this.#fingerprintSince = this.#mono()
    this.#state = snap.online ? 'online' : 'offline'
    this.#everOnline = snap.online
    this.#since = this.#now()
    this.#lastTick = { wall: this.#now(), mono: this.#mono() }
    this.#emptySince = this.#mono()
    this.#c.events.addEventListener('connection:open', this.#onOpen)
    this.#c.events.addEventListener('connection:close', this.#onClose)
    this.#timer = setInterval(() => this.tick(), this.#pollMs)
    this.#timer.unref()
  }

  stop(): void {
    if (!this.#started) return
    this.#started = false
    clearInterval(this.#timer)
    clearTimeout(this.#pendingRound)
    clearTimeout(this.#proof)
    this.#proof = undefined
    this.#timer = undefined
    this.#pendingRound = undefined
    this.#c.events.removeEventListener('connection:open', this.#onOpen)
    this.#c.events.removeEventListener('connection:close', this.#onClose)
  }

  /** Whether this node was ever online since it started (a host without any network, e.g. a
   *  sandbox with only loopback, never was). */
  everOnline(): boolean {
    return this.#everOnline
  }

  /** `offline`: no usable interface address or route (see the header). */
  state(): NetworkState {
    return this.#state
  }

  /** When state() last changed (ms since epoch; the start time if it never did). */
  since(): number {
    return this.#since
  }

  /** Reconnect rounds run, sleeps detected, network changes seen (status, tests). */
  counts(): { rounds: number; wakeups: number; changes: number } {
    return { ...this.#counts }
  }

  /** Registers what a probe does while offline (every OFFLINE_PROBE_INTERVAL_MS). */
  onProbe(fn: () => void): void {
    this.#probeHandlers.add(fn)
  }

  /** Registers what a reconnect round does. */
  onReconnect(fn: (reason: RoundReason) => void): void {
    this.#handlers.add(fn)
  }

  /** One poll (the interval calls it; tests call it directly). */
  tick(): void {
    if (!this.#started) return
    const wall = this.#now()
    const mono = this.#mono()
    const late = Math.max(wall - this.#lastTick.wall, mono - this.#lastTick.mono) - this.#pollMs
    this.#lastTick = { wall, mono }
    const snap = this.#snapshot()
    const changed = snap.fingerprint !== this.#fingerprint
    this.#fingerprint = snap.fingerprint
    if (changed) {
      this.#fingerprintSince = mono
      // libp2p's next look at our addresses reads the interfaces again (interfaces-cache.ts).
      invalidateInterfaces()
    }
    const proven = snap.fingerprint === this.#provenFingerprint
    const state: NetworkState = snap.online || proven ? 'online' : 'offline'
    if (state === 'online') this.#everOnline = true
    if (state !== this.#state) {
      log('network %s', state)
      this.#state = state
      this.#since = wall
    }
    if (state === 'offline' && mono - this.#lastProbe >= this.#probeMs) {
      this.#lastProbe = mono
      for (const fn of this.#probeHandlers) fn()
    }
    if (late > this.#gapMs) {
      invalidateInterfaces()
      this.#counts.wakeups++
      log('woke up: the last poll was %d ms late', Math.round(late))
      if (state === 'online') this.#round('woke-up')
    } else if (changed) {
      this.#counts.changes++
      if (state === 'online') this.#round('network-changed')
    }
  }

  readonly #onOpen = (evt: CustomEvent<{ remoteAddr: Multiaddr }>): void => {
    if (this.#state === 'offline' && !isLoopback(evt.detail.remoteAddr) && this.#proof == null) {
      // Connected although /proc/net says offline. Right after a link comes back its operstate
      // lags (the kernel's linkwatch delays it up to 1 s), so look again PROOF_DELAY_MS later.
      this.#proof = setTimeout(() => this.#checkProof(), this.#proofDelayMs)
      this.#proof.unref()
    }
    // The first connection after FIRST_CONNECTION_QUIET_MS with none (ours or a peer's): the
    // network is back even if nothing on this host changed (a router or uplink came back).
    const empty = this.#emptySince
    this.#emptySince = undefined
    if (empty !== undefined && this.#mono() - empty >= this.#quietMs)
      this.#round('first-connection')
  }

  readonly #onClose = (): void => {
    if (this.#c.connectionManager.getConnections().length === 0) this.#emptySince ??= this.#mono()
  }

  /** Still offline by /proc/net, with an address, and connected to another host: this host
   *  routes where /proc/net does not look. Believe it for this network. */
  #checkProof(): void {
    this.#proof = undefined
    if (!this.#started) return
    this.tick()
    const snap = this.#snapshot()
    const remote = this.#c.connectionManager.getConnections().some((c) => !isLoopback(c.remoteAddr))
    const stable = this.#mono() - this.#fingerprintSince >= this.#proofStableMs
    if (this.#state !== 'offline' || !(snap.hasAddress ?? snap.online) || !remote || !stable) return
    log('connected although offline by /proc/net: online from now on for this network')
    this.#provenFingerprint = snap.fingerprint
    this.#state = 'online'
    this.#everOnline = true
    this.#since = this.#now()
    this.#round('network-changed')
  }

  #round(reason: RoundReason): void {
    if (!this.#started) return
    const wait = this.#lastRoundAt + this.#roundMinMs - this.#mono()
    if (wait > 0) {
      this.#pendingReason ??= reason
      if (this.#pendingRound == null) {
        this.#pendingRound = setTimeout(() => {
          this.#pendingRound = undefined
          const r = this.#pendingReason ?? reason
          this.#pendingReason = undefined
          this.#round(r)
        }, wait)
        this.#pendingRound.unref()
      }
      return
    }
    this.#lastRoundAt = this.#mono()
    this.#counts.rounds++
    log('reconnect round (%s)', reason)
    for (const fn of this.#handlers) {
      try {
        fn(reason)
      } catch (err) {
        log('reconnect handler threw: %s', err instanceof Error ? err.name : String(err))
      }
    }
  }
}

/** Factory in the js-libp2p service style: `services: { connectivity: connectivity() }`. */
export function connectivity(
  init: ConnectivityInit = {},
): (components: ConnectivityComponents) => Connectivity {
  return (components) => new Connectivity(components, init)
}
