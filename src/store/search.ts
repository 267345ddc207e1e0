// Full-text search of message history (CLI.md "Conversations, receipts, edits": `kith search`),
// inside the encrypted database. This module owns the FTS5 index over messages.text (its schema,
// migration 9, and the triggers that keep it in step with every INSERT, UPDATE and DELETE of
// `messages`), turning a user's words into a safe FTS5 query, and the search itself. It returns
// message ids; the rows themselves are ./chat.ts's, so this module knows nothing of how a message
// maps to an object, nor of keys or files.
//
// The index is an external-content FTS5 table (https://sqlite.org/fts5.html §4.4.3): it holds the
// tokens, `messages` holds the text, and the index's rowid is the message row's rowid. SQLite
// fires the triggers inside the statement that changed `messages`, hence inside the caller's
// transaction: an insert, an edit (UPDATE text) or a delete (DELETE, or UPDATE text to '' for a
// tombstone) changes the index in the same commit, so a deleted message is never findable, and
// its tokens leave the index with it. Event rows (kind 'event', JSON) are not indexed.
// Caveat (fts5.html §4.4.3): VACUUM may renumber the rowids of a table without an INTEGER PRIMARY
// KEY; Kith never runs VACUUM. Should a future version do so, it must `rebuild` the index after.
//
// Tokenizer: unicode61 with remove_diacritics 2 (fts5.html §4.3.1): case- and accent-insensitive
// ("cafe" finds "Café"), words split at Unicode separators. No trigram index: it would find
// substrings inside words and CJK text without spaces, but at about three times the index size
// of the word index (one entry per 3-character window) for every message ever received; prefix
// matching (below) covers the common case of a half-typed word.
import type { SqliteDatabase } from './database.js'
import { SqliteTables } from './tables.js'

/** Migration 9 (./migrations.ts): the index, its triggers, and the backfill of existing rows. */
export const SEARCH_MIGRATION = `
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content='messages', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
  );
  INSERT INTO messages_fts (rowid, text) SELECT rowid, text FROM messages WHERE kind != 'event';

  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN NEW.kind != 'event' BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (NEW.rowid, NEW.text);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN OLD.kind != 'event' BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', OLD.rowid, OLD.text);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, kind ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text)
      SELECT 'delete', OLD.rowid, OLD.text WHERE OLD.kind != 'event';
    INSERT INTO messages_fts (rowid, text)
      SELECT NEW.rowid, NEW.text WHERE NEW.kind != 'event';
  END;
`

/** Longest query accepted, in UTF-16 code units (a search box's worth; a longer one is a
 *  RangeError → 400). Bounds the work of building and running the FTS5 expression. */
export const MAX_SEARCH_QUERY_CHARS = 256
/** Most words a query may hold: each is one FTS5 phrase lookup, ANDed. */
export const MAX_SEARCH_TERMS = 16
/** Results returned when the caller names no limit. */
export const DEFAULT_SEARCH_LIMIT = 50
/** Most results one search returns (the newest that many). */
export const MAX_SEARCH_LIMIT = 500

export interface SearchOptions {
  /** Only this conversation (a contact's PeerId or a group id). */
  conversation?: string | undefined
  /** 1 to MAX_SEARCH_LIMIT; DEFAULT_SEARCH_LIMIT by default. */
  limit?: number | undefined
}

/**
 * The FTS5 MATCH expression for a user's query, or undefined when it holds no word at all (then
 * nothing matches). The user's text is never FTS5 syntax: it is split at whitespace, each piece
 * with no letter or digit is dropped (punctuation alone tokenizes to nothing), and each remaining
 * piece becomes a string with its `"` doubled (fts5.html §3.1: "a string … enclosed in double
 * quotes … embedded double quotes escaped SQL-style") followed by `*`, a prefix query (§3.3). The
 * phrases are joined by spaces, i.e. implicit AND (§3.7). So `a OR`, `NEAR(`, `"`, `col:x`, `-x`
 * are all searched as words. Throws RangeError above MAX_SEARCH_QUERY_CHARS or MAX_SEARCH_TERMS.
 */
export function ftsQuery(query: string): string | undefined {
  if (query.length > MAX_SEARCH_QUERY_CHARS) {
    throw new RangeError(`query: at most ${MAX_SEARCH_QUERY_CHARS} characters`)
  }
  const terms = query
    .normalize('NFC')
    .split(/\s+/u)
    .filter((t) => /[\p{L}\p{N}]/u.test(t))
  if (terms.length > MAX_SEARCH_TERMS) {
    throw new RangeError(`query: at most ${MAX_SEARCH_TERMS} words`)
  }
  if (terms.length === 0) return undefined
  return terms.map((t) => `"${t.replaceAll('"', '""')}"*`).join(' ')
}

/** The index's queries, on the node's database (migrated to version 9 or later). */
export class SqliteMessageSearch extends SqliteTables {
  protected readonly redactedKind = 'SqliteMessageSearch'

  constructor(db: SqliteDatabase) {
    super(db)
  }

  /**
   * Ids of the messages matching every word of `query`, newest first (display order, as
   * ./chat.ts's NEWEST_FIRST), at most `limit`. Newest first rather than by rank (bm25): in a
   * chat the message looked for is usually a recent one, and the order stays stable as you type.
   * Throws RangeError for a query too long or a limit out of range.
   */
  search(query: string, opts: SearchOptions = {}): string[] {
    const limit = opts.limit ?? DEFAULT_SEARCH_LIMIT
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
      throw new RangeError(`limit: an integer from 1 to ${MAX_SEARCH_LIMIT}`)
    }
    const match = ftsQuery(query)
    if (match === undefined) return []
    const byConversation = opts.conversation !== undefined
    const sql = `SELECT m.id FROM messages_fts f JOIN messages m ON m.rowid = f.rowid
      WHERE messages_fts MATCH ? ${byConversation ? 'AND m.conversation = ?' : ''}
      ORDER BY m.sort_at DESC, m.sender DESC, m.seq DESC, m.id DESC LIMIT ?`
    const args: unknown[] = byConversation ? [match, opts.conversation, limit] : [match, limit]
    return this.q(sql)
      .pluck()
      .all(...args) as string[]
  }

  /** Rebuilds the index from `messages` (fts5.html §6.11 'rebuild'), for a repair. */
  rebuild(): void {
    this.db.exec(`INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')`)
  }
}
