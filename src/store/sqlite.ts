// The node's store as one object: create it at `kith init`, open it everywhere else. This module
// owns the store's life cycle — create (refusing an existing one), open (refusing a missing one),
// migrate, close — and the identity row; the files and keys are ./database.ts's, the schema
// ./migrations.ts's, the rows ./protocol.ts's and ./chat.ts's.
import type { CryptoProvider } from '../core/crypto/provider.js'
import { IdentityKeyPair } from '../core/identity/identity.js'
import { nodeCrypto } from '../platform/node-crypto.js'
import { SqliteChatStore } from './chat.js'
import { IdleCheckpoint } from './checkpoint.js'
import { exists, openDatabase, type SqliteDatabase } from './database.js'
import { StoreExistsError, StoreLockedError, StoreNotFoundError } from './errors.js'
import { SqliteGroupStore } from './groups.js'
import { SqliteTrustStore } from './trust.js'
import { SqliteEditStore } from './edits.js'
import { SqliteFileStore } from './files.js'
import type { MailboxHoldingsLimits } from '../core/store/mailbox.js'
import { SqliteMailboxHoldings, type SqliteMailboxOptions } from './mailbox.js'
import { migrate } from './migrations.js'
import { SqliteProtocolStore } from './protocol.js'
import { SqliteMessageSearch } from './search.js'
import { exportRows, type BackupPayload } from './backup.js'
import type { NodeStore } from './types.js'

export interface NodeStoreOptions {
  /** KITH_PASSPHRASE: unlocks the store (or, at creation, protects it). */
  passphrase?: string | undefined
  /** Crypto provider for the identity key pair; the native node:crypto one by default. */
  crypto?: CryptoProvider | undefined
  /** Clock for the identity's created_at (tests). */
  now?: () => number
}

interface IdentityRow {
  seed: Buffer
  name: string
  created_at: number
}

/** Writes this device's identity (the single identity row). Throws StoreExistsError if there is
 *  one already: an identity is never replaced. */
