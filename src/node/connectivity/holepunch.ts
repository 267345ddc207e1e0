// Upgrades relayed connections to direct ones by WebRTC hole punching (docs/connectivity.md).
// js-libp2p's DCUtR cannot punch TCP from Node (ephemeral dial ports; NOTES.md "Hole punching"),
// so when a relayed (limited) connection to a peer that accepts WebRTC signalling comes up, one
// side — the one with the smaller PeerId, so the two do not race — dials the peer's
// `<relay>/p2p-circuit/webrtc/p2p/<peer>` address: @libp2p/webrtc exchanges SDP and ICE
// candidates over the relayed connection, and ICE (with the STUN servers the node was given)
// finds a direct UDP path through cone NATs. When the direct connection is up, the relayed ones
// to that peer are closed after a short grace, so chat moves off the relay (new streams prefer
// the unlimited connection). A punch that fails (a symmetric NAT) is retried a few times with
// backoff; meanwhile chat stays on the relay. If the first punch has not given a direct
// connection after HOLE_PUNCH_SWAP_MS, the other side (the larger PeerId) punches too: the
// roles matter behind routers that let unsolicited packets in to themselves (below). This
// module owns that decision and schedule; it knows nothing of the protocols carried.
//
// Why the roles matter (docs/connectivity.md "Routers that answer unsolicited packets", traced
// with conntrack in the netns variant `home192`): a Linux router whose INPUT chain accepts a
// packet from the WAN addressed to itself confirms a conntrack entry for it (and answers ICMP
// port unreachable). When the peer's first ICE check reaches our router before our own first
// check to the peer has left, that entry holds the 4-tuple our check needs, so the router
// maps our check to a NEW source port; the peer's router, which filters by address and port,
// drops it as unsolicited, and the punch fails. ICE's answerer checks first (it has the
// offerer's candidates one relay hop earlier), so its packets land on the offerer's router: a
// punch succeeds when the offerer's router drops unsolicited packets. Swapping roles makes a
// pair with one such router succeed on the second punch; two routers that both accept them
// cannot be punched without simultaneous sends (or TTL-limited first packets, which
// node-datachannel does not expose) and stay on the relay.
//
// Two guards found in the namespace tests (docs/connectivity.md):
//  - libp2p never dials /webrtc addresses itself (gatedWebRTC): only the punches started here
//    do, through the transport directly. Otherwise libp2p's dial queue, dialling a peer by
//    PeerId (a DM, a card push), races a /webrtc address against the plain circuit one and
//    aborts the loser half-way, which left connections that look open on one side and never
//    carry data (and nodes dialled even the relay itself "via WebRTC through itself").
//  - Every WebRTC connection, ours or the peer's, must answer a ping within
//    WEBRTC_PROBE_TIMEOUT_MS (probe()), or it is aborted: a failed punch can leave a connection
//    that libp2p reports open (limits == null, so "direct") but that carries nothing, and new
//    streams would pick it over the working relayed one.
import { randomBytes } from 'node:crypto'
import '../libp2p/ice-order.js' // the offerer's ICE checks go second (docs/connectivity.md)
import { byteStream } from '@libp2p/utils'
import debug from 'debug'
import { WEBRTC_SIGNALING_PROTOCOL } from '../libp2p/patches.js'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type {
  Connection,
  DialTransportOptions,
  Upgrader,
  IdentifyResult,
  Libp2pEvents,
  PeerId,
  Startable,
  TypedEventTarget,
} from '@libp2p/interface'

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
/** A WebRTC connection must answer a ping within this, or it is aborted. A healthy one answers
 *  in milliseconds; a failed punch can leave one on the answering side that DMs would pick (it
 *  has no limits) until it is gone, so the window is short. */
export const WEBRTC_PROBE_TIMEOUT_MS = 3_000
/** libp2p's ping protocol (the ping service answers it on every node). */
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_BYTES = 32
/** Pause between two probe attempts. */
const PROBE_RETRY_MS = 250

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
}

export interface HolePunchMetrics {
  attempts: number
  successes: number
  failures: number
}

interface PeerState {
  attempts: number
  timer: ReturnType<typeof setTimeout> | undefined
  running: boolean
}

const isLimited = (c: Connection): boolean => c.limits != null

/**
 * The direct WebRTC connections to `peer` to close because another one is kept: when the first
 * punch and the swapped one both succeed there are two, one each way. Only the larger PeerId
 * decides (it closes its outbound ones while a verified inbound one is open), so the two sides
 * never close both. Connections still being probed count for nothing.
 */
