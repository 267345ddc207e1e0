// Offline delivery through mailboxes (ARCHITECTURE.md "Delivery"): which mailboxes we name in our
// card, depositing sealed envelopes with a recipient's mailboxes when it cannot be reached, and
// fetching what our mailboxes hold for us. The envelopes are the same end-to-end encrypted,
// padded, header-encrypted frames /kith/dm carries: a mailbox sees neither text, nor counters,
// nor the sender inside. This module knows no SQL and no session internals: it is handed a
// `receive` callback that decrypts and stores a frame of unknown sender.
import debug from 'debug'
import type { CoreContext } from '../core/crypto/provider.js'
import type { ContactCard } from '../core/identity/card.js'
import type { IdentityKeyPair } from '../core/identity/identity.js'
import { MAX_CARD_MAILBOXES } from '../core/wire/limits.js'
import { MAILBOX_DEPOSIT_REPLICAS, MAILBOX_PROTOCOL } from '../node/mailbox/limits.js'
import type { KithNode } from '../node/types.js'
import type { NodeStore } from '../store/types.js'
import type { Cards } from './cards.js'

const log = debug('kith:service:mailbox')

/** A message is deposited with this many of the recipient's mailboxes ("at least two"). */
export const DEPOSIT_COPIES = MAILBOX_DEPOSIT_REPLICAS
/** A contact without a card is looked up in the DHT at most this often. */
export const CARD_LOOKUP_INTERVAL_MS = 5 * 60_000
/** How often we fetch from our mailboxes while running (also on start and on connecting to one). */
export const MAILBOX_FETCH_INTERVAL_MS = 60_000
/** After a deposit, the outbox waits this long before depositing again (a direct send on
 *  reconnect goes first anyway). */
export const MAILBOX_REDEPOSIT_MS = 60 * 60_000
/** Mailboxes we name in our card: relays first, then contacts; at most this many. */
export const OWN_MAILBOXES = 4
/** Pages fetched from one mailbox in one round (each at most MAILBOX_BATCH_MAX_ITEMS). */
const MAX_FETCH_PAGES = 64

const CHOSEN = 'mailboxes.chosen'
/** Circuit relay v2 hop: what a `kith relay` announces besides the mailbox. */
const RELAY_HOP = '/libp2p/circuit/relay/0.2.0/hop'

export interface MailboxDeps {
  ctx: CoreContext
  store: NodeStore
  node: KithNode
  identity: IdentityKeyPair
  cards: Cards
  /** Decrypts and stores one envelope fetched from a mailbox (sender unknown). Throws if it is not ours. */
  receive: (frame: Uint8Array) => void
  /** Our chosen mailboxes changed: sign and publish a new card. */
  onChange: () => void
}

export class Mailboxes {
  readonly #d: MailboxDeps
  readonly #lookedUp = new Map<string, number>()
  #timer: NodeJS.Timeout | undefined
  #fetching = false

  constructor(deps: MailboxDeps) {
    this.#d = deps
  }

  start(): void {
    const { node, store } = this.#d
    // Every node is a mailbox for its own contacts, within the node's quotas.
    node.setMailboxPolicy((recipient) => store.getContact(recipient) !== undefined)
    node.on('peer:identify', (peer) => {
      if (this.#offersMailbox(peer)) {
        this.#choose()
        void this.fetchFrom(peer)
      }
    })
    this.#timer = setInterval(() => void this.fetchAll(), MAILBOX_FETCH_INTERVAL_MS)
    this.#timer.unref()
    setImmediate(() => void this.fetchAll())
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** The mailboxes named in our card (persisted, so a restart names the same ones). */
  chosen(): string[] {
    const raw = this.#d.store.getSetting(CHOSEN)
    return raw === undefined ? [] : (JSON.parse(raw) as string[])
  }

  #offersMailbox(peer: string): boolean {
    return this.#d.node
      .connections()
      .some((c) => c.peerId === peer && c.protocols.includes(MAILBOX_PROTOCOL))
  }

