// Offline delivery through mailboxes (ARCHITECTURE.md "Delivery"; docs/mailbox.md): which
// mailboxes we name in our card, depositing sealed envelopes with a recipient's mailboxes when it
// cannot be reached, and fetching what our mailboxes hold for us. The envelopes are the same
// end-to-end encrypted, padded, header-encrypted frames /kith/dm carries: a mailbox sees neither
// text, nor counters, nor the sender inside. This module knows no SQL and no session internals:
// it is handed a `receive` callback that decrypts and stores a frame of unknown sender.
//
// Our mailboxes are only ever peers the user chose (issue 11 finding 4): the relays and mailboxes
// configured on the command line (`kith daemon --bootstrap` / `--mailbox`) and accepted contacts
// (the store's contact list: no strangers, no blocked peers). A peer is never chosen, nor fetched
// from, because of what it announces through identify. One fetch round per mailbox
// (./mailbox-fetch.ts) is bounded (MAILBOX_FETCH_MAX_*_PER_ROUND), so a mailbox full of junk
// costs one budget per round.
import debug from 'debug'
import type { ContactCard, CoreContext, IdentityKeyPair } from '../../core/index.js'
import { MAX_CARD_MAILBOXES } from '../../core/wire/limits.js'
import { MAILBOX_DEPOSIT_REPLICAS, MAILBOX_PROTOCOL } from '../../node/index.js'
import type { KithNode, MailboxFetchMetrics, NodeMetrics } from '../../node/index.js'
import type { NodeStore } from '../../store/types.js'
import type { Cards } from './cards.js'
import type { ConfiguredMailbox } from './configured.js'
import { fetchRound, newFetchMetrics } from './mailbox-fetch.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:mailbox')

/** A message is deposited with this many of the recipient's mailboxes ("at least two"). */
export const DEPOSIT_COPIES = MAILBOX_DEPOSIT_REPLICAS
/** A contact without a card is looked up in the DHT at most this often. */
export const CARD_LOOKUP_INTERVAL_MS = 5 * 60_000
/** How often we fetch from our mailboxes while running (also on start and on connecting to one). */
export const MAILBOX_FETCH_INTERVAL_MS = 60_000
/** A mailbox that (re)connects is fetched from at most this often outside the periodic round, so
 *  a contact's connection flapping cannot make us fetch in a loop. */
export const MAILBOX_FETCH_MIN_GAP_MS = 10_000
/** After a deposit, the outbox waits this long before depositing again (a direct send on
 *  reconnect goes first anyway). */
export const MAILBOX_REDEPOSIT_MS = 60 * 60_000
/** Mailboxes we name in our card: configured ones first, then contacts; at most this many. */
export const OWN_MAILBOXES = 4

const CHOSEN = 'mailboxes.chosen'

/** The slice of the node the mailboxes use (a narrow port): card lookup, deposit, fetch and
 *  confirm, the mailbox policy, and peer events. */
export type MailboxesNode = Pick<
  KithNode,
  | 'findCard'
  | 'connections'
  | 'mailboxConfirm'
  | 'mailboxDeposit'
  | 'mailboxFetch'
  | 'on'
  | 'peerId'
  | 'setMailboxPolicy'
>

/** The mailboxes' port: the core context, store, node slice and cards, what the user configured,
 *  and where a fetched frame and a change of our mailboxes go (up-ports: ../wiring.ts). */
export interface MailboxesContext {
  ctx: CoreContext
  store: NodeStore
  node: MailboxesNode
  identity: IdentityKeyPair
  cards: Cards
  /** The mailboxes the user configured (configuredMailboxes). */
  configured: readonly ConfiguredMailbox[]
  /** Decrypts and stores one envelope fetched from a mailbox (sender unknown). Throws a typed
   *  error if it is not ours (counted as junk by its name). */
  receive: (frame: Uint8Array) => void
  /** Our chosen mailboxes changed: sign and publish a new card. */
  onChange: () => void
}

