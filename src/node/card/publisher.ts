// Keeps our own signed contact card fresh in the DHT (CardPublisher): the refresh, retry and
// address-change schedule. It knows nothing of how a card is signed (makeCard, the service) or
// published (publish, card/routing.ts CardRouting).
import debug from 'debug'
import type { Libp2pEvents, PeerUpdate, TypedEventTarget } from '@libp2p/interface'

const log = debug('kith:node:cards')

/** Republish period of our card: well inside CARD_TTL_MS, so a few missed refreshes (offline,
 *  no DHT peers) never let the copy in the DHT expire, and a replayed older card lasts at most
 *  this long on a node that accepted it. */
export const CARD_REFRESH_MS = 60 * 60_000
/** Retry period after a publish that failed or reached no DHT peer (alone at start-up). */
export const CARD_RETRY_MS = 60_000
/** Address changes come in bursts (listeners, AutoNAT, relays): publish once they settle. */
export const CARD_ADDR_DEBOUNCE_MS = 2_000

export type CardEvents = Pick<
  TypedEventTarget<Libp2pEvents>,
  'addEventListener' | 'removeEventListener'
>

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

export function ms(since: number): number {
  return Math.round(performance.now() - since)
}

export function errName(err: unknown): string {
  return err instanceof Error ? err.name : String(err)
}
