// Message requests and blocking (issue 11 findings 5 and 12, "Message requests", as in Signal).
// A peer that did not come through one of our invites (./proofs.ts) is a stranger: its first
// message creates no contact; its texts wait here, bounded (MAX_REQUESTS peers,
// MAX_REQUEST_MESSAGES each, MAX_REQUEST_BYTES in all; the oldest request is dropped with its
// session when full), unacked, until the user accepts (a contact; the texts move into history and
// are acked then) or blocks it. A blocked peer's frames are dropped before decryption, nothing is
// encrypted for it, it is not watched. Members of a group we are in ("co-members") are not
// strangers to group traffic (receive.ts), but their texts are requests too.
// This module owns those rules and their counters; it knows nothing of decryption or the wire.
import type { RequestRow, StoredMessage } from '../../store/types.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { BlockedPeerError, ContactNotFoundError, RequestNotFoundError } from '../errors.js'
import { checkName, isCleanName } from './names.js'
import type { RequestView, ServiceEvent } from '../types.js'
import { toMessageView } from '../views.js'
import { publicKeyFromPeerId } from '../../core/index.js'
import type { RequestMetrics } from '../types.js'

/** The slice of the node requests uses (a narrow port: ../context.ts WithNode). */
export type RequestsNode = Pick<KithNode, 'isConnected' | 'peerId' | 'unwatch' | 'watch'>

/** Strangers whose messages are held at once. Beyond it the oldest request goes (with its
 *  session): a flood of fresh identities costs the user the oldest unanswered strangers, never
 *  memory or disk. 50 is more than a screen of `kith requests`. */
export const MAX_REQUESTS = 50
/** Texts held per stranger; later ones are dropped (their sender is not acked and keeps
 *  retrying, so they arrive once the request is accepted). A first message rarely needs more. */
export const MAX_REQUEST_MESSAGES = 10
/** UTF-8 bytes of all held texts together (at most ≈16 maximal 64 KiB texts); beyond it the
 *  oldest requests go. */
export const MAX_REQUEST_BYTES = 1024 * 1024

/** The requests' port: the service context with its node slice, and what it calls. */
export type RequestsContext = WithNode<RequestsNode> & RequestHooks

export interface RequestHooks {
  queueAck(peer: string, id: string): void
  pushCard(peer: string): Promise<void>
  /** Outbox.flushSoon: what waited while the peer was blocked goes out after unblock. */
  flushSoon(peer: string, all?: boolean): void
}

const utf8 = new TextEncoder()

const isPeerId = (s: string): boolean => {
  try {
    publicKeyFromPeerId(s)
    return true
  } catch {
    return false
  }
}

export class Requests {
  readonly #cx: RequestsContext
  readonly metrics: RequestMetrics = {
    held: 0,
    dropped: 0,
    evicted: 0,
    strangerFrames: 0,
    blockedFrames: 0,
  }

  constructor(cx: RequestsContext) {
    this.#cx = cx
  }

  /** A member of an active group we are in (per the replayed group state). */
  isCoMember(peer: string): boolean {
    return this.#cx.store.groups.listGroups().some((g) => g.members.includes(peer))
  }

  /** At start: group members that are not contacts are watched at their card's addresses, as
   *  before they stopped being contacts (contacts are watched by the service). */
  watchCoMembers(): void {
    const cx = this.#cx
    const all = new Set(cx.store.groups.listGroups().flatMap((g) => g.members))
    all.delete(cx.node.peerId)
    for (const peer of all) {
      if (cx.store.getContact(peer, { includeBlocked: true }) !== undefined) continue
      if (cx.store.trust.isBlocked(peer)) continue
      const addrs = cx.cards.of(peer)?.addrs.filter((a) => a.endsWith(`/p2p/${peer}`)) ?? []
      if (addrs.length > 0) cx.node.watch(peer, addrs)
    }
  }

  /**
   * Holds a stranger's text, inside the receive transaction. Returns whether it is new (false:
   * a duplicate, or dropped by a cap).
   */
  hold(from: string, m: StoredMessage, profileName: string): boolean {
    const trust = this.#cx.store.trust
    if (trust.hasHeld(m.id)) return false
    const size = utf8.encode(m.text).length
    const mine = trust.getRequest(from)
    if (mine !== undefined && mine.messages >= MAX_REQUEST_MESSAGES) return this.#drop()
    let totals = trust.requestTotals()
    while (
      (mine === undefined && totals.requests >= MAX_REQUESTS) ||
      totals.bytes + size > MAX_REQUEST_BYTES
    ) {
      const oldest = trust.oldestRequest(from)
      if (oldest === undefined) return this.#drop()
      this.#dropRequest(oldest)
      this.metrics.evicted++
      totals = trust.requestTotals()
    }
    const name = isCleanName(profileName) ? profileName : ''
    const held = trust.hold(from, name, {
      id: m.id,
      seq: m.seq,
      text: m.text,
      sentAt: m.sentAt,
      receivedAt: m.receivedAt,
    })
    if (held) this.metrics.held++
    return held
  }

