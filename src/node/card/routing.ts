// Signed contact cards in Kith's Kad-DHT (ARCHITECTURE.md "Delivery"): the record key, the
// validator and selector kad-dht runs on every card it stores or returns, publishing and finding
// cards, peer routing for the dialer, and the refresh loop that keeps our own card fresh.
//
// This module owns the DHT side of cards. It knows no keys: the service signs cards
// (src/core/identity/card.ts) and hands them over, or hands a `makeCard()` to the CardPublisher.
// It knows nothing of contacts, sessions or mailboxes (a card names mailboxes, never contacts).
//
//  - Record key: "/kith-card/" ‖ the PeerId's bytes (identity multihash of the Ed25519 key).
//    kad-dht 16 picks a record's validator and selector by the key's first "/" segment
//    (record/validators.js, record/selectors.js: `validators[key.split('/')[1]]`), so the kadDHT
//    init carries `validators: { 'kith-card': … }, selectors: { 'kith-card': … }`.
//  - Validator (kad-dht contract: throw to refuse): verifyContactCard with the PeerId taken from
//    the key, so the signature is checked with the key's own public key and a card under
//    another PeerId is refused; expired cards are refused. It runs on PUT_VALUE from peers, on
//    GET_VALUE answers and on our own stored copy.
//    A card dated more than CARD_MAX_FUTURE_MS (7 days) ahead is refused (CardExpiryTooFarError).
//  - Selector: selectNewerCard (highest seq; deterministic tie-break). Invalid records lose.
//    kad-dht 16 itself stores a PUT_VALUE without running the selector; the node's bounded DHT
//    store (dht/store.ts) runs it on every put, so a replayed older card never displaces a newer
//    one on any Kith node. findCard still compares every answer it sees itself.
//  - cardRecordPolicy: the selector and the expiry the bounded store needs (dht/store.ts).
import debug from 'debug'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { concat, equalBytes, utf8 } from '../../core/bytes.js'
import { MalformedMessageError } from '../../core/errors.js'
import { selectNewerCard, verifyContactCard, type ContactCard } from '../../core/identity/card.js'
import {
  PEER_ID_BYTES,
  peerIdBytesFromPublicKey,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
} from '../../core/identity/identity.js'
import { nodeCrypto } from '../../platform/node-crypto.js'
import { NodeNotStartedError } from '../errors.js'
import type { CryptoProvider } from '../../core/crypto/provider.js'
import type {
  AbortOptions,
  Libp2pEvents,
  PeerId,
  PeerRouting,
  PeerUpdate,
  TypedEventTarget,
} from '@libp2p/interface'
import type { KadDHT, SelectFn, ValidateFn } from '@libp2p/kad-dht'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:cards')

/** First segment of a card's DHT key: kad-dht looks validators and selectors up by it. */
export const CARD_KEY_NAMESPACE = 'kith-card'
const CARD_KEY_PREFIX = utf8(`/${CARD_KEY_NAMESPACE}/`)

/** Lifetime of a card: the service sets expiresAt = now + CARD_TTL_MS when it signs one. */
export const CARD_TTL_MS = 24 * 60 * 60_000
/** Republish period of our card: well inside CARD_TTL_MS, so a few missed refreshes (offline,
 *  no DHT peers) never let the copy in the DHT expire, and a replayed older card lasts at most
 *  this long on a node that accepted it. */
export const CARD_REFRESH_MS = 60 * 60_000
/** Retry period after a publish that failed or reached no DHT peer (alone at start-up). */
export const CARD_RETRY_MS = 60_000
/** Address changes come in bursts (listeners, AutoNAT, relays): publish once they settle. */
export const CARD_ADDR_DEBOUNCE_MS = 2_000
/** Bound of one publish: the put to the K closest peers is abandoned after this. */
export const CARD_PUBLISH_TIMEOUT_MS = 30_000
/** Bound of one findCard / findPeerAddrs lookup. */
export const CARD_LOOKUP_TIMEOUT_MS = 10_000
/** Most addresses taken from one peer-routing answer (unauthenticated; a card has its own cap,
 *  MAX_CARD_ADDRS). */
export const MAX_ROUTED_ADDRS = 16

/** The DHT record key of `peer`'s card: "/kith-card/" ‖ PeerId bytes. Ed25519 PeerIds only. */
export function cardKey(peer: string): Uint8Array {
  return concat(CARD_KEY_PREFIX, peerIdBytesFromPublicKey(publicKeyFromPeerId(peer)))
}

