// The /kith/card/1.0.0 protocol: a peer holding our short invite link (core/wire/invite.ts
// version 2, which carries no prekey bundle) asks for our signed contact card on first contact.
// One request and one answer per stream, each one length-prefixed frame (the /kith/dm framing,
// as /kith/sync): the request is the link's secret (exactly INVITE_SECRET_BYTES), the answer an
// encoded SignedContactCard. The responder authenticates nothing itself: the service's handler
// gets the Noise-authenticated PeerId and the secret and answers a card, or undefined for a
// secret that is not ours, which resets the stream (a stranger without our link gets nothing:
// Non-negotiable 3). At most CARD_MAX_INBOUND_STREAMS are served at once and one per
// connection; a request must arrive within CARD_STREAM_IDLE_MS. Refusals and hostile bytes are
// counted by error name (cardRejected). A StreamHost (../stream/host.ts) with its requester's
// exchange (../stream/exchange.ts requestOnce), as /kith/sync. It knows nothing of keys, links or
// contacts.
import debug from 'debug'
import { defineError as define, MalformedMessageError } from '../../core/errors.js'
import { INVITE_SECRET_BYTES } from '../../core/wire/invite.js'
import { MAX_CONTACT_CARD_BYTES } from '../../core/wire/limits.js'
import { StreamHost, type HostRegistrar, type Inbound } from '../stream/host.js'
import { requestOnce, type ExchangeErrors } from '../stream/exchange.js'
import type { OpenComponents } from '../stream/open.js'
import type { PeerId } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

export const CARD_PROTOCOL = '/kith/card/1.0.0'
/** The request frame: the invite secret, nothing else. */
export const CARD_REQUEST_BYTES = INVITE_SECRET_BYTES
/** The answer frame: one signed card (core/wire/limits.ts). */
export const MAX_CARD_ANSWER_BYTES = MAX_CONTACT_CARD_BYTES
/** The whole exchange, dial included, on the asking side: `contacts add` waits this long for an
 *  inviter that is online (a relayed dial and two frames take well under a second). */
export const CARD_FETCH_TIMEOUT_MS = 15_000
/** An inbound stream must deliver its request within this, and take our answer within it. */
export const CARD_STREAM_IDLE_MS = 5_000
/** Inbound streams served at once, node-wide: one answer is a signature and ≈2 KB, and only
 *  people adding our link ask, so 4 is plenty; more are reset (CardBusyError). */
export const CARD_MAX_INBOUND_STREAMS = 4
/** Per connection: a request is one stream; nobody needs two at once. */
export const CARD_MAX_STREAMS_PER_CONNECTION = 1
/** How long our answer may take to close after it is written. */
const CARD_CLOSE_GRACE_MS = 2_000

/** The peer refused our request (not its secret, or it does not speak /kith/card). */
export class CardRefusedError extends define('CardRefusedError') {}
/** No card within CARD_FETCH_TIMEOUT_MS. */
export class CardTimeoutError extends define('CardTimeoutError') {}
/** The stream failed or closed unanswered. */
export class CardStreamError extends define('CardStreamError') {}
/** Inbound: CARD_MAX_INBOUND_STREAMS already served. */
export class CardBusyError extends define('CardBusyError') {}
/** Inbound: no request within CARD_STREAM_IDLE_MS. */
export class CardIdleTimeoutError extends define('CardIdleTimeoutError') {}
/** Inbound: the secret is not one of ours (or no handler yet). */
export class CardUnknownSecretError extends define('CardUnknownSecretError') {}

/** Decides a request: our signed card, or undefined for a secret that is not ours. */
export type CardHandler = (from: string, secret: Uint8Array) => Uint8Array | undefined

export interface CardComponents extends OpenComponents {
  registrar: HostRegistrar
}

export interface CardInit {
  fetchTimeoutMs?: number
  streamIdleMs?: number
  maxInboundStreams?: number
}

/** The requester's errors: the responder resets the stream for a secret that is not its own,
 *  so a reset or an unanswered close is a refusal; a bad frame keeps its own name. */
const CARD_ERRORS: ExchangeErrors = {
  timeout: (m) => new CardTimeoutError(m),
  refused: (m, o) => new CardRefusedError(m, o),
  stream: (m, o) => new CardStreamError(m, o),
  reset: (m, o) => new CardRefusedError(m, o),
  protocol: (_m, cause) => cause,
}