export function initIdentity(
  db: SqliteDatabase,
  identity: IdentityKeyPair,
  name: string,
  createdAt: number,
): void {
  const seed = identity.exportSeed()
  try {
    const r = db
      .prepare(
        'INSERT INTO identity (id, seed, name, created_at) VALUES (1, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(seed, name, createdAt)
    if (r.changes === 0) throw new StoreExistsError('this store already has an identity')
  } finally {
    seed.fill(0)
  }
}

/** This device's identity from the store, or undefined if `init` never finished. */
export function loadIdentity(
  db: SqliteDatabase,
  crypto: CryptoProvider,
): { identity: IdentityKeyPair; name: string; createdAt: number } | undefined {
  const r = db.prepare('SELECT seed, name, created_at FROM identity WHERE id = 1').get() as
    IdentityRow | undefined
  if (r === undefined) return undefined
  try {
    return {
      identity: IdentityKeyPair.fromSeed(r.seed, crypto),
      name: r.name,
      createdAt: r.created_at,
    }
  } finally {
    r.seed.fill(0) // fromSeed copied it
  }
}

/** The NodeStore on SQLite: the ChatStore methods, `protocol`, and the identity's name. */
export class SqliteNodeStore extends SqliteChatStore implements NodeStore {
  protected override readonly redactedKind = 'SqliteNodeStore'
  readonly protocol: SqliteProtocolStore
  /** Groups, their op logs, sender keys, retention and the control outbox (migration 3). */
  readonly groups: SqliteGroupStore
  /** Blocked peers, invite secrets, message requests (migration 5). */
  readonly trust: SqliteTrustStore
  /** Edits, deletes, reactions, disappearing timers (migration 8). */
  readonly edits: SqliteEditStore
  /** Files sent and received (migration 10; service/files/). */
  readonly files: SqliteFileStore
  /** Full-text search of message text (migration 9). */
  readonly search: SqliteMessageSearch
  /** This device's PeerId. */
  readonly peerId: string
  /** WAL checkpoints after the commits stop, not inside one (./checkpoint.ts). */
  readonly checkpoints: IdleCheckpoint

  constructor(db: SqliteDatabase, identity: IdentityKeyPair) {
    super(db)
    this.protocol = new SqliteProtocolStore(db, identity)
    this.participant = this.protocol.sessionCache
    this.groups = new SqliteGroupStore(db)
    this.trust = new SqliteTrustStore(db)
    this.edits = new SqliteEditStore(db)
    this.files = new SqliteFileStore(db)
    this.search = new SqliteMessageSearch(db)
    this.peerId = identity.peerId
    this.checkpoints = new IdleCheckpoint(db)
    this.afterCommit = () => this.checkpoints.committed()
  }

  /** The name given at `kith init` (shown by `kith id`). */
  getIdentityName(): string {
    return this.db.prepare('SELECT name FROM identity WHERE id = 1').pluck().get() as string
  }

  setIdentityName(name: string): void {
    this.db.prepare('UPDATE identity SET name = ? WHERE id = 1').run(name)
  }

  /** The rows a backup takes (./backup.ts), read in one transaction. */
  backupRows(now: number): BackupPayload {
    return exportRows(this.db, this.peerId, now)
  }

  /** The mail this node holds for others (ARCHITECTURE.md "Delivery"), in this database, within
   *  `limits` (the node's MAILBOX_HOLDINGS, passed in: the store never imports node/). */
  mailboxHoldings(
    limits: MailboxHoldingsLimits,
    opts: SqliteMailboxOptions = {},
  ): SqliteMailboxHoldings {
    return new SqliteMailboxHoldings(this.db, limits, opts)
  }

  /** Closes the database (checkpointing the WAL into kith.db). Idempotent. */
  close(): void {
    this.checkpoints.stop()
    if (this.db.open) this.db.close()
  }
}

/** Opens and migrates the database of an existing home, closing it again on failure. */
function openMigrated(home: string, opts: NodeStoreOptions): SqliteDatabase {
  const db = openDatabase(home, { passphrase: opts.passphrase })
  try {
    migrate(db)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

/**
 * Creates the store of `home` for `identity` (`kith init`). Throws StoreExistsError if `home`
 * already holds an initialized store. A store whose creation was interrupted (a database without
 * an identity) is completed if it opens with the given secret.
 */
export function createNodeStore(
  home: string,
  identity: IdentityKeyPair,
  name: string,
  opts: NodeStoreOptions = {},
): SqliteNodeStore {
  let db: SqliteDatabase
  try {
    db = openMigrated(home, opts)
  } catch (err) {
    // A store we cannot unlock is still a store: refuse as "exists", not as "locked".
    if (StoreLockedError.is(err) && exists(home)) {
      throw new StoreExistsError(`a store already exists in ${home}`)
    }
    throw err
  }
  try {
    db.transaction(() => initIdentity(db, identity, name, (opts.now ?? Date.now)())).immediate()
  } catch (err) {
    db.close()
    if (StoreExistsError.is(err)) throw new StoreExistsError(`a store already exists in ${home}`)
    throw err
  }
  return new SqliteNodeStore(db, identity)
}

/** Opens the store of `home`. Throws StoreNotFoundError if there is none (run `kith init`),
 *  StoreLockedError for a wrong passphrase or key file. */
export function openNodeStore(home: string, opts: NodeStoreOptions = {}): SqliteNodeStore {
  if (!exists(home)) throw new StoreNotFoundError(`no store in ${home} (run kith init)`)
  const db = openMigrated(home, opts)
  const loaded = loadIdentity(db, opts.crypto ?? nodeCrypto)
  if (loaded === undefined) {
    db.close()
    throw new StoreNotFoundError(`the store in ${home} has no identity (run kith init)`)
  }
  return new SqliteNodeStore(db, loaded.identity)
}
