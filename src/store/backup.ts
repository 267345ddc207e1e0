// What a backup holds, as rows (`kith backup` / `kith restore`; docs/security.md "Backups"). This
// module owns which tables and rows go into a backup, their encoding as the payload (JSON), and
// writing them into a fresh database. It knows nothing of the file format or passphrase
// (../core/backup/format.ts) nor of sessions (../service/restore.ts starts new ones).
//
// Never in a backup: ratchet sessions and our own sending chains (CLI.md: "sessions are
// re-established with each contact, never replayed"; a restored ratchet or Sender Key chain would
// encrypt again under message keys already used); what the node holds for others or only in
// transit (mailbox holdings, retained group ciphertexts, pending control contents); the search
// index (rebuilt from the restored messages, ./search.ts rebuildSearchIndex). Every table of the schema is
// in BACKUP_TABLES or NOT_BACKED_UP: test/store/backup.test.ts fails on a new table in neither.
import { migrate, SCHEMA_VERSION } from './migrations.js'
import { rebuildSearchIndex } from './search.js'
import type { SqliteDatabase } from './database.js'
import { defineError } from '../core/errors.js'

/** One table of a backup: which rows (`where`, with `:me` bound to our PeerId). In restore order:
 *  a table comes after those its foreign keys name. */
interface TableRule {
  table: string
  where?: string
}

export const BACKUP_TABLES: readonly TableRule[] = [
  { table: 'identity' },
  // Our long-lived prekeys: a contact holding our old invite or card can still start a session.
  { table: 'signed_prekeys' },
  { table: 'kem_prekeys' },
  { table: 'contacts' },
  { table: 'blocked' },
  { table: 'invite_secrets' },
  // Not the listening ports of this device's daemon.
  { table: 'settings', where: `key NOT GLOB 'daemon.*'` },
  { table: 'messages' },
  // Reactions and disappearing timers belong to the history (migration 8).
  { table: 'reactions' },
  { table: 'timers' },
  { table: 'outbox' },
  { table: 'seqs' },
  { table: 'groups' },
  { table: 'group_ops' },
  // Others' chains (to keep receiving); never ours: a restored node starts a new chain.
  { table: 'group_sender_keys', where: 'sender != :me' },
  { table: 'group_marks' },
  { table: 'requests' },
  { table: 'request_messages' },
]

/** Tables left out, and why. */
export const NOT_BACKED_UP: Readonly<Record<string, string>> = {
  sessions: 'ratchet state: a restored one would reuse message keys',
  one_time_prekeys: 'single-use: a restored one could be used twice',
  mailbox: 'sealed envelopes held for other peers',
  mailbox_usage: 'running totals of the mailbox',
  group_envelopes: 'retained ciphertexts, served to members who missed them',
  group_held: 'messages waiting for a gap to fill',
  group_keys_sent: 'forgotten, so the new own chain is handed to every member',
  control_outbox: 'pending group updates, encrypted per session',
  messages_fts: 'the search index, rebuilt from the restored messages',
  search_watermark: 'how far the search index reaches: set by the rebuild at restore',
  held_edits: 'edits waiting for a message not here yet: transient, bounded',
  files:
    'file transfers: the sealed chunks live on disk, not in the backup (file lines stay in history)',
}

/** A cell of the payload: SQLite's types, a BLOB as `{ "b": base64 }`. */
type Cell = null | number | string | { b: string }

export interface BackupPayload {
  /** Payload format (this module's), not the file's. */
  format: 1
  /** The schema version of the store it came from (a newer one is refused on restore). */
  schema: number
  peerId: string
  createdAt: number
  tables: Record<string, { columns: string[]; rows: Cell[][] }>
}

/** The payload format this code writes and reads. */
export const BACKUP_PAYLOAD_FORMAT = 1

/** A backup payload that does not parse or that this version cannot restore. */
export class BackupPayloadError extends defineError('BackupPayloadError') {}

function encodeCell(v: unknown): Cell {
  if (v === null || typeof v === 'number' || typeof v === 'string') return v
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Uint8Array) return { b: Buffer.from(v).toString('base64') }
  throw new TypeError(`backup: unexpected SQLite value of type ${typeof v}`)
}

