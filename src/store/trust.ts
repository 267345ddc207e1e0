// The TrustStore (./types.ts) on the node's SQLite database: blocked PeerIds, the invite secrets
// we issued (their SHA-256 only) and the invite secret we still prove to a contact, and the held
// messages of message requests (strangers who wrote first). This module owns the row ↔ object
// mapping of those tables; it knows nothing of the caps (service/direct/requests.ts enforces them), of
// names or of sessions (a dropped stranger's is deleted through ./protocol.ts, which keeps the
// open transaction's session cache right). It holds message text, so it prints none.
import type { SqliteDatabase } from './database.js'
import { SqliteTables } from './tables.js'
import type { HeldRequestMessage, RequestRow, TrustStore } from './types.js'

interface RequestDbRow {
  peer_id: string
  profile_name: string
  first_at: number
  messages: number
  bytes: number
}

interface HeldDbRow {
  id: string
  peer_id: string
  seq: number
  text: string
  sent_at: number
  received_at: number
}

const requestOut = (r: RequestDbRow): RequestRow => ({
  peerId: r.peer_id,
  profileName: r.profile_name,
  firstAt: r.first_at,
  messages: r.messages,
  bytes: r.bytes,
})

const REQUEST_SELECT = `SELECT r.peer_id, r.profile_name, r.first_at,
    count(m.id) AS messages, coalesce(sum(m.size), 0) AS bytes
  FROM requests r LEFT JOIN request_messages m ON m.peer_id = r.peer_id`

export class SqliteTrustStore extends SqliteTables implements TrustStore {
  protected readonly redactedKind: string = 'SqliteTrustStore'

  /** `db` must be migrated (./migrations.ts). */
  constructor(db: SqliteDatabase) {
    super(db)
  }

  // --- blocking

  isBlocked(peer: string): boolean {
    return this.q('SELECT 1 FROM blocked WHERE peer_id = ?').get(peer) !== undefined
  }

  block(peer: string, now: number): void {
    this.q('INSERT OR IGNORE INTO blocked (peer_id, blocked_at) VALUES (?, ?)').run(peer, now)
  }

  unblock(peer: string): boolean {
    return this.q('DELETE FROM blocked WHERE peer_id = ?').run(peer).changes > 0
  }

  blocked(): string[] {
    return this.q('SELECT peer_id FROM blocked ORDER BY blocked_at').pluck().all() as string[]
  }

  // --- invite secrets

  addInviteSecret(hash: Uint8Array, once: boolean, now: number): void {
    // created_at strictly increases, so pruning "the oldest" is exact even for many invites
    // made within one millisecond (the table has no rowid to break ties with).
    this.q(
      `INSERT OR IGNORE INTO invite_secrets (hash, once, created_at)
       VALUES (?, ?, max(?, (SELECT coalesce(max(created_at) + 1, 0) FROM invite_secrets)))`,
    ).run(hash, once ? 1 : 0, now)
  }

  redeemInviteSecret(hash: Uint8Array, peer: string): boolean {
    const r = this.q('SELECT once, used_by FROM invite_secrets WHERE hash = ?').get(hash) as
      { once: number; used_by: string | null } | undefined
    if (r === undefined) return false
    if (r.once === 0) return true
    if (r.used_by !== null) return r.used_by === peer
    this.q('UPDATE invite_secrets SET used_by = ? WHERE hash = ?').run(peer, hash)
    return true
  }

  inviteSecretUsable(hash: Uint8Array, peer: string): boolean {
    const r = this.q('SELECT once, used_by FROM invite_secrets WHERE hash = ?').get(hash) as
      { once: number; used_by: string | null } | undefined
    if (r === undefined) return false
    return r.once === 0 || r.used_by === null || r.used_by === peer
  }

  pruneOnceSecrets(keep: number): number {
    return this.q(
      `DELETE FROM invite_secrets WHERE once = 1 AND hash NOT IN (
         SELECT hash FROM invite_secrets WHERE once = 1 ORDER BY created_at DESC LIMIT ?)`,
    ).run(keep).changes
  }

  inviteProof(peer: string): Uint8Array | undefined {
    const b = this.q('SELECT invite_proof FROM contacts WHERE peer_id = ?').pluck().get(peer) as
      Uint8Array | null | undefined
    return b == null ? undefined : new Uint8Array(b)
  }

  setInviteProof(peer: string, secret: Uint8Array | undefined): void {
    if (secret === undefined) {
      this.q(
        'UPDATE contacts SET invite_proof = NULL WHERE peer_id = ? AND invite_proof IS NOT NULL',
      ).run(peer)
    } else {
      this.q('UPDATE contacts SET invite_proof = ? WHERE peer_id = ?').run(secret, peer)
    }
  }

  // --- message requests

  getRequest(peer: string): RequestRow | undefined {
    const r = this.q(`${REQUEST_SELECT} WHERE r.peer_id = ? GROUP BY r.peer_id`).get(peer) as
      RequestDbRow | undefined
    return r && requestOut(r)
  }

  listRequests(): RequestRow[] {
    return (
      this.q(
        `${REQUEST_SELECT} GROUP BY r.peer_id ORDER BY r.first_at, r.peer_id`,
      ).all() as RequestDbRow[]
    ).map(requestOut)
  }

  requestTotals(): { requests: number; bytes: number } {
    const r = this.q(
      `SELECT (SELECT count(*) FROM requests) AS requests,
              (SELECT coalesce(sum(size), 0) FROM request_messages) AS bytes`,
    ).get() as { requests: number; bytes: number }
    return r
  }

  oldestRequest(except: string): string | undefined {
    // Every request holds at least one message; the lowest rowid is the first held: insertion
    // order, even within one millisecond.
    return this.q('SELECT peer_id FROM request_messages WHERE peer_id != ? ORDER BY rowid LIMIT 1')
      .pluck()
      .get(except) as string | undefined
  }

  hold(peer: string, profileName: string, m: HeldRequestMessage): boolean {
    this.q(
      `INSERT INTO requests (peer_id, profile_name, first_at) VALUES (?, ?, ?)
       ON CONFLICT (peer_id) DO UPDATE SET profile_name =
         CASE WHEN excluded.profile_name != '' THEN excluded.profile_name ELSE profile_name END`,
    ).run(peer, profileName, m.receivedAt)
    return (
      this.q(
        `INSERT INTO request_messages (id, peer_id, seq, text, size, sent_at, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ).run(m.id, peer, m.seq, m.text, Buffer.byteLength(m.text, 'utf8'), m.sentAt, m.receivedAt)
        .changes > 0
    )
  }

  hasHeld(id: string): boolean {
    return this.q('SELECT 1 FROM request_messages WHERE id = ?').get(id) !== undefined
  }

  heldFor(peer: string): HeldRequestMessage[] {
    return (
      this.q(
        `SELECT id, peer_id, seq, text, sent_at, received_at FROM request_messages
         WHERE peer_id = ? ORDER BY received_at, seq, id`,
      ).all(peer) as HeldDbRow[]
    ).map((r) => ({
      id: r.id,
      seq: r.seq,
      text: r.text,
      sentAt: r.sent_at,
      receivedAt: r.received_at,
    }))
  }

  dropRequest(peer: string): boolean {
    this.q('DELETE FROM request_messages WHERE peer_id = ?').run(peer)
    return this.q('DELETE FROM requests WHERE peer_id = ?').run(peer).changes > 0
  }
}
