// One /kith/mailbox stream seen from the depositor or recipient (Exchange): a request, then its one
// answer, in turn, each bounded by the request timeout; and the typed error for each error name a
// mailbox may answer (wireError). It knows nothing of sessions, deposits or authentication
// (./client.ts).
import { MalformedMessageError, MessageTooLargeError } from '../../core/errors.js'
import { FrameReader } from '../stream/frames.js'
import { withTimeout, writeFrame } from '../stream/io.js'
import { asError } from '../stream/open.js'
import { decodeResponse, encodeRequest, type Request, type Response } from './codec.js'
import {
  MailboxAuthError,
  MailboxEnvelopeError,
  MailboxProtocolError,
  MailboxQuotaError,
  MailboxRefusedError,
  MailboxStreamError,
  MailboxTimeoutError,
} from './errors.js'
import {
  MAX_MAILBOX_DETAIL_CHARS,
  MAX_MAILBOX_REQUEST_BYTES,
  MAX_MAILBOX_RESPONSE_BYTES,
} from './limits.js'
import { MAILBOX_QUOTA_NAMES } from './types.js'
import type { Stream } from '@libp2p/interface'

/** A refusal's detail as the remote sent it, made safe to put in an error message. */
function cleanDetail(detail: string): string {
  // eslint-disable-next-line no-control-regex
  return detail.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_MAILBOX_DETAIL_CHARS)
}

/** The typed error for an error name a mailbox sent (DepositResult or Failure). */
export function wireError(name: string, detail: string): Error {
  const d = cleanDetail(detail)
  switch (name) {
    case 'MailboxQuotaError': {
      const quota = MAILBOX_QUOTA_NAMES.find((q) => q === d)
      return quota !== undefined
        ? new MailboxQuotaError(quota)
        : new MailboxProtocolError(`mailbox named an unknown quota "${d}"`)
    }
    case 'MailboxRefusedError':
      return new MailboxRefusedError(`mailbox refused: ${d}`)
    case 'MailboxAuthError':
      return new MailboxAuthError(`mailbox refused the fetch: ${d}`)
    case 'MailboxEnvelopeError':
      return new MailboxEnvelopeError(`mailbox refused the envelope: ${d}`)
    default:
      return new MailboxProtocolError(`mailbox answered an unknown error "${cleanDetail(name)}"`)
  }
}

/** One stream to a mailbox: a request, then its one answer, in turn. */
export class Exchange {
  readonly stream: Stream
  readonly #reader: FrameReader
  readonly #timeoutMs: number

  constructor(stream: Stream, timeoutMs: number) {
    this.stream = stream
    this.#timeoutMs = timeoutMs
    this.#reader = new FrameReader(stream, MAX_MAILBOX_RESPONSE_BYTES, MAX_MAILBOX_RESPONSE_BYTES)
  }

  usable(): boolean {
    const s = this.stream
    return (
      s.status === 'open' &&
      s.writeStatus === 'writable' &&
      s.remoteWriteStatus === 'writable' &&
      s.remoteReadStatus !== 'closed'
    )
  }

  /** Sends `req` and resolves its answer. A Failure answer rejects with its typed error. */
  async request(req: Request): Promise<Response> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    const timeout = () => new MailboxTimeoutError(`no answer within ${this.#timeoutMs} ms`)
    try {
      await writeFrame(this.stream, encodeRequest(req), MAX_MAILBOX_REQUEST_BYTES, signal)
    } catch (err) {
      const e = signal.aborted
        ? timeout()
        : new MailboxStreamError('mailbox stream failed while writing', { cause: err })
      this.abort(e)
      throw e
    }
    let frame: Uint8Array | null
    try {
      frame = await withTimeout(this.#reader.next(), this.#timeoutMs, timeout, (e) => this.abort(e))
    } catch (err) {
      if (MailboxTimeoutError.is(err)) throw err
      const e =
        MessageTooLargeError.is(err) || MalformedMessageError.is(err)
          ? new MailboxProtocolError(`bad frame from the mailbox: ${asError(err).message}`)
          : new MailboxStreamError('mailbox stream failed while reading', { cause: err })
      this.abort(e)
      throw e
    }
    if (frame == null) {
      const e = new MailboxStreamError('the mailbox closed the stream')
      this.abort(e)
      throw e
    }
    let res: Response
    try {
      res = decodeResponse(frame)
    } catch (err) {
      const e = new MailboxProtocolError(`bad answer from the mailbox: ${asError(err).message}`)
      this.abort(e)
      throw e
    }
    if (res.failure !== undefined) {
      const e = wireError(res.failure.error, res.failure.detail)
      this.abort(e)
      throw e
    }
    return res
  }

  abort(err: Error): void {
    this.#reader.dispose()
    this.stream.abort(err)
  }

  close(graceMs: number): void {
    this.#reader.dispose()
    if (this.stream.status !== 'open') return
    this.stream.close({ signal: AbortSignal.timeout(graceMs) }).catch((err: unknown) => {
      this.stream.abort(asError(err))
    })
  }
}
