// The requester's side of every one-request protocol of the node (/kith/sync, /kith/card,
// /kith/file, /kith/filebox fetches): open a stream (./open.ts), write the one request and close
// our write side, then read the answer frames — bounded in size, each within the exchange's
// deadline or stall time — and turn every failure into the protocol's typed error: the stream
// reset by the peer, closed unanswered, a frame over the limit or malformed, an answer that does
// not decode, a timeout. Failures are counted by error name in the protocol's StreamHost (as the
// protocol chooses) and abort the stream; the stream is tracked so the node's stop aborts it.
// The responder's side is ./host.ts. It knows nothing of what the frames carry.
import { MalformedMessageError, MessageTooLargeError, NodeNotStartedError } from '../errors.js'
import { FrameReader } from './frames.js'
import type { StreamHost } from './host.js'
import { withTimeout, writeFrame } from './io.js'
import { asError, openStream, type OpenComponents, type OpenErrors } from './open.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The protocol's typed errors for a stream it opened. */
export interface RequestErrors {
  /** A write or read that did not finish within its time (the deadline, or a stall). */
  timeout(message: string): Error
  /** The request could not be written. */
  stream(message: string, options: { cause: unknown }): Error
  /** The responder reset the stream while we read, or closed it without an answer. */
  reset(message: string, options?: { cause: unknown }): Error
  /** An answer frame over the limit or malformed (`cause`), or one that does not decode. */
  protocol(message: string, cause: Error): Error
}

/** With OpenErrors' for opening the stream (`timeout`, `refused`, `stream`). */
export type ExchangeErrors = RequestErrors & OpenErrors

/** How long an exchange may take: sync and card bound the whole exchange, dial included;
 *  the file protocols bound the dial, then each write and each answer frame (a stall). */
export type ExchangeTiming = { deadlineMs: number } | { openMs: number; stallMs: number }

export interface ExchangeSpec {
  protocol: string
  /** The one request frame (already encoded), written before `read` runs and our write side
   *  closed; without it `read` writes its own requests (a /kith/filebox deposit). */
  request?: Uint8Array
  /** The protocol's limit for a request frame. */
  maxRequestBytes: number
  /** Largest answer frame: a longer length prefix fails the exchange before it is buffered. */
  maxAnswerBytes: number
  /** Unread answer bytes before the stream is paused (default `maxAnswerBytes`). */
  highWater?: number
  /** false: never over a limited (relayed) connection (the file protocols). Default true. */
  limited?: boolean
  timing: ExchangeTiming
  errors: ExchangeErrors
  /** Which failures after the stream opened count in the host's metrics (default: all). */
  counted?: (err: Error) => boolean
  /** An open connection to use instead of dialling (./open.ts OpenOptions.existing). */
  existing?: () => Connection | undefined
}

/** A stream we opened, as its requester uses it: request frames written and answer frames read,
 *  each within a time, every failure the protocol's typed error (`errors`). A protocol that
 *  keeps a stream for several requests (/kith/mailbox, a /kith/filebox deposit) uses it
 *  directly; one request per stream is `exchange` below. */
export class RequestStream {
  readonly stream: Stream
  readonly #reader: FrameReader
  readonly #errors: RequestErrors
  readonly #what: string

  /** `maxAnswerBytes`: a longer length prefix fails the read before the frame is buffered;
   *  `highWater`: unread answer bytes before the stream is paused. */
  constructor(
    stream: Stream,
    errors: RequestErrors,
    maxAnswerBytes: number,
    highWater = maxAnswerBytes,
  ) {
    this.stream = stream
    this.#errors = errors
    this.#reader = new FrameReader(stream, maxAnswerBytes, highWater)
    this.#what = `${stream.protocol} stream`
  }

  /** Writes one request frame of at most `maxBytes` within `ms`; `closeWrite`: then closes our
   *  write side (the last request). Rejects with the protocol's `timeout` or `stream` error. */
  async write(frame: Uint8Array, maxBytes: number, ms: number, closeWrite = false): Promise<void> {
    const signal = AbortSignal.timeout(ms)
    try {
      await writeFrame(this.stream, frame, maxBytes, signal)
      if (closeWrite) await this.stream.close({ signal })
    } catch (err) {
      throw signal.aborted
        ? this.#errors.timeout(`could not write within ${ms} ms`)
        : this.#errors.stream(`${this.#what} failed while writing`, { cause: err })
    }
  }

