// Finding the sender of a ratchet envelope fetched from a mailbox, cheaply (issue 11 finding 6:
// 6,176 junk envelopes × 101 contacts cost 33 CPU-s when each envelope ran a full receive — a
// SQLite transaction and a session deserialization — per contact). The envelope names no sender
// outside the encryption; its header is encrypted under the sender's header key (Double Ratchet
// §4 "header encryption"), so the sender is the contact one of whose states' receiving header
// keys (HKr, NHKr, or a skipped chain's) authenticates it: one AES-GCM tag check per key
// (./gcm-check.ts: one AES block and four GHASH multiplications, no Decipher object, no thrown
// error), read-only. Only then does the caller run the normal receive, for that one contact.
//
// This module owns the per-contact cache of header keys, valid while the stored session record
// is byte-for-byte the one they came from, and the work bound per envelope
// (MAILBOX_TRIAL_MAX_KEYS). It reads sessions through the store's read API in one transaction and
// never writes; it knows nothing of fetching or of messages.
import { decryptHeader, defineError, equalBytes, SessionRecord } from '../../core/index.js'
import type { CoreContext } from '../../core/index.js'
import type { NodeStore } from '../../store/types.js'
import { GcmTagCheck } from './gcm-check.js'

/** Header keys tried for one envelope, over all contacts, before it is given up as junk. A
 *  contact has at most 1 + MAX_PREVIOUS_STATES states of ≥ 2 keys each (more with skipped
 *  chains); 8,192 AES-GCM attempts on 68 bytes are ≈20 ms here, and cover ≈800 active contacts.
 *  Contacts are tried most recently seen first, so a live conversation is found early. */
export const MAILBOX_TRIAL_MAX_KEYS = 8192

/** Trial decryption gave up at MAILBOX_TRIAL_MAX_KEYS (counted as junk under this name). */
export class MailboxTrialBudgetError extends defineError('MailboxTrialBudgetError') {}

interface HeaderKey {
  hk: Uint8Array
  ad: Uint8Array
  /** The cheap tag check for this key (./gcm-check.ts), built on first use. */
  check?: GcmTagCheck
}
interface Entry {
  record: Uint8Array
  keys: HeaderKey[]
}

/** The receiving header keys of every state of a record (current state first). */
function headerKeys(record: SessionRecord): HeaderKey[] {
  const keys: HeaderKey[] = []
  for (const s of record.states()) {
    const seen = new Set<string>()
    const add = (hk: Uint8Array) => {
      if (hk.length === 0) return
      const id = Buffer.from(hk).toString('hex')
      if (seen.has(id)) return
      seen.add(id)
      keys.push({ hk, ad: s.ad })
    }
    add(s.hkr)
    add(s.nhkr)
    for (const k of s.skipped.values()) add(k.headerKey)
  }
  return keys
}

/**
 * The peers whose sessions may have sealed a fetched envelope: accepted contacts, most recently
 * seen first, then group co-members who are not contacts (their group updates fall back to our
 * mailboxes too), never a blocked peer.
 */
function candidates(store: NodeStore): string[] {
  const contacts = store
    .listContacts()
    .sort((a, b) => (b.lastSeen ?? 0) - (a.lastSeen ?? 0))
    .map((c) => c.peerId)
  const known = new Set(contacts)
  const coMembers = new Set(store.groups.listGroups().flatMap((g) => g.members))
  for (const peer of coMembers) {
    if (known.has(peer) || store.trust.isBlocked(peer)) coMembers.delete(peer)
  }
  return [...contacts, ...coMembers]
}

/** One cache per store (a node has one), so it outlives a fetch round but not the store. */
const caches = new WeakMap<NodeStore, Map<string, Entry>>()

/**
 * The contact or co-member whose session's header keys authenticate `encHeader`, or undefined.
 * Throws MailboxTrialBudgetError after MAILBOX_TRIAL_MAX_KEYS attempts.
 */
export function findSender(
  ctx: CoreContext,
  store: NodeStore,
  encHeader: Uint8Array,
  maxKeys = MAILBOX_TRIAL_MAX_KEYS,
): string | undefined {
  let cache = caches.get(store)
  if (cache === undefined) caches.set(store, (cache = new Map<string, Entry>()))
  const c = cache
  return store.transaction(() => {
    const live = new Set<string>()
    let tried = 0
    for (const peer of candidates(store)) {
      live.add(peer)
      const bytes = store.protocol.loadSession(peer)
      if (bytes === undefined) continue
      let entry = c.get(peer)
      if (entry === undefined || !equalBytes(entry.record, bytes)) {
        entry = { record: bytes, keys: headerKeys(SessionRecord.deserialize(bytes)) }
        c.set(peer, entry)
      }
      for (const key of entry.keys) {
        if (++tried > maxKeys) {
          throw new MailboxTrialBudgetError(`no sender found within ${maxKeys} header keys`)
        }
        key.check ??= new GcmTagCheck(key.hk, key.ad)
        // The cheap check first; a match is confirmed by the provider's real decryption.
        if (!key.check.matches(encHeader)) continue
        if (decryptHeader(ctx.crypto, key.hk, encHeader, key.ad) !== undefined) return peer
      }
    }
    // Contacts removed (or blocked) since: their keys are no longer kept.
    for (const peer of c.keys()) if (!live.has(peer)) c.delete(peer)
    return undefined
  })
}
