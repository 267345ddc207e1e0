// The /kith/sync/1.0.0 protocol (design §4): one request and its one answer per stream, both
// length-prefixed protobuf frames (the /kith/dm framing). The responder authenticates nothing
// itself: it hands the connection's remote PeerId (Noise-authenticated) and the decoded request
// to the service's handler, which decides membership and content. Before a byte of the request is
// read, the service's `allow` predicate must accept the asker (a member of a group we are in), and
// at most SYNC_MAX_INBOUND_STREAMS inbound streams are served at once. Hostile bytes, an idle stream,
// or a handler that throws reset the stream and are counted by error name (syncRejected); so is
// a bad answer on the requester's side. It knows nothing of keys, members or messages.
//
// Shaped like js-libp2p's ping (STYLE.md §3): `sync(init)(components)` is a libp2p service with
// start()/stop(), registered under `services.sync`. This module is the protocol and its
// responder; the requester's side is ./client.ts.
import debug from 'debug'
import { MalformedMessageError } from '../../core/errors.js'
import { FrameReader } from '../stream/frames.js'
import { NodeNotStartedError } from '../errors.js'
import { StreamHost, type HostRegistrar } from '../stream/host.js'
import { asError } from '../stream/open.js'
import { withTimeout, writeFrame } from '../stream/io.js'
import { decodeRequest, encodeResponse } from './codec.js'
import { fetchSync } from './client.js'
import {
  SyncBusyError,
  SyncHandlerTimeoutError,
  SyncIdleTimeoutError,
  SyncNoHandlerError,
  SyncNotAllowedError,
} from './errors.js'
import {
  MAX_SYNC_REQUEST_BYTES,
  MAX_SYNC_RESPONSE_BYTES,
  SYNC_CLOSE_GRACE_MS,
  SYNC_HANDLER_TIMEOUT_MS,
  SYNC_MAX_INBOUND_STREAMS,
  SYNC_MAX_STREAMS_PER_CONNECTION,
  SYNC_PROTOCOL,
  SYNC_REQUEST_TIMEOUT_MS,
  SYNC_STREAM_IDLE_MS,
} from './limits.js'
import type { SyncHandler, SyncRequest } from '../types.js'
import type {
  AbortOptions,
  Connection,
  PeerData,
  PeerId,
  Startable,
  Stream,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export {
  MAX_SYNC_ENVELOPE_BYTES,
  MAX_SYNC_ENVELOPES,
  MAX_SYNC_GROUP_ID_BYTES,
  MAX_SYNC_MARKS,
  MAX_SYNC_OP_BYTES,
  MAX_SYNC_OP_HASHES,
  MAX_SYNC_OPS,
  MAX_SYNC_REQUEST_BYTES,
  MAX_SYNC_RESPONSE_BYTES,
  MAX_SYNC_SECRET_BYTES,
  MAX_SYNC_SEQ,
  SYNC_HANDLER_TIMEOUT_MS,
  SYNC_MAX_INBOUND_STREAMS,
  SYNC_OP_HASH_BYTES,
  SYNC_PROTOCOL,
  SYNC_REQUEST_TIMEOUT_MS,
  SYNC_STREAM_IDLE_MS,
} from './limits.js'
export {
  SyncBusyError,
  SyncHandlerTimeoutError,
  SyncIdleTimeoutError,
  SyncNoHandlerError,
  SyncNotAllowedError,
  SyncProtocolError,
  SyncRefusedError,
  SyncStreamError,
  SyncTimeoutError,
} from './errors.js'

const log = debug('kith:node:sync')

export interface SyncComponents {
  peerId: PeerId
  registrar: HostRegistrar
  connectionManager: {
    openConnection(peer: PeerId, options?: AbortOptions): Promise<Connection>
  }
  peerStore: { merge(peerId: PeerId, data: PeerData): Promise<unknown> }
}

/** Timings the tests shorten; production passes nothing. */
export interface SyncInit {
  requestTimeoutMs?: number
  streamIdleMs?: number
  handlerTimeoutMs?: number
  /** Tests: fewer concurrent inbound streams. */
  maxInboundStreams?: number
}

export class SyncProtocol implements Startable {
  readonly #c: SyncComponents
  readonly #requestTimeoutMs: number
  readonly #streamIdleMs: number
  readonly #handlerTimeoutMs: number
  readonly #maxInbound: number
  readonly #host: StreamHost
  #handler: SyncHandler | undefined
  /** Who may ask (default: no one until the service says). */
  #allow: (peer: string) => boolean = () => false
  /** Inbound streams being served. */
  #serving = 0

  constructor(components: SyncComponents, init: SyncInit = {}) {
    this.#c = components
    this.#requestTimeoutMs = init.requestTimeoutMs ?? SYNC_REQUEST_TIMEOUT_MS
    this.#streamIdleMs = init.streamIdleMs ?? SYNC_STREAM_IDLE_MS
    this.#handlerTimeoutMs = init.handlerTimeoutMs ?? SYNC_HANDLER_TIMEOUT_MS
    this.#maxInbound = init.maxInboundStreams ?? SYNC_MAX_INBOUND_STREAMS
    this.#host = new StreamHost(
      components.registrar,
      SYNC_PROTOCOL,
      {
        maxInboundStreams: SYNC_MAX_STREAMS_PER_CONNECTION,
        maxOutboundStreams: SYNC_MAX_STREAMS_PER_CONNECTION,
        // Members behind NATs sync over relayed connections too (small answers fit the limits).
        runOnLimitedConnection: true,
      },
      (stream, connection) => this.#serve(stream, connection),
    )
  }

  readonly [Symbol.toStringTag] = 'kith:sync'

  isStarted(): boolean {
    return this.#host.started
  }

  start(): Promise<void> {
    return this.#host.start()
  }

  stop(): Promise<void> {
    return this.#host.stop()
  }

  /** `allow` runs before a request is read: false resets the stream (SyncNotAllowedError). */
  setHandler(handler: SyncHandler, allow?: (peer: string) => boolean): void {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function')
    if (allow !== undefined && typeof allow !== 'function') {
      throw new TypeError('allow must be a function')
    }
    this.#handler = handler
    // Without a predicate every asker is read (the handler still decides).
    this.#allow = allow ?? (() => true)
  }

  /** Hostile streams reset, by error name. */
  rejected(): Record<string, number> {
    return this.#host.rejected()
  }

  #count(name: string): void {
    this.#host.count(name)
  }

  /** Serves one inbound stream: one request, one answer. Never rejects. */
  async #serve(stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    if (!this.#host.started) {
      stream.abort(new NodeNotStartedError('node is not started'))
      return
    }
    // Ask first (issue 11 finding 15): nothing of a stranger's request is buffered.
    let refusal: Error | undefined
    if (this.#handler === undefined) refusal = new SyncNoHandlerError('no sync handler installed')
    else if (!this.#allowed(remote)) refusal = new SyncNotAllowedError('not a peer we sync with')
    else if (this.#serving >= this.#maxInbound) {
      refusal = new SyncBusyError(`${this.#maxInbound} sync streams already served`)
    }
    if (refusal !== undefined) {
      this.#count(refusal.name)
      log('refused a sync stream from %s: %s', remote, refusal.name)
      stream.abort(refusal)
      return
    }
    this.#serving++
    const untrack = this.#host.track(stream)
    const reader = new FrameReader(stream, MAX_SYNC_REQUEST_BYTES, MAX_SYNC_REQUEST_BYTES)
    try {
      const frame = await withTimeout(
        reader.next(),
        this.#streamIdleMs,
        () => new SyncIdleTimeoutError(`no request for ${this.#streamIdleMs} ms`),
        (err) => stream.abort(err),
      )
      if (frame == null) throw new MalformedMessageError('stream ended without a request')
      const req = decodeRequest(frame)
      const handler = this.#handler
      if (handler === undefined) throw new SyncNoHandlerError('no sync handler installed')
      const res = await withTimeout(
        Promise.resolve().then(() => handler(remote, req)),
        this.#handlerTimeoutMs,
        () => new SyncHandlerTimeoutError(`handler took over ${this.#handlerTimeoutMs} ms`),
        () => undefined,
      )
      const { bytes } = encodeResponse(res)
      const signal = AbortSignal.timeout(this.#streamIdleMs)
      await writeFrame(stream, bytes, MAX_SYNC_RESPONSE_BYTES, signal)
      await stream.close({ signal: AbortSignal.timeout(SYNC_CLOSE_GRACE_MS) })
    } catch (err) {
      const e = asError(err)
      if (this.#host.started) {
        this.#count(e.name)
        log('reset sync stream from %s: %s', remote, e.name)
      }
      if (stream.status === 'open') stream.abort(e)
    } finally {
      this.#serving--
      reader.dispose()
      untrack()
    }
  }

  #allowed(peer: string): boolean {
    try {
      return this.#allow(peer)
    } catch {
      return false
    }
  }

  /** Asks `peer` (dialled if needed, `addrs` merged into the peer store); one exchange
   *  (./client.ts fetchSync). */
  async fetch(peer: PeerId, req: SyncRequest, addrs: readonly Multiaddr[] = []) {
    const ctx = { components: this.#c, host: this.#host, requestTimeoutMs: this.#requestTimeoutMs }
    return await fetchSync(ctx, peer, req, addrs)
  }
}

/** The /kith/sync service factory: `services: { sync: sync() }`. */
export function sync(init: SyncInit = {}): (components: SyncComponents) => SyncProtocol {
  return (components) => new SyncProtocol(components, init)
}
