// After `kith restore` (docs/protocol.md "Sessions after a restore"): the backup holds no ratchet
// session, so the restored node starts a fresh PQXDH session with each contact whose card it
// kept — the card's prekey bundle, signed by the contact's identity key (PQXDH §3.3), verified
// again by initiateSession. Its first message (the card pushed when the contact connects, or a
// queued message) is an initial message; the contact's decryptPrekeyMessage adds the new state
// and makes it current beside the old one (same identity key: no key-change alarm), and from
// then on both sides use it. Runs offline, before the daemon. A contact without a kept card gets
// no session there: when it connects, the daemon looks its signed card up in the DHT and starts
// one the same way (`startSessionFromDht`, at most once per SESSION_LOOKUP_MIN_INTERVAL_MS per
// contact). Owns nothing but the time of each contact's last lookup.
import type { CoreContext, IdentityKeyPair } from '../../core/index.js'
import type { NodeStore } from '../../store/types.js'
import { Cards } from '../offline/cards.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import { loadRecord, startSession } from './sessions.js'

/** The slice of the node restore uses (a narrow port: ../context.ts WithNode). */
export type RestoreNode = Pick<KithNode, 'findCard'>

/** A contact's card is looked up in the DHT for a missing session at most this often (each
 *  lookup is a DHT walk; a contact that reconnects in a loop must not cause one per connect). */
export const SESSION_LOOKUP_MIN_INTERVAL_MS = 30_000

/** Starts a session with every unblocked contact that has none and whose card we hold. Returns
 *  how many contacts now have a session to send in. */
export function startRestoredSessions(
  ctx: CoreContext,
  store: NodeStore,
  identity: IdentityKeyPair,
): number {
  const cards = new Cards({ ctx, store, identity })
  let ready = 0
  store.transaction(() => {
    for (const c of store.listContacts()) {
      if (loadRecord(store, c.peerId)?.current !== undefined) {
        ready++
        continue
      }
      const card = cards.lastKnown(c.peerId)
      if (card === undefined) continue
      try {
        if (startSession({ ctx, store, identity }, c.peerId, card.prekeys)) ready++
      } catch {
        // A bundle that no longer verifies: the session waits for a card from the contact.
      }
    }
  })
  return ready
}

const lookedUp = new WeakMap<WithNode<RestoreNode>, Map<string, number>>()

/**
 * `peer`, a contact, connected and we hold no session with it: looks its card up in the DHT,
 * keeps it (Cards.accept verifies it) and starts a session from its bundle. Resolves true when
 * a session was started; the caller then pushes our card (the initial message) and flushes.
 */
export async function startSessionFromDht(
  cx: WithNode<RestoreNode>,
  peer: string,
): Promise<boolean> {
  if (loadRecord(cx.store, peer)?.current !== undefined) return false
  let times = lookedUp.get(cx)
  if (times === undefined) lookedUp.set(cx, (times = new Map<string, number>()))
  const now = cx.ctx.clock()
  if (now - (times.get(peer) ?? -Infinity) < SESSION_LOOKUP_MIN_INTERVAL_MS) return false
  times.set(peer, now)
  const bytes = await cx.node.findCard(peer)
  if (bytes === undefined || cx.stopped()) return false
  return cx.store.transaction(() => {
    if (cx.store.getContact(peer) === undefined) return false
    if (loadRecord(cx.store, peer)?.current !== undefined) return false
    return startSession(cx, peer, cx.cards.accept(peer, bytes).prekeys)
  })
}
