// Messages on the node's SQLite database (MessagesStore, ./chat-types.ts): the messages table, its
// per-conversation sequence counters (seqs), statuses and display order. This module owns the row ↔
// object mapping of messages and the two rules below; it knows nothing of keys or sessions. It
// holds message text, so it prints none (ARCHITECTURE.md: logs never hold text).
//
// Display order. A message's position is `sort_at`: the earliest received_at among its sender's
// messages in the conversation with a seq at least its own. Listing by (sort_at, sender, seq) is
// then oldest first, and each sender's messages appear in seq order even when seq 4 arrives after
// seq 5 (4 is shown just before 5). Invariant kept by insertMessage, in its transaction.
//
// Status only moves forward (queued → sent → delivered → read): a late "sent" from a retry does
// not undo a "delivered". `read` is not stored in the status column (whose CHECK predates it) but
// derived from read_at (migration 6): an incoming message marked read here (`kith read`), or an
// outgoing one the peer's READ receipt named.
import type { Direction, MessageStatus, MessagesStore, StoredMessage } from './chat-types.js'
import { SqliteContacts } from './contacts.js'

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

/** `[[emoji, reactor], …]` → `{emoji: [reactor, …]}`, emoji and reactors sorted (stable JSON). */
function reactionsOut(json: string | null): Record<string, string[]> | undefined {
  const pairs = json === null ? [] : (JSON.parse(json) as Array<[string, string]>)
  if (pairs.length === 0) return undefined
  const out: Record<string, string[]> = {}
  for (const [emoji, reactor] of pairs.sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)))
    (out[emoji] ??= []).push(reactor)
  return out
}

/** A row's status: `read` is no value of the status column but a set `read_at`. */
function statusOf(r: Pick<MessageRow, 'status' | 'read_at'>): MessageStatus {
  return r.read_at === null ? r.status : 'read'
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
    status: statusOf(r),
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

export abstract class SqliteMessages extends SqliteContacts implements MessagesStore {
  nextSeq(conversation: string): number {
    return this.q(
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
      const later = this.q(
        `SELECT sort_at FROM messages INDEXED BY messages_by_sender
         WHERE conversation = ? AND sender = ? AND seq > ? ORDER BY seq ASC LIMIT 1`,
      )
        .pluck()
        .get(m.conversation, m.from, m.seq) as number | undefined
      const sortAt = later === undefined ? m.receivedAt : Math.min(later, m.receivedAt)
      const inserted = this.q(
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
      const before = this.q(
        `SELECT sort_at FROM messages INDEXED BY messages_by_sender
         WHERE conversation = ? AND sender = ? AND seq < ? ORDER BY seq DESC LIMIT 1`,
      )
        .pluck()
        .get(m.conversation, m.from, m.seq) as number | undefined
      if (before === undefined || before <= sortAt) return true
      this.q(
        `UPDATE messages SET sort_at = @sortAt
         WHERE conversation = @conversation AND sender = @from AND seq < @seq AND sort_at > @sortAt`,
      ).run({ sortAt, conversation: m.conversation, from: m.from, seq: m.seq })
      return true
    })
  }

  getMessage(id: string): StoredMessage | undefined {
    const r = this.q(`SELECT ${MESSAGE_SELECT} FROM messages WHERE id = ?`).get(id) as
      MessageRow | undefined
    return r && messageOut(r)
  }

  hasMessage(id: string): boolean {
    return this.q('SELECT 1 FROM messages WHERE id = ?').get(id) !== undefined
  }

  messageStatus(id: string): MessageStatus | undefined {
    const r = this.q('SELECT status, read_at FROM messages WHERE id = ?').get(id) as
      Pick<MessageRow, 'status' | 'read_at'> | undefined
    return r && statusOf(r)
  }

  messageHead(
    id: string,
  ): Pick<StoredMessage, 'conversation' | 'direction' | 'status'> | undefined {
    const r = this.q(
      'SELECT conversation, direction, status, read_at FROM messages WHERE id = ?',
    ).get(id) as Pick<MessageRow, 'conversation' | 'direction' | 'status' | 'read_at'> | undefined
    return (
      r && {
        conversation: r.conversation,
        direction: r.direction,
        status: statusOf(r),
      }
    )
  }

  setStatus(id: string, status: MessageStatus, at = 0): void {
    const rank = STATUS_RANK[status] as number | undefined
    if (rank === undefined) throw new TypeError(`status: unknown status ${String(status)}`)
    if (status === 'read') {
      // Read implies delivered (a READ receipt may overtake a lost DELIVERED one).
      this.q(
        `UPDATE messages SET status = 'delivered', read_at = ? WHERE id = ? AND read_at IS NULL`,
      ).run(at, id)
      return
    }
    this.q(`UPDATE messages SET status = ? WHERE id = ? AND ${STATUS_RANK_SQL} < ?`).run(
      status,
      id,
      rank,
    )
  }

  unsend(ids: readonly string[]): void {
    const q = this.q(`UPDATE messages SET status = 'queued' WHERE id = ? AND status = 'sent'`)
    for (const id of ids) q.run(id)
  }

  markRead(conversation: string, at: number): string[] {
    return this.q(
      `UPDATE messages INDEXED BY messages_unread SET read_at = ?
       WHERE conversation = ? AND direction = 'in' AND read_at IS NULL RETURNING id`,
    )
      .pluck()
      .all(at, conversation) as string[]
  }

  unreadCount(conversation: string): number {
    return this.q(
      `SELECT count(*) FROM messages INDEXED BY messages_unread
       WHERE conversation = ? AND direction = 'in' AND read_at IS NULL`,
    )
      .pluck()
      .get(conversation) as number
  }

  lastMessage(conversation: string): StoredMessage | undefined {
    const r = this.q(
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
      rows = this.q(
        `SELECT ${MESSAGE_SELECT} FROM messages ${where} ORDER BY sort_at, sender, seq, id`,
      ).all(...args) as MessageRow[]
    } else {
      if (!Number.isInteger(opts.limit) || opts.limit < 0) {
        throw new RangeError('limit: expected a non-negative integer')
      }
      rows = this.q(
        `SELECT ${MESSAGE_SELECT} FROM messages ${where} ORDER BY ${NEWEST_FIRST} LIMIT ?`,
      ).all(...args, opts.limit) as MessageRow[]
      rows.reverse()
    }
    return rows.map(messageOut)
  }
}
