// The depositor's and the recipient's side of /kith/mailbox: dialling a mailbox, one request and
// its answer at a time on a stream, deposits, and the authenticated fetch session (challenge
// signed through the injected `sign`, so this module never holds the identity key). It owns the
// session cache: per mailbox, one deposit stream and one authenticated fetch stream stay open for
// MAILBOX_SESSION_IDLE_MS after their last use. A burst of deposits thus shares one stream, and
// the recipient's confirm (and its next fetch) run on the fetch's stream without a new challenge;
// a confirm after that authenticates again, so deletion always needs the recipient's signature.
// Calls on one session run one at a time, in order; a reused stream found broken is replaced
// once (deposits, fetches and confirms are all safe to repeat). One request/answer on a stream is
// ./exchange.ts.
import debug from 'debug'
import { NodeNotStartedError, PeerUnreachableError } from '../errors.js'
import { asError, openStream, type OpenComponents } from '../stream/open.js'
import { fetchChallengeMessage, idFromString, idToString, peerIdBytes, wire } from './codec.js'
import type { Response } from './codec.js'
import {
  MailboxProtocolError,
  MailboxQuotaError,
  MailboxRefusedError,
  MailboxStreamError,
} from './errors.js'
import { Exchange, wireError } from './exchange.js'
import {
  MAILBOX_NONCE_BYTES,
  MAILBOX_SIGNATURE_BYTES,
  MAX_MAILBOX_CONFIRM_IDS,
  MAX_MAILBOX_ENVELOPE_BYTES,
} from './limits.js'
import type { MailboxItem, MailboxSign } from './types.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:mailbox')

export interface MailboxClientComponents extends OpenComponents {
  peerId: PeerId
}

export interface MailboxClientOptions {
  protocol: string
  requestTimeoutMs: number
  sessionIdleMs: number
  closeGraceMs: number
}

interface Session {
  exchange: Exchange
  timer: ReturnType<typeof setTimeout> | undefined
}

export class MailboxClient {
  depositsOut = 0
  readonly #c: MailboxClientComponents
  readonly #o: MailboxClientOptions
  readonly #selfBytes: Uint8Array
  readonly #sessions = new Map<string, Session>()
  readonly #tails = new Map<string, Promise<void>>()
  #stopped = true

  constructor(components: MailboxClientComponents, options: MailboxClientOptions) {
    this.#c = components
    this.#o = options
    this.#selfBytes = peerIdBytes('peerId', components.peerId.toString())
  }

  start(): void {
    this.#stopped = false
  }

  stop(): void {
    this.#stopped = true
    for (const s of this.#sessions.values()) {
      clearTimeout(s.timer)
      s.exchange.abort(new NodeNotStartedError('node stopping'))
    }
    this.#sessions.clear()
  }

  /** Opens a /kith/mailbox stream to `mailbox` (dialling it, `addrs` merged into the peer store). */
  async open(mailbox: PeerId, addrs: readonly Multiaddr[]): Promise<Exchange> {
    if (this.#stopped) throw new NodeNotStartedError('node is not started')
    const key = mailbox.toString()
    const signal = AbortSignal.timeout(this.#o.requestTimeoutMs)
    const stream = await openStream(
      this.#c,
      mailbox,
      addrs,
      this.#o.protocol,
      {
        // A dial that ran out of time is as unreachable as one refused (the service then tries the
        // next mailbox), not a MailboxTimeoutError, which means a mailbox that stopped answering.
        timeout: (m) => new PeerUnreachableError(m),
        refused: (_m, o) => new MailboxRefusedError(`${key} offers no mailbox`, o),
        stream: (m, o) => new MailboxStreamError(m, o),
      },
      {
        signal,
        // Relayed (limited) connections carry mailbox traffic too, within the relay's limits.
        limited: true,
      },
    )
    return new Exchange(stream, this.#o.requestTimeoutMs)
  }

  /** Deposits one envelope for `recipient`; resolves once the mailbox holds it. */
  deposit(
    mailbox: PeerId,
    recipient: Uint8Array,
    envelope: Uint8Array,
    addrs: readonly Multiaddr[],
  ): Promise<void> {
    const open = () => this.open(mailbox, addrs)
    return this.#inSession(`deposit:${mailbox.toString()}`, open, async (ex) => {
      const res = await ex.request({
        deposit: { recipient: wire(recipient), envelope: wire(envelope) },
      })
      if (res.deposit === undefined) {
        const e = new MailboxProtocolError('the mailbox did not answer the deposit')
        ex.abort(e)
        throw e
      }
      // A refusal leaves the stream usable: it is an answer, not a failure.
      if (res.deposit.error !== '') throw wireError(res.deposit.error, res.deposit.detail)
      this.depositsOut++
    })
  }

  /** The next batch held for us at `mailbox` (empty: nothing more). */
  async fetch(
    mailbox: PeerId,
    sign: MailboxSign,
    addrs: readonly Multiaddr[],
  ): Promise<MailboxItem[]> {
    return await this.#inSession(
      `fetch:${mailbox.toString()}`,
      this.#auth(mailbox, sign, addrs),
      async (ex) => {
        const res = await ex.request({ pull: { confirm: [], more: true } })
        return this.#items(ex, res)
      },
    )
  }

