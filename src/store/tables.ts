// The base of every SQLite table class of the store (./transactions.ts and the chat classes on
// it, ./group-log.ts, ./groups.ts, ./protocol.ts, ./trust.ts, ./edits.ts, ./files.ts, ./search.ts,
// ./mailbox.ts): the database handle and a cache of prepared statements, one per SQL text per
// store, and `u8` for BLOB columns. It owns nothing else; it knows no table. Redacted: a store
// prints no rows.
import { Redacted } from '../core/secret.js'
import type { SqliteDatabase, SqliteStatement as Statement } from './database.js'

/** A BLOB column's bytes as a Uint8Array view (no copy). */
export const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

export abstract class SqliteTables extends Redacted {
  protected readonly db: SqliteDatabase
  readonly #stmts = new Map<string, Statement>()

  /** `db` must be migrated (./migrations.ts). */
  constructor(db: SqliteDatabase) {
    super()
    this.db = db
  }

  /** The prepared statement for `sql`, prepared once per store. */
  protected q(sql: string): Statement {
    let s = this.#stmts.get(sql)
    if (s === undefined) this.#stmts.set(sql, (s = this.db.prepare<unknown[]>(sql)))
    return s
  }
}