export function duplicateDirect(
  me: string,
  peer: string,
  conns: readonly Connection[],
  probing: (connId: string) => boolean,
): Connection[] {
  if (me < peer) return []
  const direct = conns.filter(
    (c) => c.status === 'open' && !isLimited(c) && isWebRTC(c) && !probing(c.id),
  )
  if (!direct.some((c) => c.direction === 'inbound')) return []
  return direct.filter((c) => c.direction === 'outbound')
}
const isWebRTC = (c: Connection): boolean =>
  c.multiplexer === '/webrtc' || c.remoteAddr.toString().includes('/webrtc')

/** How the hole puncher dials WebRTC: the transport itself, bypassing the dial queue. */
export interface WebRTCDialer {
  dial?: (ma: Multiaddr, signal: AbortSignal) => Promise<Connection>
}

/**
 * Wraps a WebRTC transport factory: libp2p's own dials never pick a /webrtc address (dialFilter
 * is empty), and `dialer.dial` dials one through the transport for the hole puncher. Listening
 * and answering are unchanged.
 */
export function gatedWebRTC<
  C extends { upgrader: Upgrader },
  T extends {
    dialFilter(mas: Multiaddr[]): Multiaddr[]
    dial(ma: Multiaddr, options: DialTransportOptions): Promise<Connection>
  },
>(factory: (components: C) => T, dialer: WebRTCDialer): (components: C) => T {
  return (components) => {
    const transport = factory(components)
    transport.dialFilter = () => []
    dialer.dial = (ma, signal) => transport.dial(ma, { signal, upgrader: components.upgrader })
    return transport
  }
}

/** One ping round trip on `conn`; throws if it fails. */
async function pingOnce(conn: Connection, signal: AbortSignal): Promise<void> {
  const stream = await conn.newStream(PING_PROTOCOL, { signal })
  try {
    const bytes = byteStream(stream)
    const data = new Uint8Array(randomBytes(PING_BYTES))
    await bytes.write(data, { signal })
    const echo = await bytes.read({ bytes: PING_BYTES, signal })
    if (!echo.subarray().every((b, i) => b === data[i])) throw new Error('ping echo differs')
  } finally {
    stream.abort(new Error('probe done'))
  }
}

/**
 * Resolves whether `conn` carries a ping round trip within `timeoutMs`. Retried every
 * PROBE_RETRY_MS: the answering side sees the connection open before the dialling side has
 * finished its upgrade, and a stream opened then is closed unanswered.
 */
export async function probe(conn: Connection, timeoutMs: number): Promise<boolean> {
  const signal = AbortSignal.timeout(timeoutMs)
  for (;;) {
    try {
      await pingOnce(conn, signal)
      return true
    } catch (err) {
      if (signal.aborted || conn.status !== 'open') {
        log('probe of %s failed: %s', conn.remotePeer.toString(), String(err))
        return false
      }
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_RETRY_MS))
  }
}

const isCircuit = (ma: Multiaddr): boolean =>
  ma.getComponents().some((c) => c.name === 'p2p-circuit')

/** `<relay…>/p2p-circuit/webrtc/p2p/<peer>` addresses to dial for `peer`, best first: those the
 *  peer announced, then one derived from each relayed connection's address. */
export function webrtcDialAddrs(peer: string, known: Multiaddr[], relayed: Multiaddr[]) {
  const out = new Map<string, Multiaddr>()
  for (const ma of known) {
    const s = ma.toString()
    if (!s.includes('/p2p-circuit/webrtc')) continue
    const full = s.endsWith(`/p2p/${peer}`) ? s : `${s}/p2p/${peer}`
    out.set(full, multiaddr(full))
  }
  for (const ma of relayed) {
    const s = ma.toString()
    const at = s.lastIndexOf('/p2p-circuit')
    if (at < 0 || !s.slice(0, at).includes('/p2p/')) continue
    const full = `${s.slice(0, at)}/p2p-circuit/webrtc/p2p/${peer}`
    if (!out.has(full)) out.set(full, multiaddr(full))
  }
  return [...out.values()]
}

export class HolePuncher implements Startable {
  readonly #c: HolePunchComponents
  readonly #enabled: boolean
  readonly #maxAttempts: number
  readonly #retryMs: number
  readonly #swapMs: number
  readonly #timeoutMs: number
  readonly #graceMs: number
  readonly #probeMs: number
  readonly #webrtc: WebRTCDialer
  /** WebRTC connections whose liveness probe is running. */
  readonly #probing = new Set<string>()
  readonly #peers = new Map<string, PeerState>()
  readonly #m: HolePunchMetrics = { attempts: 0, successes: 0, failures: 0 }
  #abort = new AbortController()
  #started = false