/** The PeerId string named by a card key. Throws MalformedMessageError / InvalidKeyError. */
export function peerFromCardKey(key: Uint8Array): string {
  const n = CARD_KEY_PREFIX.length
  if (key.length !== n + PEER_ID_BYTES || !equalBytes(key.subarray(0, n), CARD_KEY_PREFIX)) {
    throw new MalformedMessageError('card key: expected /kith-card/ ‖ an Ed25519 PeerId')
  }
  return peerIdFromPublicKey(publicKeyFromPeerId(key.subarray(n)))
}

/** kad-dht validator for "/kith-card/" records: throws unless `value` is an unexpired card
 *  signed by the key's own PeerId (see the header). */
export function cardValidator(
  crypto: CryptoProvider = nodeCrypto,
  now: () => number = Date.now,
): ValidateFn {
  return (key, value) => {
    verifyContactCard(crypto, value, now(), peerFromCardKey(key))
  }
}

/** kad-dht selector for "/kith-card/" records: the index of the newest valid card (0 if none). */
export function cardSelector(
  crypto: CryptoProvider = nodeCrypto,
  now: () => number = Date.now,
): SelectFn {
  return (key, records) => {
    const peer = peerFromCardKey(key)
    const t = now()
    let best: { index: number; card: ContactCard } | undefined
    for (const [index, value] of records.entries()) {
      let card: ContactCard
      try {
        card = verifyContactCard(crypto, value, t, peer)
      } catch {
        continue
      }
      if (best == null || selectNewerCard(best.card, card) !== best.card) best = { index, card }
    }
    return best?.index ?? 0
  }
}

/** The /kith-card/ policy of the bounded DHT store (dht/index.ts): validator, selector, and the
 *  expiry after which a held card is swept or evicted first. */
export function cardRecordPolicy(
  crypto: CryptoProvider = nodeCrypto,
  now: () => number = Date.now,
): {
  validate: ValidateFn
  select: SelectFn
  expiresAt: (key: Uint8Array, value: Uint8Array) => number
} {
  return {
    validate: cardValidator(crypto, now),
    select: cardSelector(crypto, now),
    expiresAt: (key, value) =>
      Number(verifyContactCard(crypto, value, now(), peerFromCardKey(key)).expiresAt),
  }
}

function withP2p(ma: Multiaddr, peer: string): string {
  const last = ma.getComponents().at(-1)
  return last?.name === 'p2p' ? ma.toString() : `${ma.toString()}/p2p/${peer}`
}

export interface CardRoutingComponents {
  /** Our PeerId string. */
  peerId: string
  /** kad-dht's class also has `routingTable.size` (SingleKadDHT); the KadDHT type lacks it. */
  dht: Pick<KadDHT, 'get' | 'put'> & { routingTable?: { size: number } }
  peerRouting: Pick<PeerRouting, 'findPeer'>
  events: CardEvents
}

export interface CardRoutingInit {
  crypto?: CryptoProvider
  now?: () => number
  publishTimeoutMs?: number
  lookupTimeoutMs?: number
  /** Timings of the CardPublisher started by setSource (tests shorten them). */
  publisher?: CardPublisherTimings
}

/** Publishing and finding cards, and peer routing, over the node's DHT. */
export class CardRouting {
  readonly #c: CardRoutingComponents
  readonly #crypto: CryptoProvider
  readonly #now: () => number
  readonly #publishTimeoutMs: number
  readonly #lookupTimeoutMs: number
  readonly #publisherTimings: CardPublisherTimings
  #publisher: CardPublisher | undefined
  #stop = new AbortController()
  #started = false

  constructor(components: CardRoutingComponents, init: CardRoutingInit = {}) {
    this.#c = components
    this.#crypto = init.crypto ?? nodeCrypto
    this.#now = init.now ?? Date.now
    this.#publishTimeoutMs = init.publishTimeoutMs ?? CARD_PUBLISH_TIMEOUT_MS
    this.#lookupTimeoutMs = init.lookupTimeoutMs ?? CARD_LOOKUP_TIMEOUT_MS
    this.#publisherTimings = init.publisher ?? {}
  }

