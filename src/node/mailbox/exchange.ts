// One /kith/mailbox stream seen from the depositor or recipient (Exchange): a request, then its one
// answer, in turn, each bounded by the request timeout; and the typed error for each error name a
// mailbox may answer (wireError). It knows nothing of sessions, deposits or authentication
// (./client.ts).
import { RequestStream, type RequestErrors } from '../stream/exchange.js'
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

/** The requester's errors on a mailbox stream (the dial's are ./client.ts open()'s). */
const MAILBOX_ERRORS: RequestErrors = {
  timeout: (m) => new MailboxTimeoutError(m),
  stream: (m, o) => new MailboxStreamError(m, o),
  reset: (m, o) => new MailboxStreamError(m, o),
  protocol: (m) => new MailboxProtocolError(m),
}

/** One stream to a mailbox: a request, then its one answer, in turn (../stream/exchange.ts
 *  RequestStream). Any failure, a Failure answer included, aborts the stream. */
export class Exchange {
  readonly stream: Stream
  readonly #rs: RequestStream
  readonly #timeoutMs: number

  constructor(stream: Stream, timeoutMs: number) {
    this.stream = stream
    this.#timeoutMs = timeoutMs
    const max = MAX_MAILBOX_RESPONSE_BYTES
    this.#rs = new RequestStream(stream, MAILBOX_ERRORS, max, max)
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
    try {
      await this.#rs.write(encodeRequest(req), MAX_MAILBOX_REQUEST_BYTES, this.#timeoutMs)
      const res = await this.#rs.answer(this.#timeoutMs, decodeResponse)
      if (res.failure !== undefined) throw wireError(res.failure.error, res.failure.detail)
      return res
    } catch (err) {
      const e = asError(err)
      this.abort(e)
      throw e
    }
  }

  abort(err: Error): void {
    this.#rs.abort(err)
  }

  close(graceMs: number): void {
    this.#rs.dispose()
    if (this.stream.status !== 'open') return
    this.stream.close({ signal: AbortSignal.timeout(graceMs) }).catch((err: unknown) => {
      this.stream.abort(asError(err))
    })
  }
}
