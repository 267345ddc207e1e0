// The node's own signed contact card and the cards of its contacts (ARCHITECTURE.md "Delivery":
// addresses, prekeys and mailboxes, signed, in the DHT and pushed to contacts). This module owns
// the card's sequence number (persisted, so a restarted node's card still wins), what goes into
// our card, and where contacts' cards are kept. It never lists contacts in a card.
import {
  fromHex,
  selectNewerCard,
  signContactCard,
  toHex,
  verifyContactCard,
} from '../../core/index.js'
import type { ContactCard, CoreContext, IdentityKeyPair, PrekeyBundle } from '../../core/index.js'
import { MAX_CARD_ADDRS, MAX_CARD_MAILBOXES } from '../../core/wire/limits.js'
import { ContactCardCodec, SignedContactCard } from '../../core/index.js'
import { CARD_TTL_MS } from '../../node/index.js'
import type { NodeStore } from '../../store/types.js'

const SEQ = 'card.seq'
const contactKey = (peer: string) => `card.of.${peer}`

/** What the cards use (a narrow port): the core context, the store and our identity. */
export interface CardsContext {
  ctx: CoreContext
  store: NodeStore
  identity: IdentityKeyPair
}

export class Cards {
  readonly #cx: CardsContext

  constructor(cx: CardsContext) {
    this.#cx = cx
  }

  /** Signs a fresh card: a strictly higher seq than any card we signed before, even after a restart. */
  makeOwn(addrs: string[], bundle: PrekeyBundle, mailboxes: string[]): Uint8Array {
    const now = this.#cx.ctx.clock()
    const seq = Math.max(Number(this.#cx.store.getSetting(SEQ) ?? '0') + 1, now)
    this.#cx.store.setSetting(SEQ, String(seq))
    return signContactCard(this.#cx.ctx.crypto, this.#cx.identity, {
      addrs: addrs.slice(0, MAX_CARD_ADDRS),
      prekeys: bundle,
      mailboxes: mailboxes.slice(0, MAX_CARD_MAILBOXES),
      seq: BigInt(seq),
      expiresAt: BigInt(now + CARD_TTL_MS),
    })
  }

  /**
   * Verifies a card claimed to be `peer`'s (signature by the PeerId's key, not expired) and keeps
   * it if it is newer than the one we have. Returns the card now on record. Throws the core's
   * typed errors for a bad card.
   */
  accept(peer: string, bytes: Uint8Array): ContactCard {
    const card = verifyContactCard(this.#cx.ctx.crypto, bytes, this.#cx.ctx.clock(), peer)
    const known = this.of(peer)
    const best = known === undefined ? card : selectNewerCard(known, card)
    if (best === card) this.#cx.store.setSetting(contactKey(peer), toHex(card.signed))
    return best
  }

  /** The card we hold for `peer`, authenticated, even if expired: its prekey bundle is signed
   *  on its own (PQXDH §3.3) and still starts a session (../direct/restore.ts after `kith restore`). */
  lastKnown(peer: string): ContactCard | undefined {
    const hex = this.#cx.store.getSetting(contactKey(peer))
    if (hex === undefined) return undefined
    const bytes = fromHex(hex)
    try {
      const signed = SignedContactCard.decode(bytes)
      const expiresAt = Number(ContactCardCodec.decode(signed.card).expiresAt)
      return verifyContactCard(this.#cx.ctx.crypto, bytes, expiresAt - 1, peer)
    } catch {
      return undefined
    }
  }

  /** The newest unexpired card we hold for `peer`. */
  of(peer: string): ContactCard | undefined {
    const hex = this.#cx.store.getSetting(contactKey(peer))
    if (hex === undefined) return undefined
    try {
      return verifyContactCard(this.#cx.ctx.crypto, fromHex(hex), this.#cx.ctx.clock(), peer)
    } catch {
      return undefined // expired or from an older format: look it up again
    }
  }
}