export class CardProtocol extends StreamHost {
  readonly #c: CardComponents
  readonly #fetchTimeoutMs: number
  readonly #maxInbound: number
  #handler: CardHandler | undefined

  constructor(components: CardComponents, init: CardInit = {}) {
    super(components.registrar, {
      protocol: CARD_PROTOCOL,
      streamsPerConnection: CARD_MAX_STREAMS_PER_CONNECTION,
      // An inviter behind a NAT is first reached through its relay (an answer is ≈2 KB).
      limited: true,
      maxRequestBytes: CARD_REQUEST_BYTES,
      idleMs: init.streamIdleMs ?? CARD_STREAM_IDLE_MS,
      idle: (ms) => new CardIdleTimeoutError(`no request for ${ms} ms`),
      closeGraceMs: CARD_CLOSE_GRACE_MS,
      log: debug('kith:node:card'),
    })
    this.#c = components
    this.#fetchTimeoutMs = init.fetchTimeoutMs ?? CARD_FETCH_TIMEOUT_MS
    this.#maxInbound = init.maxInboundStreams ?? CARD_MAX_INBOUND_STREAMS
  }

  readonly [Symbol.toStringTag] = 'kith:card'

  setHandler(handler: CardHandler): void {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function')
    this.#handler = handler
  }

  protected override admit(): undefined {
    if (this.serving >= this.#maxInbound) {
      throw new CardBusyError(`${this.#maxInbound} served already`)
    }
    return undefined
  }

  /** One request (the secret), one answer (our card). */
  protected async respond(inbound: Inbound): Promise<void> {
    const frame = await inbound.request()
    if (frame.length !== CARD_REQUEST_BYTES) {
      throw new MalformedMessageError(`a card request is ${CARD_REQUEST_BYTES} bytes`)
    }
    const card = this.#handler?.(inbound.remote, frame)
    if (card === undefined) throw new CardUnknownSecretError('not a secret of ours')
    await inbound.answer(card, MAX_CARD_ANSWER_BYTES)
  }

  /** Asks `peer` (dialled if needed, `addrs` merged into the peer store) for its card, proving
   *  `secret`. Resolves the answer's bytes, unverified: the caller verifies the card. */
  async fetch(peer: PeerId, secret: Uint8Array, addrs: readonly Multiaddr[] = []) {
    if (secret.length !== CARD_REQUEST_BYTES) throw new TypeError('secret: wrong length')
    const spec = {
      protocol: CARD_PROTOCOL,
      request: secret,
      maxRequestBytes: CARD_REQUEST_BYTES,
      maxAnswerBytes: MAX_CARD_ANSWER_BYTES,
      timing: { deadlineMs: this.#fetchTimeoutMs },
      errors: CARD_ERRORS,
      // Only the responder counts (cardRejected: refused and hostile inbound streams).
      counted: () => false,
    }
    const identity = (frame: Uint8Array): Uint8Array => frame
    return await requestOnce({ components: this.#c, host: this }, peer, addrs, spec, identity)
  }
}

/** The /kith/card service factory: `services: { card: card() }`. */
export function card(init: CardInit = {}): (components: CardComponents) => CardProtocol {
  return (components) => new CardProtocol(components, init)
}

/** Multiaddr strings as binary multiaddrs for a short invite link (≈half the size), without a
 *  trailing /p2p/<peer> naming the inviter itself (the link names it once; dialling strips it
 *  anyway: stream/open.ts dialAddr), which leaves ≈52 bytes for a relayed address; those that
 *  do not parse are left out. */
export function packAddrs(addrs: readonly string[], peer?: string): Uint8Array[] {
  return addrs.flatMap((a) => {
    try {
      const ma = multiaddr(a)
      const last = ma.getComponents().at(-1)
      const own = last?.name === 'p2p' && last.value === peer
      return [(own ? ma.decapsulateCode(last.code) : ma).bytes]
    } catch {
      return []
    }
  })
}

/** A short link's binary multiaddrs as strings; bytes that are not a multiaddr are left out (a
 *  hint that does not parse is no reason to refuse the link). */
export function unpackAddrs(packed: readonly Uint8Array[]): string[] {
  return packed.flatMap((b) => {
    try {
      return [multiaddr(b).toString()]
    } catch {
      return []
    }
  })
}
