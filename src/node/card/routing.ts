// Signed contact cards in Kith's Kad-DHT (ARCHITECTURE.md "Delivery"): publishing and finding
// cards, and peer routing for the dialer (CardRouting). The record's key, validator and selector
// are ./record.ts; the loop that keeps our own card fresh is ./publisher.ts.
//
// This module owns the DHT side of cards. It knows no keys: the service signs cards
// (src/core/identity/card.ts) and hands them over, or hands a `makeCard()` to the CardPublisher.
// It knows nothing of contacts, sessions or mailboxes (a card names mailboxes, never contacts).
//
import debug from 'debug'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { equalBytes } from '../../core/bytes.js'
import { selectNewerCard, verifyContactCard, type ContactCard } from '../../core/identity/card.js'
import { nodeCrypto } from '../../platform/node-crypto.js'
import { NodeNotStartedError } from '../errors.js'
import {
  CardPublisher,
  errName,
  ms,
  type CardEvents,
  type CardPublisherTimings,
} from './publisher.js'
import { cardKey } from './record.js'
import type { CryptoProvider } from '../../core/crypto/provider.js'
import type { AbortOptions, PeerId, PeerRouting } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:cards')

/** Bound of one publish: the put to the K closest peers is abandoned after this. */
export const CARD_PUBLISH_TIMEOUT_MS = 30_000
/** Bound of one findCard / findPeerAddrs lookup. */
export const CARD_LOOKUP_TIMEOUT_MS = 10_000
/** Most addresses taken from one peer-routing answer (unauthenticated; a card has its own cap,
 *  MAX_CARD_ADDRS). */
export const MAX_ROUTED_ADDRS = 16

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
