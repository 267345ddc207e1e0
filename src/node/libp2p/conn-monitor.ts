// Liveness pings of every open connection, spread in time: libp2p 3.3.11's ConnectionMonitor
// (dist/src/connection-monitor.js) pings ALL connections from one setInterval callback every
// 10 s, so a node's pings (a new stream each: yamux SYN, multistream-select, 32 bytes each way,
// close) leave in one burst, and nodes started together burst together (docs/performance.md
// "Groups": the 100-node host stalled in synchronised ping bursts). libp2p offers no jitter
// option (its init has pingInterval, pingTimeout, abortConnectionOnPingFailure, protocolPrefix
// only), so Kith turns it off (`connectionMonitor: { enabled: false }` in libp2p.ts) and runs
// this service instead: the same liveness check (adaptive timeout, RTT, abort on failure, as
// upstream), but each connection on its own phase, drawn at random when first seen, and each
// period jittered. Where the connection's muxer has a ping of its own (yamux: a PING frame, one
// 12-byte frame each way, answered inside the peer's muxer) that is the ping; only connections
// without one (WebRTC's data channels) open a /ipfs/ping/1.0.0 stream as upstream does. A stream
// ping cost ≈ 75 % of an idle group member's CPU (docs/performance.md "Idle work"): a new stream,
// multistream-select and a peer-store write at both ends, every period, for every connection.
// It wakes only when a ping is due (a timer armed for the earliest one, never sooner than
// CONNECTION_MONITOR_TICK_MS after the last wake), and not at all without connections: an idle
// or offline daemon is not woken every second (battery). A new connection gets its phase when
// libp2p reports it open. It knows nothing of what the connections carry.
import { setMaxListeners } from 'node:events'
import { AdaptiveTimeout, byteStream } from '@libp2p/utils'
import type { AdaptiveTimeoutInit } from '@libp2p/utils'
import type {
  ComponentLogger,
  Connection,
  Libp2pEvents,
  Logger,
  Startable,
  Stream,
  TypedEventTarget,
} from '@libp2p/interface'
import { errorName } from '../../core/errors.js'
import { muxerPingOf } from './patches.js'

/** Mean period between two pings of one connection: libp2p's DEFAULT_PING_INTERVAL_MS. */
export const CONNECTION_PING_INTERVAL_MS = 10_000
/**
 * Each period is CONNECTION_PING_INTERVAL_MS × (1 ± this), drawn uniformly: ±20 % keeps the mean
 * and the longest silence close to upstream's (a dead connection is still found within ≈ 12 s
 * plus the ping timeout) while phases that started aligned drift apart within a few periods.
 */
export const CONNECTION_PING_JITTER = 0.2
/** The shortest time between two wakes of the monitor (pings due meanwhile wait for the next).
 *  The first ping of a connection is due at a uniform random time within one interval of it
 *  being first seen; with wakes ≥ 1 s apart a node's ≈ 10 connections ping about one per wake
 *  instead of all at once, and it wakes at most once a second. */
export const CONNECTION_MONITOR_TICK_MS = 1_000
/** Bytes of one ping (libp2p's connection-monitor.js PING_LENGTH, the /ipfs/ping/1.0.0 size). */
const PING_LENGTH = 32
const PING_PROTOCOL = '/ipfs/ping/1.0.0'

export interface JitteredMonitorInit {
  intervalMs?: number
  jitter?: number
  tickMs?: number
  pingTimeout?: Omit<AdaptiveTimeoutInit, 'metricName' | 'metrics'>
  /** Random number in [0, 1) (injected in tests). */
  random?: () => number
}

interface Components {
  connectionManager: { getConnections(): Connection[] }
  logger: ComponentLogger
  /** libp2p's events: a connection that opens is given its phase at once (tests leave it out
   *  and call tick() themselves). */
  events?: TypedEventTarget<Libp2pEvents>
}

/**
 * The next period of a connection: `intervalMs × (1 + jitter × (2r − 1))` for r in [0, 1), i.e.
 * within [intervalMs × (1 − jitter), intervalMs × (1 + jitter)).
 */
export function jitteredPeriod(intervalMs: number, jitter: number, r: number): number {
  return intervalMs * (1 + jitter * (2 * r - 1))
}

/** Pings each open connection every ≈ CONNECTION_PING_INTERVAL_MS, each on its own phase. */
export class JitteredConnectionMonitor implements Startable {
  readonly #components: Components
  readonly #log: Logger
  readonly #intervalMs: number
  readonly #jitter: number
  readonly #tickMs: number
  readonly #random: () => number
  readonly #timeout: AdaptiveTimeout
  /** When each connection's next ping is due (ms since the epoch). */
  #due = new WeakMap<Connection, number>()
  /** Connections with a ping in flight: the next is not sent before it ends. */
  #inFlight = new WeakSet<Connection>()
  #timer: ReturnType<typeof setTimeout> | undefined
  /** When the monitor last woke (ms since the epoch). */
  #lastWake = 0
  /** Wakes so far (tests: an idle node without connections stays at 0). */
  wakes = 0
  #abort: AbortController | undefined
  /** Pings started (for tests and benches). */
  pings = 0