export class Mailboxes {
  readonly #cx: MailboxesContext
  readonly #configured: Map<string, ConfiguredMailbox>
  readonly #lookedUp = new Map<string, number>()
  readonly #lastFetch = new Map<string, number>()
  readonly #inFlight = new Set<string>()
  readonly #metrics: MailboxFetchMetrics = newFetchMetrics()
  #timer: NodeJS.Timeout | undefined
  #fetching = false
  #stopped = false

  constructor(cx: MailboxesContext) {
    this.#cx = cx
    this.#configured = new Map(cx.configured.map((c) => [c.peerId, c]))
  }

  start(): void {
    const { node, store } = this.#cx
    // Every node is a mailbox for its own accepted contacts (getContact excludes strangers and
    // blocked peers), within the node's quotas; never for a peer depositing for itself.
    node.setMailboxPolicy(
      (recipient, depositor) =>
        recipient !== depositor && store.getContact(recipient)?.peerId === recipient,
    )
    node.on('peer:identify', (peer) => {
      // Only a mailbox we chose is fetched from when it connects; announcing one changes nothing.
      const configured = this.#configured.get(peer)
      const ours =
        this.chosen().includes(peer) ||
        (configured !== undefined && (configured.explicit || this.#servesMailboxes(peer)))
      if (!ours) return
      if (
        this.#cx.ctx.clock() - (this.#lastFetch.get(peer) ?? -Infinity) <
        MAILBOX_FETCH_MIN_GAP_MS
      )
        return
      this.#choose()
      void this.fetchFrom(peer)
    })
    this.#timer = setInterval(() => void this.fetchAll(), MAILBOX_FETCH_INTERVAL_MS)
    this.#timer.unref()
    setImmediate(() => void this.fetchAll())
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
  }

  /** The mailboxes named in our card (persisted, so a restart names the same ones). */
  chosen(): string[] {
    const raw = this.#cx.store.getSetting(CHOSEN)
    return raw === undefined ? [] : (JSON.parse(raw) as string[])
  }

  /** What fetching cost and found (status.metrics.mailbox.fetch). */
  metrics(): MailboxFetchMetrics {
    const m = this.#metrics
    return { ...m, junk: { ...m.junk }, budgetHits: { ...m.budgetHits } }
  }

  /** The node's metrics with ours added under `mailbox.fetch`. */
  addMetrics(node: NodeMetrics): NodeMetrics {
    if (node.mailbox === undefined) return node
    return { ...node, mailbox: { ...node.mailbox, fetch: this.metrics() } }
  }

  /** A peer the user chose as a mailbox: configured, or an accepted contact. */
  #allowed(peer: string): boolean {
    return this.#configured.has(peer) || this.#cx.store.getContact(peer)?.peerId === peer
  }

  #servesMailboxes(peer: string): boolean {
    return this.#cx.node
      .connections()
      .some((c) => c.peerId === peer && c.protocols.includes(MAILBOX_PROTOCOL))
  }

