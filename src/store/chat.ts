// The ChatStore (./chat-types.ts) on the node's SQLite database: the 1:1 outbox and the settings
// table here, on top of messages (./messages.ts), contacts (./contacts.ts) and transactions
// (./transactions.ts), which it extends so one object is the whole ChatStore. This module owns the
// row ↔ object mapping of the outbox and settings; it knows nothing of keys, sessions
// (./protocol.ts) or files (./database.ts).
import type { ChatStore, OutboxDue, OutboxEntry, OutboxStore, SettingsStore } from './chat-types.js'
import { SqliteMessages } from './messages.js'

interface OutboxRow {
  message_id: string
  peer: string
  attempts: number
  next_attempt_at: number
}

const outboxOut = (r: OutboxRow): OutboxEntry => ({
  messageId: r.message_id,
  peer: r.peer,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
})

export class SqliteChatStore
  extends SqliteMessages
  implements ChatStore, OutboxStore, SettingsStore
{
  protected readonly redactedKind: string = 'SqliteChatStore'

  // --- outbox

  enqueue(e: OutboxEntry): void {
    // The message's seq rides along (migration 11), for outboxDue's index order.
    this.q(
      `INSERT INTO outbox (message_id, peer, attempts, next_attempt_at, seq)
       VALUES (?, ?, ?, ?, coalesce((SELECT seq FROM messages WHERE id = ?), 0))
       ON CONFLICT (message_id) DO UPDATE SET peer = excluded.peer,
         attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at`,
    ).run(e.messageId, e.peer, e.attempts, e.nextAttemptAt, e.messageId)
  }

  firstDueSeq(peer: string, dueBy: number): number | undefined {
    const s = this.q(
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
      this.q(
        `SELECT message_id, peer, attempts, next_attempt_at, seq FROM outbox
         INDEXED BY outbox_by_seq
         WHERE peer = ? AND seq > ? AND next_attempt_at <= ? ORDER BY seq LIMIT ?`,
      ).all(peer, opts.afterSeq, opts.dueBy, opts.limit) as (OutboxRow & { seq: number })[]
    ).map((r) => ({ ...outboxOut(r), seq: r.seq }))
  }

  outboxFor(peer: string): OutboxEntry[] {
    return (
      this.q(
        `SELECT message_id, peer, attempts, next_attempt_at FROM outbox INDEXED BY outbox_by_seq
         WHERE peer = ? ORDER BY seq`,
      ).all(peer) as OutboxRow[]
    ).map(outboxOut)
  }

  nextAttemptAt(peer: string): number | undefined {
    const t = this.q('SELECT min(next_attempt_at) FROM outbox INDEXED BY outbox_due WHERE peer = ?')
      .pluck()
      .get(peer) as number | null
    return t ?? undefined
  }

  outboxPeers(): string[] {
    return this.q('SELECT DISTINCT peer FROM outbox ORDER BY peer').pluck().all() as string[]
  }

  reschedule(messageId: string, attempts: number, nextAttemptAt: number): void {
    this.q('UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE message_id = ?').run(
      attempts,
      nextAttemptAt,
      messageId,
    )
  }

  dequeue(messageId: string): void {
    this.q('DELETE FROM outbox WHERE message_id = ?').run(messageId)
  }

  // --- settings

  getSetting(key: string): string | undefined {
    return this.q('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined
  }

  setSetting(key: string, value: string): void {
    this.q('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(key, value)
  }
}
