// Opening the node's encrypted SQLite database (ARCHITECTURE.md "Storage"). This module owns the
// files of a store's home — `kith.db` (+ its -wal/-shm), `store.key` or `store.kdf.json` — the
// store key (scrypt from a passphrase, or a random key file), keying SQLCipher with it, proving the
// key right, and the connection pragmas. It knows nothing of the schema (./migrations.ts) or of
// what is stored.
//
// Encryption: SQLite3MultipleCiphers in SQLCipher 4 mode (AES-256-CBC + HMAC-SHA512 per page), the
// WAL included. We hand it a raw 32-byte key (`x'<64 hex>'`), so SQLCipher's own PBKDF2 is skipped:
// the key is already the output of our KDF or 256 bits of randomness (measured here: raw-key open
// 0.3–0.5 ms against 130 ms for a passphrase through SQLCipher's PBKDF2).
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync } from 'node:fs'
import { readFileSync, statSync, writeSync } from 'node:fs'
import { randomBytes, scryptSync } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3-multiple-ciphers'
import createDebug from 'debug'
import { StoreLockedError } from './errors.js'

const log = createDebug('kith:store')

export type SqliteDatabase = Database.Database
export type SqliteStatement = Database.Statement<unknown[]>

export const DB_FILE = 'kith.db'
export const KEY_FILE = 'store.key'
export const KDF_FILE = 'store.kdf.json'

/** Store key length: SQLCipher's AES-256 key. */
export const STORE_KEY_BYTES = 32
export const KDF_SALT_BYTES = 16
// scrypt parameters (RFC 7914 §2), the "interactive login" strength of Percival's paper raised
// 8x: N = 2^17, r = 8 needs 128·N·r = 128 MiB and took 320–380 ms on this VM (2 cores).
export const SCRYPT_N = 2 ** 17
export const SCRYPT_R = 8
export const SCRYPT_P = 1
/** Largest N accepted from a store.kdf.json (a tampered file must not make us allocate GiBs). */
export const SCRYPT_MAX_N = 2 ** 20
/** How long SQLite waits for another process's lock (daemon and `kith id` share the file). */
export const BUSY_TIMEOUT_MS = 5000

/** The scrypt parameters and salt of a passphrase-protected store (store.kdf.json). */
interface KdfParams {
  kdf: 'scrypt'
  N: number
  r: number
  p: number
  /** Hex. */
  salt: string
}

export interface OpenOptions {
  /** Unlocks (or, for a new store, protects) the store; without it, store.key is used. */
  passphrase?: string | undefined
}

/** True if `home` holds a database (an initialized store, or an interrupted `init`). */
export function exists(home: string): boolean {
  return existsSync(join(home, DB_FILE))
}

/** Writes `data` to a new file (never over an existing one) with `mode`, durably: the store key
 *  must be on disk before any page is encrypted under it. */
