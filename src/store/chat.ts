// The ChatStore (./types.ts) on the node's SQLite database: contacts, messages, the outbox, the
// per-conversation sequence counters and settings, plus `transaction()`. This module owns the row
// ↔ object mapping of those tables and the display order of messages; it knows nothing of keys,
// sessions (./protocol.ts) or files (./database.ts).
//
// Display order. A message's position is `sort_at`: the earliest received_at among its sender's
// messages in the conversation with a seq at least its own. Listing by (sort_at, sender, seq) is
// then oldest first, and each sender's messages appear in seq order even when seq 4 arrives after
// seq 5 (4 is shown just before 5). Invariant kept by insertMessage, in its transaction.
//
// Status only moves forward (queued → sent → delivered → read): a late "sent" from a retry does
// not undo a "delivered". `read` is not stored in the status column (whose CHECK predates it) but
// derived from read_at (migration 6): an incoming message marked read here (`kith read`), or an
// outgoing one the peer's READ receipt named. It holds message text, so it prints none (ARCHITECTURE.md: logs never hold text).
import { publicKeyFromPeerId } from '../core/identity/identity.js'
import { Redacted } from '../core/secret.js'
import type { SqliteDatabase, SqliteStatement as Statement } from './database.js'
import { ContactExistsError } from './errors.js'
import type {
  ChatStore,
  Contact,
  Direction,
  MessageStatus,
  OutboxDue,
  OutboxEntry,
  StoredMessage,
} from './types.js'

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
interface MessageRow {
  id: string
  conversation: string
  sender: string
  direction: Direction
  seq: number
  text: string
  sent_at: number
  received_at: number
  status: Exclude<MessageStatus, 'read'>
  read_at: number | null
  kind: 'text' | 'file' | 'event'
  group_name: string | null
  reply_to: string | null
  edited_at: number | null
  deleted: number
  ttl: number | null
  expires_at: number | null
  reactions: string | null
}
interface OutboxRow {
  message_id: string
  peer: string
  attempts: number
  next_attempt_at: number
}

/** Status order: an update never moves a message back. */
const STATUS_RANK: Record<MessageStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3 }
const STATUS_RANK_SQL = "CASE status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 ELSE 2 END"
const MESSAGE_COLUMNS =
  'id, conversation, sender, direction, seq, text, sent_at, received_at, status'
/** With the kind (migration 7), for a group conversation the group's name, and the reply, edit,
 *  delete, timer and reactions (migration 8, ./edits.ts): reactions as [[emoji, reactor], …]. */
const MESSAGE_SELECT = `${MESSAGE_COLUMNS}, read_at, kind,
  (SELECT g.name FROM groups g WHERE g.group_id = messages.conversation) AS group_name,
  reply_to, edited_at, deleted, ttl, expires_at,
  (SELECT json_group_array(json_array(r.emoji, r.reactor)) FROM reactions r
    WHERE r.message_id = messages.id AND r.emoji != '') AS reactions`
/** Display order, newest first (see the header). */
const NEWEST_FIRST = 'sort_at DESC, sender DESC, seq DESC, id DESC'

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

/** Contact rows with their blocked flag (the blocked table, migration 5). */
const CONTACT_SELECT = `SELECT c.peer_id, c.name, c.verified, c.key_changed, c.addrs, c.added_at,
    c.last_seen, c.profile_name, (b.peer_id IS NOT NULL) AS blocked
  FROM contacts c LEFT JOIN blocked b ON b.peer_id = c.peer_id`

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

/** `[[emoji, reactor], …]` → `{emoji: [reactor, …]}`, emoji and reactors sorted (stable JSON). */
function reactionsOut(json: string | null): Record<string, string[]> | undefined {
  const pairs = json === null ? [] : (JSON.parse(json) as Array<[string, string]>)
  if (pairs.length === 0) return undefined
  const out: Record<string, string[]> = {}
  for (const [emoji, reactor] of pairs.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)))
    (out[emoji] ??= []).push(reactor)
  return out
}

