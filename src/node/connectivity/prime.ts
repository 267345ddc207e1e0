// The punch primer, /kith/punch-prime/1.0.0 (docs/connectivity.md "Routers that answer
// unsolicited packets"): before a WebRTC hole punch, each side opens its own NAT for the other
// with a packet that cannot reach the other side's router, so no router ever sees a first packet
// from the peer it has no mapping for.
//
// A router that accepts an unsolicited packet addressed to itself confirms a conntrack entry for
// it and then maps its own host's packet to that peer onto a new port, which the peer's router
// drops: whichever ICE check arrives first spoils the punch. The remedy is the low-TTL first
// packet of TCP NAT traversal (the low-TTL SYN of STUNT: Guha and Francis, "Characterization and
// Measurement of TCP Traversal through NATs and Firewalls", IMC 2005), here for UDP (RFC 5128
// describes the hole punching it makes safe): a datagram with TTL PRIME_TTL leaves the host's own
// NAT (which creates the mapping) and dies at the next router on the internet, before the peer's.
//
// The primed mapping must be the one ICE then uses, so the ICE agent cannot pick its own socket:
// the asker binds a UDP socket, learns its mapping from the node's STUN server (./stun-client.ts),
// sends it over the relayed connection; the responder does the same, sends its prime to the
// asker's mapping and answers its own; the asker sends its prime. Both close their sockets and
// give the ports to the WebRTC connection of this punch (portRangeBegin = portRangeEnd, through
// ./webrtc.ts withIcePort): ICE's srflx candidate is then the primed mapping (same 5-tuple to
// the STUN server) and every check leaves through an entry that already exists. NATs that keep
// the source port (Linux MASQUERADE, most home routers) map the peer's destination the same;
// others are no worse off than without the prime.
//
// Bounds: the responder answers only over a relayed connection (a punch's), at most
// PRIME_MAX_INBOUND_STREAMS at once, and primes only public IPv4 mappings (a peer cannot aim our
// packets at our LAN); a prime is PRIME_COPIES datagrams of one byte. Frames are exactly
// PRIME_FRAME_BYTES. It knows nothing of when a punch happens (./holepunch.ts decides).
import { createSocket, type Socket } from 'node:dgram'
import { isIPv4 } from 'node:net'
import debug from 'debug'
import { defineError as define, MalformedMessageError } from '../../core/errors.js'
import { StreamHost, type HostRegistrar, type Inbound } from '../stream/host.js'
import { requestOnce, type ExchangeErrors } from '../stream/exchange.js'
import type { OpenComponents } from '../stream/open.js'
import { inScopes, ipScope, type IpScope } from './addr-scope.js'
import { stunMapping, type Mapped } from './stun-client.js'
import { isLimited } from './webrtc.js'
import type { Connection, PeerId } from '@libp2p/interface'

export const PRIME_PROTOCOL = '/kith/punch-prime/1.0.0'
/** Request and answer frame: the sender's public mapping, IPv4 only: 4, port (2), address (4). */
export const PRIME_FRAME_BYTES = 7
/** TTL of a prime: the host's router forwards it (TTL 1 left, the mapping made) and the next
 *  router on the path drops it. A host behind two NATs (a carrier's) opens only its own router
 *  this way; the carrier's NAT is then no better and no worse off than without the prime. */
export const PRIME_TTL = 2
/** Datagrams per prime (one byte each): one lost prime spoils a punch on a lossy link. */
export const PRIME_COPIES = 2
/** How long a STUN answer may take (a punch waits on it). */
export const PRIME_STUN_TIMEOUT_MS = 1_000
/** The asker's whole exchange, dial of nothing (the relayed connection is open) included. */
export const PRIME_TIMEOUT_MS = 3_000
/** An inbound stream must deliver its request within this, and take the answer within it. */
export const PRIME_STREAM_IDLE_MS = 2_000
/** Inbound primes at once, node-wide (a socket and a STUN round trip each). */
export const PRIME_MAX_INBOUND_STREAMS = 4
/** Per connection: one punch at a time. */
export const PRIME_MAX_STREAMS_PER_CONNECTION = 1
/** A port primed for a peer's offer is kept this long for it; the offer follows in milliseconds. */
export const PRIME_RESERVATION_MS = 10_000
/** Ports held for offers, node-wide; the oldest goes first. */
export const PRIME_MAX_RESERVATIONS = 32
const PRIME_CLOSE_GRACE_MS = 1_000
const log = debug('kith:node:prime')
/** The byte a prime carries (it never arrives anywhere). */
const PRIME_PAYLOAD = new Uint8Array([0])

