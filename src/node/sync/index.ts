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
// start()/stop(), registered under `services.sync`. The registration, the responder's tail and
// the counts are its StreamHost's (../stream/host.ts), the requester's exchange is requestOnce
// (../stream/exchange.ts): this module says what is asked and answered, and with which errors.
import debug from 'debug'
import { StreamHost, type HostRegistrar, type Inbound } from '../stream/host.js'
import { requestOnce, type ExchangeErrors } from '../stream/exchange.js'
import { withTimeout } from '../stream/io.js'
import type { OpenComponents } from '../stream/open.js'
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './codec.js'
import {
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
import type { SyncHandler, SyncRequest, SyncResponse } from '../types.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface SyncComponents extends OpenComponents {
  peerId: PeerId
  registrar: HostRegistrar
}

/** Timings the tests shorten; production passes nothing. */
export interface SyncInit {
  requestTimeoutMs?: number
  streamIdleMs?: number
  handlerTimeoutMs?: number
  /** Tests: fewer concurrent inbound streams. */
  maxInboundStreams?: number
}

/** The requester's errors (types.ts SyncPort.syncFetch). */
const SYNC_ERRORS: ExchangeErrors = {
  timeout: (m) => new SyncTimeoutError(m),
  refused: (m, o) => new SyncRefusedError(m, o),
  stream: (m, o) => new SyncStreamError(m, o),
  // A reset is the responder's refusal (e.g. its handler's NotAMemberError): it is not counted.
  reset: (m, o) => new SyncStreamError(m, o),
  protocol: (m) => new SyncProtocolError(m),
}

export class SyncProtocol extends StreamHost {
  readonly #c: SyncComponents
  readonly #requestTimeoutMs: number
  readonly #handlerTimeoutMs: number
  readonly #maxInbound: number
  #handler: SyncHandler | undefined
  /** Who may ask (default: no one until the service says). */
  #allow: (peer: string) => boolean = () => false

  constructor(components: SyncComponents, init: SyncInit = {}) {
    super(components.registrar, {
      protocol: SYNC_PROTOCOL,
      streamsPerConnection: SYNC_MAX_STREAMS_PER_CONNECTION,
      // Members behind NATs sync over relayed connections too (small answers fit the limits).
      limited: true,
      maxRequestBytes: MAX_SYNC_REQUEST_BYTES,
      idleMs: init.streamIdleMs ?? SYNC_STREAM_IDLE_MS,
      idle: (ms) => new SyncIdleTimeoutError(`no request for ${ms} ms`),
      closeGraceMs: SYNC_CLOSE_GRACE_MS,
      log: debug('kith:node:sync'),
    })
    this.#c = components
    this.#requestTimeoutMs = init.requestTimeoutMs ?? SYNC_REQUEST_TIMEOUT_MS
    this.#handlerTimeoutMs = init.handlerTimeoutMs ?? SYNC_HANDLER_TIMEOUT_MS
    this.#maxInbound = init.maxInboundStreams ?? SYNC_MAX_INBOUND_STREAMS
  }

  readonly [Symbol.toStringTag] = 'kith:sync'

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

  protected override admit(remote: string): undefined {
    if (this.#handler === undefined) throw new SyncNoHandlerError('no sync handler installed')
    if (!this.#allowed(remote)) throw new SyncNotAllowedError('not a peer we sync with')
    if (this.serving >= this.#maxInbound) {
      throw new SyncBusyError(`${this.#maxInbound} sync streams already served`)
    }
    return undefined
  }

  /** One request, one answer. */
  protected async respond(inbound: Inbound): Promise<void> {
    const req = decodeRequest(await inbound.request())
    const handler = this.#handler
    if (handler === undefined) throw new SyncNoHandlerError('no sync handler installed')
    const res = await withTimeout(
      Promise.resolve().then(() => handler(inbound.remote, req)),
      this.#handlerTimeoutMs,
      () => new SyncHandlerTimeoutError(`handler took over ${this.#handlerTimeoutMs} ms`),
      () => undefined,
    )
    await inbound.answer(encodeResponse(res).bytes, MAX_SYNC_RESPONSE_BYTES)
  }

  #allowed(peer: string): boolean {
    try {
      return this.#allow(peer)
    } catch {
      return false
    }
  }

  /** Asks `peer` (dialled if needed, `addrs` merged into the peer store); one exchange within
   *  the request timeout. A bad answer is a SyncProtocolError, counted. */
  async fetch(
    peer: PeerId,
    req: SyncRequest,
    addrs: readonly Multiaddr[] = [],
  ): Promise<SyncResponse> {
    const spec = {
      protocol: SYNC_PROTOCOL,
      request: encodeRequest(req),
      maxRequestBytes: MAX_SYNC_REQUEST_BYTES,
      maxAnswerBytes: MAX_SYNC_RESPONSE_BYTES,
      timing: { deadlineMs: this.#requestTimeoutMs },
      errors: SYNC_ERRORS,
      counted: (e: Error) => SyncProtocolError.is(e),
    }
    return await requestOnce({ components: this.#c, host: this }, peer, addrs, spec, decodeResponse)
  }
}

/** The /kith/sync service factory: `services: { sync: sync() }`. */
export function sync(init: SyncInit = {}): (components: SyncComponents) => SyncProtocol {
  return (components) => new SyncProtocol(components, init)
}
