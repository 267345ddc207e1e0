// The GroupStore (./group-types.ts) on the node's SQLite database (migration 3): on top of the
// groups' state (./group-log.ts, which it extends so one object is the whole GroupStore), the
// retained group ciphertexts, delivery marks, held-back messages and the outbox of pairwise control
// contents. This module owns the row ↔ object mapping of those tables and the retention limits
// (docs/groups.md §4); it knows nothing of what an op or a key means.
import type { SqliteDatabase } from './database.js'
import { SqliteGroupLog } from './group-log.js'
import type { ControlEntry, GroupEnvelope, GroupStore, HeldMessage } from './group-types.js'
import { u8 } from './tables.js'

/** Group ciphertexts kept per group for healing (design §4): the newest this many. */
export const GROUP_RETENTION_COUNT = 5_000
/** …and none older than this. */
export const GROUP_RETENTION_MS = 7 * 24 * 60 * 60_000

export interface GroupStoreOptions {
  retentionCount?: number
  retentionMs?: number
}

interface EnvelopeRow {
  group_id: string
  sender: string
  seq: number
  data: Buffer
  received_at: number
}
interface HeldRow {
  group_id: string
  sender: string
  seq: number
  content: Buffer
  received_at: number
}
interface ControlRow {
  message_id: string
  peer: string
  content: Buffer
  attempts: number
  next_attempt_at: number
}

const envelopeOut = (r: EnvelopeRow): GroupEnvelope => ({
  groupId: r.group_id,
  sender: r.sender,
  seq: r.seq,
  data: u8(r.data),
  receivedAt: r.received_at,
})
const heldOut = (r: HeldRow): HeldMessage => ({
  groupId: r.group_id,
  sender: r.sender,
  seq: r.seq,
  content: u8(r.content),
  receivedAt: r.received_at,
})
const controlOut = (r: ControlRow): ControlEntry => ({
  messageId: r.message_id,
  peer: r.peer,
  content: u8(r.content),
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
})

export class SqliteGroupStore extends SqliteGroupLog implements GroupStore {
  protected readonly redactedKind = 'SqliteGroupStore'
  readonly #retentionCount: number
  readonly #retentionMs: number

  constructor(db: SqliteDatabase, opts: GroupStoreOptions = {}) {
    super(db)
    this.#retentionCount = opts.retentionCount ?? GROUP_RETENTION_COUNT
    this.#retentionMs = opts.retentionMs ?? GROUP_RETENTION_MS
  }

  // --- retention