function messageOut(r: MessageRow): StoredMessage {
  const reactions = reactionsOut(r.reactions)
  return {
    id: r.id,
    conversation: r.conversation,
    from: r.sender,
    direction: r.direction,
    seq: r.seq,
    text: r.text,
    sentAt: r.sent_at,
    receivedAt: r.received_at,
    status: r.read_at === null ? r.status : 'read',
    ...(r.kind !== 'text' ? { kind: r.kind } : {}),
    ...(r.group_name !== null ? { groupName: r.group_name } : {}),
    ...(r.reply_to !== null ? { replyTo: r.reply_to } : {}),
    ...(r.edited_at !== null ? { editedAt: r.edited_at } : {}),
    ...(r.deleted === 1 ? { deleted: true } : {}),
    ...(r.ttl !== null ? { ttlSeconds: r.ttl } : {}),
    ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}),
    ...(reactions !== undefined ? { reactions } : {}),
  }
}

const outboxOut = (r: OutboxRow): OutboxEntry => ({
  messageId: r.message_id,
  peer: r.peer,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
})

export class SqliteChatStore extends Redacted implements ChatStore {
  protected readonly redactedKind: string = 'SqliteChatStore'
  protected readonly db: SqliteDatabase
  readonly #stmts = new Map<string, Statement>()

  /** `db` must be migrated (./migrations.ts). */
  constructor(db: SqliteDatabase) {
    super()
    this.db = db
  }

