// Contacts on the node's SQLite database (ContactsStore, ./chat-types.ts): the contacts table with
// each contact's blocked flag (the blocked table, migration 5). This module owns the row ↔ object
// mapping of contacts and the rule that a PeerId-shaped ref names only that peer; it knows nothing
// of messages beyond deleting a removed contact's.
import { publicKeyFromPeerId } from '../core/identity/identity.js'
import type { Contact, ContactsStore } from './chat-types.js'
import { ContactExistsError } from './errors.js'
import { SqliteTransactions } from './transactions.js'

interface ContactRow {
  peer_id: string
  name: string
  verified: number
  key_changed: number
  addrs: string
  added_at: number
  last_seen: number | null
  profile_name: string
  blocked: number
}

/** Contact rows with their blocked flag (the blocked table, migration 5). */
const CONTACT_SELECT = `SELECT c.peer_id, c.name, c.verified, c.key_changed, c.addrs, c.added_at,
    c.last_seen, c.profile_name, (b.peer_id IS NOT NULL) AS blocked
  FROM contacts c LEFT JOIN blocked b ON b.peer_id = c.peer_id`

/** A contacts row, with its blocked flag, as a Contact (addrs are a JSON array). */
function contactOut(r: ContactRow): Contact {
  return {
    peerId: r.peer_id,
    name: r.name,
    verified: r.verified === 1,
    keyChanged: r.key_changed === 1,
    addrs: JSON.parse(r.addrs) as string[],
    addedAt: r.added_at,
    lastSeen: r.last_seen ?? undefined,
    profileName: r.profile_name,
    blocked: r.blocked === 1,
  }
}

/** Whether `ref` parses as an Ed25519 PeerId: then it names that peer, never a contact's name
 *  (issue 11 finding 7: an invite named like another contact's PeerId captured it). */
function isPeerId(ref: string): boolean {
  try {
    publicKeyFromPeerId(ref)
    return true
  } catch {
    return false
  }
}

export abstract class SqliteContacts extends SqliteTransactions implements ContactsStore {
  getContact(ref: string, opts: { includeBlocked?: boolean } = {}): Contact | undefined {
    // A PeerId names only that peer; anything else is a name.
    const where = isPeerId(ref) ? 'c.peer_id = ?' : 'c.name = ?'
    const blocked = opts.includeBlocked === true ? '' : 'AND b.peer_id IS NULL'
    const r = this.q(`${CONTACT_SELECT} WHERE ${where} ${blocked}`).get(ref) as
      ContactRow | undefined
    return r && contactOut(r)
  }

  isContact(peerId: string): boolean {
    return (
      this.q(
        `SELECT 1 FROM contacts c LEFT JOIN blocked b ON b.peer_id = c.peer_id
           WHERE c.peer_id = ? AND b.peer_id IS NULL`,
      ).get(peerId) !== undefined
    )
  }

  listContacts(opts: { includeBlocked?: boolean } = {}): Contact[] {
    const blocked = opts.includeBlocked === true ? '' : 'WHERE b.peer_id IS NULL'
    return (this.q(`${CONTACT_SELECT} ${blocked} ORDER BY c.name`).all() as ContactRow[]).map(
      contactOut,
    )
  }

  putContact(c: Contact): void {
    this.transaction(() => {
      // Another peer's name, or another contact's PeerId used as a name (which would make
      // getContact ambiguous), is taken.
      const taken = this.q(
        'SELECT 1 FROM contacts WHERE peer_id != @peer AND (name = @name OR peer_id = @name)',
      ).get({ peer: c.peerId, name: c.name })
      if (taken !== undefined) throw new ContactExistsError(`contact name "${c.name}" is taken`)
      this.q(
        `INSERT INTO contacts
           (peer_id, name, verified, key_changed, addrs, added_at, last_seen, profile_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, coalesce(?, ''))
         ON CONFLICT (peer_id) DO UPDATE SET name = excluded.name, verified = excluded.verified,
           key_changed = excluded.key_changed, addrs = excluded.addrs,
           added_at = excluded.added_at, last_seen = excluded.last_seen,
           profile_name = coalesce(?, profile_name)`,
      ).run(
        c.peerId,
        c.name,
        c.verified ? 1 : 0,
        c.keyChanged ? 1 : 0,
        JSON.stringify(c.addrs),
        c.addedAt,
        c.lastSeen ?? null,
        c.profileName ?? null,
        c.profileName ?? null,
      )
    })
  }

  /** Removes the contact and its pending outbox entries (nothing is retried to a removed
   *  contact). With `purge`, also its 1:1 messages and sequence counter. Sessions are the
   *  ProtocolStore's (removeSession). Returns whether a contact was removed. */
  removeContact(peerId: string, purge: boolean): boolean {
    return this.transaction(() => {
      this.q('DELETE FROM outbox WHERE peer = ?').run(peerId)
      if (purge) {
        this.q('DELETE FROM messages WHERE conversation = ?').run(peerId)
        this.q('DELETE FROM seqs WHERE conversation = ?').run(peerId)
      }
      return this.q('DELETE FROM contacts WHERE peer_id = ?').run(peerId).changes > 0
    })
  }

  setVerified(peerId: string, verified: boolean): void {
    this.q('UPDATE contacts SET verified = ? WHERE peer_id = ?').run(verified ? 1 : 0, peerId)
  }

  touchContact(peerId: string, lastSeen: number, addrs?: string[]): void {
    if (addrs === undefined) {
      this.q('UPDATE contacts SET last_seen = ? WHERE peer_id = ?').run(lastSeen, peerId)
    } else {
      this.q('UPDATE contacts SET last_seen = ?, addrs = ? WHERE peer_id = ?').run(
        lastSeen,
        JSON.stringify(addrs),
        peerId,
      )
    }
  }
}