  retain(e: GroupEnvelope): boolean {
    return this.db
      .transaction(() => {
        const r = this.q(
          `INSERT INTO group_envelopes (group_id, sender, seq, data, received_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        ).run(e.groupId, e.sender, e.seq, e.data, e.receivedAt)
        if (r.changes === 0) return false
        // Count limit (design §4): drop the oldest beyond GROUP_RETENTION_COUNT.
        this.q(
          `DELETE FROM group_envelopes WHERE group_id = @g AND (sender, seq) IN (
             SELECT sender, seq FROM group_envelopes WHERE group_id = @g
             ORDER BY received_at DESC, sender DESC, seq DESC LIMIT -1 OFFSET @n)`,
        ).run({ g: e.groupId, n: this.#retentionCount })
        return true
      })
      .immediate()
  }

  getEnvelope(groupId: string, sender: string, seq: number): GroupEnvelope | undefined {
    const r = this.q(
      'SELECT * FROM group_envelopes WHERE group_id = ? AND sender = ? AND seq = ?',
    ).get(groupId, sender, seq) as EnvelopeRow | undefined
    return r && envelopeOut(r)
  }

  envelopesAfter(
    groupId: string,
    marks: ReadonlyArray<{ sender: string; seq: number }>,
    maxItems: number,
    maxBytes: number,
  ): { envelopes: GroupEnvelope[]; more: boolean } {
    const envelopes: GroupEnvelope[] = []
    let bytes = 0
    const q = this.q(
      `SELECT * FROM group_envelopes WHERE group_id = ? AND sender = ? AND seq > ?
       ORDER BY seq LIMIT ?`,
    )
    for (const m of marks) {
      const rows = q.all(groupId, m.sender, m.seq, maxItems - envelopes.length + 1) as EnvelopeRow[]
      for (const r of rows) {
        if (envelopes.length >= maxItems || bytes + r.data.length > maxBytes) {
          return { envelopes, more: true }
        }
        bytes += r.data.length
        envelopes.push(envelopeOut(r))
      }
    }
    return { envelopes, more: false }
  }

  pruneEnvelopes(now: number): number {
    return this.q('DELETE FROM group_envelopes WHERE received_at < ?').run(now - this.#retentionMs)
      .changes
  }

  // --- marks

  mark(groupId: string, sender: string): number | undefined {
    return this.q('SELECT seq FROM group_marks WHERE group_id = ? AND sender = ?')
      .pluck()
      .get(groupId, sender) as number | undefined
  }

  setMark(groupId: string, sender: string, seq: number): void {
    this.q('INSERT OR REPLACE INTO group_marks (group_id, sender, seq) VALUES (?, ?, ?)').run(
      groupId,
      sender,
      seq,
    )
  }

  marks(groupId: string): Array<{ sender: string; seq: number }> {
    return this.q('SELECT sender, seq FROM group_marks WHERE group_id = ? ORDER BY sender').all(
      groupId,
    ) as Array<{ sender: string; seq: number }>
  }

  // --- held-back messages

  hold(m: HeldMessage): boolean {
    return (
      this.q(
        `INSERT INTO group_held (group_id, sender, seq, content, received_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(m.groupId, m.sender, m.seq, m.content, m.receivedAt).changes > 0
    )
  }

  held(groupId: string, sender: string): HeldMessage[] {
    return (
      this.q('SELECT * FROM group_held WHERE group_id = ? AND sender = ? ORDER BY seq').all(
        groupId,
        sender,
      ) as HeldRow[]
    ).map(heldOut)
  }

  allHeld(): HeldMessage[] {
    return (this.q('SELECT * FROM group_held ORDER BY received_at').all() as HeldRow[]).map(heldOut)
  }

  unhold(groupId: string, sender: string, seq: number): void {
    const sql =
      'DELETE FROM group_held WHERE group_id = @groupId AND sender = @sender AND seq = @seq'
    this.q(sql).run({ groupId, sender, seq })
  }

  // --- control outbox

  enqueueControl(e: ControlEntry): void {
    this.q(
      `INSERT OR REPLACE INTO control_outbox
       (message_id, peer, content, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, coalesce((SELECT max(created_at) + 1 FROM control_outbox), 0))`,
    ).run(e.messageId, e.peer, e.content, e.attempts, e.nextAttemptAt)
  }

  controlFor(peer: string): ControlEntry[] {
    return (
      this.q('SELECT * FROM control_outbox WHERE peer = ? ORDER BY created_at').all(
        peer,
      ) as ControlRow[]
    ).map(controlOut)
  }

  controlPeers(): string[] {
    return this.q('SELECT DISTINCT peer FROM control_outbox ORDER BY peer')
      .pluck()
      .all() as string[]
  }

  nextControlAttemptAt(peer: string): number | undefined {
    const t = this.q('SELECT min(next_attempt_at) FROM control_outbox WHERE peer = ?')
      .pluck()
      .get(peer) as number | null
    return t ?? undefined
  }

  rescheduleControl(messageId: string, attempts: number, nextAttemptAt: number): void {
    this.q('UPDATE control_outbox SET attempts = ?, next_attempt_at = ? WHERE message_id = ?').run(
      attempts,
      nextAttemptAt,
      messageId,
    )
  }

  dequeueControl(messageId: string): boolean {
    return this.q('DELETE FROM control_outbox WHERE message_id = ?').run(messageId).changes > 0
  }
}