  constructor(components: Components, init: JitteredMonitorInit = {}) {
    this.#components = components
    this.#log = components.logger.forComponent('kith:node:conn-monitor')
    this.#intervalMs = init.intervalMs ?? CONNECTION_PING_INTERVAL_MS
    this.#jitter = init.jitter ?? CONNECTION_PING_JITTER
    this.#tickMs = init.tickMs ?? CONNECTION_MONITOR_TICK_MS
    this.#random = init.random ?? Math.random
    this.#timeout = new AdaptiveTimeout({ ...init.pingTimeout })
  }

  readonly [Symbol.toStringTag] = 'kith/connection-monitor'

  start(): void {
    this.#abort = new AbortController()
    // Every ping in flight listens on it (AdaptiveTimeout's combined signal), as upstream's does.
    setMaxListeners(Infinity, this.#abort.signal)
    this.#components.events?.addEventListener('connection:open', this.#onOpen)
    this.#arm()
  }

  stop(): void {
    this.#abort?.abort()
    this.#components.events?.removeEventListener('connection:open', this.#onOpen)
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#due = new WeakMap()
    this.#inFlight = new WeakSet()
  }

  readonly #onOpen = (evt: CustomEvent<Connection>): void => {
    if (this.#abort?.signal.aborted !== false) return
    this.#phase(evt.detail, Date.now())
    this.#arm()
  }

  /** A connection's first ping: at a uniform random time within one interval of `now`. */
  #phase(conn: Connection, now: number): number {
    const due = now + this.#random() * this.#intervalMs
    this.#due.set(conn, due)
    return due
  }

  /** Sets the timer for the earliest ping due (none without connections), at least
   *  CONNECTION_MONITOR_TICK_MS after the last wake. */
  #arm(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#abort?.signal.aborted !== false) return
    const now = Date.now()
    let next = Infinity
    for (const conn of this.#components.connectionManager.getConnections())
      next = Math.min(next, this.#due.get(conn) ?? this.#phase(conn, now))
    if (next === Infinity) return
    const at = Math.max(next, this.#lastWake + this.#tickMs)
    this.#timer = setTimeout(() => {
      // A timer may fire a millisecond before `at` by Date.now() (libuv's loop clock is not
      // Date.now()): the ping due at `at` is due now, not one more wake later.
      this.#lastWake = Math.max(Date.now(), at)
      this.wakes++
      this.tick(this.#lastWake)
      this.#arm()
    }, at - now)
    this.#timer.unref?.()
  }

  /** Pings the connections due at `now`; a connection seen for the first time gets its phase. */
  tick(now: number): void {
    for (const conn of this.#components.connectionManager.getConnections()) {
      const due = this.#due.get(conn)
      if (due === undefined) {
        this.#phase(conn, now)
        continue
      }
      if (now < due) continue
      this.#due.set(conn, now + jitteredPeriod(this.#intervalMs, this.#jitter, this.#random()))
      // Unlike upstream, never two pings of one connection at once: a ping may wait up to its
      // adaptive timeout (5–60 s), longer than a period, and a second one over the ping
      // protocol's stream limit failed with TooManyOutboundProtocolStreamsError, which upstream
      // takes for a dead peer and aborts a healthy, busy connection (libp2p.ts
      // PING_MAX_OUTBOUND_STREAMS; js-libp2p#3504).
      if (this.#inFlight.has(conn)) continue
      this.#inFlight.add(conn)
      this.pings++
      this.#ping(conn)
        .catch((err: Error) => {
          // Our own limit (a hole-punch probe holds the protocol's other streams) says nothing
          // of the peer: the next period tries again.
          if (err.name === 'TooManyOutboundProtocolStreamsError') return
          // As upstream (abortConnectionOnPingFailure, default true): a failed ping ends it.
          this.#log.error('ping failed, aborting the connection - %e', err)
          conn.abort(err)
        })
        .finally(() => this.#inFlight.delete(conn))
    }
  }

  /** libp2p 3.3.11 connection-monitor.js's heartbeat, for one connection; through the muxer's own
   *  ping where it has one (./patches.ts muxerPingOf). */
  async #ping(conn: Connection): Promise<void> {
    let start = Date.now()
    const signal = this.#timeout.getTimeoutSignal({ signal: this.#abort?.signal })
    const muxerPing = muxerPingOf(conn)
    let stream: Stream | undefined
    try {
      if (muxerPing !== undefined) {
        conn.rtt = await muxerPing({ signal })
        return
      }
      stream = await conn.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
      const bs = byteStream(stream)
      start = Date.now()
      await Promise.all([
        bs.write(crypto.getRandomValues(new Uint8Array(PING_LENGTH)), { signal }),
        bs.read({ bytes: PING_LENGTH, signal }),
      ])
      conn.rtt = Date.now() - start
      await stream.close({ signal })
    } catch (err) {
      stream?.abort(err as Error)
      if (muxerPing !== undefined || errorName(err) !== 'UnsupportedProtocolError') throw err
      // Upstream: the remote ran multistream-select (two round trips), so it is alive.
      conn.rtt = (Date.now() - start) / 2
    } finally {
      this.#timeout.cleanUp(signal)
    }
  }
}

/** The libp2p service factory: `services: { connectionMonitor: jitteredConnectionMonitor() }`. */
export function jitteredConnectionMonitor(
  init: JitteredMonitorInit = {},
): (components: Components) => JitteredConnectionMonitor {
  return (components) => new JitteredConnectionMonitor(components, init)
}