/** Inbound: not over a relayed connection (nothing to punch), or our own prime failed. */
export class PrimeRefusedError extends define('PrimeRefusedError') {}
/** Inbound: PRIME_MAX_INBOUND_STREAMS already served. */
export class PrimeBusyError extends define('PrimeBusyError') {}
/** Inbound: no request within PRIME_STREAM_IDLE_MS. */
export class PrimeIdleTimeoutError extends define('PrimeIdleTimeoutError') {}
/** A mapping that is not a public IPv4 address. */
export class PrimeAddressError extends define('PrimeAddressError') {}
/** Outbound: no answer within PRIME_TIMEOUT_MS. */
export class PrimeTimeoutError extends define('PrimeTimeoutError') {}
/** Outbound: the stream failed or closed unanswered. */
export class PrimeStreamError extends define('PrimeStreamError') {}

export function encodeMapping(m: Mapped): Uint8Array {
  if (!isIPv4(m.address)) throw new PrimeAddressError('a prime mapping is IPv4')
  if (!Number.isInteger(m.port) || m.port < 1 || m.port > 0xffff) throw new RangeError('port')
  const out = new Uint8Array(PRIME_FRAME_BYTES)
  out[0] = 4
  out[1] = m.port >> 8
  out[2] = m.port & 0xff
  out.set(m.address.split('.').map(Number), 3)
  return out
}

/** A peer's mapping; MalformedMessageError for a frame that is not one, PrimeAddressError for an
 *  address outside `scopes` (default: public only). */
export function decodeMapping(frame: Uint8Array, scopes: readonly IpScope[] = ['public']): Mapped {
  if (frame.length !== PRIME_FRAME_BYTES || frame[0] !== 4) {
    throw new MalformedMessageError(`a prime frame is ${PRIME_FRAME_BYTES} bytes, IPv4`)
  }
  const port = (frame[1]! << 8) | frame[2]!
  if (port === 0) throw new MalformedMessageError('port 0')
  const address = Array.from(frame.subarray(3)).join('.')
  if (!inScopes(address, scopes)) {
    throw new PrimeAddressError(`a ${ipScope(address) ?? 'bad'} address is not primed`)
  }
  return { address, port }
}

/** The first IPv4 `host:port` of the node's STUN servers. */
export function ipv4Stun(stun: readonly string[]): { host: string; port: number } | undefined {
  for (const s of stun) {
    const at = s.lastIndexOf(':')
    const host = s.slice(0, at)
    const port = Number(s.slice(at + 1))
    if (isIPv4(host) && Number.isInteger(port) && port > 0 && port <= 0xffff) return { host, port }
  }
  return undefined
}

export interface PrimerComponents extends OpenComponents {
  registrar: HostRegistrar
  connectionManager: OpenComponents['connectionManager'] & {
    getConnections(peer?: PeerId): Connection[]
  }
}

export interface PrimerInit {
  /** The node's STUN servers (`host:port`); priming needs an IPv4 one. */
  stun?: readonly string[]
  /** Address scopes a mapping may have (tests on loopback add 'loopback'). */
  scopes?: readonly IpScope[]
  ttl?: number
  timeoutMs?: number
}

const PRIME_ERRORS: ExchangeErrors = {
  timeout: (m) => new PrimeTimeoutError(m),
  refused: (m, o) => new PrimeRefusedError(m, o),
  stream: (m, o) => new PrimeStreamError(m, o),
  reset: (m, o) => new PrimeRefusedError(m, o),
  protocol: (_m, cause) => cause,
}

/** A bound socket and its public mapping, ready to prime. */
interface Opened {
  socket: Socket
  local: number
  mapped: Mapped
}

export class PunchPrimer extends StreamHost {
  readonly #c: PrimerComponents
  readonly #stun: { host: string; port: number } | undefined
  readonly #scopes: readonly IpScope[]
  readonly #ttl: number
  readonly #timeoutMs: number
  /** Ports primed for a peer's coming offer, oldest first. */
  readonly #reserved = new Map<string, { port: number; until: number }>()

  constructor(components: PrimerComponents, init: PrimerInit = {}) {
    super(components.registrar, {
      protocol: PRIME_PROTOCOL,
      streamsPerConnection: PRIME_MAX_STREAMS_PER_CONNECTION,
      limited: true,
      maxRequestBytes: PRIME_FRAME_BYTES,
      idleMs: PRIME_STREAM_IDLE_MS,
      idle: (ms) => new PrimeIdleTimeoutError(`no request for ${ms} ms`),
      closeGraceMs: PRIME_CLOSE_GRACE_MS,
      log,
    })
    this.#c = components
    this.#stun = ipv4Stun(init.stun ?? [])
    this.#scopes = init.scopes ?? ['public']
    this.#ttl = init.ttl ?? PRIME_TTL
    this.#timeoutMs = init.timeoutMs ?? PRIME_TIMEOUT_MS
  }

  readonly [Symbol.toStringTag] = 'kith:prime'