  /** The next answer frame within `ms` (else the stream is aborted), or null at the
   *  responder's clean end. Rejects with the protocol's `timeout`, `protocol` or `reset` error. */
  async next(ms: number): Promise<Uint8Array | null> {
    let stalled: Error | undefined
    const timeout = (): Error => (stalled = this.#errors.timeout(`no answer within ${ms} ms`))
    try {
      return await withTimeout(this.#reader.next(), ms, timeout, (e) => this.stream.abort(e))
    } catch (err) {
      if (stalled !== undefined) throw stalled
      if (MessageTooLargeError.is(err) || MalformedMessageError.is(err)) {
        throw this.#errors.protocol(`bad frame: ${asError(err).message}`, err)
      }
      throw this.#errors.reset(`the peer reset the ${this.#what}`, { cause: err })
    }
  }

  /** The one answer to a request within `ms`, decoded by `decode`: a clean end before it is the
   *  protocol's `reset` error (the responder refused without a word). */
  async answer<T>(ms: number, decode: (frame: Uint8Array) => T): Promise<T> {
    const frame = await this.next(ms)
    if (frame == null) throw this.#errors.reset(`the peer closed the ${this.#what} unanswered`)
    return this.decode(frame, decode)
  }

  /** `decode(frame)`; a throw there is the protocol's `protocol` error. */
  decode<T>(frame: Uint8Array, decode: (frame: Uint8Array) => T): T {
    try {
      return decode(frame)
    } catch (err) {
      throw this.#errors.protocol(`bad answer: ${asError(err).message}`, asError(err))
    }
  }

  /** Resets the stream with `err` and detaches the reader. */
  abort(err: Error): void {
    this.#reader.dispose()
    this.stream.abort(err)
  }

  /** Detaches the reader (the stream is closed or aborted by whoever owns it). */
  dispose(): void {
    this.#reader.dispose()
  }
}

/** What an exchange needs of the protocol that runs it. */
export interface ExchangeContext {
  components: OpenComponents
  host: Pick<StreamHost, 'started' | 'track' | 'count'>
}

/**
 * One exchange with `peer` (dialled if needed, `addrs` merged into the peer store): the request
 * written and our write side closed, then `read` given the stream and the time each answer frame
 * may take (the stall time, or what is left of the deadline). Resolves what `read` resolves;
 * rejects with NodeNotStartedError, PeerUnreachableError or the protocol's errors
 * (`spec.errors`), or what `read` throws (counted and the stream aborted likewise).
 */
export async function exchange<T>(
  ctx: ExchangeContext,
  peer: PeerId,
  addrs: readonly Multiaddr[],
  spec: ExchangeSpec,
  read: (answers: RequestStream, within: () => number) => Promise<T>,
): Promise<T> {
  if (!ctx.host.started) throw new NodeNotStartedError('node is not started')
  const { errors, timing } = spec
  const end = 'deadlineMs' in timing ? Date.now() + timing.deadlineMs : 0
  const within = (): number =>
    'deadlineMs' in timing ? Math.max(1, end - Date.now()) : timing.stallMs
  const stream = await openStream(ctx.components, peer, addrs, spec.protocol, errors, {
    signal: AbortSignal.timeout('deadlineMs' in timing ? timing.deadlineMs : timing.openMs),
    limited: spec.limited ?? true,
    ...(spec.existing !== undefined ? { existing: spec.existing } : {}),
  })
  const untrack = ctx.host.track(stream)
  const rs = new RequestStream(stream, errors, spec.maxAnswerBytes, spec.highWater)
  try {
    if (spec.request !== undefined) {
      await rs.write(spec.request, spec.maxRequestBytes, within(), true)
    }
    return await read(rs, within)
  } catch (err) {
    const e = asError(err)
    if (spec.counted?.(e) ?? true) ctx.host.count(e.name)
    if (stream.status === 'open') stream.abort(e)
    throw e
  } finally {
    rs.dispose()
    untrack()
  }
}

/** An exchange of one request and one answer frame, decoded by `decode`. */
export async function requestOnce<T>(
  ctx: ExchangeContext,
  peer: PeerId,
  addrs: readonly Multiaddr[],
  spec: ExchangeSpec,
  decode: (frame: Uint8Array) => T,
): Promise<T> {
  return await exchange(ctx, peer, addrs, spec, (rs, within) => rs.answer(within(), decode))
}
