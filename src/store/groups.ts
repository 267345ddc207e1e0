// The GroupStore (./types.ts) on the node's SQLite database (migration 3): groups with their
// replayed state, the op log and topic secrets, Sender Key records per (group, sender), retained
// group ciphertexts, delivery marks, held-back messages, which own key went to whom, and the
// outbox of pairwise control contents. This module owns the row ↔ object mapping of those tables
// and the retention limits (docs/groups.md §4); it knows nothing of what an op or a key means.
import { Redacted } from '../core/secret.js'
import type { SqliteDatabase, SqliteStatement as Statement } from './database.js'
import type {
  ControlEntry,
  GroupEnvelope,
  GroupOpRow,
  GroupRow,
  GroupStore,
  HeldMessage,
  SenderKeyRow,
} from './types.js'

/** Group ciphertexts kept per group for healing (design §4): the newest this many. */
export const GROUP_RETENTION_COUNT = 5_000
/** …and none older than this. */
export const GROUP_RETENTION_MS = 7 * 24 * 60 * 60_000

export interface GroupStoreOptions {
  retentionCount?: number
  retentionMs?: number
}

interface GroupDbRow {
  group_id: string
  name: string
  members: string
  admins: string
  epoch: number
  topic: string
  active: number
  created_at: number
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

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

function groupOut(r: GroupDbRow): GroupRow {
  return {
    groupId: r.group_id,
    name: r.name,
    members: JSON.parse(r.members) as string[],
    admins: JSON.parse(r.admins) as string[],
    epoch: r.epoch,
    topic: r.topic,
    active: r.active === 1,
    createdAt: r.created_at,
  }
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

export class SqliteGroupStore extends Redacted implements GroupStore {
  protected readonly redactedKind = 'SqliteGroupStore'
  readonly #db: SqliteDatabase
  readonly #stmts = new Map<string, Statement>()
  readonly #retentionCount: number
  readonly #retentionMs: number

  constructor(db: SqliteDatabase, opts: GroupStoreOptions = {}) {
    super()
    this.#db = db
    this.#retentionCount = opts.retentionCount ?? GROUP_RETENTION_COUNT
    this.#retentionMs = opts.retentionMs ?? GROUP_RETENTION_MS
  }

  #q(sql: string): Statement {
    let s = this.#stmts.get(sql)
    if (s === undefined) this.#stmts.set(sql, (s = this.#db.prepare<unknown[]>(sql)))
    return s
  }

  // --- groups

  putGroup(g: GroupRow): void {
    this.#q(
      `INSERT INTO groups (group_id, name, members, admins, epoch, topic, active, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, members = excluded.members,
         admins = excluded.admins, epoch = excluded.epoch, topic = excluded.topic,
         active = excluded.active`,
    ).run(
      g.groupId,
      g.name,
      JSON.stringify(g.members),
      JSON.stringify(g.admins),
      g.epoch,
      g.topic,
      g.active ? 1 : 0,
      g.createdAt,
    )
  }

