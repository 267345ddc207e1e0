// Upgrades relayed connections to direct ones by WebRTC hole punching (docs/connectivity.md).
// js-libp2p's DCUtR cannot punch TCP from Node (ephemeral dial ports; NOTES.md "Hole punching"),
// so when a relayed (limited) connection to a peer that accepts WebRTC signalling comes up, the
// side with the smaller PeerId (so the two do not race) dials the peer's
// `<relay>/p2p-circuit/webrtc/p2p/<peer>`: @libp2p/webrtc exchanges SDP and ICE candidates over
// the relay, and ICE (with the node's STUN servers) finds a direct UDP path through cone NATs.
// Once direct, the relayed connections to that peer close after a short grace. A failed punch
// (a symmetric NAT) is retried with backoff while chat stays relayed; after HOLE_PUNCH_SWAP_MS
// without a direct connection the larger PeerId punches too (roles swapped, below). This module
// owns that decision and schedule, not the protocols carried; the WebRTC pieces (addresses, the
// dial gate, the liveness probe) are ./webrtc.ts, the probe's use and the tidy-up once direct
// ./direct-conns.ts.
//
// Why the roles matter (docs/connectivity.md "Routers that answer unsolicited packets", traced
// with conntrack in the netns variant `home192`): a router that accepts an unsolicited packet
// addressed to itself maps its own host's first check to a new port, which the peer's router
// drops. ICE's answerer checks first, so a punch succeeds when the offerer's router drops
// unsolicited packets; swapping roles makes a pair with one such router succeed on the second
// punch. Two such routers cannot be punched and stay on the relay.
import '../libp2p/ice-order.js' // the offerer's ICE checks go second (docs/connectivity.md)
import debug from 'debug'
import { WEBRTC_SIGNALING_PROTOCOL } from '../libp2p/patches.js'
import {
  isCircuit,
  isLimited,
  isWebRTC,
  WEBRTC_PROBE_TIMEOUT_MS,
  webrtcDialAddrs,
  WebRTCFailedError,
  type WebRTCDialer,
} from './webrtc.js'
import { DirectConnections } from './direct-conns.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type {
  Connection,
  IdentifyResult,
  Libp2pEvents,
  PeerId,
  Startable,
  TypedEventTarget,
} from '@libp2p/interface'
import { errorName } from '../../core/errors.js'

const log = debug('kith:node:holepunch')

/** @libp2p/webrtc's signalling protocol, copied (../libp2p/patches.ts); re-exported for the tests. */
export { WEBRTC_SIGNALING_PROTOCOL }
/** Punch attempts per peer and side while only relayed connections exist (then chat stays
 *  relayed until a new relayed connection comes up). Whether a punch through a router that
 *  accepts unsolicited packets works is a race of microseconds (see the header; 1 of 3 attempts
 *  in a traced run), so both sides try several times early: 8 attempts within ≈1 min. */
export const HOLE_PUNCH_MAX_ATTEMPTS = 4
/** Delay before retry n (n = 1, 2, …): HOLE_PUNCH_RETRY_MS · 2^(n-1). */
export const HOLE_PUNCH_RETRY_MS = 5_000
/** After this long without a direct connection, the side that did not start the first punch
 *  (the larger PeerId) punches too, with the roles of offerer and answerer swapped. A punch
 *  that works takes 0.6–1.2 s here (docs/connectivity.md), so a slow first punch and the
 *  swapped one sometimes both succeed: the duplicate is closed (duplicateDirect()). At 2 s the
 *  pairs that need the swap (one router answering unsolicited packets) were direct after
 *  3.5–5.5 s p95 in `npm run bench -- connect`, over the 3 s goal. */
export const HOLE_PUNCH_SWAP_MS = 1_000
/** Bound of one punch (SDP over the relay + ICE); NOTES.md measured ≈0.3 s when it works, the
 *  netns runs 0.2–1.9 s on a loaded machine; a punch that has not connected by then will not. */
export const HOLE_PUNCH_TIMEOUT_MS = 5_000

/** Delay before a retry when the punch failed quickly (its connection reached "failed": ICE or
 *  DTLS gave up, ./webrtc.ts WebRTCFailedError) rather than timing out: nothing says the next
 *  one will, so it does not wait out the backoff. Still counted in HOLE_PUNCH_MAX_ATTEMPTS. */
export const HOLE_PUNCH_QUICK_RETRY_MS = 250

/** Peers with punch state kept (attempt count, timer): a relayed connection from each new
 *  PeerId adds one, and PeerIds are free. Over it, an idle entry (no punch running or
 *  scheduled; the oldest first) is forgotten, or, if none is idle, the new peer is not punched. */
export const HOLE_PUNCH_MAX_PEERS = 1_024

/** After the direct connection opens, relayed ones to the peer close after this grace, so frames
 *  already in flight on them are read. */
export const RELAY_CLOSE_GRACE_MS = 2_000

