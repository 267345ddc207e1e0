// The /kith/mailbox/1.0.0 protocol (ARCHITECTURE.md "Delivery"): store-and-forward of sealed
// envelopes for recipients that cannot be reached directly. A node is always a client (deposit
// for others, fetch and confirm its own mail); it is a mailbox (server) when given holdings, and
// then holds mail for the recipients its policy accepts (default: none), under the holdings'
// quotas, until the recipient confirms it or it expires. This module is the libp2p service that
// ties server.ts and client.ts together and runs the expiry sweep; it never opens an envelope and
// knows nothing of contacts, sessions or the store's SQL.
//
// Shaped like js-libp2p's ping (STYLE.md §3): `mailbox(init)(components)` is a libp2p service
// with start()/stop(), registered under `services.mailbox`. Its limits, errors and types are
// imported from ./limits.ts, ./errors.ts and ./types.ts (the node's faces re-export what the
// service may use); this module re-exports none of them.
import debug from 'debug'
import type { CryptoProvider } from '../../core/crypto/provider.js'
import { nodeCrypto, nodeRng } from '../../platform/node-crypto.js'
import { MessageTooLargeError, NodeNotStartedError } from '../errors.js'
import { MailboxClient, type MailboxClientComponents } from './client.js'
import { wireError } from './exchange.js'
import { peerIdBytes } from './codec.js'
import { MailboxRefusedError } from './errors.js'
import { asError } from '../stream/open.js'
import {
  MAILBOX_CLOSE_GRACE_MS,
  MAILBOX_MAX_STREAMS_PER_CONNECTION,
  MAILBOX_PROTOCOL,
  MAILBOX_REQUEST_TIMEOUT_MS,
  MAILBOX_SESSION_IDLE_MS,
  MAILBOX_STREAM_IDLE_MS,
  MAILBOX_SWEEP_INTERVAL_MS,
  MAX_MAILBOX_ENVELOPE_BYTES,
} from './limits.js'
import { MailboxServer } from './server.js'
import { MailboxCounters } from './deposit.js'
import type {
  MailboxHoldings,
  MailboxItem,
  MailboxMetrics,
  MailboxPolicy,
  MailboxSign,
  MailboxUsage,
} from './types.js'
import type { HostRegistrar } from '../stream/host.js'
import type { PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:mailbox')

export interface MailboxComponents extends MailboxClientComponents {
  registrar: HostRegistrar
}

export interface MailboxInit {
  /** Be a mailbox: hold envelopes here. Without it the node only deposits and fetches. */
  holdings?: MailboxHoldings
  /** Which deposits to hold (default: refuse all). Replaceable with setPolicy(). */
  policy?: MailboxPolicy
  /** Ed25519 verification of fetch signatures (default: node:crypto). */
  crypto?: CryptoProvider
  rng?: (n: number) => Uint8Array
  /** Clock for expiry (ms since the epoch). */
  now?: () => number
  // Overrides of the named timings (tests shorten them).
  protocol?: string
  streamIdleMs?: number
  sessionIdleMs?: number
  requestTimeoutMs?: number
  closeGraceMs?: number
  sweepIntervalMs?: number
}

const refuseAll: MailboxPolicy = () => false

export class MailboxProtocol implements Startable {
  readonly protocol: string
  readonly #components: MailboxComponents
  readonly #holdings: MailboxHoldings | undefined
  readonly #server: MailboxServer | undefined
  readonly #client: MailboxClient
  readonly #counters = new MailboxCounters()
  readonly #sweepIntervalMs: number
  readonly #now: () => number
  #policy: MailboxPolicy
  #sweepTimer: ReturnType<typeof setInterval> | undefined
  #lastUsage: MailboxUsage | undefined
  #started = false

  constructor(components: MailboxComponents, init: MailboxInit = {}) {
    this.#components = components
    this.protocol = init.protocol ?? MAILBOX_PROTOCOL
    this.#holdings = init.holdings
    this.#policy = init.policy ?? refuseAll
    this.#now = init.now ?? Date.now
    this.#sweepIntervalMs = init.sweepIntervalMs ?? MAILBOX_SWEEP_INTERVAL_MS
    const closeGraceMs = init.closeGraceMs ?? MAILBOX_CLOSE_GRACE_MS
    if (init.holdings !== undefined) {
      this.#server = new MailboxServer(
        {
          self: components.peerId.toString(),
          holdings: init.holdings,
          policy: () => this.#policy,
          crypto: init.crypto ?? nodeCrypto,
          rng: init.rng ?? nodeRng,
          now: this.#now,
          streamIdleMs: init.streamIdleMs ?? MAILBOX_STREAM_IDLE_MS,
        },
        this.#counters,
      )
    }
    this.#client = new MailboxClient(components, {
      protocol: this.protocol,
      requestTimeoutMs: init.requestTimeoutMs ?? MAILBOX_REQUEST_TIMEOUT_MS,
      sessionIdleMs: init.sessionIdleMs ?? MAILBOX_SESSION_IDLE_MS,
      closeGraceMs,
    })
  }

  readonly [Symbol.toStringTag] = 'kith:mailbox'

  isStarted(): boolean {
    return this.#started
  }

  async start(): Promise<void> {
    if (this.#started) return
    this.#client.start()
    const server = this.#server
    if (server !== undefined) {
      server.start()
      await this.#components.registrar.handle(
        this.protocol,
        (stream, connection) => {
          void server.serve(stream, connection)
        },
        {
          maxInboundStreams: MAILBOX_MAX_STREAMS_PER_CONNECTION,
          maxOutboundStreams: MAILBOX_MAX_STREAMS_PER_CONNECTION,
          // Recipients behind NATs reach their mailbox over a relay too.
          runOnLimitedConnection: true,
        },
      )
      await this.sweep()
      this.#sweepTimer = setInterval(() => void this.sweep(), this.#sweepIntervalMs)
      this.#sweepTimer.unref()
    }
    this.#started = true
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    clearInterval(this.#sweepTimer)
    this.#sweepTimer = undefined
    this.#client.stop()
    if (this.#server !== undefined) {
      await this.#components.registrar.unhandle(this.protocol)
      this.#server.stop()
    }
  }

  /** True when this node holds mail for others. */
  get serving(): boolean {
    return this.#server !== undefined
  }

  setPolicy(policy: MailboxPolicy): void {
    if (typeof policy !== 'function') throw new TypeError('policy must be a function')
    this.#policy = policy
  }

  /** Deletes expired envelopes now (also run every sweepIntervalMs). Never rejects. */
  async sweep(): Promise<number> {
    if (this.#holdings === undefined) return 0
    try {
      const n = await this.#holdings.expire(this.#now())
      this.#counters.expired += n
      this.#lastUsage = await this.#holdings.usage()
      if (n > 0) log('expired %d held envelopes', n)
      return n
    } catch (err) {
      log('mailbox sweep failed: %s', asError(err).name)
      return 0
    }
  }

  /** What this node holds for others (undefined when it is no mailbox). */
  async usage(): Promise<MailboxUsage | undefined> {
    if (this.#holdings === undefined) return undefined
    this.#lastUsage = await this.#holdings.usage()
    return this.#lastUsage
  }

  metrics(): MailboxMetrics {
    const c = this.#counters
    if (this.#holdings !== undefined) {
      // Synchronous holdings (SQLite) answer at once; others report the last known usage.
      const u = this.#holdings.usage()
      if (!(u instanceof Promise)) this.#lastUsage = u
      else u.then((v) => (this.#lastUsage = v)).catch(() => undefined)
    }
    return {
      depositsIn: c.depositsIn,
      depositsOut: this.#client.depositsOut,
      refused: Object.fromEntries(c.refused),
      refusedQuota: Object.fromEntries(c.refusedQuota),
      fetches: c.fetches,
      released: c.released,
      confirmed: c.confirmed,
      expired: c.expired,
      rejected: Object.fromEntries(c.rejected),
      ...(this.#lastUsage !== undefined ? { usage: this.#lastUsage } : {}),
    }
  }

  /**
   * Deposits `envelope` for `recipient` with `mailbox` (dialled if needed, `addrs` merged into the
   * peer store). Resolves once the mailbox holds it. Rejects with MailboxQuotaError,
   * MailboxRefusedError, PeerUnreachableError, MailboxStreamError, MailboxTimeoutError,
   * MailboxProtocolError, NodeNotStartedError; before anything is sent with TypeError (bad
   * PeerId), RangeError (empty) or MessageTooLargeError (over MAX_MAILBOX_ENVELOPE_BYTES).
   * A deposit with this node itself as the mailbox is held locally, under the same policy.
   */
  async deposit(
    mailbox: PeerId,
    recipient: string,
    envelope: Uint8Array,
    addrs: readonly Multiaddr[] = [],
  ): Promise<void> {
    const recipientBytes = peerIdBytes('recipient', recipient)
    checkEnvelope(envelope)
    if (!this.#started) throw new NodeNotStartedError('node is not started')
    if (mailbox.equals(this.#components.peerId)) {
      if (this.#server === undefined) throw new MailboxRefusedError('this node is no mailbox')
      const r = await this.#server.depositLocal(recipient, envelope)
      if (r.error !== '') throw wireError(r.error, r.detail)
      return
    }
    await this.#client.deposit(mailbox, recipientBytes, envelope, addrs)
  }

  /**
   * The next batch (at most MAILBOX_BATCH_MAX_ITEMS / MAILBOX_BATCH_MAX_BYTES) of envelopes held
   * for this node at `mailbox`, oldest first; an empty array: nothing more. Authenticates with a
   * signature from `sign` unless a session from an earlier call is still open; repeated calls on
   * one session page forward. Rejects with MailboxAuthError, PeerUnreachableError,
   * MailboxRefusedError, MailboxStreamError, MailboxTimeoutError, MailboxProtocolError.
   */
  async fetch(
    mailbox: PeerId,
    sign: MailboxSign,
    addrs: readonly Multiaddr[] = [],
  ): Promise<MailboxItem[]> {
    if (!this.#started) throw new NodeNotStartedError('node is not started')
    if (mailbox.equals(this.#components.peerId)) {
      throw new MailboxRefusedError('a node holds no mail for itself')
    }
    return this.#client.fetch(mailbox, sign, addrs)
  }

  /**
   * Deletes the envelopes `ids` (from fetch) held for this node at `mailbox`, on the open
   * authenticated session or a new one signed with `sign`. Resolves how many were deleted (ids
   * already gone count 0). Same rejections as fetch, and TypeError for a malformed id.
   */
  async confirm(
    mailbox: PeerId,
    ids: readonly string[],
    sign: MailboxSign,
    addrs: readonly Multiaddr[] = [],
  ): Promise<number> {
    if (!Array.isArray(ids)) throw new TypeError('ids must be an array')
    if (!this.#started) throw new NodeNotStartedError('node is not started')
    if (mailbox.equals(this.#components.peerId)) {
      throw new MailboxRefusedError('a node holds no mail for itself')
    }
    return this.#client.confirm(mailbox, ids, sign, addrs)
  }
}

function checkEnvelope(envelope: Uint8Array): void {
  if (!(envelope instanceof Uint8Array)) throw new TypeError('envelope must be a Uint8Array')
  if (envelope.length === 0) throw new RangeError('envelope is empty')
  if (envelope.length > MAX_MAILBOX_ENVELOPE_BYTES) {
    throw new MessageTooLargeError(
      `envelope is ${envelope.length} bytes > ${MAX_MAILBOX_ENVELOPE_BYTES}`,
    )
  }
}

/** The /kith/mailbox service factory: `services: { mailbox: mailbox({ holdings, policy }) }`. */
export function mailbox(
  init: MailboxInit = {},
): (components: MailboxComponents) => MailboxProtocol {
  return (components) => new MailboxProtocol(components, init)
}
