// The WebRTC pieces of hole punching (./holepunch.ts schedules the punches): which
// `<relay>/p2p-circuit/webrtc/p2p/<peer>` addresses to dial, the transport wrapper through which
// only the hole puncher dials them, the liveness probe every WebRTC connection must pass, and which
// duplicate direct connection to close. It knows nothing of when or why a punch is tried.
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
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { byteStream } from '@libp2p/utils'
import { HOLD_ANSWER, HOLD_CHECKS, ON_FAILED } from '../libp2p/ice-order.js'
import debug from 'debug'
import { defineError as define } from '../../core/errors.js'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Connection, DialTransportOptions, PeerId, Stream, Upgrader } from '@libp2p/interface'

const log = debug('kith:node:holepunch')

/** A WebRTC connection being dialled reached the state "failed" (ICE or DTLS gave up). */
export class WebRTCFailedError extends define('WebRTCFailedError') {
  constructor() {
    super('the WebRTC connection failed (ICE or DTLS)')
  }
}

/** An offer over /webrtc-signaling refused: WEBRTC_MAX_INBOUND_ANSWERS are being answered, or
 *  one from the same peer is. */
export class WebRTCAnswerBusyError extends define('WebRTCAnswerBusyError') {}

/**
 * Offers answered at once, node-wide. Each answer is an RTCPeerConnection (a DTLS certificate
 * made, a UDP socket bound, a STUN request sent) for whoever reached us over a relayed
 * connection, a stranger too: @libp2p/webrtc answers every signalling stream (no
 * maxInboundStreams of its own: libp2p's per-protocol default per connection). A punch between
 * two contacts needs one answer at a time per peer; a few peers punching at once are served.
 */
export const WEBRTC_MAX_INBOUND_ANSWERS = 4

/** A WebRTC connection must answer a ping within this, or it is aborted. A healthy one answers
 *  in milliseconds; a failed punch can leave one on the answering side that DMs would pick (it
 *  has no limits) until it is gone, so the window is short. */
export const WEBRTC_PROBE_TIMEOUT_MS = 3_000
/** libp2p's ping protocol (the ping service answers it on every node). */
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_BYTES = 32
/** Pause between two probe attempts. */
const PROBE_RETRY_MS = 50

export const isLimited = (c: Connection): boolean => c.limits != null

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
export const isWebRTC = (c: Connection): boolean =>
  c.multiplexer === '/webrtc' || c.remoteAddr.toString().includes('/webrtc')

/** How the hole puncher dials WebRTC: the transport itself, bypassing the dial queue. */
export interface WebRTCDialer {
  /** Dials through the transport; `ice`: the primed port and whether checks are held. */
  dial?: (ma: Multiaddr, signal: AbortSignal, ice?: IceScope) => Promise<Connection>
  /** Primes a punch to `peer` (./prime.ts): the local port to dial with, or undefined. */
  prime?: (peer: PeerId, signal: AbortSignal) => Promise<number | undefined>
  /** The port primed for an offer from `peer` (./prime.ts take()), or undefined. */
  answerPort?: (peer: string) => number | undefined
  /** Offers refused by limitAnswers (set by gatedWebRTC). */
  answersRefused?: number
}

/** How the WebRTC connection being created now is made. */
export interface IceScope {
  /** The local UDP port ICE must use (a primed punch, ./prime.ts). */
  port?: number | undefined
  /** As offerer, hold the answerer's candidates back (../libp2p/ice-order.ts); default true. */
  holdChecks?: boolean
  /** As answerer, hold the offerer's candidates back (a primed punch; ../libp2p/ice-order.ts). */
  holdAnswer?: boolean
  /** Called once if the connection's state becomes "failed" (ICE or DTLS gave up). */
  onFailed?: () => void
}

const iceScope = new AsyncLocalStorage<IceScope | undefined>()

/** Runs `fn` (a WebRTC dial or answer) so that the connection it creates follows `scope`. */
export function withIcePort<T>(scope: IceScope | undefined, fn: () => T): T {
  return iceScope.run(scope, fn)
}

/**
 * The transport's rtcConfiguration: `iceServers` and, inside withIcePort, a port range of
 * exactly the primed port (node-datachannel passes portRangeBegin/End to libjuice, which binds
 * its one socket there). @libp2p/webrtc calls it once per connection, as the dial or the answer
 * starts (patches.ts webrtcAnswerPort checks it does so inside our scope). An offer made with
 * `holdChecks: false` carries HOLD_CHECKS = false, an answer with `holdAnswer` HOLD_ANSWER =
 * true, and `onFailed` is ON_FAILED: the ICE-order patch reads them.
 */
