// The FileStore on the node's SQLite database (migration 10): one row per file sent or received,
// its manifest and download state. This module owns the row ↔ object mapping of the files table;
// it knows nothing of chunks, disks or the network (service/files/ does). Rows hold file keys
// inside their manifests, so it prints none.
import type { SqliteDatabase } from './database.js'
import { SqliteTables } from './tables.js'

export type FileState = 'pending' | 'fetching' | 'done' | 'cancelled'

export interface FileRow {
  fileId: string
  messageId: string
  conversation: string
  sender: string
  direction: 'in' | 'out'
  name: string
  size: number
  sha256: string
  /** The encoded FileManifest (core/wire FileManifest). */
  manifest: Uint8Array
  state: FileState
  path?: string
  createdAt: number
}

export interface FileStore {
  /** Inserts a row; false when the file id is already known (a duplicate manifest). */
  insert(row: FileRow): boolean
  get(fileId: string): FileRow | undefined
  /** Newest first, at most `limit`. */
  list(limit: number): FileRow[]
  setState(fileId: string, state: FileState, path?: string): void
}

interface DbRow {
  file_id: string
  message_id: string
  conversation: string
  sender: string
  direction: 'in' | 'out'
  name: string
  size: number
  sha256: string
  manifest: Buffer
  state: FileState
  path: string | null
  created_at: number
}

const out = (r: DbRow): FileRow => ({
  fileId: r.file_id,
  messageId: r.message_id,
  conversation: r.conversation,
  sender: r.sender,
  direction: r.direction,
  name: r.name,
  size: r.size,
  sha256: r.sha256,
  manifest: new Uint8Array(r.manifest),
  state: r.state,
  ...(r.path !== null ? { path: r.path } : {}),
  createdAt: r.created_at,
})

export class SqliteFileStore extends SqliteTables implements FileStore {
  protected readonly redactedKind: string = 'SqliteFileStore'

  /** `db` must be migrated (./migrations.ts). */
  constructor(db: SqliteDatabase) {
    super(db)
  }

  insert(r: FileRow): boolean {
    return (
      this.q(
        `INSERT OR IGNORE INTO files (file_id, message_id, conversation, sender, direction, name,
           size, sha256, manifest, state, path, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        r.fileId,
        r.messageId,
        r.conversation,
        r.sender,
        r.direction,
        r.name,
        r.size,
        r.sha256,
        Buffer.from(r.manifest),
        r.state,
        r.path ?? null,
        r.createdAt,
      ).changes > 0
    )
  }

  get(fileId: string): FileRow | undefined {
    const r = this.q('SELECT * FROM files WHERE file_id = ?').get(fileId) as DbRow | undefined
    return r === undefined ? undefined : out(r)
  }

  list(limit: number): FileRow[] {
    const rows = this.q('SELECT * FROM files ORDER BY created_at DESC LIMIT ?').all(limit)
    return (rows as DbRow[]).map(out)
  }

  setState(fileId: string, state: FileState, path?: string): void {
    this.q('UPDATE files SET state = ?, path = coalesce(?, path) WHERE file_id = ?').run(
      state,
      path ?? null,
      fileId,
    )
  }
}
