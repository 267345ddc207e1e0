// The core's ProtocolStore (src/core/store/types.ts) on the node's SQLite database: the identity,
// signed / one-time / KEM prekeys and session records. This module owns the row ↔ record mapping
// of those tables; it never interprets a record (they are the core's versioned blobs) and knows
// nothing of contacts or messages (./chat.ts). Sender keys are the group store's
// (./group-log.ts, table group_sender_keys).
//
// Synchronous, like the core's ports and the database: the service runs the core's SessionCipher
// over it inside one ChatStore.transaction(). A bad argument throws a TypeError naming the field.
// Every byte value read is a fresh array, every one written is copied by SQLite, so no caller can
// reach stored state through a buffer; a decoded session record (loadSessionRecord) may be the
// very object stored earlier in the same transaction: records are immutable. It holds private
// keys, so it prints none (STYLE.md §7).
import { abytes } from '../core/bytes.js'
import type { IdentityKeyPair } from '../core/identity/identity.js'
import type {
  EcPrekeyRecord,
  KemPrekeyRecord,
  ProtocolStore,
  SerializableRecord,
} from '../core/store/types.js'
import type { SqliteDatabase } from './database.js'
import { SessionRecordCache } from './session-cache.js'
import { SqliteTables } from './tables.js'

interface EcRow {
  id: number
  public_key: Buffer
  private_key: Buffer
  signature: Buffer
  created_at: number
}
interface KemRow {
  id: number
  public_key: Buffer
  secret_key: Buffer
  signature: Buffer
  last_resort: number
  created_at: number
}

/** A Uint8Array view of a Buffer better-sqlite3 returned. Each such Buffer owns a fresh
 *  ArrayBuffer (checked: not pooled), so the view exposes nothing else and needs no copy. */
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

function ecOut(r: EcRow | undefined): EcPrekeyRecord | undefined {
  if (r === undefined) return undefined
  return {
    id: r.id,
    publicKey: u8(r.public_key),
    privateKey: u8(r.private_key),
    signature: u8(r.signature),
    createdAt: r.created_at,
  }
}

function ecIn(r: EcPrekeyRecord): unknown[] {
  return [
    r.id,
    abytes('publicKey', r.publicKey),
    abytes('privateKey', r.privateKey),
    abytes('signature', r.signature),
    r.createdAt,
  ]
}

export class SqliteProtocolStore extends SqliteTables implements ProtocolStore {
  protected readonly redactedKind = 'SqliteProtocolStore'
  readonly #identity: IdentityKeyPair

  /** `db` must be migrated (./migrations.ts); `identity` is the one stored in it. */
  constructor(db: SqliteDatabase, identity: IdentityKeyPair) {
    super(db)
    this.#identity = identity
  }

  /** The prepared statement for `sql`, prepared once per store. */
  // IdentityKeyPair is immutable and itself redacted, so it is shared rather than copied.
  getIdentityKeyPair(): IdentityKeyPair {
    return this.#identity
  }

  // --- signed and one-time EC prekeys (PQXDH §2.5 SPK_B, OPK_B)

  loadSignedPrekey(id: number): EcPrekeyRecord | undefined {
    return ecOut(this.q('SELECT * FROM signed_prekeys WHERE id = ?').get(id) as EcRow | undefined)
  }

  storeSignedPrekey(record: EcPrekeyRecord): void {
    this.q('INSERT OR REPLACE INTO signed_prekeys VALUES (?, ?, ?, ?, ?)').run(...ecIn(record))
  }

  loadOneTimePrekey(id: number): EcPrekeyRecord | undefined {
    return ecOut(this.q('SELECT * FROM one_time_prekeys WHERE id = ?').get(id) as EcRow | undefined)
  }

  storeOneTimePrekey(record: EcPrekeyRecord): void {
    this.q('INSERT OR REPLACE INTO one_time_prekeys VALUES (?, ?, ?, ?, ?)').run(...ecIn(record))
  }