export function rtcConfiguration(iceServers: Array<{ urls: string }>): () => IceConfig {
  return () => {
    const { port, holdChecks, holdAnswer, onFailed } = iceScope.getStore() ?? {}
    return {
      iceServers,
      ...(port === undefined ? {} : { portRangeBegin: port, portRangeEnd: port }),
      ...(holdChecks === false ? { [HOLD_CHECKS]: false } : {}),
      ...(holdAnswer === true ? { [HOLD_ANSWER]: true } : {}),
      ...(onFailed === undefined ? {} : { [ON_FAILED]: onFailed }),
    }
  }
}

/** What rtcConfiguration gives: the standard field, node-datachannel's port range, our flag. */
export interface IceConfig {
  iceServers: Array<{ urls: string }>
  portRangeBegin?: number
  portRangeEnd?: number
  [HOLD_CHECKS]?: false
  [HOLD_ANSWER]?: true
  [ON_FAILED]?: () => void
}

/** @libp2p/webrtc's per-offer method: the signalling handler calls it per stream (through
 *  `this`) and awaits the whole answer. */
type OnProtocol = (this: unknown, s: Stream, c: Connection, ...rest: unknown[]) => unknown

/** Replaces the transport's `_onProtocol` by `wrap(original)`; false (nothing done) if it has
 *  none. The one place that reaches into @libp2p/webrtc's method (patches.ts canary). */
function wrapOnProtocol(transport: object, wrap: (original: OnProtocol) => OnProtocol): boolean {
  const t = transport as { _onProtocol?: unknown }
  if (typeof t._onProtocol !== 'function') return false
  t._onProtocol = wrap(t._onProtocol as OnProtocol)
  return true
}

/**
 * Workaround webrtcAnswerPort (../libp2p/patches.ts): the answering side of a primed punch must create its
 * RTCPeerConnection on the port primed for that peer (connectivity/prime.ts), but @libp2p/webrtc
 * asks its rtcConfiguration function with no word of the peer. Its signalling handler calls the
 * transport's `_onProtocol(stream, connection, signal)` (a method, reached through `this`), which
 * asks rtcConfiguration first thing: wrapping that method runs it inside withIcePort(port of the
 * connection's peer). Does nothing if the transport has no such method (then answers go unprimed).
 */
export function answerWithPrimedPort(
  transport: object,
  portFor: (peer: string) => number | undefined,
): boolean {
  return wrapOnProtocol(
    transport,
    (original) =>
      function (this: unknown, stream: Stream, connection: Connection, ...rest: unknown[]) {
        const port = portFor(connection.remotePeer.toString())
        const scope = { port, holdAnswer: port !== undefined }
        return withIcePort(scope, () => original.call(this, stream, connection, ...rest))
      },
  )
}

/**
 * Bounds the answers a WebRTC transport gives (WEBRTC_MAX_INBOUND_ANSWERS at once, one per peer):
 * wraps its `_onProtocol` (as answerWithPrimedPort does; @libp2p/webrtc's signalling handler
 * calls it per stream and awaits the whole answer, SDP, ICE and upgrade, bounded by libp2p's
 * inbound upgrade timeout). An offer over the bound has its stream aborted with
 * WebRTCAnswerBusyError and `onRefused` called. Does nothing without such a method.
 */
export function limitAnswers(
  transport: object,
  onRefused: () => void,
  max: number = WEBRTC_MAX_INBOUND_ANSWERS,
): boolean {
  const answering = new Set<string>()
  return wrapOnProtocol(
    transport,
    (original) =>
      async function (this: unknown, stream: Stream, connection: Connection, ...rest: unknown[]) {
        const peer = connection.remotePeer.toString()
        if (answering.size >= max || answering.has(peer)) {
          onRefused()
          log('refusing an offer from %s: %d answers running', peer, answering.size)
          stream.abort(new WebRTCAnswerBusyError('too many WebRTC offers are being answered'))
          return
        }
        answering.add(peer)
        try {
          return await original.call(this, stream, connection, ...rest)
        } finally {
          answering.delete(peer)
        }
      },
  )
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
    dialer.dial = (ma, signal, ice) => {
      // A connection that failed (ICE or DTLS) ends the dial now: @libp2p/webrtc's offerer would
      // wait for its data channel until `signal` (../libp2p/ice-order.ts ON_FAILED).
      const failed = new AbortController()
      const onFailed = (): void => failed.abort(new WebRTCFailedError())
      const both = AbortSignal.any([signal, failed.signal])
      const scope = { ...ice, onFailed }
      return withIcePort(scope, () =>
        transport.dial(ma, { signal: both, upgrader: components.upgrader }),
      ).catch((err: unknown) => {
        throw failed.signal.aborted ? failed.signal.reason : err
      })
    }
    answerWithPrimedPort(transport, (peer) => dialer.answerPort?.(peer))
    limitAnswers(transport, () => (dialer.answersRefused = (dialer.answersRefused ?? 0) + 1))
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

export const isCircuit = (ma: Multiaddr): boolean =>
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