export interface HolePunchComponents {
  peerId: PeerId
  connectionManager: { getConnections(peerId?: PeerId): Connection[] }
  peerStore: { get(peerId: PeerId): Promise<{ addresses: Array<{ multiaddr: Multiaddr }> }> }
  events: TypedEventTarget<Libp2pEvents>
}

export interface HolePunchInit {
  /** Off: never punch (nodes that do not listen on /webrtc). */
  enabled?: boolean
  /** Dials WebRTC through the transport itself (set by gatedWebRTC). Not through the dial queue:
   *  a dial by PeerId (a DM) would join a queued punch to the same peer and wait it out. */
  webrtc?: WebRTCDialer
  probeTimeoutMs?: number
  maxAttempts?: number
  retryMs?: number
  swapMs?: number
  timeoutMs?: number
  closeGraceMs?: number
  maxPeers?: number
}

export interface HolePunchMetrics {
  attempts: number
  successes: number
  failures: number
  /** Attempts whose NATs were opened first (./prime.ts). */
  primed: number
  /** Offers from peers refused: too many answers at once (./webrtc.ts limitAnswers). */
  answersRefused: number
}

interface PeerState {
  attempts: number
  timer: ReturnType<typeof setTimeout> | undefined
  running: boolean
}

export class HolePuncher implements Startable {
  readonly #c: HolePunchComponents
  readonly #enabled: boolean
  readonly #maxAttempts: number
  readonly #retryMs: number
  readonly #swapMs: number
  readonly #timeoutMs: number
  readonly #maxPeers: number
  readonly #webrtc: WebRTCDialer
  /** Liveness probes and the tidy-up once direct (./direct-conns.ts). */
  readonly #direct: DirectConnections
  readonly #peers = new Map<string, PeerState>()
  readonly #m: Omit<HolePunchMetrics, 'answersRefused'> = {
    attempts: 0,
    successes: 0,
    failures: 0,
    primed: 0,
  }
  #abort = new AbortController()
  #started = false

  constructor(components: HolePunchComponents, init: HolePunchInit = {}) {
    this.#c = components
    this.#enabled = init.enabled ?? true
    this.#maxAttempts = init.maxAttempts ?? HOLE_PUNCH_MAX_ATTEMPTS
    this.#retryMs = init.retryMs ?? HOLE_PUNCH_RETRY_MS
    this.#swapMs = init.swapMs ?? HOLE_PUNCH_SWAP_MS
    this.#timeoutMs = init.timeoutMs ?? HOLE_PUNCH_TIMEOUT_MS
    this.#maxPeers = init.maxPeers ?? HOLE_PUNCH_MAX_PEERS
    this.#direct = new DirectConnections(
      components,
      init.probeTimeoutMs ?? WEBRTC_PROBE_TIMEOUT_MS,
      init.closeGraceMs ?? RELAY_CLOSE_GRACE_MS,
    )
    this.#webrtc = init.webrtc ?? {}
  }

  readonly [Symbol.toStringTag] = 'kith:holepunch'

  isStarted(): boolean {
    return this.#started
  }

  start(): void {
    this.#started = true
    this.#abort = new AbortController()
    if (this.#enabled) this.#c.events.addEventListener('peer:identify', this.#onIdentify)
    this.#c.events.addEventListener('connection:open', this.#onOpen)
  }

  stop(): void {
    this.#started = false
    this.#abort.abort()
    this.#c.events.removeEventListener('peer:identify', this.#onIdentify)
    this.#c.events.removeEventListener('connection:open', this.#onOpen)
    for (const s of this.#peers.values()) clearTimeout(s.timer)
    this.#peers.clear()
  }

  metrics(): HolePunchMetrics {
    return { ...this.#m, answersRefused: this.#webrtc.answersRefused ?? 0 }
  }

  /** Inbound WebRTC connections (the peer punched) are probed too; dead ones are aborted. */
  readonly #onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    // A direct TCP connection beside a relayed one (a dial to a port the peer's router mapped,
    // ./upnp.ts, after the circuit came up): new streams pick it, and the relayed ones close
    // after the grace, as after a punch (a DM stream there would otherwise stay on the relay).
    if (!isWebRTC(conn) && !isLimited(conn)) {
      const relayed = this.#c.connectionManager.getConnections(conn.remotePeer).some(isLimited)
      if (relayed) this.#direct.closeRelayed(conn.remotePeer)
      return
    }
    if (conn.direction !== 'inbound' || !isWebRTC(conn) || isLimited(conn)) return
    void this.#direct.verify(conn).then((ok) => {
      if (!ok) return
      this.#direct.closeDuplicates(conn.remotePeer)
      this.#direct.closeRelayed(conn.remotePeer)
    })
  }

  /** Whether `connId` is a WebRTC connection still being probed: not "direct" yet. */
  probing(connId: string): boolean {
    return this.#direct.probing(connId)
  }

  /** When the WebRTC connection `conn` passed its liveness probe (ms since the epoch). */
  verifiedAt(conn: Connection): number | undefined {
    return this.#direct.verifiedAt(conn)
  }

  readonly #onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, connection } = evt.detail
    if (!isLimited(connection) || !protocols.includes(WEBRTC_SIGNALING_PROTOCOL)) return
    const key = peerId.toString()
    let state = this.#peers.get(key)
    if (state == null) {
      if (this.#peers.size >= this.#maxPeers && !this.#forgetIdle()) {
        log('not punching %s: %d peers are being punched', key, this.#peers.size)
        return
      }
      state = { attempts: 0, timer: undefined, running: false }
      this.#peers.set(key, state)
    }
    if (state.timer != null || state.running) return
    // The smaller PeerId punches at once; the larger one HOLE_PUNCH_SWAP_MS later, if the
    // first punch has not given a direct connection by then (roles swapped: see the header).
    if (this.#c.peerId.toString() < key) this.#punchSafely(peerId, state)
    else {
      const s = state
      s.timer = setTimeout(() => this.#punchSafely(peerId, s), this.#swapMs)
      s.timer.unref()
    }
  }

  /** Forgets the oldest entry with no punch running or scheduled; whether there was one. */
  #forgetIdle(): boolean {
    for (const [key, s] of this.#peers) {
      if (s.timer == null && !s.running) return this.#peers.delete(key)
    }
    return false
  }

  /** Peers with punch state (HOLE_PUNCH_MAX_PEERS at most). */
  tracked(): number {
    return this.#peers.size
  }

  #punchSafely(peerId: PeerId, state: PeerState): void {
    this.#punch(peerId, state).catch((err: unknown) => {
      state.running = false
      log('punch to %s threw: %s', peerId.toString(), String(err))
    })
  }

  async #punch(peerId: PeerId, state: PeerState): Promise<void> {
    state.timer = undefined
    const key = peerId.toString()
    const relayed = this.#c.connectionManager.getConnections(peerId).filter(isLimited)
    if (!this.#started || relayed.length === 0 || this.#direct.hasDirect(peerId)) {
      this.#peers.delete(key)
      if (this.#direct.hasDirect(peerId)) this.#direct.closeRelayed(peerId)
      return
    }
    state.running = true
    state.attempts++
    this.#m.attempts++
    const started = Date.now()
    let failedFast = false
    try {
      const known = await this.#c.peerStore
        .get(peerId)
        .then((p) => p.addresses.map((a) => a.multiaddr).filter(isCircuit))
        .catch(() => [])
      const addrs = webrtcDialAddrs(
        key,
        known,
        relayed.map((c) => c.remoteAddr),
      )
      let conn: Connection | undefined
      const dial = this.#webrtc.dial
      // Which kind of punch (docs/connectivity.md "Routers that answer unsolicited packets"):
      // primed ones open both NATs first (./prime.ts) and the offerer checks first (the
      // answerer holds, ../libp2p/ice-order.ts); unprimed ones let the answerer check first.
      // Who checks first matters where a NAT the prime cannot reach accepts unsolicited
      // packets (a carrier's, variant `cgnat`): the side behind it must. Each side's first
      // punch is primed, so within the swap delay each side has offered and checked first
      // once; retries alternate with unprimed punches (for a pair the primer cannot serve).
      const primedKind = state.attempts % 2 === 1
      let port =
        addrs.length > 0 && primedKind
          ? await this.#webrtc.prime?.(peerId, this.#abort.signal)
          : undefined
      if (port !== undefined) this.#m.primed++
      for (const ma of addrs) {
        const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#timeoutMs)])
        try {
          if (dial == null) break
          // The primed port serves the first address only (the peer holds it for one offer).
          const ice = { port, holdChecks: port === undefined }
          port = undefined
          const c = await dial(ma, signal, ice)
          if (!isLimited(c) && (await this.#direct.verify(c))) {
            conn = c
            break
          }
        } catch (err) {
          log('punch to %s via %s failed: %s', key, ma.toString(), errorName(err))
          if (WebRTCFailedError.is(err)) failedFast = true
        }
      }
      if (conn != null && !isLimited(conn)) {
        this.#m.successes++
        log('direct connection to %s after %d ms', key, Date.now() - started)
        this.#peers.delete(key)
        this.#direct.closeDuplicates(peerId)
        this.#direct.closeRelayed(peerId)
        return
      }
      this.#m.failures++
    } finally {
      state.running = false
    }
    if (state.attempts >= this.#maxAttempts || !this.#started) return
    state.timer = setTimeout(
      () => this.#punchSafely(peerId, state),
      failedFast ? HOLE_PUNCH_QUICK_RETRY_MS : this.#retryMs * 2 ** (state.attempts - 1),
    )
    state.timer.unref()
  }
}

/** Factory in the js-libp2p service style: `services: { holePunch: holePunch() }`. */
export function holePunch(init: HolePunchInit = {}): (c: HolePunchComponents) => HolePuncher {
  return (components) => new HolePuncher(components, init)
}
