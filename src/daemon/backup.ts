// `kith backup` and `kith restore` (CLI.md "Conversations, receipts, edits"; docs/security.md
// "Backups"): the files. Backup reads the store directly (a read transaction: consistent while
// the daemon runs, as `kith id` shares the file), seals the rows (../core/backup/format.ts) and
// writes the file 0600 atomically (temp file, fsync, rename, fsync of the directory). Restore
// opens the file, builds the new store in a temporary directory beside KITH_HOME, starts fresh
// sessions (../service/restore.ts) and only then moves it into place: a wrong passphrase, a
// damaged file or a crash leaves no partial home. Loaded lazily by src/cli/commands/backup.ts.
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { renameSync, rmSync, rmdirSync, statSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { openBackup, sealBackup, type BackupKdfParams } from '../core/backup/format.js'
import { defineError } from '../core/errors.js'
import { nodeCrypto, nodeRng } from '../platform/node-crypto.js'
import { BackupPayloadError, importRows, parsePayload } from '../store/backup.js'
import { openDatabase } from '../store/database.js'
import { loadIdentity, openNodeStore, SqliteNodeStore } from '../store/sqlite.js'
import { startRestoredSessions } from '../service/index.js'

/** Largest backup file `kith restore` reads (the format's payload bound plus its tags). */
export const MAX_BACKUP_FILE_BYTES = 1024 * 1024 * 1024 + 64 * 1024 * 1024

/** Restore into a home that is not empty (a store, a daemon.json, anything). */
export class HomeNotEmptyError extends defineError('HomeNotEmpty') {}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Writes `data` to `path` 0600 atomically: never a half-written or world-readable backup. */
function writeFileAtomic0600(path: string, data: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const fd = openSync(tmp, 'wx', 0o600)
  try {
    let at = 0
    while (at < data.length) at += writeSync(fd, data, at, data.length - at)
    fsyncSync(fd)
  } catch (err) {
    closeSync(fd)
    rmSync(tmp, { force: true })
    throw err
  }
  closeSync(fd)
  renameSync(tmp, path)
  fsyncPath(dirname(path))
}

/** `kith backup --out FILE`. `storePassphrase`: KITH_PASSPHRASE (opens the store). */
export function backupHome(
  home: string,
  out: string,
  backupPassphrase: string,
  storePassphrase: string | undefined,
  kdf?: BackupKdfParams,
): { path: string; bytes: number } {
  const store = openNodeStore(home, { passphrase: storePassphrase, crypto: nodeCrypto })
  let json: Uint8Array
  try {
    json = new TextEncoder().encode(JSON.stringify(store.backupRows(Date.now())))
  } finally {
    store.close()
  }
  const sealed = sealBackup(json, backupPassphrase, nodeRng, kdf === undefined ? {} : { kdf })
  json.fill(0)
  const path = resolve(out)
  writeFileAtomic0600(path, sealed)
  return { path, bytes: sealed.length }
}

/** True if `home` is missing or an empty directory. */
function emptyHome(home: string): boolean {
  if (!existsSync(home)) return true
  return statSync(home).isDirectory() && readdirSync(home).length === 0
}

/** `kith restore FILE` into an empty (or missing) `home`. Throws HomeNotEmptyError,
 *  BackupPassphraseError, BackupCorruptError, BackupPayloadError; leaves `home` as it was then. */
export function restoreHome(
  home: string,
  file: string,
  backupPassphrase: string,
  storePassphrase: string | undefined,
): { peerId: string; contacts: number; messages: number; sessions: number } {
  if (!emptyHome(home)) {
    throw new HomeNotEmptyError(`${home} is not empty: restore needs an empty KITH_HOME`)
  }
  // The CLI has checked that `file` exists and is at most MAX_BACKUP_FILE_BYTES (a usage error);
  // this bound holds again here, where the file is read.
  if (statSync(file).size > MAX_BACKUP_FILE_BYTES) {
    throw new RangeError(`${file} is larger than any backup (${MAX_BACKUP_FILE_BYTES} bytes)`)
  }
  const payloadBytes = openBackup(readFileSync(file), backupPassphrase)
  const payload = parsePayload(payloadBytes)
  payloadBytes.fill(0)
  const target = resolve(home)
  const tmp = `${target}.restore-${randomBytes(6).toString('hex')}`
  try {
    const db = openDatabase(tmp, { passphrase: storePassphrase })
    let counts: { contacts: number; messages: number }
    let sessions: number
    try {
      counts = importRows(db, payload)
      const loaded = loadIdentity(db, nodeCrypto)
      if (loaded === undefined || loaded.identity.peerId !== payload.peerId) {
        throw new BackupPayloadError('backup: its identity does not match its PeerId')
      }
      const store = new SqliteNodeStore(db, loaded.identity)
      const ctx = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }
      sessions = startRestoredSessions(ctx, store, loaded.identity)
    } finally {
      db.close()
    }
    if (existsSync(target)) rmdirSync(target) // empty, checked above
    renameSync(tmp, target)
    fsyncPath(dirname(target))
    return { peerId: payload.peerId, ...counts, sessions }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true })
    throw err
  }
}