  getGroup(idOrName: string): GroupRow | undefined {
    const r = this.#q(
      `SELECT * FROM groups WHERE group_id = @k OR name = @k
       ORDER BY group_id = @k DESC, active DESC, created_at DESC LIMIT 1`,
    ).get({ k: idOrName }) as GroupDbRow | undefined
    return r && groupOut(r)
  }

  listGroups(): GroupRow[] {
    return (
      this.#q('SELECT * FROM groups WHERE active = 1 ORDER BY name, group_id').all() as GroupDbRow[]
    ).map(groupOut)
  }

  allGroups(): GroupRow[] {
    return (this.#q('SELECT * FROM groups ORDER BY name, group_id').all() as GroupDbRow[]).map(
      groupOut,
    )
  }

  // --- ops

  addOp(groupId: string, op: GroupOpRow): boolean {
    return this.#db
      .transaction(() => {
        const known = this.#q('SELECT 1 FROM group_ops WHERE group_id = ? AND hash = ?').get(
          groupId,
          op.hash,
        )
        if (known !== undefined) {
          if (op.secret !== undefined) {
            this.#q(
              'UPDATE group_ops SET secret = ? WHERE group_id = ? AND hash = ? AND secret IS NULL',
            ).run(op.secret, groupId, op.hash)
          }
          return false
        }
        this.#q('INSERT INTO group_ops (group_id, hash, op, secret) VALUES (?, ?, ?, ?)').run(
          groupId,
          op.hash,
          op.bytes,
          op.secret ?? null,
        )
        return true
      })
      .immediate()
  }

  ops(groupId: string): GroupOpRow[] {
    return (
      this.#q('SELECT hash, op, secret FROM group_ops WHERE group_id = ?').all(groupId) as Array<{
        hash: Buffer
        op: Buffer
        secret: Buffer | null
      }>
    ).map((r) => ({
      hash: u8(r.hash),
      bytes: u8(r.op),
      secret: r.secret === null ? undefined : u8(r.secret),
    }))
  }

  opCount(groupId: string): number {
    return this.#q('SELECT count(*) FROM group_ops WHERE group_id = ?')
      .pluck()
      .get(groupId) as number
  }

  // --- sender keys

  getSenderKey(groupId: string, sender: string): SenderKeyRow | undefined {
    const r = this.#q(
      'SELECT record, current_chain, retired FROM group_sender_keys WHERE group_id = ? AND sender = ?',
    ).get(groupId, sender) as
      { record: Buffer; current_chain: number | null; retired: string } | undefined
    if (r === undefined) return undefined
    return {
      record: u8(r.record),
      currentChain: r.current_chain ?? undefined,
      retired: JSON.parse(r.retired) as number[],
    }
  }

  putSenderKey(groupId: string, sender: string, row: SenderKeyRow): void {
    this.#q(
      `INSERT OR REPLACE INTO group_sender_keys (group_id, sender, record, current_chain, retired)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(groupId, sender, row.record, row.currentChain ?? null, JSON.stringify(row.retired))
  }

  deleteSenderKey(groupId: string, sender: string): void {
    this.#q('DELETE FROM group_sender_keys WHERE group_id = ? AND sender = ?').run(groupId, sender)
  }

  senderKeys(groupId: string): Array<SenderKeyRow & { sender: string }> {
    return (
      this.#q(
        'SELECT sender, record, current_chain, retired FROM group_sender_keys WHERE group_id = ?',
      ).all(groupId) as Array<{
        sender: string
        record: Buffer
        current_chain: number | null
        retired: string
      }>
    ).map((r) => ({
      sender: r.sender,
      record: u8(r.record),
      currentChain: r.current_chain ?? undefined,
      retired: JSON.parse(r.retired) as number[],
    }))
  }

  // --- retention

  retain(e: GroupEnvelope): boolean {
    return this.#db
      .transaction(() => {
        const r = this.#q(
          `INSERT INTO group_envelopes (group_id, sender, seq, data, received_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        ).run(e.groupId, e.sender, e.seq, e.data, e.receivedAt)
        if (r.changes === 0) return false
        // Count limit (design §4): drop the oldest beyond GROUP_RETENTION_COUNT.
        this.#q(
          `DELETE FROM group_envelopes WHERE group_id = @g AND (sender, seq) IN (
             SELECT sender, seq FROM group_envelopes WHERE group_id = @g
             ORDER BY received_at DESC, sender DESC, seq DESC LIMIT -1 OFFSET @n)`,
        ).run({ g: e.groupId, n: this.#retentionCount })
        return true
      })
      .immediate()
  }

  getEnvelope(groupId: string, sender: string, seq: number): GroupEnvelope | undefined {
    const r = this.#q(
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
    const q = this.#q(
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
    return this.#q('DELETE FROM group_envelopes WHERE received_at < ?').run(now - this.#retentionMs)
      .changes
  }

  // --- marks

  mark(groupId: string, sender: string): number | undefined {
    return this.#q('SELECT seq FROM group_marks WHERE group_id = ? AND sender = ?')
      .pluck()
      .get(groupId, sender) as number | undefined
  }

  setMark(groupId: string, sender: string, seq: number): void {
    this.#q('INSERT OR REPLACE INTO group_marks (group_id, sender, seq) VALUES (?, ?, ?)').run(
      groupId,
      sender,
      seq,
    )
  }

  marks(groupId: string): Array<{ sender: string; seq: number }> {
    return this.#q('SELECT sender, seq FROM group_marks WHERE group_id = ? ORDER BY sender').all(
      groupId,
    ) as Array<{ sender: string; seq: number }>
  }

  // --- held-back messages

  hold(m: HeldMessage): boolean {
    return (
      this.#q(
        `INSERT INTO group_held (group_id, sender, seq, content, received_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(m.groupId, m.sender, m.seq, m.content, m.receivedAt).changes > 0
    )
  }

  held(groupId: string, sender: string): HeldMessage[] {
    return (
      this.#q('SELECT * FROM group_held WHERE group_id = ? AND sender = ? ORDER BY seq').all(
        groupId,
        sender,
      ) as HeldRow[]
    ).map(heldOut)
  }

  allHeld(): HeldMessage[] {
    return (this.#q('SELECT * FROM group_held ORDER BY received_at').all() as HeldRow[]).map(
      heldOut,
    )
  }

  unhold(groupId: string, sender: string, seq: number): void {
    this.#q('DELETE FROM group_held WHERE group_id = ? AND sender = ? AND seq = ?').run(
      groupId,
      sender,
      seq,
    )
  }

  // --- own keys handed out

  keySent(groupId: string, peer: string): number | undefined {
    return this.#q('SELECT chain_id FROM group_keys_sent WHERE group_id = ? AND peer = ?')
      .pluck()
      .get(groupId, peer) as number | undefined
  }

  setKeySent(groupId: string, peer: string, chainId: number): void {
    this.#q(
      'INSERT OR REPLACE INTO group_keys_sent (group_id, peer, chain_id) VALUES (?, ?, ?)',
    ).run(groupId, peer, chainId)
  }

  keysSentTo(groupId: string): string[] {
    return this.#q('SELECT peer FROM group_keys_sent WHERE group_id = ? ORDER BY peer')
      .pluck()
      .all(groupId) as string[]
  }

  clearKeysSent(groupId: string): void {
    this.#q('DELETE FROM group_keys_sent WHERE group_id = ?').run(groupId)
  }

  // --- control outbox

  enqueueControl(e: ControlEntry): void {
    this.#q(
      `INSERT OR REPLACE INTO control_outbox
       (message_id, peer, content, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, coalesce((SELECT max(created_at) + 1 FROM control_outbox), 0))`,
    ).run(e.messageId, e.peer, e.content, e.attempts, e.nextAttemptAt)
  }

  controlFor(peer: string): ControlEntry[] {
    return (
      this.#q('SELECT * FROM control_outbox WHERE peer = ? ORDER BY created_at').all(
        peer,
      ) as ControlRow[]
    ).map(controlOut)
  }

  controlPeers(): string[] {
    return this.#q('SELECT DISTINCT peer FROM control_outbox ORDER BY peer')
      .pluck()
      .all() as string[]
  }

  nextControlAttemptAt(peer: string): number | undefined {
    const t = this.#q('SELECT min(next_attempt_at) FROM control_outbox WHERE peer = ?')
      .pluck()
      .get(peer) as number | null
    return t ?? undefined
  }

  rescheduleControl(messageId: string, attempts: number, nextAttemptAt: number): void {
    this.#q('UPDATE control_outbox SET attempts = ?, next_attempt_at = ? WHERE message_id = ?').run(
      attempts,
      nextAttemptAt,
      messageId,
    )
  }

  dequeueControl(messageId: string): boolean {
    return this.#q('DELETE FROM control_outbox WHERE message_id = ?').run(messageId).changes > 0
  }
}
