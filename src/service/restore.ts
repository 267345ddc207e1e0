// After `kith restore` (docs/protocol.md "Sessions after a restore"): the backup holds no ratchet
// session, so the restored node starts a fresh PQXDH session with each contact whose card it
// kept — the card's prekey bundle, signed by the contact's identity key (PQXDH §3.3), verified
// again by initiateSession. Its first message (the card pushed when the contact connects, or a
// queued message) is an initial message; the contact's decryptPrekeyMessage adds the new state
// and makes it current beside the old one (same identity key: no key-change alarm), and from
// then on both sides use it. A contact without a kept card gets no session here; it is started
// when one arrives. Runs offline, before the daemon; owns nothing but that loop.
import type { CoreContext } from '../core/crypto/provider.js'
import type { IdentityKeyPair } from '../core/identity/identity.js'
import { SessionRecord } from '../core/session/record.js'
import { initiateSession } from '../core/session/session.js'
import type { NodeStore } from '../store/types.js'
import { Cards } from './cards.js'

/** Starts a session with every unblocked contact that has none and whose card we hold. Returns
 *  how many contacts now have a session to send in. */
export function startRestoredSessions(
  ctx: CoreContext,
  store: NodeStore,
  identity: IdentityKeyPair,
): number {
  const cards = new Cards(ctx, store, identity)
  let ready = 0
  store.transaction(() => {
    for (const c of store.listContacts()) {
      const bytes = store.protocol.loadSessionSync(c.peerId)
      const record = bytes === undefined ? undefined : SessionRecord.deserialize(bytes)
      if (record?.current !== undefined) {
        ready++
        continue
      }
      const card = cards.lastKnown(c.peerId)
      if (card === undefined) continue
      try {
        const fresh = initiateSession(ctx, identity, card.prekeys, record)
        store.protocol.storeSessionSync(c.peerId, fresh.serialize())
        ready++
      } catch {
        // A bundle that no longer verifies: the session waits for a card from the contact.
      }
    }
  })
  return ready
}
