// The mailbox side of /kith/mailbox: serves inbound streams against the holdings. It owns the
// per-stream state machine (deposits; fetch → challenge → auth → pulls), the identity checks and
// the counting of rejections; whether a deposit is held is ./deposit.ts. It never opens an
// envelope, never logs one, and reads at most one batch from the holdings at a time.
//
// Per stream, requests are answered strictly in turn:
//   Deposit            → DepositResult (any number, before a Fetch or after its auth)
//   Fetch{recipient}   → Challenge{nonce}      recipient must be the connection's remote peer
//   FetchAuth{sig}     → Batch{} (empty: authenticated) | Failure{MailboxAuthError}, then closed
//   Pull{confirm,more} → Batch{items, deleted}  (only after a successful FetchAuth)
// Bad framing or a message out of turn resets the stream (MalformedMessageError /
// MessageTooLargeError, counted); a stream idle for MAILBOX_STREAM_IDLE_MS is reset.
import debug from 'debug'
import type { CryptoProvider } from '../../core/crypto/provider.js'
import { MalformedMessageError, MessageTooLargeError } from '../../core/errors.js'
import { publicKeyFromPeerId } from '../../core/identity/identity.js'
import { FrameReader } from '../stream/frames.js'
import { NodeNotStartedError } from '../errors.js'
import {
  decodeRequest,
  encodeResponse,
  fetchChallengeMessage,
  idToString,
  peerIdBytes,
  peerIdFromWire,
  wire,
  type Request,
  type Response,
} from './codec.js'
import { MailboxAuthError, MailboxIdleTimeoutError } from './errors.js'
import { asError } from '../stream/open.js'
import { withTimeout, writeFrame } from '../stream/io.js'
import {
  MAILBOX_BATCH_MAX_BYTES,
  MAILBOX_BATCH_MAX_ITEMS,
  MAILBOX_NONCE_BYTES,
  MAILBOX_SIGNATURE_BYTES,
  MAX_MAILBOX_REQUEST_BYTES,
  MAX_MAILBOX_RESPONSE_BYTES,
} from './limits.js'
import { networkPrefix } from '../connectivity/net-prefix.js'
import { acceptDeposit, type DepositOptions, type MailboxCounters } from './deposit.js'
import type { Connection, Stream } from '@libp2p/interface'

const log = debug('kith:node:mailbox')

export interface MailboxServerOptions extends DepositOptions {
  crypto: CryptoProvider
  rng: (n: number) => Uint8Array
  streamIdleMs: number
}

type State =
  | { phase: 'open' }
  | { phase: 'challenged'; nonce: Uint8Array }
  | { phase: 'authed'; cursor: string | undefined }

/** A refusal sent to the client as Failure before the stream is closed. */
class Refusal extends Error {
  constructor(readonly error: Error) {
    super(error.message)
  }
}

export class MailboxServer {
  readonly #o: MailboxServerOptions
  readonly #counters: MailboxCounters
  readonly #selfBytes: Uint8Array
  readonly #streams = new Set<Stream>()
  #stopped = false

  constructor(options: MailboxServerOptions, counters: MailboxCounters) {
    this.#o = options
    this.#counters = counters
    this.#selfBytes = peerIdBytes('self', options.self)
  }

  start(): void {
    this.#stopped = false
  }