  /** The prepared statement for `sql`, prepared once per store. */
  #q(sql: string): Statement {
    let s = this.#stmts.get(sql)
    if (s === undefined) this.#stmts.set(sql, (s = this.db.prepare<unknown[]>(sql)))
    return s
  }

  /** BEGIN IMMEDIATE at the top level, so a read-then-write transaction waits (busy_timeout) for
   *  another process's writer instead of failing with SQLITE_BUSY at its first write. Nested
   *  calls become savepoints of the outer transaction. A throw rolls back (to the savepoint) and
   *  propagates; an async fn is refused and rolled back (its awaits would run after COMMIT). */
  transaction<T>(fn: () => T): T {
    // Anyone else's transaction first commits an open group-commit batch (below): what it writes
    // may leave the process (a frame sealed with a new ratchet state, a POST's answer) and must
    // not be durable only when the batch is.
    if (this.#batch !== undefined && !this.#inBatch) this.commitBatch()
    return this.db.transaction(fn).immediate()
  }

  // --- group commit (issue 17, service/receive-batch.ts)

  #batch: { onCommit: () => void } | undefined
  #inBatch = false

  batched<T>(fn: () => T, onCommit: () => void): T {
    if (this.#batch === undefined) {
      if (this.db.inTransaction) throw new TypeError('batched: inside another transaction')
      this.db.exec('BEGIN IMMEDIATE')
      this.#batch = { onCommit }
    }
    this.#inBatch = true
    try {
      return this.db.transaction(fn).immediate() // a savepoint of the batch
    } finally {
      this.#inBatch = false
    }
  }

  commitBatch(): void {
    const batch = this.#batch
    if (batch === undefined) return
    this.#batch = undefined
    try {
      this.db.exec('COMMIT')
    } catch (err) {
      // Nothing of the batch is durable, nothing of it was acked: its senders retry.
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw err
    }
    batch.onCommit()
  }

  // --- contacts

  getContact(ref: string, opts: { includeBlocked?: boolean } = {}): Contact | undefined {
    // A PeerId names only that peer; anything else is a name.
    const where = isPeerId(ref) ? 'c.peer_id = ?' : 'c.name = ?'
    const blocked = opts.includeBlocked === true ? '' : 'AND b.peer_id IS NULL'
    const r = this.#q(`${CONTACT_SELECT} WHERE ${where} ${blocked}`).get(ref) as
      ContactRow | undefined
    return r && contactOut(r)
  }

  listContacts(opts: { includeBlocked?: boolean } = {}): Contact[] {
    const blocked = opts.includeBlocked === true ? '' : 'WHERE b.peer_id IS NULL'
    return (this.#q(`${CONTACT_SELECT} ${blocked} ORDER BY c.name`).all() as ContactRow[]).map(
      contactOut,
    )
  }

  putContact(c: Contact): void {
    this.transaction(() => {
      // Another peer's name, or another contact's PeerId used as a name (which would make
      // getContact ambiguous), is taken.
      const taken = this.#q(
        'SELECT 1 FROM contacts WHERE peer_id != @peer AND (name = @name OR peer_id = @name)',
      ).get({ peer: c.peerId, name: c.name })
      if (taken !== undefined) throw new ContactExistsError(`contact name "${c.name}" is taken`)
      this.#q(
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
      this.#q('DELETE FROM outbox WHERE peer = ?').run(peerId)
      if (purge) {
        this.#q('DELETE FROM messages WHERE conversation = ?').run(peerId)
        this.#q('DELETE FROM seqs WHERE conversation = ?').run(peerId)
      }
      return this.#q('DELETE FROM contacts WHERE peer_id = ?').run(peerId).changes > 0
    })
  }

  setVerified(peerId: string, verified: boolean): void {
    this.#q('UPDATE contacts SET verified = ? WHERE peer_id = ?').run(verified ? 1 : 0, peerId)
  }

  touchContact(peerId: string, lastSeen: number, addrs?: string[]): void {
    if (addrs === undefined) {
      this.#q('UPDATE contacts SET last_seen = ? WHERE peer_id = ?').run(lastSeen, peerId)
    } else {
      this.#q('UPDATE contacts SET last_seen = ?, addrs = ? WHERE peer_id = ?').run(
        lastSeen,
        JSON.stringify(addrs),
        peerId,
      )
    }
  }

  // --- messages

  nextSeq(conversation: string): number {
    return this.#q(
      `INSERT INTO seqs (conversation, next) VALUES (?, 2)
       ON CONFLICT (conversation) DO UPDATE SET next = next + 1
       RETURNING next - 1`,
    )
      .pluck()
      .get(conversation) as number
  }

  insertMessage(m: StoredMessage): boolean {
    return this.transaction(() => {
      // sort_at = min(received_at, sort_at of this sender's later-seq messages) — see the header.
      // sort_at never decreases with seq (that is the invariant), so the minimum over later seqs
      // is the sort_at of the next seq: one index lookup, not a scan of the sender's history.
      const later = this.#q(
        `SELECT sort_at FROM messages INDEXED BY messages_by_sender
         WHERE conversation = ? AND sender = ? AND seq > ? ORDER BY seq ASC LIMIT 1`,
      )
        .pluck()
        .get(m.conversation, m.from, m.seq) as number | undefined
      const sortAt = later === undefined ? m.receivedAt : Math.min(later, m.receivedAt)
      const inserted = this.#q(
        `INSERT INTO messages (${MESSAGE_COLUMNS}, sort_at, read_at, kind, reply_to, ttl,
           expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING`,
      ).run(
        m.id,
        m.conversation,
        m.from,
        m.direction,
        m.seq,
        m.text,
        m.sentAt,
        m.receivedAt,
        m.status === 'read' ? 'delivered' : m.status,
        sortAt,
        m.status === 'read' ? m.receivedAt : null,
        m.kind ?? 'text',
        m.replyTo ?? null,
        m.ttlSeconds ?? null,
        // Our own disappearing message runs from when it was sent; an incoming one from when it
        // is read (migration 8's trigger), unless the caller says otherwise.
        m.expiresAt ??
          (m.ttlSeconds !== undefined && m.direction === 'out'
            ? m.sentAt + m.ttlSeconds * 1000
            : null),
      )
      if (inserted.changes === 0) return false
      // Earlier-seq messages of the sender must not sort after this one. The largest of their
      // sort_at is the previous seq's; with a monotonic clock it is never later, so the update
      // (a range scan) runs only when the clock went backwards.
      const before = this.#q(
        `SELECT sort_at FROM messages INDEXED BY messages_by_sender
         WHERE conversation = ? AND sender = ? AND seq < ? ORDER BY seq DESC LIMIT 1`,
      )
        .pluck()
        .get(m.conversation, m.from, m.seq) as number | undefined
      if (before === undefined || before <= sortAt) return true
      this.#q(
        `UPDATE messages SET sort_at = @sortAt
         WHERE conversation = @conversation AND sender = @from AND seq < @seq AND sort_at > @sortAt`,
      ).run({ sortAt, conversation: m.conversation, from: m.from, seq: m.seq })
      return true
    })
  }

  getMessage(id: string): StoredMessage | undefined {
    const r = this.#q(`SELECT ${MESSAGE_SELECT} FROM messages WHERE id = ?`).get(id) as
      MessageRow | undefined
    return r && messageOut(r)
  }

  hasMessage(id: string): boolean {
    return this.#q('SELECT 1 FROM messages WHERE id = ?').get(id) !== undefined
  }

  setStatus(id: string, status: MessageStatus, at = 0): void {
    const rank = STATUS_RANK[status] as number | undefined
    if (rank === undefined) throw new TypeError(`status: unknown status ${String(status)}`)
    if (status === 'read') {
      // Read implies delivered (a READ receipt may overtake a lost DELIVERED one).
      this.#q(
        `UPDATE messages SET status = 'delivered', read_at = ? WHERE id = ? AND read_at IS NULL`,
      ).run(at, id)
      return
    }
    this.#q(`UPDATE messages SET status = ? WHERE id = ? AND ${STATUS_RANK_SQL} < ?`).run(
      status,
      id,
      rank,
    )
  }

  unsend(ids: readonly string[]): void {
    const q = this.#q(`UPDATE messages SET status = 'queued' WHERE id = ? AND status = 'sent'`)
    for (const id of ids) q.run(id)
  }

  markRead(conversation: string, at: number): string[] {
    return this.#q(
      `UPDATE messages INDEXED BY messages_unread SET read_at = ?
       WHERE conversation = ? AND direction = 'in' AND read_at IS NULL RETURNING id`,
    )
      .pluck()
      .all(at, conversation) as string[]
  }

  unreadCount(conversation: string): number {
    return this.#q(
      `SELECT count(*) FROM messages INDEXED BY messages_unread
       WHERE conversation = ? AND direction = 'in' AND read_at IS NULL`,
    )
      .pluck()
      .get(conversation) as number
  }

  lastMessage(conversation: string): StoredMessage | undefined {
    const r = this.#q(
      `SELECT ${MESSAGE_SELECT} FROM messages INDEXED BY messages_display
       WHERE conversation = ? ORDER BY ${NEWEST_FIRST} LIMIT 1`,
    ).get(conversation) as MessageRow | undefined
    return r && messageOut(r)
  }

  /** Oldest first in display order (see the header). With `limit`, the newest `limit` messages,
   *  still oldest first. With `before` (a message id: the cursor of history paging), only the
   *  messages shown before that one; an unknown id gives none. */
  listMessages(opts: { conversation?: string; limit?: number; before?: string }): StoredMessage[] {
    const conds: string[] = []
    const args: unknown[] = []
    if (opts.conversation !== undefined) {
      conds.push('conversation = ?')
      args.push(opts.conversation)
    }
    if (opts.before !== undefined) {
      // Row values (SQLite ≥ 3.15) compare in the display order's own key.
      conds.push(
        `(sort_at, sender, seq, id) < (SELECT sort_at, sender, seq, id FROM messages WHERE id = ?)`,
      )
      args.push(opts.before)
    }
    const where = conds.length === 0 ? '' : `WHERE ${conds.join(' AND ')}`
    let rows: MessageRow[]
    if (opts.limit === undefined) {
      rows = this.#q(
        `SELECT ${MESSAGE_SELECT} FROM messages ${where} ORDER BY sort_at, sender, seq, id`,
      ).all(...args) as MessageRow[]
    } else {
      if (!Number.isInteger(opts.limit) || opts.limit < 0) {
        throw new RangeError('limit: expected a non-negative integer')
      }
      rows = this.#q(
        `SELECT ${MESSAGE_SELECT} FROM messages ${where} ORDER BY ${NEWEST_FIRST} LIMIT ?`,
      ).all(...args, opts.limit) as MessageRow[]
      rows.reverse()
    }
    return rows.map(messageOut)
  }

  // --- outbox

  enqueue(e: OutboxEntry): void {
    // The message's seq rides along (migration 11), for outboxDue's index order.
    this.#q(
      `INSERT INTO outbox (message_id, peer, attempts, next_attempt_at, seq)
       VALUES (?, ?, ?, ?, coalesce((SELECT seq FROM messages WHERE id = ?), 0))
       ON CONFLICT (message_id) DO UPDATE SET peer = excluded.peer,
         attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at`,
    ).run(e.messageId, e.peer, e.attempts, e.nextAttemptAt, e.messageId)
  }

  firstDueSeq(peer: string, dueBy: number): number | undefined {
    const s = this.#q(
      'SELECT min(seq) FROM outbox INDEXED BY outbox_due WHERE peer = ? AND next_attempt_at <= ?',
    )
      .pluck()
      .get(peer, dueBy) as number | null
    return s ?? undefined
  }

  outboxDue(peer: string, opts: { dueBy: number; afterSeq: number; limit: number }): OutboxDue[] {
    // Walks outbox_by_seq (peer, seq) from afterSeq, skipping entries not yet due: no sort, and
    // it stops after `limit` rows.
    return (
      this.#q(
        `SELECT message_id, peer, attempts, next_attempt_at, seq FROM outbox
         INDEXED BY outbox_by_seq
         WHERE peer = ? AND seq > ? AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
      ).all(peer, opts.afterSeq, opts.dueBy, opts.limit) as (OutboxRow & { seq: number })[]
    ).map((r) => ({ ...outboxOut(r), seq: r.seq }))
  }

  outboxFor(peer: string): OutboxEntry[] {
    return (
      this.#q(
        `SELECT message_id, peer, attempts, next_attempt_at FROM outbox INDEXED BY outbox_by_seq
         WHERE peer = ? ORDER BY seq`,
      ).all(peer) as OutboxRow[]
    ).map(outboxOut)
  }

  nextAttemptAt(peer: string): number | undefined {
    const t = this.#q(
      'SELECT min(next_attempt_at) FROM outbox INDEXED BY outbox_due WHERE peer = ?',
    )
      .pluck()
      .get(peer) as number | null
    return t ?? undefined
  }

  outboxPeers(): string[] {
    return this.#q('SELECT DISTINCT peer FROM outbox ORDER BY peer').pluck().all() as string[]
  }

  reschedule(messageId: string, attempts: number, nextAttemptAt: number): void {
    this.#q('UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE message_id = ?').run(
      attempts,
      nextAttemptAt,
      messageId,
    )
  }

  dequeue(messageId: string): void {
    this.#q('DELETE FROM outbox WHERE message_id = ?').run(messageId)
  }

  // --- settings

  getSetting(key: string): string | undefined {
    return this.#q('SELECT value FROM settings WHERE key = ?').pluck().get(key) as
      string | undefined
  }

  setSetting(key: string, value: string): void {
    this.#q('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value)
  }
}