  constructor(components: HolePunchComponents, init: HolePunchInit = {}) {
    this.#c = components
    this.#enabled = init.enabled ?? true
    this.#maxAttempts = init.maxAttempts ?? HOLE_PUNCH_MAX_ATTEMPTS
    this.#retryMs = init.retryMs ?? HOLE_PUNCH_RETRY_MS
    this.#swapMs = init.swapMs ?? HOLE_PUNCH_SWAP_MS
    this.#timeoutMs = init.timeoutMs ?? HOLE_PUNCH_TIMEOUT_MS
    this.#graceMs = init.closeGraceMs ?? RELAY_CLOSE_GRACE_MS
    this.#probeMs = init.probeTimeoutMs ?? WEBRTC_PROBE_TIMEOUT_MS
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
    return { ...this.#m }
  }

  /** Inbound WebRTC connections (the peer punched) are probed too; dead ones are aborted. */
  readonly #onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    if (conn.direction !== 'inbound' || !isWebRTC(conn) || isLimited(conn)) return
    void this.#verify(conn).then((ok) => {
      if (!ok) return
      this.#closeDuplicates(conn.remotePeer)
      this.#closeRelayed(conn.remotePeer)
    })
  }

  /** Whether `connId` is a WebRTC connection still being probed: not "direct" yet. */
  probing(connId: string): boolean {
    return this.#probing.has(connId)
  }

  /** Probes a WebRTC connection; aborts it if it carries nothing. */
  async #verify(conn: Connection): Promise<boolean> {
    this.#probing.add(conn.id)
    let ok: boolean
    try {
      ok = await probe(conn, this.#probeMs)
    } finally {
      this.#probing.delete(conn.id)
    }
    if (ok) return true
    log('webrtc connection to %s carries nothing: aborting it', conn.remotePeer.toString())
    conn.abort(new Error('WebRTC connection failed its liveness probe'))
    return false
  }

  readonly #onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { peerId, protocols, connection } = evt.detail
    if (!isLimited(connection) || !protocols.includes(WEBRTC_SIGNALING_PROTOCOL)) return
    const key = peerId.toString()
    let state = this.#peers.get(key)
    if (state == null) {
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

  #hasDirect(peerId: PeerId): boolean {
    return this.#c.connectionManager
      .getConnections(peerId)
      .some((c) => c.status === 'open' && !isLimited(c))
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
    if (!this.#started || relayed.length === 0 || this.#hasDirect(peerId)) {
      this.#peers.delete(key)
      if (this.#hasDirect(peerId)) this.#closeRelayed(peerId)
      return
    }
    state.running = true
    state.attempts++
    this.#m.attempts++
    const started = Date.now()
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
      for (const ma of addrs) {
        const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#timeoutMs)])
        try {
          if (dial == null) break
          const c = await dial(ma, signal)
          if (!isLimited(c) && (await this.#verify(c))) {
            conn = c
            break
          }
        } catch (err) {
          log('punch to %s via %s failed: %s', key, ma.toString(), (err as Error).name)
        }
      }
      if (conn != null && !isLimited(conn)) {
        this.#m.successes++
        log('direct connection to %s after %d ms', key, Date.now() - started)
        this.#peers.delete(key)
        this.#closeDuplicates(peerId)
        this.#closeRelayed(peerId)
        return
      }
      this.#m.failures++
    } finally {
      state.running = false
    }
    if (state.attempts >= this.#maxAttempts || !this.#started) return
    state.timer = setTimeout(
      () => this.#punchSafely(peerId, state),
      this.#retryMs * 2 ** (state.attempts - 1),
    )
    state.timer.unref()
  }

  #closeDuplicates(peerId: PeerId): void {
    const conns = this.#c.connectionManager.getConnections(peerId)
    for (const c of duplicateDirect(this.#c.peerId.toString(), peerId.toString(), conns, (id) =>
      this.#probing.has(id),
    )) {
      log('closing duplicate direct connection to %s', peerId.toString())
      c.close().catch((err: unknown) =>
        c.abort(err instanceof Error ? err : new Error(String(err))),
      )
    }
  }

  /** Closes the relayed connections to `peer` once the direct one has carried its grace. */
  #closeRelayed(peerId: PeerId): void {
    const t = setTimeout(() => {
      if (!this.#hasDirect(peerId)) return
      for (const c of this.#c.connectionManager.getConnections(peerId).filter(isLimited)) {
        c.close().catch((err: unknown) => {
          c.abort(err instanceof Error ? err : new Error(String(err)))
        })
      }
    }, this.#graceMs)
    t.unref()
  }
}

/** Factory in the js-libp2p service style: `services: { holePunch: holePunch() }`. */
export function holePunch(init: HolePunchInit = {}): (c: HolePunchComponents) => HolePuncher {
  return (components) => new HolePuncher(components, init)
}
