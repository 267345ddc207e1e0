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
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The protocol's typed errors: OpenErrors' three for opening the stream (`timeout` also for a
 *  write or read that passed the deadline or stalled, `stream` also for a failed write), and: */
export interface ExchangeErrors extends OpenErrors {
  /** The responder reset the stream while we read, or closed it without an answer. */
  reset(message: string, options?: { cause: unknown }): Error
  /** An answer frame over the limit or malformed (`cause`), or one that does not decode. */
  protocol(message: string, cause: Error): Error
}

/** How long an exchange may take: sync and card bound the whole exchange, dial included;
 *  the file protocols bound the dial, then each write and each answer frame (a stall). */
export type ExchangeTiming = { deadlineMs: number } | { openMs: number; stallMs: number }

export interface ExchangeSpec {
  protocol: string
  /** The request frame (already encoded) and the protocol's limit for it. */
  request: Uint8Array
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
}

/** The answers as the protocol's reader sees them. */
export interface Answers {
  /** The next answer frame, or null at the responder's clean end. Typed errors. */
  next(): Promise<Uint8Array | null>
  /** `decode(frame)`; a throw there is the protocol's `protocol` error. */
  decode<T>(frame: Uint8Array, decode: (frame: Uint8Array) => T): T
}

/** What an exchange needs of the protocol that runs it. */
export interface ExchangeContext {
  components: OpenComponents
  host: Pick<StreamHost, 'started' | 'track' | 'count'>
}

/**
 * One exchange with `peer` (dialled if needed, `addrs` merged into the peer store): the request
 * written, then `read` given the answers. Resolves what `read` resolves; rejects with
 * NodeNotStartedError, PeerUnreachableError or the protocol's errors (`spec.errors`), or what
 * `read` throws (counted and the stream aborted likewise).
 */
export async function exchange<T>(
  ctx: ExchangeContext,
  peer: PeerId,
  addrs: readonly Multiaddr[],
  spec: ExchangeSpec,
  read: (answers: Answers) => Promise<T>,
): Promise<T> {
  if (!ctx.host.started) throw new NodeNotStartedError('node is not started')
  const { errors, timing } = spec
  const end = 'deadlineMs' in timing ? Date.now() + timing.deadlineMs : Infinity
  const late =
    'deadlineMs' in timing ? `within ${timing.deadlineMs} ms` : `for ${timing.stallMs} ms`
  /** The time the next write or read may take: the stall time, or what is left of the deadline. */
  const within = (): number =>
    'deadlineMs' in timing ? Math.max(1, end - Date.now()) : timing.stallMs
  const timeout = (): Error => errors.timeout(`no answer ${late}`)
  const stream = await openStream(ctx.components, peer, addrs, spec.protocol, errors, {
    signal: AbortSignal.timeout('deadlineMs' in timing ? timing.deadlineMs : timing.openMs),
    limited: spec.limited ?? true,
  })
  const untrack = ctx.host.track(stream)
  const max = spec.maxAnswerBytes
  const reader = new FrameReader(stream, max, spec.highWater ?? max)
  const answers: Answers = {
    async next() {
      let stalled: Error | undefined
      const onTimeout = (): Error => (stalled = timeout())
      try {
        return await withTimeout(reader.next(), within(), onTimeout, (e) => stream.abort(e))
      } catch (err) {
        if (stalled !== undefined || Date.now() >= end) throw stalled ?? timeout()
        if (MessageTooLargeError.is(err) || MalformedMessageError.is(err)) {
          throw errors.protocol(`bad frame: ${asError(err).message}`, err)
        }
        throw errors.reset(`${peer.toString()} reset the ${spec.protocol} stream`, { cause: err })
      }
    },
    decode(frame, decode) {
      try {
        return decode(frame)
      } catch (err) {
        throw errors.protocol(`bad answer: ${asError(err).message}`, asError(err))
      }
    },
  }
  try {
    const signal = AbortSignal.timeout(within())
    try {
      await writeFrame(stream, spec.request, spec.maxRequestBytes, signal)
      await stream.close({ signal })
    } catch (err) {
      throw signal.aborted
        ? timeout()
        : errors.stream(`${spec.protocol} stream failed while writing`, { cause: err })
    }
    return await read(answers)
  } catch (err) {
    const e = asError(err)
    if (spec.counted?.(e) ?? true) ctx.host.count(e.name)
    if (stream.status === 'open') stream.abort(e)
    throw e
  } finally {
    reader.dispose()
    untrack()
  }
}

/** An exchange of one request and one answer frame, decoded by `decode`: a clean end before it
 *  is the protocol's `reset` error (the responder refused without a word). */
export async function requestOnce<T>(
  ctx: ExchangeContext,
  peer: PeerId,
  addrs: readonly Multiaddr[],
  spec: ExchangeSpec,
  decode: (frame: Uint8Array) => T,
): Promise<T> {
  return await exchange(ctx, peer, addrs, spec, async (answers) => {
    const frame = await answers.next()
    if (frame == null) throw spec.errors.reset(`${peer.toString()} closed the stream unanswered`)
    return answers.decode(frame, decode)
  })
}