  #drop(): false {
    this.metrics.dropped++
    return false
  }

  /** Drops a request with its session (unless the peer is a co-member, whose session groups use). */
  #dropRequest(peer: string): void {
    const store = this.#cx.store
    store.trust.dropRequest(peer)
    if (store.getContact(peer, { includeBlocked: true }) === undefined && !this.isCoMember(peer))
      store.protocol.removeSession(peer)
  }

  list(): RequestView[] {
    return this.#cx.store.trust.listRequests().map((r: RequestRow) => ({
      peerId: r.peerId,
      profileName: r.profileName,
      messages: r.messages,
      firstAt: r.firstAt,
    }))
  }

  /**
   * The stranger becomes a contact (named `name`, else by its PeerId); its held texts move into
   * history and are acked now. Also used inside the receive transaction when a stranger later
   * proves an invite (`events` collects what to emit, `acks` what to ack after the commit).
   */
  promote(peerId: string, name: string | undefined, events: ServiceEvent[], acks: string[]): void {
    const cx = this.#cx
    const r = cx.store.trust.getRequest(peerId)
    if (r === undefined) return
    const now = cx.ctx.clock()
    if (cx.store.getContact(peerId) === undefined) {
      cx.store.putContact({
        peerId,
        name: name ?? peerId,
        verified: false,
        keyChanged: false,
        addrs: [],
        addedAt: now,
        lastSeen: now,
        profileName: r.profileName,
      })
      events.push({
        event: 'contact',
        peerId,
        name: name ?? peerId,
        online: cx.node.isConnected(peerId),
      })
    }
    for (const h of cx.store.trust.heldFor(peerId)) {
      const m: StoredMessage = {
        id: h.id,
        conversation: peerId,
        from: peerId,
        direction: 'in',
        seq: h.seq,
        text: h.text,
        sentAt: h.sentAt,
        receivedAt: h.receivedAt,
        status: 'delivered',
      }
      if (cx.store.insertMessage(m)) events.push({ event: 'message', message: toMessageView(m) })
      acks.push(m.id)
    }
    cx.store.trust.dropRequest(peerId)
  }

  accept(peerId: string, name?: string): { peerId: string; accepted: boolean } {
    const cx = this.#cx
    if (cx.store.trust.getRequest(peerId) === undefined)
      throw new RequestNotFoundError('no message request from that peer')
    if (name !== undefined) checkName(cx.store, name, peerId)
    const events: ServiceEvent[] = []
    const acks: string[] = []
    cx.store.transaction(() => this.promote(peerId, name, events, acks))
    for (const e of events) cx.emit(e)
    for (const id of acks) this.#cx.queueAck(peerId, id)
    setImmediate(() => void this.#cx.pushCard(peerId))
    return { peerId, accepted: true }
  }

  blockRequest(peerId: string): { peerId: string; accepted: boolean } {
    const cx = this.#cx
    if (cx.store.trust.getRequest(peerId) === undefined)
      throw new RequestNotFoundError('no message request from that peer')
    this.#block(peerId)
    return { peerId, accepted: false }
  }

  /** `ref`: a contact's name or PeerId, or any PeerId. */
  block(ref: string): { peerId: string; blocked: boolean } {
    const peerId = this.#resolve(ref)
    this.#block(peerId)
    return { peerId, blocked: true }
  }

  unblock(ref: string): { peerId: string; blocked: boolean } {
    const cx = this.#cx
    const peerId = this.#resolve(ref)
    cx.store.trust.unblock(peerId)
    const c = cx.store.getContact(peerId)
    if (c !== undefined) cx.node.watch(peerId, c.addrs)
    this.#cx.flushSoon(peerId, true)
    return { peerId, blocked: false }
  }

  #resolve(ref: string): string {
    const c = this.#cx.store.getContact(ref, { includeBlocked: true })
    if (c !== undefined) return c.peerId
    if (isPeerId(ref)) return ref
    throw new ContactNotFoundError(`no contact "${ref}"`)
  }

  #block(peerId: string): void {
    const cx = this.#cx
    if (peerId === cx.node.peerId) throw new ContactNotFoundError('you cannot block yourself')
    cx.store.transaction(() => {
      cx.store.trust.block(peerId, cx.ctx.clock())
      if (cx.store.trust.getRequest(peerId) !== undefined) this.#dropRequest(peerId)
    })
    cx.node.unwatch(peerId)
  }

  /** Counts and refuses a frame from a blocked peer (before any decryption). */
  refuseBlocked(from: string): void {
    if (!this.#cx.store.trust.isBlocked(from)) return
    this.metrics.blockedFrames++
    throw new BlockedPeerError('a frame from a blocked peer was dropped')
  }

  /** Encrypting for a blocked peer: refused (nothing is sent to it). */
  refuseOutgoing(peer: string): void {
    if (this.#cx.store.trust.isBlocked(peer))
      throw new BlockedPeerError('nothing is sent to a blocked peer')
  }
}
