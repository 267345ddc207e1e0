// Homes for the dm bench's cold-start figures: a store made as `kith init` makes it (identity,
// SQLCipher database, key file), optionally filled with a long 1:1 history written straight into
// the stopped daemon's store through src/store — one contact, its messages alternating in and
// out, all in one transaction (minutes through the API, about a second this way). This module
// knows nothing of daemons or timing.
import { randomBytes } from 'node:crypto'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { createNodeStore, openNodeStore } from '../../src/store/index.js'

/** Creates the store of `home` with a new identity (what `kith init --name NAME` does). */
export function initHome(home: string, name: string): void {
  createNodeStore(home, IdentityKeyPair.generate(nodeCrypto, nodeRng), name).close()
}

/**
 * Writes `count` messages of `text` into the store of `home` (whose daemon must be stopped),
 * spread over `conversations` new contacts: in each, alternately from the contact and from us,
 * delivered, a second apart, ending now. Returns the contacts' PeerIds.
 *
 * Not one conversation of `count`: ChatStore.insertMessage scans every earlier message of the
 * same sender in the conversation (its sort_at UPDATE), so filling one conversation is quadratic
 * — 100,000 messages took 264 s here (docs/performance.md "DM").
 */
export function fillHistory(
  home: string,
  count: number,
  conversations: number,
  text: string,
): string[] {
  const contacts = Array.from(
    { length: conversations },
    () => IdentityKeyPair.generate(nodeCrypto, nodeRng).peerId,
  )
  const store = openNodeStore(home)
  try {
    const now = Date.now()
    const start = now - count * 1000
    store.transaction(() => {
      contacts.forEach((peerId, c) =>
        store.putContact({
          peerId,
          name: `history-${c}`,
          verified: false,
          keyChanged: false,
          addrs: [],
          addedAt: start,
          lastSeen: start,
        }),
      )
      const theirSeq = new Map<string, number>()
      for (let i = 0; i < count; i++) {
        const contact = contacts[i % conversations]!
        const incoming = Math.floor(i / conversations) % 2 === 0
        const seq = incoming ? (theirSeq.get(contact) ?? 0) + 1 : store.nextSeq(contact)
        if (incoming) theirSeq.set(contact, seq)
        const at = start + i * 1000
        store.insertMessage({
          id: randomBytes(16).toString('hex'),
          conversation: contact,
          from: incoming ? contact : store.peerId,
          direction: incoming ? 'in' : 'out',
          seq,
          text,
          sentAt: at,
          receivedAt: at,
          status: 'delivered',
        })
      }
    })
    // Indexed for search, as a daemon that stored them would have left them (its background
    // catch-up, src/service/search-index.ts): the start figures must not include indexing them.
    store.search.catchUp()
  } finally {
    store.close()
  }
  return contacts
}
