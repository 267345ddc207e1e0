// The EditStore (./types.ts) on the node's SQLite database (migration 8): edits, deletes
// (tombstones), reactions, per-conversation disappearing timers, the expiry index the sweeper
// reads, and edits held for messages not here yet. This module owns those rows and the ordering
// rule "the latest (time, id) wins"; it knows nothing of who may edit what (service/edits.ts) nor
// of the wire. Wiping overwrites: the connection runs with `secure_delete` (SQLite §pragma
// secure_delete: "overwrites deleted content with zeros"), so a wiped text leaves no copy in the
// database's free pages (the WAL's old frames are overwritten at the next checkpoint).
import type { SqliteDatabase } from './database.js'
import { SqliteTables } from './tables.js'
import type { EditStore, HeldEdit } from './types.js'

interface HeldRow {
  id: string
  target: string
  conversation: string
  actor: string
  content: Buffer
  received_at: number
}

export class SqliteEditStore extends SqliteTables implements EditStore {
  protected readonly redactedKind = 'SqliteEditStore'

  /** `db` must be migrated (./migrations.ts). Turns on secure_delete for the connection. */
  constructor(db: SqliteDatabase) {
    super(db)
    db.pragma('secure_delete = ON')
  }

  applyEdit(id: string, text: string, editedAt: number, editId: string): boolean {
    // Latest wins, by the editor's clock, ties by edit id: a replayed or reordered older edit
    // never overwrites a newer one.
    return (
      this.q(
        `UPDATE messages SET text = @text, edited_at = @at, edit_id = @editId
         WHERE id = @id AND deleted = 0 AND (edited_at IS NULL OR edited_at < @at
           OR (edited_at = @at AND edit_id < @editId))`,
      ).run({ id, text, at: editedAt, editId }).changes > 0
    )
  }

  wipe(id: string): boolean {
    return this.db
      .transaction(() => {
        this.q('DELETE FROM reactions WHERE message_id = ?').run(id)
        this.q('DELETE FROM held_edits WHERE target = ?').run(id)
        return (
          this.q(
            `UPDATE messages SET text = '', deleted = 1, expires_at = NULL, edit_id = NULL
             WHERE id = ?`,
          ).run(id).changes > 0
        )
      })
      .immediate()
  }

  react(id: string, reactor: string, emoji: string, at: number): boolean {
    return (
      this.q(
        `INSERT INTO reactions (message_id, reactor, emoji, at)
         SELECT @id, @reactor, @emoji, @at WHERE EXISTS
           (SELECT 1 FROM messages WHERE id = @id AND deleted = 0)
         ON CONFLICT (message_id, reactor) DO UPDATE SET emoji = excluded.emoji, at = excluded.at
           WHERE excluded.at >= reactions.at`,
      ).run({ id, reactor, emoji, at }).changes > 0
    )
  }

  timer(conversation: string): { ttl: number; setAt: number } | undefined {
    const r = this.q('SELECT ttl, set_at FROM timers WHERE conversation = ?').get(conversation) as
      { ttl: number; set_at: number } | undefined
    return r && { ttl: r.ttl, setAt: r.set_at }
  }

  setTimer(conversation: string, ttl: number, setAt: number): boolean {
    return (
      this.q(
        `INSERT INTO timers (conversation, ttl, set_at) VALUES (?, ?, ?)
         ON CONFLICT (conversation) DO UPDATE SET ttl = excluded.ttl, set_at = excluded.set_at
           WHERE excluded.set_at >= timers.set_at`,
      ).run(conversation, ttl, setAt).changes > 0
    )
  }

  expired(now: number, limit: number): string[] {
    return this.q(
      `SELECT id FROM messages INDEXED BY messages_expiring
       WHERE expires_at IS NOT NULL AND expires_at <= ? AND deleted = 0
       ORDER BY expires_at LIMIT ?`,
    )
      .pluck()
      .all(now, limit) as string[]
  }

  nextExpiry(): number | undefined {
    const t = this.q(
      `SELECT min(expires_at) FROM messages INDEXED BY messages_expiring
       WHERE expires_at IS NOT NULL AND deleted = 0`,
    )
      .pluck()
      .get() as number | null
    return t ?? undefined
  }

  hold(e: HeldEdit, keep: number): boolean {
    return this.db
      .transaction(() => {
        const added =
          this.q(
            `INSERT INTO held_edits (id, target, conversation, actor, content, received_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
          ).run(e.id, e.target, e.conversation, e.actor, e.content, e.receivedAt).changes > 0
        // Bounded: the oldest go first.
        this.q(
          `DELETE FROM held_edits WHERE id IN (SELECT id FROM held_edits
             ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?)`,
        ).run(keep)
        return added
      })
      .immediate()
  }

  release(target: string): HeldEdit[] {
    const rows = this.q('DELETE FROM held_edits WHERE target = ? RETURNING *').all(
      target,
    ) as HeldRow[]
    return rows
      .sort((a, b) => a.received_at - b.received_at || (a.id < b.id ? -1 : 1))
      .map((r) => ({
        id: r.id,
        target: r.target,
        conversation: r.conversation,
        actor: r.actor,
        content: new Uint8Array(r.content),
        receivedAt: r.received_at,
      }))
  }

  heldCount(): number {
    return this.q('SELECT count(*) FROM held_edits').pluck().get() as number
  }
}
