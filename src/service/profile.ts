// Our profile (CLI.md "Profile, requests, blocking": `kith profile [--name NAME]`): the display
// name we send to contacts, and the names contacts send us. Ours is the identity's name (`kith
// init --name`, `kith id`), persisted in the store, carried by our invites and, beside our invite
// proof, in what we send a contact until it answers (./direct/proofs.ts).
//
// Telling contacts (protocol.md "Profile names"): a ChatContent has exactly one body, so the name
// rides in ChatContent.profile_name beside a `card` body (our signed card, which the receiver
// uses as any pushed card). Every card push carries it (./offline/own-card.ts: each connect refreshes
// it); a change also queues one such content per accepted contact in the pairwise control outbox
// (the one group updates use): encrypted afresh per attempt, deposited in the contact's mailboxes
// when it is away, retried with backoff until the contact's receipt names its id. A newer change
// replaces a queued one. The receiver keeps the name of the newest content (by the sender's
// `sentAt`), only from an accepted contact, only if clean (./direct/names.ts), and acks it; the local
// name the user gave that contact never changes.
//
// This module owns those rules; it knows nothing of how the outbox sends or of receiving frames.
import { decodeChatContent, encodeChatContent, newMessageId, toHex } from '../core/index.js'
import type { ChatContent } from '../core/index.js'
import type { KithNode } from '../node/index.js'
import type { WithNode } from './context.js'
import { InvalidNameError } from './errors.js'
import { isCleanName, nameProblem } from './direct/names.js'
import type { ProfileView } from './types.js'

/** The slice of the node profile uses (a narrow port: context.ts WithNode). */
export type ProfileNode = Pick<KithNode, 'peerId'>

/** When (the sender's `sentAt`) the profile name we keep for `peer` was sent. */
const sentAtKey = (peer: string) => `profile.at.${peer}`
/** The profile name of a group member who is not a contact (issue 14: shown instead of its
 *  PeerId), in the settings table: no column to add, and it leaves with the group's sessions. */
const memberNameKey = (peer: string) => `profile.member.${peer}`

/** The profile's port: the service context with its node slice, and what it calls. */
export type ProfileContext = WithNode<ProfileNode> & ProfileHooks

export interface ProfileHooks {
  /** OwnCard.sign(true): a freshly signed card for contacts. */
  signCard(): Uint8Array
  /** Outbox.flushSoon */
  flushSoon(peer: string): void
  /** Requests.isCoMember: `peer` shares one of our groups. */
  isCoMember?(peer: string): boolean
}

export class Profile {
  readonly #cx: ProfileContext
  #name: string

  constructor(cx: ProfileContext, name: string) {
    this.#cx = cx
    this.#name = name
  }

  /** Our display name now. */
  get name(): string {
    return this.#name
  }

  view(): ProfileView {
    return { peerId: this.#cx.node.peerId, name: this.#name }
  }

  /**
   * Sets our display name (the contact-name rules of ./direct/names.ts: InvalidNameError otherwise; it
   * need not be free, it is ours) and tells every accepted contact. Setting the same name again
   * sends nothing.
   */
  setName(name: string): ProfileView {
    const problem = nameProblem(name)
    if (problem !== undefined) throw new InvalidNameError(problem)
    if (name === this.#name) return this.view()
    const cx = this.#cx
    const card = this.#cx.signCard()
    const now = cx.ctx.clock()
    const peers = cx.store.transaction(() => {
      cx.store.setIdentityName(name)
      const peers = cx.store.listContacts().map((c) => c.peerId)
      for (const peer of peers) {
        // A name still waiting for this contact is superseded: only the newest goes out.
        for (const e of cx.store.groups.controlFor(peer)) {
          if (isProfileContent(e.content)) cx.store.groups.dequeueControl(e.messageId)
        }
        const content = this.content(card, name, now)
        cx.store.groups.enqueueControl({
          messageId: toHex(decodeChatContent(content).messageId),
          peer,
          content,
          attempts: 0,
          nextAttemptAt: now,
        })
      }
      return peers
    })
    this.#name = name
    for (const peer of peers) this.#cx.flushSoon(peer)
    return this.view()
  }

  /** A 1:1 content carrying our signed `card` and our name (a card push, a profile update). */
  content(card: Uint8Array, name = this.#name, now = this.#cx.ctx.clock()): Uint8Array {
    const cx = this.#cx
    return encodeChatContent({
      messageId: newMessageId(cx.ctx),
      sender: cx.meBytes,
      seq: 0n,
      sentAt: BigInt(now),
      conversation: new Uint8Array(0),
      card,
      profileName: name,
    })
  }

  /**
   * A card content from `from` carrying a profile name, inside the receive transaction. Kept as
   * the contact's profileName if `from` is an accepted contact, the name is clean, and the content
   * is not older than the one that set the current name. The caller acks it whatever we kept:
   * the sender retries until acked, and a refused name would be refused again.
   */
  received(from: string, content: ChatContent): void {
    const store = this.#cx.store
    const c = store.getContact(from)
    const sentAt = Number(content.sentAt)
    const last = Number(store.getSetting(sentAtKey(from)) ?? '0')
    if (c !== undefined && isCleanName(content.profileName) && sentAt >= last) {
      if (c.profileName !== content.profileName)
        store.putContact({ ...c, profileName: content.profileName })
      store.setSetting(sentAtKey(from), String(sentAt))
    } else if (
      c === undefined &&
      this.#cx.isCoMember?.(from) === true &&
      isCleanName(content.profileName) &&
      sentAt >= last
    ) {
      // A group member who is not a contact: its name, kept apart from contacts' (never a
      // contact's name: the CLI marks it as self-chosen).
      store.setSetting(memberNameKey(from), content.profileName)
      store.setSetting(sentAtKey(from), String(sentAt))
    }
  }

  /** The profile names of those of `peers` who are not contacts and sent one (group members). */
  memberNames(peers: readonly string[]): Record<string, string> {
    const store = this.#cx.store
    const out: Record<string, string> = {}
    for (const p of peers) {
      if (store.getContact(p, { includeBlocked: true }) !== undefined) continue
      const name = store.getSetting(memberNameKey(p))
      if (name !== undefined && name !== '') out[p] = name
    }
    return out
  }
}

/** Whether a control outbox content is a profile update (a card body; group updates have none). */
function isProfileContent(content: Uint8Array): boolean {
  try {
    return decodeChatContent(content).card !== undefined
  } catch {
    return false
  }
}