function writeNewFile(path: string, data: string, mode: number): void {
  const fd = openSync(path, 'wx', mode)
  try {
    writeSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  chmodSync(path, mode) // the umask may have narrowed it; never widened
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function validKdf(v: unknown): v is KdfParams {
  if (typeof v !== 'object' || v === null) return false
  const k = v as Record<string, unknown>
  const pow2 = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 1
  return (
    k.kdf === 'scrypt' &&
    pow2(k.N) &&
    (k.N & (k.N - 1)) === 0 &&
    k.N <= SCRYPT_MAX_N &&
    Number.isInteger(k.r) &&
    (k.r as number) >= 1 &&
    (k.r as number) <= 32 &&
    Number.isInteger(k.p) &&
    (k.p as number) >= 1 &&
    (k.p as number) <= 16 &&
    typeof k.salt === 'string' &&
    new RegExp(`^[0-9a-f]{${2 * KDF_SALT_BYTES}}$`).test(k.salt)
  )
}

/** The store key from a passphrase: scrypt with the home's salt and parameters. */
function passphraseKey(home: string, passphrase: string, dbExists: boolean): Buffer {
  const kdfPath = join(home, KDF_FILE)
  let params: KdfParams
  if (existsSync(kdfPath)) {
    const parsed: unknown = JSON.parse(readFileSync(kdfPath, 'utf8'))
    if (!validKdf(parsed)) throw new StoreLockedError(`${KDF_FILE} is malformed`)
    params = parsed
  } else if (dbExists) {
    throw new StoreLockedError(
      existsSync(join(home, KEY_FILE))
        ? 'this store is protected by its key file, not a passphrase (unset KITH_PASSPHRASE)'
        : `${KDF_FILE} is missing: the store key cannot be derived`,
    )
  } else {
    params = {
      kdf: 'scrypt',
      N: SCRYPT_N,
      r: SCRYPT_R,
      p: SCRYPT_P,
      salt: randomBytes(KDF_SALT_BYTES).toString('hex'),
    }
    writeNewFile(kdfPath, JSON.stringify(params) + '\n', 0o600)
    fsyncDir(home)
  }
  // NFC first, so the same passphrase typed on systems that compose accents differently unlocks.
  return scryptSync(
    passphrase.normalize('NFC'),
    Buffer.from(params.salt, 'hex'),
    STORE_KEY_BYTES,
    // RFC 7914 §6: scrypt's working memory is 128·N·r bytes; allow twice that.
    { N: params.N, r: params.r, p: params.p, maxmem: 2 * 128 * params.N * params.r },
  )
}

/** The store key from `home/store.key` (64 hex digits), created (0600) for a new store. */
function keyFileKey(home: string, dbExists: boolean): Buffer {
  const keyPath = join(home, KEY_FILE)
  if (existsSync(join(home, KDF_FILE))) {
    throw new StoreLockedError('this store is protected by a passphrase: set KITH_PASSPHRASE')
  }
  if (!existsSync(keyPath)) {
    if (dbExists) throw new StoreLockedError(`${KEY_FILE} is missing: the store cannot be opened`)
    const key = randomBytes(STORE_KEY_BYTES)
    writeNewFile(keyPath, key.toString('hex') + '\n', 0o600)
    fsyncDir(home)
    return key
  }
  // A key file that others may read (a copy or a restore that lost its mode): we tighten it to
  // 0600 and go on rather than refuse, as ssh does for its keys. Refusing would lock the user out
  // of their own history while undoing nothing: whoever could read the key already may have. So we
  // close the hole for the future and say so on the store's debug log.
  const mode = statSync(keyPath).mode & 0o777
  if ((mode & 0o077) !== 0) {
    chmodSync(keyPath, 0o600)
    log('%s had mode %s; set it to 0600', keyPath, mode.toString(8))
  }
  const hex = readFileSync(keyPath, 'utf8').trim()
  if (!new RegExp(`^[0-9a-fA-F]{${2 * STORE_KEY_BYTES}}$`).test(hex)) {
    throw new StoreLockedError(`${KEY_FILE} is malformed`)
  }
  return Buffer.from(hex, 'hex')
}

/** `x'<hex>'`, SQLCipher's raw-key syntax, built byte by byte so it can be wiped afterwards. */
function rawKeyLiteral(key: Buffer): Buffer {
  const digits = '0123456789abcdef'
  const out = Buffer.alloc(3 + 2 * key.length)
  out.write("x'", 0, 'latin1')
  for (let i = 0; i < key.length; i++) {
    out[2 + 2 * i] = digits.charCodeAt(key[i]! >> 4)
    out[3 + 2 * i] = digits.charCodeAt(key[i]! & 15)
  }
  out[out.length - 1] = 0x27 // '
  return out
}

/** Opens (creating if missing) the encrypted database of `home`, keyed and checked. Throws
 *  StoreLockedError for a wrong passphrase or key file. The schema is not touched. */
export function openDatabase(home: string, opts: OpenOptions = {}): SqliteDatabase {
  if (opts.passphrase?.length === 0) throw new RangeError('passphrase: must not be empty')
  if (!existsSync(home)) mkdirSync(home, { recursive: true, mode: 0o700 })
  const dbPath = join(home, DB_FILE)
  const dbExists = existsSync(dbPath)
  const key =
    opts.passphrase !== undefined
      ? passphraseKey(home, opts.passphrase, dbExists)
      : keyFileKey(home, dbExists)
  // Create the file ourselves, 0600: SQLite would use 0644, and it gives -wal/-shm its mode.
  if (!dbExists) closeSync(openSync(dbPath, 'wx', 0o600))

  const db = new Database(dbPath)
  const literal = rawKeyLiteral(key)
  try {
    db.pragma(`cipher='sqlcipher'`)
    db.key(literal)
    // The key is only tried on the first read: a wrong one fails here with SQLITE_NOTADB.
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get()
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') {
        throw new StoreLockedError('wrong passphrase or key file')
      }
      throw err
    }
    // WAL: readers (a CLI command) never block the daemon's writer, and a commit is one append.
    db.pragma('journal_mode = WAL')
    // synchronous=NORMAL in WAL mode: a commit is written to the WAL with write(2) but not
    // fsync'd (the WAL is fsync'd at checkpoints). A kill -9 of the process loses nothing that was
    // committed, since the data is in the kernel's page cache, which outlives the process; only a
    // power loss or kernel crash may drop the last commits, and even then the database stays
    // consistent (WAL frames are checksummed; a torn tail is ignored). test/store/crash.test.ts.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    // Temporary tables and sort spills stay in memory: SQLCipher does not encrypt temp files.
    db.pragma('temp_store = MEMORY')
    return db
  } catch (err) {
    db.close()
    throw err
  } finally {
    literal.fill(0)
    key.fill(0)
  }
}