  /** PQXDH §3.4: "Bob deletes … one-time prekeys" once used. Unknown ids are a no-op. */
  removeOneTimePrekey(id: number): void {
    this.q('DELETE FROM one_time_prekeys WHERE id = ?').run(id)
  }

  countOneTimePrekeys(): number {
    return this.q('SELECT count(*) FROM one_time_prekeys').pluck().get() as number
  }

  // --- ML-KEM-768 prekeys (PQSPK_B last resort, PQOPK_B one-time)

  loadKemPrekey(id: number): KemPrekeyRecord | undefined {
    const r = this.q('SELECT * FROM kem_prekeys WHERE id = ?').get(id) as KemRow | undefined
    if (r === undefined) return undefined
    return {
      id: r.id,
      publicKey: u8(r.public_key),
      secretKey: u8(r.secret_key),
      signature: u8(r.signature),
      lastResort: r.last_resort === 1,
      createdAt: r.created_at,
    }
  }

  storeKemPrekey(record: KemPrekeyRecord): void {
    this.q('INSERT OR REPLACE INTO kem_prekeys VALUES (?, ?, ?, ?, ?, ?)').run(
      record.id,
      abytes('publicKey', record.publicKey),
      abytes('secretKey', record.secretKey),
      abytes('signature', record.signature),
      record.lastResort ? 1 : 0,
      record.createdAt,
    )
  }

  /** PQXDH §3.4: a used one-time PQOPK_B is deleted; the last-resort PQSPK_B is kept. */
  markKemPrekeyUsed(id: number): void {
    this.q('DELETE FROM kem_prekeys WHERE id = ? AND last_resort = 0').run(id)
  }

  countOneTimeKemPrekeys(): number {
    return this.q('SELECT count(*) FROM kem_prekeys WHERE last_resort = 0').pluck().get() as number
  }

  // --- sessions (serialized records, by PeerId)
  //
  // Inside a transaction of ./transactions.ts the decoded records go through `sessionCache`
  // (./session-cache.ts: written once, before COMMIT); the byte-level methods stay exact by
  // writing a pending record back before they read and forgetting the cached one when they
  // write. Outside one, every call is a statement.

  /** The open transaction's decoded records (./transactions.ts calls its hooks). */
  readonly sessionCache = new SessionRecordCache({
    read: (peer) => this.#readSession(peer),
    write: (peer, record) => this.#writeSession(peer, record),
  })

  loadSession(peer: string): Uint8Array | undefined {
    if (this.sessionCache.active) this.sessionCache.writeBack(peer)
    return this.#readSession(peer)
  }

  storeSession(peer: string, record: Uint8Array): void {
    this.#writeSession(peer, abytes('record', record))
    this.sessionCache.forget(peer)
  }

  loadSessionRecord<T extends SerializableRecord>(
    peer: string,
    decode: (bytes: Uint8Array) => T,
  ): T | undefined {
    if (this.sessionCache.active) return this.sessionCache.load(peer, decode)
    const bytes = this.#readSession(peer)
    return bytes === undefined ? undefined : decode(bytes)
  }

  storeSessionRecord(peer: string, record: SerializableRecord): void {
    if (this.sessionCache.active) this.sessionCache.store(peer, record)
    else this.#writeSession(peer, record.serialize())
  }

  removeSession(peer: string): void {
    this.q('DELETE FROM sessions WHERE peer = ?').run(peer)
    this.sessionCache.forget(peer)
  }

  #readSession(peer: string): Uint8Array | undefined {
    const r = this.q('SELECT record FROM sessions WHERE peer = ?').pluck().get(peer) as
      Buffer | undefined
    return r && u8(r)
  }

  #writeSession(peer: string, record: Uint8Array): void {
    // An upsert, not INSERT OR REPLACE: REPLACE deletes the row and inserts it under a new rowid,
    // which rewrites the primary key's index page too (a WAL page per commit on the message path,
    // docs/performance.md "Pages per commit"); the update keeps the rowid and writes only the row.
    this.q(
      'INSERT INTO sessions (peer, record) VALUES (?, ?) ON CONFLICT (peer) DO UPDATE SET record = excluded.record',
    ).run(peer, record)
  }
}
