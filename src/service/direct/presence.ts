// Contacts' presence (ARCHITECTURE.md "Delivery"): what the node's peer events mean for the
// service — a contact connecting gets its unacked messages and our card again (and a session from
// its DHT card if it has none, after a restore), a co-member its group control contents; a
// contact's identified addresses are remembered and watched; presence events for the API. It owns
// no state and knows nothing of invites or the contact list's rules (./contacts.ts).
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import type { Requests } from './requests.js'
import { loadRecord } from './sessions.js'

/** What presence uses (a narrow port): the service context's store, node and events, and the
 *  contacts' collaborators it calls. */
export type PresenceContext = Pick<
  WithNode<Pick<KithNode, 'watch'>>,
  'ctx' | 'store' | 'node' | 'emit'
> &
  PresenceHooks

/** The contacts' collaborators presence calls (wired in ../wiring.ts). */
export interface PresenceHooks {
  /** Outbox.flushSoon */
  flushSoon(peer: string, all?: boolean): void
  /** OwnCard.push */
  pushCard(peer: string): Promise<void>
  /** Requests and co-members (./requests.ts). */
  requests: Requests
  /** A connected contact with no session (after a restore): one from its DHT card
   *  (./restore.ts startSessionFromDht); true if started. */
  startSession?(peer: string): Promise<boolean>
}

export class Presence {
  readonly #cx: PresenceContext

  constructor(cx: PresenceContext) {
    this.#cx = cx
  }

  /** A peer connected (node 'peer:connect'). */
  onConnect(peer: string): void {
    const cx = this.#cx
    const c = cx.store.getContact(peer)
    if (c === undefined) {
      // A group member that is not a contact: its group control contents go out (groups/).
      if (this.#cx.requests.isCoMember(peer)) {
        this.#cx.flushSoon(peer, true)
        setImmediate(() => void this.#cx.pushCard(peer))
      } else if (cx.store.groups.nextControlAttemptAt(peer) !== undefined) {
        // A member we removed, still owed her farewell (groups/removal.ts): it goes now.
        this.#cx.flushSoon(peer, true)
      }
      return
    }
    cx.store.touchContact(peer, cx.ctx.clock())
    this.emitPresence(peer, true)
    // Whatever is unacked goes out again now that the peer is reachable; our card goes too, so
    // the contact learns our current addresses and mailboxes.
    this.#cx.flushSoon(peer, true)
    setImmediate(() => void this.#cx.pushCard(peer))
    // No session with a contact (restored without its card): start one, then the same again.
    if (this.#cx.startSession !== undefined && loadRecord(cx.store, peer)?.current === undefined) {
      this.#cx
        .startSession(peer)
        .then((started) => {
          if (!started) return
          this.#cx.flushSoon(peer, true)
          void this.#cx.pushCard(peer)
        })
        .catch(() => undefined) // no card found: the next connect tries again
    }
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