function decodeCell(c: unknown): unknown {
  if (c === null || typeof c === 'number' || typeof c === 'string') return c
  if (typeof c === 'object' && typeof (c as { b?: unknown }).b === 'string') {
    return Buffer.from((c as { b: string }).b, 'base64')
  }
  throw new BackupPayloadError('backup: a cell is neither null, number, string nor blob')
}

/** Every row the backup takes, read in one transaction (a consistent snapshot even while the
 *  daemon writes). `me`: our PeerId. */
export function exportRows(db: SqliteDatabase, me: string, now: number): BackupPayload {
  return db.transaction((): BackupPayload => {
    const tables: BackupPayload['tables'] = {}
    for (const rule of BACKUP_TABLES) {
      const stmt = db
        .prepare(`SELECT * FROM ${rule.table}${rule.where ? ` WHERE ${rule.where}` : ''}`)
        .raw()
      const rows = (rule.where?.includes(':me') ? stmt.all({ me }) : stmt.all()) as unknown[][]
      tables[rule.table] = {
        columns: stmt.columns().map((c) => c.name),
        rows: rows.map((r) => r.map(encodeCell)),
      }
    }
    return {
      format: BACKUP_PAYLOAD_FORMAT,
      schema: db.pragma('user_version', { simple: true }) as number,
      peerId: me,
      createdAt: now,
      tables,
    }
  })()
}

function validPayload(v: unknown): v is BackupPayload {
  if (typeof v !== 'object' || v === null) return false
  const p = v as Record<string, unknown>
  if (typeof p.tables !== 'object' || p.tables === null) return false
  return (
    p.format === BACKUP_PAYLOAD_FORMAT &&
    Number.isSafeInteger(p.schema) &&
    typeof p.peerId === 'string' &&
    Object.values(p.tables).every(
      (t: unknown) =>
        typeof t === 'object' &&
        t !== null &&
        Array.isArray((t as { columns?: unknown }).columns) &&
        Array.isArray((t as { rows?: unknown }).rows),
    )
  )
}

/** Parses a payload (JSON bytes), refusing one from a newer schema than ours. */
export function parsePayload(bytes: Uint8Array): BackupPayload {
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new BackupPayloadError('backup: the payload is not JSON')
  }
  if (!validPayload(v)) throw new BackupPayloadError('backup: the payload is malformed')
  if (v.schema > SCHEMA_VERSION) {
    throw new BackupPayloadError(
      `backup: made by a newer Kith (store version ${v.schema}, ours ${SCHEMA_VERSION})`,
    )
  }
  return v
}

/**
 * Writes a payload into `db`, a freshly opened database with no schema yet: migrates it, then
 * inserts every table of BACKUP_TABLES in one transaction (all or nothing). Columns are matched by
 * name, so a backup from an older schema fills the newer columns with their defaults. Unsent
 * messages are due at once. Returns the counts restored.
 */
export function importRows(
  db: SqliteDatabase,
  payload: BackupPayload,
): { contacts: number; messages: number } {
  migrate(db)
  db.transaction(() => {
    for (const rule of BACKUP_TABLES) {
      const t = payload.tables[rule.table]
      if (t === undefined || t.rows.length === 0) continue
      const have = new Set(
        (db.pragma(`table_info(${rule.table})`) as Array<{ name: string }>).map((c) => c.name),
      )
      const keep = t.columns.map((c, i) => [c, i] as const).filter(([c]) => have.has(c))
      if (keep.length === 0) continue
      const cols = keep.map(([c]) => `"${c.replaceAll('"', '""')}"`).join(', ')
      const insert = db.prepare(
        `INSERT INTO ${rule.table} (${cols}) VALUES (${keep.map(() => '?').join(', ')})`,
      )
      for (const row of t.rows) {
        if (!Array.isArray(row) || row.length !== t.columns.length) {
          throw new BackupPayloadError(`backup: a row of ${rule.table} has the wrong width`)
        }
        insert.run(...keep.map(([, i]) => decodeCell(row[i])))
      }
    }
    db.prepare('UPDATE outbox SET attempts = 0, next_attempt_at = 0').run()
    // Every restored message is searchable at once (and the index's invariant holds: W = the
    // newest rowid). The rows came in above W = 0, so no trigger indexed them one by one.
    rebuildSearchIndex(db)
  })()
  const count = (table: string) =>
    db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
  return { contacts: count('contacts'), messages: count('messages') }
}