  protected override admit(_remote: string, connection: Connection): undefined {
    if (!isLimited(connection)) throw new PrimeRefusedError('only over a relayed connection')
    if (this.serving >= PRIME_MAX_INBOUND_STREAMS) {
      throw new PrimeBusyError(`${PRIME_MAX_INBOUND_STREAMS} served already`)
    }
    return undefined
  }

  /** The asker's mapping in, our prime out, our mapping back; the port held for its offer. */
  protected async respond(inbound: Inbound): Promise<void> {
    const theirs = decodeMapping(await inbound.request(), this.#scopes)
    const opened = await this.#open(AbortSignal.timeout(PRIME_STREAM_IDLE_MS))
    if (opened === undefined) throw new PrimeRefusedError('no public mapping of our own')
    await this.#send(opened, theirs)
    this.#reserve(inbound.remote, opened.local)
    await inbound.answer(encodeMapping(opened.mapped), PRIME_FRAME_BYTES)
  }

  /**
   * Primes a punch to `peer` as the offerer: resolves the local UDP port the WebRTC connection
   * must use, or undefined when this punch goes unprimed (no STUN server or answer, a private
   * mapping, the peer does not speak the protocol or refused). Never rejects.
   */
  async prime(peer: PeerId, signal: AbortSignal): Promise<number | undefined> {
    if (!this.started) return undefined
    const opened = await this.#open(AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]))
    if (opened === undefined) return undefined
    try {
      const spec = {
        protocol: PRIME_PROTOCOL,
        request: encodeMapping(opened.mapped),
        maxRequestBytes: PRIME_FRAME_BYTES,
        maxAnswerBytes: PRIME_FRAME_BYTES,
        timing: { deadlineMs: this.#timeoutMs },
        errors: PRIME_ERRORS,
        counted: () => false,
        // Over the relayed connection the punch is for (libp2p's openConnection would dial).
        existing: () =>
          this.#c.connectionManager
            .getConnections(peer)
            .find((c) => c.status === 'open' && isLimited(c)),
      }
      const decode = (f: Uint8Array): Mapped => decodeMapping(f, this.#scopes)
      const ctx = { components: this.#c, host: this }
      const theirs = await requestOnce(ctx, peer, [], spec, decode)
      await this.#send(opened, theirs)
      log('primed a punch to %s from local port %d', peer.toString(), opened.local)
      return opened.local
    } catch (err) {
      this.count((err as Error).name)
      log('unprimed punch to %s: %s', peer.toString(), (err as Error).name)
      closeQuietly(opened.socket)
      return undefined
    }
  }

  /** The port primed for `peer`'s offer (once), or undefined. */
  take(peer: string): number | undefined {
    const r = this.#reserved.get(peer)
    this.#reserved.delete(peer)
    return r !== undefined && r.until > Date.now() ? r.port : undefined
  }

  #reserve(peer: string, port: number): void {
    this.#reserved.delete(peer)
    if (this.#reserved.size >= PRIME_MAX_RESERVATIONS) {
      this.#reserved.delete(this.#reserved.keys().next().value!)
    }
    this.#reserved.set(peer, { port, until: Date.now() + PRIME_RESERVATION_MS })
  }

  /** A fresh UDP socket and its public mapping, or undefined (closed again). */
  async #open(signal: AbortSignal): Promise<Opened | undefined> {
    const stun = this.#stun
    if (stun === undefined) return undefined
    const socket = createSocket('udp4')
    socket.on('error', () => undefined)
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.bind(0, () => resolve())
      })
      const mapped = await stunMapping(socket, stun.host, stun.port, PRIME_STUN_TIMEOUT_MS, signal)
      if (mapped !== undefined && inScopes(mapped.address, this.#scopes)) {
        return { socket, local: socket.address().port, mapped }
      }
    } catch {
      // bind failed: unprimed
    }
    closeQuietly(socket)
    return undefined
  }

  /** Sends the prime from `opened` to `to` and closes the socket, freeing its port for ICE. */
  async #send(opened: Opened, to: Mapped): Promise<void> {
    const { socket } = opened
    try {
      socket.setTTL(this.#ttl)
      for (let i = 0; i < PRIME_COPIES; i++) {
        await new Promise<void>((resolve) =>
          socket.send(PRIME_PAYLOAD, to.port, to.address, () => resolve()),
        )
      }
    } finally {
      closeQuietly(socket)
    }
  }
}

/** Closes a socket that may be closed already. */
function closeQuietly(socket: Socket): void {
  try {
    socket.close()
  } catch {
    // ERR_SOCKET_DGRAM_NOT_RUNNING: closed already
  }
}

/** The /kith/punch-prime service factory: `services: { prime: punchPrimer() }`. */
export function punchPrimer(init: PrimerInit = {}): (c: PrimerComponents) => PunchPrimer {
  return (components) => new PunchPrimer(components, init)
}
