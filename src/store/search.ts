// Full-text search of message history (CLI.md "Conversations, receipts, edits": `kith search`),
// inside the encrypted database. This module owns the FTS5 index over messages.text (its schema,
// migrations 10 and 13, the triggers and the watermark that keep it in step with `messages`),
// catching it up, turning a user's words into a safe FTS5 query, and the search itself. It returns
// message ids; the rows themselves are ./chat.ts's, so this module knows nothing of how a message
// maps to an object, nor of keys or files. When to catch up in the background is the service's
// (../service/search-index.ts).
//
// INVARIANT (migration 13, issue 17). With W the watermark (search_watermark.w): every message
// row with kind != 'event' and rowid ≤ W is in the index, with the tokens of its current text,
// and no other row is. The view `messages_indexed` is exactly that set of rows, and it is the
// index's content table, so FTS5's own `integrity-check` with rank 1 (fts5.html §6.4: the index
// against its content table) checks the invariant, and 'rebuild' (§6.11) restores it.
// Kept by:
//  - the triggers, inside the statement that changes `messages` (hence in its transaction):
//    INSERT indexes the new row at once only when NEW.rowid ≤ W — `messages` has no INTEGER
//    PRIMARY KEY, so after its highest row is deleted a new row may reuse a rowid ≤ W and would
//    otherwise never be indexed; a row above W waits. DELETE removes a row from the index only
//    when OLD.rowid ≤ W: an external-content 'delete' must name exactly what was indexed, and one
//    for a row never indexed corrupts the index (fts5.html §4.4.3). UPDATE of text or kind does
//    both, each under the same condition. Event rows (kind 'event', JSON) are never indexed.
//  - `catchUp(limit)`: indexes the next `limit` rows above W in rowid order and moves W to the
//    highest rowid it looked at (event rows stepped over too), in ONE transaction.
//  - `rebuild()` and a restore (./backup.ts): W = max(rowid), then 'rebuild'.
// Why deferred: FTS5 writes a new index segment per transaction that touches it, ≈ 130 µs of a
// ≈ 340 µs one-message insert transaction on SQLCipher; indexed a batch at a time it costs ≈ 9 µs
// per row (docs/performance.md "DM"). `search()` catches up completely first, so a search sees
// every message stored before it; the service catches up in the background, in batches.
//
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

/** Migration 10 (./migrations.ts), as released: the index over `messages` itself, triggers that
 *  index every change at once, and the backfill. Migration 13 replaces it. */
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

/** W as a scalar subquery: read by each trigger (a one-row table's primary-key lookup; measured in
 *  bench/search.ts against no trigger at all). */
const W = '(SELECT w FROM search_watermark WHERE id = 1)'

/**
 * Migration 13 (issue 17): deferred, batched indexing under the watermark W (the header's
 * INVARIANT). The index is made again over the view of the rows it must hold (an FTS5 table's
 * content table is fixed when it is created), W is set to max(rowid) and the index rebuilt from
 * the view: every row of the history is indexed when the migration commits (≈ 1 s per 100,000
 * messages, once).
 */
export const SEARCH_DEFERRED_MIGRATION = `
  DROP TRIGGER messages_fts_insert;
  DROP TRIGGER messages_fts_delete;
  DROP TRIGGER messages_fts_update;
  DROP TABLE messages_fts;

  CREATE TABLE search_watermark (
    id INTEGER PRIMARY KEY CHECK (id = 1),          -- one row
    w INTEGER NOT NULL                              -- rows up to this rowid are indexed
  );
  INSERT INTO search_watermark (id, w) VALUES (1, coalesce((SELECT max(rowid) FROM messages), 0));
  CREATE VIEW messages_indexed AS
    SELECT rowid AS rid, text FROM messages WHERE kind != 'event' AND rowid <= ${W};

  CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content='messages_indexed', content_rowid='rid',
    tokenize='unicode61 remove_diacritics 2'
  );
  INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN NEW.kind != 'event' AND NEW.rowid <= ${W}
  BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (NEW.rowid, NEW.text);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN OLD.kind != 'event' AND OLD.rowid <= ${W}
  BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', OLD.rowid, OLD.text);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, kind ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text)
      SELECT 'delete', OLD.rowid, OLD.text WHERE OLD.kind != 'event' AND OLD.rowid <= ${W};
    INSERT INTO messages_fts (rowid, text)
      SELECT NEW.rowid, NEW.text WHERE NEW.kind != 'event' AND NEW.rowid <= ${W};
  END;
`

