// Contacts: invite links (ours out with an invite secret, theirs in, starting a PQXDH session from
// the bundle and keeping its secret to prove), the contact list, renaming (./names.ts rules),
// removal, safety numbers and their confirmation, and the node's presence events for contacts
// (connect, disconnect, identify: current addresses remembered and watched). It owns no state;
// it knows nothing of the outbox, receiving or requests beyond the ports it is handed.
import {
  decodeInviteLink,
  encodeInviteLink,
  encodeShortInviteLink,
  formatSafetyNumber,
  parseSafetyNumber,
  publicKeyFromPeerId,
  safetyNumber,
  verifyShortInvite,
} from '../../core/index.js'
import type { DecodedInvite, PrekeyBundle } from '../../core/index.js'
import { announceAddrs, packAddrs, unpackAddrs } from '../../node/index.js'
import type { Contact } from '../../store/types.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { ServiceNotStartedError } from '../lifecycle-errors.js'
import { loadRecord, startSession } from './sessions.js'
import {
  ContactNotFoundError,
  InvalidArgumentError,
  InvalidInviteError,
  InviterUnreachableError,
} from '../errors.js'
import { checkName, isCleanName, isFree } from './names.js'
import type { OwnCard } from '../offline/own-card.js'
import type { Profile } from '../profile.js'
import type { InviteProofs } from './proofs.js'
import { Presence, type PresenceHooks } from './presence.js'
import type { ContactView, ServiceEvent } from '../types.js'
import { toContactView } from '../views.js'
import { errorName } from '../../core/errors.js'

/** The slice of the node contacts uses (a narrow port: ../context.ts WithNode). */
export type ContactsNode = Pick<
  KithNode,
  'candidateAddrs' | 'fetchCard' | 'findCard' | 'isConnected' | 'peerId' | 'unwatch' | 'watch'
>

/** The contacts' port: the service context with its node slice, and what they call. */
export type ContactsContext = WithNode<ContactsNode> & ContactHooks

/** What the contacts call beyond presence's collaborators (./presence.ts PresenceHooks). */
export interface ContactHooks extends PresenceHooks {
  /** Our card: the prekey bundle our invites carry (undefined before start), and the card for
   *  the DHT (it names no contacts), what /kith/card answers (../offline/own-card.ts). */
  ownCard: Pick<OwnCard, 'bundle' | 'sign'>
  /** Our display name now (../profile.ts), carried in our invite. */
  profile: Pick<Profile, 'name'>
  /** Our invite secrets (./proofs.ts). */
  proofs: InviteProofs
  /** Receipts.queueAck */
  queueAck(peer: string, id: string): void
}

export class Contacts {
  readonly #cx: ContactsContext

  /** The node's presence events for contacts (./presence.ts). */
  readonly presence: Presence

  constructor(cx: ContactsContext) {
    this.#cx = cx
    this.presence = new Presence(cx)
  }

  /**
   * Our invite link, with the standing secret or (`once`) a fresh single-use one: short (no
   * bundle: the adder fetches our card, proving the secret: ./contacts.ts serveCard) or, with
   * `full`, carrying our prekey bundle so that adding it needs no network.
   */
  invite(opts: { once?: boolean; full?: boolean } = {}): { link: string; peerId: string } {
    const cx = this.#cx
    const bundle = this.#cx.ownCard.bundle
    if (bundle === undefined) throw new ServiceNotStartedError('the service has not started')
    // Only addresses a contact might reach, LAN ones last (node/connectivity/addr-policy.ts).
    const addrs = announceAddrs(cx.node.candidateAddrs())
    const name = this.#cx.profile.name
    const secret = this.#cx.proofs.secret(opts.once === true)
    const link =
      opts.full === true
        ? encodeInviteLink({ peerId: cx.node.peerId, addrs, bundle, name, secret })
        : encodeShortInviteLink({
            peerId: cx.node.peerId,
            packedAddrs: packAddrs(addrs, cx.node.peerId),
            name,
            secret,
            sign: (m) => cx.identity.sign(cx.ctx.crypto, m),
          })
    return { link, peerId: cx.node.peerId }
  }

  /** A /kith/card request (node/card/index.ts): our DHT card (it names no contacts) for a peer
   *  proving one of our invite secrets it may use; undefined (the stream is reset) otherwise. */
  serveCard(from: string, secret: Uint8Array): Uint8Array | undefined {
    if (!this.#cx.proofs.valid(from, secret)) return undefined
    return this.#cx.ownCard.sign(false)
  }

  /**
   * The prekey bundle and addresses of a short link's inviter: its card, asked of the inviter
   * itself (proving the link's secret), else looked up in the DHT. Verified (signature by the
   * PeerId's key, not expired) and kept like any card. InviterUnreachableError when neither gave
   * one.
   */
  async #cardOf(
    invite: DecodedInvite,
    addrs: string[],
  ): Promise<{ bundle: PrekeyBundle; addrs: string[] }> {
    const cx = this.#cx
    let bytes: Uint8Array | undefined
    let why = ''
    try {
      bytes = await cx.node.fetchCard(invite.peerId, invite.secret, addrs)
    } catch (err) {
      why = errorName(err)
      bytes = await cx.node.findCard(invite.peerId).catch(() => undefined)
    }
    if (bytes === undefined) {
      throw new InviterUnreachableError(
        `the inviter did not answer (${why || 'no card'}): try again while it is online, or ask for a full link (kith invite --full)`,
      )
    }
    try {
      const card = cx.cards.accept(invite.peerId, bytes)
      return { bundle: card.prekeys, addrs: [...new Set([...addrs, ...card.addrs])] }
    } catch (err) {
      throw new InvalidInviteError(`the inviter's card is not valid (${errorName(err)})`)
    }
  }

