// Decoded session records kept for the open transaction (issue 17): the receiver stores a burst of
// frames from one peer in one group-commit batch (service/direct/receive-batch.ts), and each frame
// used to SELECT the peer's session record, decode it (protobuf), re-encode the new one and
// INSERT it again. Inside a transaction that ./transactions.ts opened, ./protocol.ts now keeps the
// decoded record here: the first frame of a batch loads it, every later one reads and replaces it
// in memory, and the last state is encoded and written once, just before COMMIT (`flush`).
//
// It owns that write-behind and its rollback. Every change to an entry (a load, a store, a
// removal, an early write) is journaled in the innermost open level (the transaction or one of its
// savepoints); ROLLBACK TO a savepoint puts back the entries that level changed, so a frame rolled
// back keeps neither its new ratchet state nor a stale one, and the frames before it keep theirs.
// A ROLLBACK of the whole transaction (or a failed COMMIT) drops everything: the table holds the
// records as before. Nothing outlives the transaction, so no other writer of the database (a CLI
// command with the daemon stopped, a restore) can leave a stale record here. It never interprets a
// record (the core's versioned blob): it holds objects that serialize themselves.
import { Redacted } from '../core/secret.js'
import type { SerializableRecord } from '../core/store/types.js'

/**
 * Most records held at once: a transaction touching more peers (a group fan-out, a flush of many
 * peers) writes the oldest one back early and forgets it, so memory stays bounded whatever the
 * transaction does (each record ≤ MAX_SESSION_RECORD_BYTES encoded).
 */
export const MAX_CACHED_SESSIONS = 64

/** A peer's record as this transaction sees it; `undefined` record: no row. */
interface Entry {
  readonly record: SerializableRecord | undefined
  /** Not yet written to the table. */
  readonly dirty: boolean
}

/** What an entry was before a level changed it (`undefined`: not cached). */
type Journal = Map<string, Entry | undefined>

/** The session table's rows as ./protocol.ts writes them (SQL only, no cache). */
export interface SessionRows {
  read(peer: string): Uint8Array | undefined
  write(peer: string, record: Uint8Array): void
}

/** The hooks ./transactions.ts calls around the transactions and savepoints it opens. */
export interface TransactionParticipant {
  /** True between `begin()` of a transaction and its `committed()` or `aborted()`. */
  readonly active: boolean
  /** A transaction (first level) or a savepoint of it began. */
  begin(): void
  /** The innermost savepoint was released into its parent. */
  release(): void
  /** The innermost savepoint was rolled back. */
  rollback(): void
  /** COMMIT is next: write what was deferred (inside the transaction, so a failure rolls back). */
  flush(): void
  /** The transaction committed. */
  committed(): void
  /** The transaction ended without a commit (ROLLBACK, or SQLite rolled it back itself). */
  aborted(): void
}

/** Holds ratchet states (private keys), so it prints none (STYLE.md §7). */
export class SessionRecordCache extends Redacted implements TransactionParticipant {
  protected readonly redactedKind = 'SessionRecordCache'
  readonly #rows: SessionRows
  readonly #cap: number
  readonly #entries = new Map<string, Entry>()
  /** One journal per open level, innermost last; `undefined` until the level changes something. */
  #levels: (Journal | undefined)[] = []
  readonly metrics = { hits: 0, loads: 0, writes: 0, early: 0 }

  /** `cap`: MAX_CACHED_SESSIONS (smaller in tests). */
  constructor(rows: SessionRows, cap = MAX_CACHED_SESSIONS) {
    super()
    this.#rows = rows
    this.#cap = cap
  }

  /** True inside a transaction of ./transactions.ts: loads and stores go through the cache. */
  get active(): boolean {
    return this.#levels.length > 0
  }

  /** Cached entries (tests). */
  get size(): number {
    return this.#entries.size
  }

  /** The record of `peer` (decoded by `decode` on the first load of the transaction). */
  load<T extends SerializableRecord>(
    peer: string,
    decode: (bytes: Uint8Array) => T,
  ): T | undefined {
    const e = this.#entries.get(peer)
    if (e !== undefined) {
      this.metrics.hits++
      // Only `decode`'s results and `store`'s arguments are ever cached, and one store has one
      // record type (the core's SessionRecord): the cast restores what was put in.
      return e.record as T | undefined
    }
    this.metrics.loads++
    const bytes = this.#rows.read(peer)
    const record = bytes === undefined ? undefined : decode(bytes)
    this.#set(peer, { record, dirty: false })
    return record
  }

  /** `record` becomes `peer`'s; written at the flush (or earlier, see `#set`). */
  store(peer: string, record: SerializableRecord): void {
    this.#set(peer, { record, dirty: true })
  }

  /** Writes `peer`'s pending record now, if any (someone reads the table's bytes). */
  writeBack(peer: string): void {
    const e = this.#entries.get(peer)
    if (e?.dirty === true && e.record !== undefined) {
      this.#write(peer, e.record)
      this.#set(peer, { record: e.record, dirty: false })
    }
  }

  /** Forgets `peer` (its row was written or deleted behind the cache, in this transaction). */
  forget(peer: string): void {
    if (this.#entries.has(peer)) this.#set(peer, undefined)
  }

  // --- TransactionParticipant

  begin(): void {
    this.#levels.push(undefined)
  }

  release(): void {
    const j = this.#levels.pop()
    if (j === undefined || this.#levels.length === 0) return
    // The parent now owns these changes: it keeps its own, earlier, value of a peer it changed too.
    const parent = this.#levels[this.#levels.length - 1] ?? new Map<string, Entry | undefined>()
    for (const [peer, before] of j) if (!parent.has(peer)) parent.set(peer, before)
    this.#levels[this.#levels.length - 1] = parent
  }

  rollback(): void {
    const j = this.#levels.pop()
    if (j === undefined) return
    for (const [peer, before] of j) {
      if (before === undefined) this.#entries.delete(peer)
      else this.#entries.set(peer, before)
    }
  }

  flush(): void {
    for (const [peer, e] of this.#entries) {
      if (e.dirty && e.record !== undefined) this.#write(peer, e.record)
    }
    this.#entries.clear()
  }

  committed(): void {
    this.#levels = []
    this.#entries.clear()
  }

  aborted(): void {
    this.#levels = []
    this.#entries.clear()
  }

  // ---

  #write(peer: string, record: SerializableRecord): void {
    this.metrics.writes++
    this.#rows.write(peer, record.serialize())
  }

  /** Sets (or with `undefined`, drops) an entry, journaling the old one in the innermost level;
   *  beyond MAX_CACHED_SESSIONS the oldest entry is written back and dropped. */
  #set(peer: string, e: Entry | undefined): void {
    const depth = this.#levels.length
    if (depth > 0) {
      const j = this.#levels[depth - 1] ?? new Map<string, Entry | undefined>()
      this.#levels[depth - 1] = j
      if (!j.has(peer)) j.set(peer, this.#entries.get(peer))
    }
    // Re-inserted last: the map's order is least recently changed first.
    this.#entries.delete(peer)
    if (e === undefined) return
    this.#entries.set(peer, e)
    while (this.#entries.size > this.#cap) {
      const [oldest, o] = this.#entries.entries().next().value!
      this.metrics.early++
      // Dropping goes through #set too (journaled): a rollback brings the entry back as it was,
      // and the row written here is rolled back with it.
      if (o.dirty && o.record !== undefined) this.#write(oldest, o.record)
      this.#set(oldest, undefined)
    }
  }
}