  stop(): void {
    this.#stopped = true
    for (const s of this.#streams) s.abort(new NodeNotStartedError('node stopping'))
    this.#streams.clear()
  }

  /** Serves one inbound stream until it ends. Never rejects. */
  async serve(stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    // The depositor's network, for the per-prefix quotas (./prefix.ts).
    const prefix = networkPrefix(connection.remoteAddr)
    if (this.#stopped) {
      stream.abort(new NodeNotStartedError('node is not started'))
      return
    }
    this.#streams.add(stream)
    const reader = new FrameReader(stream, MAX_MAILBOX_REQUEST_BYTES, 2 * MAX_MAILBOX_REQUEST_BYTES)
    let state: State = { phase: 'open' }
    try {
      for (;;) {
        const frame = await withTimeout(
          reader.next(),
          this.#o.streamIdleMs,
          () => new MailboxIdleTimeoutError(`no request for ${this.#o.streamIdleMs} ms`),
          (err) => stream.abort(err),
        )
        if (frame == null) break
        const req = decodeRequest(frame)
        const { response, next } = await this.#handle(remote, prefix, req, state)
        state = next
        await this.#write(stream, response)
      }
      await stream.close({ signal: AbortSignal.timeout(this.#o.streamIdleMs) })
    } catch (err) {
      if (err instanceof Refusal) {
        this.#counters.count(this.#counters.rejected, err.error.name)
        log('refused %s: %s: %s', remote, err.error.name, err.error.message)
        try {
          await this.#write(stream, {
            failure: { error: err.error.name, detail: err.error.message },
          })
          await stream.close({ signal: AbortSignal.timeout(this.#o.streamIdleMs) })
        } catch (e) {
          stream.abort(asError(e))
        }
      } else if (MessageTooLargeError.is(err) || MalformedMessageError.is(err)) {
        const e = asError(err)
        this.#counters.count(this.#counters.rejected, e.name)
        log('rejected mailbox stream from %s: %s: %s', remote, e.name, e.message)
        stream.abort(e)
      } else {
        // Reset by the remote, our idle timeout, the node stopping, a holdings failure.
        const e = asError(err)
        log('mailbox stream from %s ended: %s', remote, e.name)
        stream.abort(e)
      }
    } finally {
      reader.dispose()
      this.#streams.delete(stream)
    }
  }

  async #write(stream: Stream, response: Response): Promise<void> {
    await writeFrame(
      stream,
      encodeResponse(response),
      MAX_MAILBOX_RESPONSE_BYTES,
      AbortSignal.timeout(this.#o.streamIdleMs),
    )
  }

  async #handle(
    remote: string,
    prefix: string,
    req: Request,
    state: State,
  ): Promise<{ response: Response; next: State }> {
    if (req.deposit !== undefined) {
      if (state.phase === 'challenged') throw new MalformedMessageError('Deposit during a fetch')
      const recipient = peerIdFromWire('Deposit.recipient', req.deposit.recipient)
      const result = await acceptDeposit(
        this.#o,
        this.#counters,
        recipient,
        remote,
        req.deposit.envelope,
        prefix,
      )
      return { response: { deposit: result }, next: state }
    }
    if (req.fetch !== undefined) {
      if (state.phase !== 'open') throw new MalformedMessageError('Fetch out of turn')
      const recipient = peerIdFromWire('Fetch.recipient', req.fetch.recipient)
      if (recipient !== remote) {
        throw new Refusal(new MailboxAuthError('only the recipient may fetch its mail'))
      }
      const nonce = this.#o.rng(MAILBOX_NONCE_BYTES)
      return {
        response: { challenge: { nonce: wire(nonce) } },
        next: { phase: 'challenged', nonce },
      }
    }
    if (req.auth !== undefined) {
      if (state.phase !== 'challenged') throw new MalformedMessageError('FetchAuth out of turn')
      if (!this.#verify(remote, state.nonce, req.auth.signature)) {
        throw new Refusal(new MailboxAuthError('the fetch signature does not verify'))
      }
      this.#counters.fetches++
      return {
        response: { batch: { items: [], deleted: 0 } },
        next: { phase: 'authed', cursor: undefined },
      }
    }
    if (req.pull !== undefined) {
      if (state.phase !== 'authed') throw new MalformedMessageError('Pull before authentication')
      // The recipient is the authenticated remote peer: it can only ever delete its own items.
      const ids = req.pull.confirm.map(idToString)
      const deleted = ids.length > 0 ? await this.#o.holdings.delete(remote, ids) : 0
      this.#counters.confirmed += deleted
      if (!req.pull.more) return { response: { batch: { items: [], deleted } }, next: state }
      const items = await this.#o.holdings.list(remote, {
        ...(state.cursor !== undefined ? { after: state.cursor } : {}),
        maxItems: MAILBOX_BATCH_MAX_ITEMS,
        maxBytes: MAILBOX_BATCH_MAX_BYTES,
        now: this.#o.now(),
      })
      this.#counters.released += items.length
      const last = items.at(-1)
      return {
        response: {
          batch: {
            items: items.map((it) => ({ id: BigInt(it.id), envelope: wire(it.envelope) })),
            deleted,
          },
        },
        next: { phase: 'authed', cursor: last?.id ?? state.cursor },
      }
    }
    throw new MalformedMessageError('empty mailbox Request')
  }

  /** A deposit by this node itself (it is one of the recipient's mailboxes). */
  depositLocal(
    recipient: string,
    envelope: Uint8Array,
  ): Promise<{ error: string; detail: string }> {
    return acceptDeposit(this.#o, this.#counters, recipient, this.#o.self, envelope, '')
  }

  /** Checks the challenge signature with the connection's remote peer key (= its identity). */
  #verify(remote: string, nonce: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== MAILBOX_SIGNATURE_BYTES) return false
    let publicKey: Uint8Array
    try {
      publicKey = publicKeyFromPeerId(remote)
    } catch {
      return false // not an Ed25519 peer: it cannot hold Kith mail
    }
    const message = fetchChallengeMessage(this.#selfBytes, peerIdBytes('remote', remote), nonce)
    try {
      return this.#o.crypto.ed25519Verify(publicKey, message, signature)
    } catch {
      return false
    }
  }
}