/** Makes the invariant true from scratch: W = max(rowid), the index rebuilt from the view
 *  (fts5.html §6.11 'rebuild'). One transaction (a savepoint inside the caller's). */
export function rebuildSearchIndex(db: SqliteDatabase): void {
  db.transaction(() => {
    db.exec(
      `UPDATE search_watermark SET w = coalesce((SELECT max(rowid) FROM messages), 0) WHERE id = 1`,
    )
    db.exec(`INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')`)
  }).immediate()
}

/** What waits to be indexed: `rows` above W (counted up to the caller's cap) and the highest
 *  rowid of `messages` (0 when empty), which changes when a message is inserted. */
export interface SearchBacklog {
  rows: number
  newest: number
}

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

/** The index's queries, on the node's database (migrated to version 13 or later). */
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
    this.catchUp() // everything stored before this search is findable
    const byConversation = opts.conversation !== undefined
    const sql = `SELECT m.id FROM messages_fts f JOIN messages m ON m.rowid = f.rowid
      WHERE messages_fts MATCH ? ${byConversation ? 'AND m.conversation = ?' : ''}
      ORDER BY m.sort_at DESC, m.sender DESC, m.seq DESC, m.id DESC LIMIT ?`
    const args: unknown[] = byConversation ? [match, opts.conversation, limit] : [match, limit]
    return this.q(sql)
      .pluck()
      .all(...args) as string[]
  }

  /**
   * Indexes the next `limit` rows above W (all of them without a limit), in rowid order, and
   * moves W to the highest rowid looked at — event rows are stepped over, not indexed. One
   * transaction (a savepoint inside the caller's); none at all when nothing waits. Returns the
   * rows looked at: fewer than `limit` means none is left.
   */
  catchUp(limit?: number): number {
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
      throw new RangeError('limit: a positive integer')
    }
    if (this.q(`SELECT 1 FROM messages WHERE rowid > ${W} LIMIT 1`).get() === undefined) return 0
    return this.db
      .transaction((): number => {
        const w = this.q(`SELECT ${W}`).pluck().get() as number
        const { n, hi } = this.q(
          `SELECT count(*) AS n, max(r) AS hi
         FROM (SELECT rowid AS r FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)`,
        ).get(w, limit ?? -1) as { n: number; hi: number | null }
        if (hi === null) return 0
        // Index first, then move W: the view (the content table) must not show these rows
        // before they are in the index, though within one transaction nothing can see between.
        this.q(
          `INSERT INTO messages_fts (rowid, text)
         SELECT rowid, text FROM messages WHERE rowid > ? AND rowid <= ? AND kind != 'event'`,
        ).run(w, hi)
        this.q('UPDATE search_watermark SET w = ? WHERE id = 1').run(hi)
        return n
      })
      .immediate()
  }

  /** The rows above W, counted up to `cap`, and the newest rowid (see SearchBacklog): two index
   *  lookups and at most `cap` steps, so cheap enough for a timer. */
  backlog(cap: number): SearchBacklog {
    return this.q(
      `SELECT (SELECT count(*) FROM (SELECT 1 FROM messages WHERE rowid > ${W} LIMIT ?)) AS rows,
        coalesce((SELECT max(rowid) FROM messages), 0) AS newest`,
    ).get(cap) as SearchBacklog
  }

  /** Rebuilds the index from `messages` with W = max(rowid), for a repair (rebuildSearchIndex). */
  rebuild(): void {
    rebuildSearchIndex(this.db)
  }
}