  async add(link: string, name?: string): Promise<{ name: string; peerId: string }> {
    const cx = this.#cx
    let invite
    try {
      // Whitespace is never part of a link (base64url): a pasted one may carry line breaks.
      invite = decodeInviteLink(link.replace(/\s+/gu, ''))
    } catch (err) {
      throw new InvalidInviteError(`not a valid invite link (${errorName(err)})`)
    }
    try {
      verifyShortInvite(cx.ctx.crypto, invite)
    } catch (err) {
      throw new InvalidInviteError(`not a valid invite link (${errorName(err)})`)
    }
    if (invite.peerId === cx.node.peerId) throw new InvalidInviteError('this is your own invite')
    const existing = cx.store.getContact(invite.peerId, { includeBlocked: true })
    // Names (issue 11 finding 7): the user's must be valid and free; the invite's is only a
    // suggestion, used if clean and free, else the PeerId; kept as profileName if clean.
    if (name !== undefined) checkName(cx.store, name, invite.peerId)
    const offered = isCleanName(invite.name) ? invite.name : ''
    const suggested =
      offered !== '' && isFree(cx.store, offered, invite.peerId) ? offered : invite.peerId
    let addrs = invite.version === 1 ? invite.addrs : unpackAddrs(invite.packedAddrs)
    let bundle: PrekeyBundle | undefined = invite.bundle
    const known = loadRecord(cx.store, invite.peerId)
    if (bundle === undefined && known?.current === undefined) {
      ;({ bundle, addrs } = await this.#cardOf(invite, addrs))
    }
    const contact: Contact = {
      peerId: invite.peerId,
      name: name ?? existing?.name ?? suggested,
      verified: existing?.verified ?? false,
      keyChanged: false,
      addrs,
      addedAt: existing?.addedAt ?? cx.ctx.clock(),
      lastSeen: existing?.lastSeen,
      profileName: offered,
    }
    const events: ServiceEvent[] = []
    const acks: string[] = []
    cx.store.transaction(() => {
      cx.store.putContact(contact)
      // Verifies the bundle's signatures (PQXDH §3.3): a bad one throws and nothing is stored.
      if (bundle !== undefined) startSession(cx, invite.peerId, bundle)
      // Adding a peer's invite is choosing it: unblocked, its request (if any) accepted.
      cx.store.trust.unblock(invite.peerId)
      this.#cx.requests.promote(invite.peerId, undefined, events, acks)
      // Proven in what we send it until it answers (./proofs.ts); an old link has no secret.
      if (invite.secret.length > 0) cx.store.trust.setInviteProof(invite.peerId, invite.secret)
    })
    for (const e of events) cx.emit(e)
    for (const id of acks) this.#cx.queueAck(invite.peerId, id)
    cx.node.watch(contact.peerId, contact.addrs)
    // A short link's card fetch connected us before the contact existed, so that connection's
    // peer:connect found no contact: greet now (our card, with the link's proof, makes us its
    // contact at once).
    if (cx.node.isConnected(contact.peerId)) this.presence.onConnect(contact.peerId)
    return { name: contact.name, peerId: contact.peerId }
  }

  /** The contact named `ref` (PeerId or name, as the store resolves it), or ContactNotFoundError. */
  get(ref: string): Contact {
    const c = this.#cx.store.getContact(ref)
    if (c === undefined) throw new ContactNotFoundError(`no contact "${ref}"`)
    return c
  }

  /** Renames a contact (blocked or not). InvalidNameError, NameTakenError. */
  rename(ref: string, name: string): { name: string; peerId: string } {
    const cx = this.#cx
    return cx.store.transaction(() => {
      const c = cx.store.getContact(ref, { includeBlocked: true })
      if (c === undefined) throw new ContactNotFoundError(`no contact "${ref}"`)
      checkName(cx.store, name, c.peerId)
      cx.store.putContact({ ...c, name })
      return { name, peerId: c.peerId }
    })
  }

  /** Every contact, blocked ones included (ContactView.blocked). */
  list(): ContactView[] {
    const cx = this.#cx
    return cx.store
      .listContacts({ includeBlocked: true })
      .map((c) =>
        toContactView(c, cx.node.isConnected(c.peerId), cx.cards.of(c.peerId)?.mailboxes ?? []),
      )
  }

  remove(ref: string, purge: boolean): { removed: boolean } {
    const c = this.#cx.store.getContact(ref, { includeBlocked: true })
    if (c === undefined) throw new ContactNotFoundError(`no contact "${ref}"`)
    this.#cx.node.unwatch(c.peerId)
    return { removed: this.#cx.store.removeContact(c.peerId, purge) }
  }

  safetyNumber(ref: string): { contact: string; safetyNumber: string } {
    const c = this.get(ref)
    const digits = safetyNumber(
      this.#cx.ctx.crypto,
      this.#cx.identity.publicKey,
      publicKeyFromPeerId(c.peerId),
    )
    return { contact: c.name, safetyNumber: formatSafetyNumber(digits) }
  }

  confirmSafetyNumber(ref: string, number: string): { verified: boolean } {
    const c = this.get(ref)
    let given: string
    try {
      given = parseSafetyNumber(number)
    } catch {
      throw new InvalidArgumentError('a safety number is 60 digits')
    }
    const expected = safetyNumber(
      this.#cx.ctx.crypto,
      this.#cx.identity.publicKey,
      publicKeyFromPeerId(c.peerId),
    )
    const verified = given === expected
    if (verified) this.#cx.store.setVerified(c.peerId, true)
    return { verified }
  }
}
