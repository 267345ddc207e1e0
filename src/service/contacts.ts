// Contacts: invite links (ours out, theirs in, starting a PQXDH session from the bundle), the
// contact list, removal, safety numbers and their confirmation, and the node's presence events
// for contacts (connect, disconnect, identify: current addresses remembered and watched). It owns
// no state; it knows nothing of the outbox or receiving beyond the hooks it is handed.
import {
  formatSafetyNumber,
  parseSafetyNumber,
  safetyNumber,
} from '../core/identity/fingerprint.js'
import { publicKeyFromPeerId } from '../core/identity/identity.js'
import { initiateSession } from '../core/session/session.js'
import { decodeInviteLink, encodeInviteLink } from '../core/wire/invite.js'
import type { PrekeyBundle } from '../core/wire/pb/wire.js'
import type { Contact } from '../store/types.js'
import { loadRecord, type ChatContext } from './context.js'
import { ContactNotFoundError, InvalidArgumentError, InvalidInviteError } from './errors.js'
import { toContactView, type ContactView } from './types.js'

export interface ContactHooks {
  /** Our current prekey bundle, undefined before the service started. */
  bundle(): PrekeyBundle | undefined
  /** Our display name, carried in our invite. */
  name: string
  /** Outbox.flushSoon */
  flushSoon(peer: string, all?: boolean): void
  /** OwnCard.push */
  pushCard(peer: string): Promise<void>
}

export class Contacts {
  readonly #cx: ChatContext
  readonly #hooks: ContactHooks

  constructor(cx: ChatContext, hooks: ContactHooks) {
    this.#cx = cx
    this.#hooks = hooks
  }

  invite(): { link: string; peerId: string } {
    const cx = this.#cx
    const bundle = this.#hooks.bundle()
    if (bundle === undefined) throw new Error('service not started')
    const link = encodeInviteLink({
      peerId: cx.node.peerId,
      addrs: cx.node.addrs(),
      bundle,
      name: this.#hooks.name,
    })
    return { link, peerId: cx.node.peerId }
  }

  async add(link: string, name?: string): Promise<{ name: string; peerId: string }> {
    const cx = this.#cx
    let invite
    try {
      invite = decodeInviteLink(link)
    } catch (err) {
      throw new InvalidInviteError(`not a valid invite link (${(err as Error).name})`)
    }
    if (invite.peerId === cx.node.peerId) throw new InvalidInviteError('this is your own invite')
    const existing = cx.store.getContact(invite.peerId)
    const contact: Contact = {
      peerId: invite.peerId,
      name: name ?? existing?.name ?? (invite.name !== '' ? invite.name : invite.peerId),
      verified: existing?.verified ?? false,
      keyChanged: false,
      addrs: invite.addrs,
      addedAt: existing?.addedAt ?? cx.ctx.clock(),
      lastSeen: existing?.lastSeen,
    }
    // Verifies the bundle's signatures (PQXDH §3.3) before anything is stored.
    const record = loadRecord(cx.store, invite.peerId)
    const fresh =
      record?.current === undefined
        ? initiateSession(cx.ctx, cx.identity, invite.bundle, record)
        : undefined
    cx.store.transaction(() => {
      cx.store.putContact(contact)
      if (fresh !== undefined) cx.store.protocol.storeSessionSync(invite.peerId, fresh.serialize())
    })
    cx.node.watch(contact.peerId, contact.addrs)
    return Promise.resolve({ name: contact.name, peerId: contact.peerId })
  }

  /** The contact named `ref` (PeerId or name, as the store resolves it), or ContactNotFoundError. */
  get(ref: string): Contact {
    const c = this.#cx.store.getContact(ref)
    if (c === undefined) throw new ContactNotFoundError(`no contact "${ref}"`)
    return c
  }

  list(): ContactView[] {
    const cx = this.#cx
    return cx.store
      .listContacts()
      .map((c) =>
        toContactView(c, cx.node.isConnected(c.peerId), cx.cards.of(c.peerId)?.mailboxes ?? []),
      )
  }

  remove(ref: string, purge: boolean): { removed: boolean } {
    const c = this.get(ref)
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

  onConnect(peer: string): void {
    const cx = this.#cx
    const c = cx.store.getContact(peer)
    if (c === undefined) return
    cx.store.touchContact(peer, cx.ctx.clock())
    this.emitPresence(peer, true)
    // Whatever is unacked goes out again now that the peer is reachable; our card goes too, so
    // the contact learns our current addresses and mailboxes.
    this.#hooks.flushSoon(peer, true)
    setImmediate(() => void this.#hooks.pushCard(peer))
  }

  /** Remember a contact's current addresses, so either side can dial the other after restarts. */
  onIdentify(peer: string, addrs: string[]): void {
    const cx = this.#cx
    const c = cx.store.getContact(peer)
    const usable = addrs.filter((a) => !a.includes('/p2p-circuit'))
    if (c === undefined || usable.length === 0) return
    if (usable.join() !== c.addrs.join()) cx.store.touchContact(peer, cx.ctx.clock(), usable)
    cx.node.watch(peer, usable)
  }

  emitPresence(peer: string, online: boolean): void {
    const c = this.#cx.store.getContact(peer)
    if (c !== undefined) this.#cx.emit({ event: 'contact', peerId: peer, name: c.name, online })
  }
}