  /** Deletes our items `ids` at `mailbox`; resolves how many it deleted. */
  async confirm(
    mailbox: PeerId,
    ids: readonly string[],
    sign: MailboxSign,
    addrs: readonly Multiaddr[],
  ): Promise<number> {
    const wireIds = ids.map((id, i) => idFromString(`ids[${i}]`, id))
    if (wireIds.length === 0) return 0
    return this.#inSession(
      `fetch:${mailbox.toString()}`,
      this.#auth(mailbox, sign, addrs),
      async (ex) => {
        let deleted = 0
        for (let i = 0; i < wireIds.length; i += MAX_MAILBOX_CONFIRM_IDS) {
          const confirm = wireIds.slice(i, i + MAX_MAILBOX_CONFIRM_IDS)
          const res = await ex.request({ pull: { confirm, more: false } })
          if (res.batch === undefined || res.batch.items.length > 0) {
            const e = new MailboxProtocolError('the mailbox did not answer the confirmation')
            ex.abort(e)
            throw e
          }
          deleted += res.batch.deleted
        }
        return deleted
      },
    )
  }

  #items(ex: Exchange, res: Response): MailboxItem[] {
    const batch = res.batch
    const bad = (why: string): never => {
      const e = new MailboxProtocolError(why)
      ex.abort(e)
      throw e
    }
    if (batch === undefined) return bad('the mailbox did not answer the fetch')
    const seen = new Set<string>()
    return batch.items.map((it) => {
      const id = idToString(it.id)
      if (seen.has(id)) bad('the mailbox released an item twice')
      seen.add(id)
      if (it.envelope.length === 0 || it.envelope.length > MAX_MAILBOX_ENVELOPE_BYTES) {
        bad('the mailbox released an envelope of a bad size')
      }
      return { id, envelope: it.envelope }
    })
  }

  #auth(mailbox: PeerId, sign: MailboxSign, addrs: readonly Multiaddr[]): () => Promise<Exchange> {
    if (typeof sign !== 'function') throw new TypeError('sign must be a function')
    return () => this.#authenticate(mailbox, sign, addrs)
  }

  /**
   * Runs `fn` on the open session `key` after any earlier call on it, opening one with `open`
   * if none is open. A reused stream that fails (e.g. the mailbox's idle timeout closed it) is
   * replaced once.
   */
  #inSession<T>(
    key: string,
    open: () => Promise<Exchange>,
    fn: (ex: Exchange) => Promise<T>,
  ): Promise<T> {
    return this.#serial(key, async () => {
      if (this.#stopped) throw new NodeNotStartedError('node is not started')
      const session = this.#sessions.get(key)
      clearTimeout(session?.timer)
      const reused = session?.exchange.usable() === true ? session.exchange : undefined
      if (session !== undefined && reused === undefined) this.#drop(key, session)
      try {
        return await this.#use(key, reused ?? (await open()), fn)
      } catch (err) {
        if (reused === undefined || !MailboxStreamError.is(err)) throw err
        log('mailbox session %s broke; opening another', key)
        return await this.#use(key, await open(), fn)
      }
    })
  }

  /** Runs `fn` after every earlier call queued under `key`. */
  async #serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve()
    const run = prev.then(fn)
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    try {
      return await run
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }

  async #use<T>(key: string, ex: Exchange, fn: (ex: Exchange) => Promise<T>): Promise<T> {
    const session: Session = { exchange: ex, timer: undefined }
    this.#sessions.set(key, session)
    const arm = (): void => {
      session.timer = setTimeout(() => this.#drop(key, session), this.#o.sessionIdleMs)
      session.timer.unref()
    }
    try {
      const out = await fn(ex)
      arm()
      return out
    } catch (err) {
      // A refused deposit is an answer on a healthy stream; anything else ends the session.
      if ((MailboxQuotaError.is(err) || MailboxRefusedError.is(err)) && ex.usable()) arm()
      else this.#drop(key, session)
      throw err
    }
  }

  #drop(key: string, session: Session): void {
    clearTimeout(session.timer)
    if (this.#sessions.get(key) === session) this.#sessions.delete(key)
    session.exchange.close(this.#o.closeGraceMs)
  }

  /** Opens a stream and proves we are the recipient: Fetch → Challenge → FetchAuth → Batch{}. */
  async #authenticate(
    mailbox: PeerId,
    sign: MailboxSign,
    addrs: readonly Multiaddr[],
  ): Promise<Exchange> {
    const mailboxBytes = peerIdBytes('mailbox', mailbox.toString())
    const ex = await this.open(mailbox, addrs)
    const bad = (why: string): never => {
      const e = new MailboxProtocolError(why)
      ex.abort(e)
      throw e
    }
    try {
      const challenge = await ex.request({ fetch: { recipient: wire(this.#selfBytes) } })
      const nonce = challenge.challenge?.nonce
      if (nonce?.length !== MAILBOX_NONCE_BYTES) return bad('the mailbox sent no valid challenge')
      const signature = await sign(fetchChallengeMessage(mailboxBytes, this.#selfBytes, nonce))
      if (!(signature instanceof Uint8Array) || signature.length !== MAILBOX_SIGNATURE_BYTES) {
        const e = new RangeError(`sign must return ${MAILBOX_SIGNATURE_BYTES} bytes`)
        ex.abort(e)
        throw e
      }
      const ack = await ex.request({ auth: { signature: wire(signature) } })
      if (ack.batch === undefined || ack.batch.items.length > 0) {
        return bad('the mailbox did not acknowledge the fetch signature')
      }
      return ex
    } catch (err) {
      if (ex.stream.status === 'open') ex.abort(asError(err))
      throw err
    }
  }
}