  /** A public relay (`kith relay`): serves mailboxes for anyone and relays circuits. Ordinary
   *  nodes serve mailboxes only for their own contacts, so they are not named as ours. */
  #isRelay(peer: string): boolean {
    return this.#d.node
      .connections()
      .some(
        (c) =>
          c.peerId === peer &&
          c.protocols.includes(MAILBOX_PROTOCOL) &&
          c.protocols.includes(RELAY_HOP),
      )
  }

  /** Relays we are connected to that serve mailboxes, then contacts (who serve their contacts). */
  #choose(): void {
    const { node, store } = this.#d
    const contacts = new Set(store.listContacts().map((c) => c.peerId))
    const relays = [...new Set(node.connections().map((c) => c.peerId))].filter(
      (p) => !contacts.has(p) && this.#isRelay(p),
    )
    const previous = this.chosen()
    // Keep relays we named before (mail may be waiting there) while they are still known.
    const keep = previous.filter((p) => relays.includes(p) || contacts.has(p))
    const byLastSeen = store
      .listContacts()
      .sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0))
      .map((c) => c.peerId)
    const next = [...new Set([...keep, ...relays, ...byLastSeen])].slice(
      0,
      Math.min(OWN_MAILBOXES, MAX_CARD_MAILBOXES),
    )
    if (next.join() === previous.join()) return
    store.setSetting(CHOSEN, JSON.stringify(next))
    this.#d.onChange()
  }

  /**
   * Deposits each frame for `peer` with DEPOSIT_COPIES of the mailboxes its card names (more
   * are tried when some refuse). Returns how many frames at least one mailbox accepted.
   */
  async deposit(peer: string, frames: Uint8Array[]): Promise<number> {
    const card = this.#d.cards.of(peer) ?? (await this.lookUpCard(peer))
    // Never ourselves: we hold it in the outbox already, and we may be away when they return.
    const mailboxes = (card?.mailboxes ?? []).filter((m) => m !== this.#d.node.peerId)
    if (mailboxes.length === 0) return 0
    let accepted = 0
    for (const frame of frames) {
      let copies = 0
      for (const mb of mailboxes) {
        if (copies >= DEPOSIT_COPIES) break
        try {
          await this.#d.node.mailboxDeposit(mb, peer, frame, this.#addrsOf(mb))
          copies++
        } catch (err) {
          log('deposit for %s at %s failed: %s', peer, mb, (err as Error).name)
        }
      }
      if (copies > 0) accepted++
      else break // no mailbox takes anything now: keep the rest queued, in order
    }
    return accepted
  }

  /**
   * A contact we never met directly has pushed us no card: look its card up in the DHT (at most
   * every CARD_LOOKUP_INTERVAL_MS per peer) to learn its mailboxes.
   */
  async lookUpCard(peer: string): Promise<ContactCard | undefined> {
    const now = this.#d.ctx.clock()
    if (now - (this.#lookedUp.get(peer) ?? -Infinity) < CARD_LOOKUP_INTERVAL_MS) return undefined
    this.#lookedUp.set(peer, now)
    try {
      const bytes = await this.#d.node.findCard(peer)
      return bytes === undefined ? undefined : this.#d.cards.accept(peer, bytes)
    } catch (err) {
      log('card lookup for %s failed: %s', peer, (err as Error).name)
      return undefined
    }
  }

  #addrsOf(peer: string): string[] {
    return this.#d.store.getContact(peer)?.addrs ?? this.#d.cards.of(peer)?.addrs ?? []
  }

  /** Fetches from every mailbox we named (and any we are connected to that offers one). */
  async fetchAll(): Promise<void> {
    if (this.#fetching) return
    this.#fetching = true
    try {
      this.#choose()
      for (const mb of this.chosen()) await this.fetchFrom(mb)
    } finally {
      this.#fetching = false
    }
  }

  /** Fetches, stores and confirms everything `mailbox` holds for us. */
  async fetchFrom(mailbox: string): Promise<void> {
    const { node, identity, ctx } = this.#d
    if (mailbox === node.peerId) return
    const sign = (challenge: Uint8Array) => identity.sign(ctx.crypto, challenge)
    try {
      for (let page = 0; page < MAX_FETCH_PAGES; page++) {
        const items = await node.mailboxFetch(mailbox, sign, this.#addrsOf(mailbox))
        if (items.length === 0) return
        for (const item of items) {
          try {
            this.#d.receive(item.envelope)
          } catch (err) {
            // Not decryptable (a copy already received directly, a replay): drop it anyway.
            log('held envelope %s from %s refused: %s', item.id, mailbox, (err as Error).name)
          }
        }
        await node.mailboxConfirm(
          mailbox,
          items.map((i) => i.id),
          sign,
          this.#addrsOf(mailbox),
        )
      }
    } catch (err) {
      log('fetch from %s failed: %s', mailbox, (err as Error).name)
    }
  }
}