  /** Configured mailboxes (a --bootstrap relay once it is seen serving mailboxes), then accepted
   *  contacts, most recently seen first. Never a peer for what it announced. */
  #choose(): void {
    const { store } = this.#cx
    const previous = this.chosen()
    const configured = [...this.#configured.values()]
      .filter((c) => c.explicit || previous.includes(c.peerId) || this.#servesMailboxes(c.peerId))
      .map((c) => c.peerId)
    const contacts = store
      .listContacts()
      .filter((c) => !this.#configured.has(c.peerId))
      .sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0))
      .map((c) => c.peerId)
    // Keep those named before while still allowed (mail may be waiting there).
    const keep = previous.filter((p) => this.#allowed(p))
    const next = [...new Set([...configured, ...keep, ...contacts])].slice(
      0,
      Math.min(OWN_MAILBOXES, MAX_CARD_MAILBOXES),
    )
    if (next.join() === previous.join()) return
    store.setSetting(CHOSEN, JSON.stringify(next))
    this.#cx.onChange()
  }

  /**
   * Deposits each frame for `peer` with DEPOSIT_COPIES of the mailboxes its card names (more
   * are tried when some refuse). Returns how many frames at least one mailbox accepted.
   */
  async deposit(peer: string, frames: Uint8Array[]): Promise<number> {
    const card = this.#cx.cards.of(peer) ?? (await this.lookUpCard(peer))
    // Never ourselves: we hold it in the outbox already, and we may be away when they return.
    const mailboxes = (card?.mailboxes ?? []).filter((m) => m !== this.#cx.node.peerId)
    if (mailboxes.length === 0) return 0
    let accepted = 0
    for (const frame of frames) {
      let copies = 0
      for (const mb of mailboxes) {
        if (copies >= DEPOSIT_COPIES) break
        try {
          await this.#cx.node.mailboxDeposit(mb, peer, frame, this.#addrsOf(mb))
          copies++
        } catch (err) {
          log('deposit for %s at %s failed: %s', peer, mb, errorName(err))
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
    const now = this.#cx.ctx.clock()
    if (now - (this.#lookedUp.get(peer) ?? -Infinity) < CARD_LOOKUP_INTERVAL_MS) return undefined
    this.#lookedUp.set(peer, now)
    try {
      const bytes = await this.#cx.node.findCard(peer)
      return bytes === undefined ? undefined : this.#cx.cards.accept(peer, bytes)
    } catch (err) {
      log('card lookup for %s failed: %s', peer, errorName(err))
      return undefined
    }
  }

  /** A contact's mailboxes (its card's, looked up if unknown; never us) and where to dial them:
   *  where its 1:1 envelopes and file chunks are deposited (files/deposit.ts). */
  async mailboxesOf(peer: string): Promise<{ peerId: string; addrs: string[] }[]> {
    const card = this.#cx.cards.of(peer) ?? (await this.lookUpCard(peer))
    return (card?.mailboxes ?? [])
      .filter((m) => m !== this.#cx.node.peerId)
      .map((m) => ({ peerId: m, addrs: this.#addrsOf(m) }))
  }

  /** Our own mailboxes (named in our card, and configured ones serving) and their addresses. */
  own(): { peerId: string; addrs: string[] }[] {
    const configured = [...this.#configured.values()]
      .filter((c) => c.explicit || this.#servesMailboxes(c.peerId))
      .map((c) => c.peerId)
    return [...new Set([...this.chosen(), ...configured])]
      .filter((m) => m !== this.#cx.node.peerId && this.#allowed(m))
      .map((m) => ({ peerId: m, addrs: this.#addrsOf(m) }))
  }

  #addrsOf(peer: string): string[] {
    return (
      this.#configured.get(peer)?.addrs ??
      this.#cx.store.getContact(peer)?.addrs ??
      this.#cx.cards.of(peer)?.addrs ??
      []
    )
  }

  /** One round: fetches from every mailbox we named and every configured one. */
  async fetchAll(): Promise<void> {
    if (this.#fetching) return
    this.#fetching = true
    try {
      this.#choose()
      const configured = [...this.#configured.values()]
        .filter((c) => c.explicit || this.#servesMailboxes(c.peerId))
        .map((c) => c.peerId)
      for (const mb of new Set([...this.chosen(), ...configured])) await this.fetchFrom(mb)
    } finally {
      this.#fetching = false
    }
  }

  /**
   * Fetches, stores and confirms what `mailbox` holds for us, within one round's budget
   * (MAILBOX_FETCH_MAX_PAGES / _ENVELOPES / _BYTES_PER_ROUND); the rest waits for the next round.
   * Only from a mailbox the user chose (configured or an accepted contact).
   */
  async fetchFrom(mailbox: string): Promise<void> {
    const { node, identity, ctx } = this.#cx
    if (mailbox === node.peerId || this.#inFlight.has(mailbox)) return
    if (!this.#allowed(mailbox)) {
      this.#metrics.notChosen++
      return
    }
    this.#inFlight.add(mailbox)
    this.#lastFetch.set(mailbox, ctx.clock())
    try {
      await fetchRound(
        {
          node,
          sign: (challenge) => identity.sign(ctx.crypto, challenge),
          addrs: () => this.#addrsOf(mailbox),
          receive: this.#cx.receive,
          stopped: () => this.#stopped,
          metrics: this.#metrics,
        },
        mailbox,
      )
    } finally {
      this.#inFlight.delete(mailbox)
    }
  }
}