  start(): void {
    if (this.#started) return
    this.#started = true
    this.#stop = new AbortController()
    this.#publisher?.start()
  }

  /** Aborts every put and lookup in flight and stops the publisher. */
  stop(): void {
    if (!this.#started) return
    this.#started = false
    this.#publisher?.stop()
    this.#stop.abort()
  }

  /** Keeps our card published with `makeCard` (a CardPublisher); undefined stops publishing. */
  setSource(makeCard: (() => Promise<Uint8Array>) | undefined): void {
    this.#publisher?.stop()
    this.#publisher =
      makeCard == null
        ? undefined
        : new CardPublisher({
            ...this.#publisherTimings,
            makeCard,
            publish: (card) => this.publish(card),
            events: this.#c.events,
          })
    if (this.#started) this.#publisher?.start()
  }

  /**
   * Puts our signed card into the DHT. Throws the core's typed errors (InvalidSignatureError,
   * CardExpiredError, …) for a card that is not ours or not valid, before any network traffic.
   * The card is stored locally first (we answer GET_VALUE for it), then sent to the K closest
   * peers. Resolves with the number of peers that stored it once one has (the put goes on to
   * the others in the background), or when the put ends or times out (publishTimeoutMs):
   * 0 then means only the local copy exists. Never rejects for network reasons.
   */
  async publish(signedCard: Uint8Array): Promise<number> {
    if (!this.#started) throw new NodeNotStartedError('publishCard: the node is not started')
    const card = verifyContactCard(this.#crypto, signedCard, this.#now(), this.#c.peerId)
    const key = cardKey(this.#c.peerId)
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.#publishTimeoutMs)])
    const started = performance.now()
    return new Promise<number>((resolve) => {
      let stored = 0
      let settled = false
      const settle = (): void => {
        if (settled) return
        settled = true
        log('card seq %d stored on %d peer(s) after %d ms', card.seq, stored, ms(started))
        resolve(stored)
      }
      void (async () => {
        try {
          for await (const evt of this.#c.dht.put(key, card.signed, { signal })) {
            if (
              evt.name === 'PEER_RESPONSE' &&
              evt.messageName === 'PUT_VALUE' &&
              evt.record != null &&
              equalBytes(evt.record.value, card.signed)
            ) {
              stored++
              settle()
            }
          }
        } catch (err) {
          if (!signal.aborted) log('card put failed: %s', errName(err))
        } finally {
          settle()
          log('card put of seq %d done: %d peer(s) in %d ms', card.seq, stored, ms(started))
        }
      })()
    })
  }

  /** The newest valid card of `peer` in the DHT (validated bytes), or undefined if none was
   *  found within lookupTimeoutMs. */
  async findCard(peer: string, options: AbortOptions = {}): Promise<Uint8Array | undefined> {
    return (await this.#findCard(peer, options))?.signed
  }

  async #findCard(peer: string, options: AbortOptions): Promise<ContactCard | undefined> {
    if (!this.#started) throw new NodeNotStartedError('findCard: the node is not started')
    let key: Uint8Array
    try {
      key = cardKey(peer)
    } catch {
      throw new TypeError('peer is not an Ed25519 PeerId')
    }
    const signal = this.#lookupSignal(options)
    let best: ContactCard | undefined
    // kad-dht's get() yields the selected value only after sending corrections to stale peers,
    // and throws if a correction fails: compare every verified answer here as well.
    const consider = (value: Uint8Array): void => {
      try {
        const card = verifyContactCard(this.#crypto, value, this.#now(), peer)
        best = best == null ? card : selectNewerCard(best, card)
      } catch (err) {
        log('ignoring a card of %s: %s', peer, errName(err))
      }
    }
    const started = performance.now()
    try {
      for await (const evt of this.#c.dht.get(key, { signal })) {
        if (evt.name === 'VALUE') consider(evt.value)
        else if (evt.name === 'PEER_RESPONSE' && evt.record != null) consider(evt.record.value)
      }
    } catch (err) {
      if (!signal.aborted) log('card lookup of %s failed: %s', peer, errName(err))
    }
    log('card lookup of %s: seq %s in %d ms', peer, best?.seq ?? '-', ms(started))
    return best
  }

  /** Addresses of `peer` by DHT peer routing (network query, not our peer store), each ending
   *  in /p2p/<peer>; [] if not found within lookupTimeoutMs. Unauthenticated hints: the dial's
   *  Noise handshake authenticates the peer. */
  async findPeerAddrs(peer: string, options: AbortOptions = {}): Promise<string[]> {
    if (!this.#started) throw new NodeNotStartedError('findPeerAddrs: the node is not started')
    let id: PeerId
    try {
      id = peerIdFromString(peer)
    } catch {
      throw new TypeError('peer is not a PeerId')
    }
    if (peer === this.#c.peerId) return []
    try {
      const info = await this.#c.peerRouting.findPeer(id, {
        signal: this.#lookupSignal(options),
        useCache: false,
      })
      return info.multiaddrs.slice(0, MAX_ROUTED_ADDRS).map((ma) => withP2p(ma, peer))
    } catch (err) {
      log('peer routing for %s failed: %s', peer, errName(err))
      return []
    }
  }

  /** For the dialer: the addresses of the peer's newest card first, then peer routing's. With
   *  no DHT peer to ask it returns [] at once (a kad-dht query would wait for one). */
  async lookupAddrs(peerId: PeerId, options: AbortOptions = {}): Promise<Multiaddr[]> {
    const peer = peerId.toString()
    if (this.#c.dht.routingTable?.size === 0) return []
    const [card, routed] = await Promise.all([
      this.#findCard(peer, options).catch(() => undefined),
      this.findPeerAddrs(peer, options).catch(() => []),
    ])
    const out = new Map<string, Multiaddr>()
    for (const a of [...(card?.addrs ?? []), ...routed]) {
      try {
        const ma = multiaddr(a)
        out.set(ma.toString(), ma)
      } catch {
        log('skipping an unparsable address of %s', peer)
      }
    }
    return [...out.values()]
  }

  #lookupSignal(options: AbortOptions): AbortSignal {
    const signals = [this.#stop.signal, AbortSignal.timeout(this.#lookupTimeoutMs)]
    if (options.signal != null) signals.push(options.signal)
    return AbortSignal.any(signals)
  }
}

type CardEvents = Pick<TypedEventTarget<Libp2pEvents>, 'addEventListener' | 'removeEventListener'>

export interface CardPublisherTimings {
  refreshMs?: number
  retryMs?: number
  addrDebounceMs?: number
}

export interface CardPublisherInit extends CardPublisherTimings {
  /** Signs a fresh card (the service: new seq, current addrs and prekeys, expiry). */
  makeCard: () => Promise<Uint8Array>
  /** Publishes it; resolves with how many DHT peers stored it (0: only the local copy). */
  publish: (signedCard: Uint8Array) => Promise<number>
  /** libp2p's events, for 'self:peer:update' (our addresses changed). */
  events?: CardEvents
}

function addrSet(update: PeerUpdate['peer'] | undefined): string {
  return (update?.addresses ?? [])
    .map((a) => a.multiaddr.toString())
    .sort()
    .join(' ')
}

/**
 * Keeps our card in the DHT: publishes at start(), every refreshMs (CARD_REFRESH_MS) after a
 * publish that reached a peer, every retryMs (CARD_RETRY_MS) after one that failed or reached
 * none, and addrDebounceMs after our addresses change. One publish at a time; a trigger during
 * one makes one more. Timers are unref'd; stop() clears them (a publish in flight finishes).
 */
export class CardPublisher {
  readonly #init: CardPublisherInit
  readonly #refreshMs: number
  readonly #retryMs: number
  readonly #debounceMs: number
  #timer: ReturnType<typeof setTimeout> | undefined
  #debounce: ReturnType<typeof setTimeout> | undefined
  #running = false
  #pending = false
  #started = false
  /** Publishes that completed (reached a peer or not), for diagnostics and tests. */
  published = 0

  constructor(init: CardPublisherInit) {
    this.#init = init
    this.#refreshMs = init.refreshMs ?? CARD_REFRESH_MS
    this.#retryMs = init.retryMs ?? CARD_RETRY_MS
    this.#debounceMs = init.addrDebounceMs ?? CARD_ADDR_DEBOUNCE_MS
  }

  start(): void {
    if (this.#started) return
    this.#started = true
    this.#init.events?.addEventListener('self:peer:update', this.#onSelfUpdate)
    this.refresh()
  }

  stop(): void {
    if (!this.#started) return
    this.#started = false
    this.#init.events?.removeEventListener('self:peer:update', this.#onSelfUpdate)
    clearTimeout(this.#timer)
    clearTimeout(this.#debounce)
    this.#timer = undefined
    this.#debounce = undefined
    this.#pending = false
  }

  /** Publishes a fresh card now (or right after the one in flight). */
  refresh(): void {
    if (!this.#started) return
    if (this.#running) {
      this.#pending = true
      return
    }
    clearTimeout(this.#timer)
    this.#timer = undefined
    void this.#publishOnce()
  }

  readonly #onSelfUpdate = (evt: CustomEvent<PeerUpdate>): void => {
    if (addrSet(evt.detail.peer) === addrSet(evt.detail.previous)) return
    clearTimeout(this.#debounce)
    this.#debounce = setTimeout(() => {
      this.#debounce = undefined
      log('our addresses changed: republishing the card')
      this.refresh()
    }, this.#debounceMs)
    this.#debounce.unref()
  }

  async #publishOnce(): Promise<void> {
    this.#running = true
    let next = this.#retryMs
    try {
      const peers = await this.#init.publish(await this.#init.makeCard())
      if (peers > 0) next = this.#refreshMs
    } catch (err) {
      log('card publish failed: %s', errName(err))
    } finally {
      this.#running = false
      this.published++
    }
    if (!this.#started) return
    if (this.#pending) {
      this.#pending = false
      this.refresh()
      return
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.refresh()
    }, next)
    this.#timer.unref()
  }
}

function ms(since: number): number {
  return Math.round(performance.now() - since)
}

function errName(err: unknown): string {
  return err instanceof Error ? err.name : String(err)
}
