// What every request/response protocol of the node (/kith/sync, /kith/card, /kith/file,
// /kith/filebox) does the same way around its own messages, as the base class of its libp2p
// service: registering its handler with libp2p's registrar and removing it (start/stop), the
// streams open in either direction (aborted when the node stops), and the responder's tail for
// every inbound stream — the protocol's admission before a byte is read, request frames bounded
// in size and by an idle time, answers written with backpressure, a graceful close, and every
// refused or failed stream reset and counted by error name (`kith status --json` metrics). The
// requester's side is ./exchange.ts. It knows nothing of what the frames carry; each protocol
// keeps its own limits and errors and says what it answers (`respond`).
import { MalformedMessageError, NodeNotStartedError } from '../errors.js'
import { FrameReader } from './frames.js'
import { withTimeout, writeFrame } from './io.js'
import { asError } from './open.js'
import type { Connection, Startable, Stream, StreamHandler } from '@libp2p/interface'
import type { StreamHandlerOptions } from '@libp2p/interface'
import type { Debugger } from 'debug'

export interface HostRegistrar {
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
  unhandle(protocol: string): Promise<void>
}

/** A protocol's own numbers and errors for serving its inbound streams. */
export interface HostSpec {
  protocol: string
  /** Streams of the protocol one connection may carry at once, each way (libp2p's cap). */
  streamsPerConnection: number
  /** true: also served and opened over a limited (relayed) connection. */
  limited: boolean
  /** Largest request frame: a longer length prefix resets the stream before it is buffered. */
  maxRequestBytes: number
  /** A request frame must be complete within this (a stalled partial frame costs a slot for at
   *  most this); it is also how long an answer frame may take to be written by default. */
  idleMs: number
  /** The protocol's error for `idleMs` passing without a complete request frame. */
  idle(ms: number): Error
  /** Bound of the graceful close after the last answer. */
  closeGraceMs: number
  log: Debugger
}

/** One inbound stream as a protocol's `respond` sees it. */
export interface Inbound {
  /** The asker's Noise-authenticated PeerId. */
  readonly remote: string
  readonly connection: Connection
  /** The next request frame, or null at the remote's clean end; rejects with the protocol's
   *  idle error when no complete frame came within `idleMs`, or a framing error. */
  next(): Promise<Uint8Array | null>
  /** The one request of a one-request protocol: a clean end before it is a
   *  MalformedMessageError. */
  request(): Promise<Uint8Array>
  /** Writes one answer frame of at most `maxBytes` within `ms` (default `idleMs`): when the
   *  reader does not take it in time, rejects with `stalled()` if given, else the timeout. */
  answer(
    frame: Uint8Array,
    maxBytes: number,
    options?: { ms?: number; stalled?: () => Error },
  ): Promise<void>
}

export abstract class StreamHost implements Startable {
  readonly #registrar: HostRegistrar
  readonly #spec: HostSpec
  readonly #rejected = new Map<string, number>()
  readonly #streams = new Set<Stream>()
  #started = false
  #serving = 0

  constructor(registrar: HostRegistrar, spec: HostSpec) {
    this.#registrar = registrar
    this.#spec = spec
  }

  /** Before a byte of the request is read: throws the protocol's refusal (counted, the stream
   *  reset), or returns what to call when the stream is done (the protocol's own counts). */
  protected admit(_remote: string, _connection: Connection): (() => void) | undefined {
    return undefined
  }

  /** Reads the request(s) and writes the answer(s); a throw resets the stream, counted by name. */
  protected abstract respond(inbound: Inbound): Promise<void>

  get started(): boolean {
    return this.#started
  }

  /** Inbound streams admitted and not yet done (the protocols' node-wide caps). */
  protected get serving(): number {
    return this.#serving
  }

  isStarted(): boolean {
    return this.#started
  }

  async start(): Promise<void> {
    if (this.#started) return
    const s = this.#spec
    await this.#registrar.handle(
      s.protocol,
      (stream, connection) => void this.#serve(stream, connection),
      {
        maxInboundStreams: s.streamsPerConnection,
        maxOutboundStreams: s.streamsPerConnection,
        runOnLimitedConnection: s.limited,
      },
    )
    this.#started = true
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    await this.#registrar.unhandle(this.#spec.protocol)
    for (const s of this.#streams) s.abort(new NodeNotStartedError('node stopping'))
    this.#streams.clear()
  }

  /** Keeps `stream` to abort at stop(); the returned function forgets it (./exchange.ts). */
  track(stream: Stream): () => void {
    this.#streams.add(stream)
    return () => void this.#streams.delete(stream)
  }

  /** Counts one refused, hostile or failed stream under its error name. */
  count(name: string): void {
    this.#rejected.set(name, (this.#rejected.get(name) ?? 0) + 1)
  }

  /** Refused, hostile and failed streams, by error name. */
  rejected(): Record<string, number> {
    return Object.fromEntries(this.#rejected)
  }

  /** Serves one inbound stream. Never rejects. */
  async #serve(stream: Stream, connection: Connection): Promise<void> {
    const s = this.#spec
    const remote = connection.remotePeer.toString()
    if (!this.#started) return void stream.abort(new NodeNotStartedError('node is not started'))
    let release: (() => void) | undefined
    try {
      // Ask first (issue 11 finding 15): nothing of a refused asker's request is buffered.
      release = this.admit(remote, connection)
    } catch (err) {
      const e = asError(err)
      this.count(e.name)
      s.log('refused a %s stream from %s: %s', s.protocol, remote, e.name)
      return void stream.abort(e)
    }
    this.#serving++
    const untrack = this.track(stream)
    const reader = new FrameReader(stream, s.maxRequestBytes, s.maxRequestBytes)
    try {
      await this.respond(inbound(stream, connection, remote, reader, s))
      await stream.close({ signal: AbortSignal.timeout(s.closeGraceMs) })
    } catch (err) {
      const e = asError(err)
      // After stop() the node aborted the stream itself: nothing the remote did.
      if (this.#started) this.count(e.name)
      s.log('reset a %s stream from %s: %s', s.protocol, remote, e.name)
      if (stream.status === 'open') stream.abort(e)
    } finally {
      this.#serving--
      release?.()
      reader.dispose()
      untrack()
    }
  }
}

function inbound(
  stream: Stream,
  connection: Connection,
  remote: string,
  reader: FrameReader,
  s: HostSpec,
): Inbound {
  const next = (): Promise<Uint8Array | null> =>
    withTimeout(
      reader.next(),
      s.idleMs,
      () => s.idle(s.idleMs),
      (err) => stream.abort(err),
    )
  return {
    remote,
    connection,
    next,
    async request() {
      const frame = await next()
      if (frame == null) throw new MalformedMessageError('stream ended without a request')
      return frame
    },
    async answer(frame, maxBytes, options = {}) {
      const signal = AbortSignal.timeout(options.ms ?? s.idleMs)
      try {
        await writeFrame(stream, frame, maxBytes, signal)
      } catch (err) {
        throw signal.aborted && options.stalled !== undefined ? options.stalled() : err
      }
    },
  }
}
