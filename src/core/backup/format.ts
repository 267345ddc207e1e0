// The encrypted backup file (`kith backup` / `kith restore`, docs/security.md "Backups"). This
// module owns the byte format: a versioned header, the passphrase KDF, and the payload sealed in
// chunks. It is pure: bytes in, bytes out, randomness injected; it knows nothing of files, of the
// store or of what the payload holds (../../store/backup.ts).
//
// Layout (all integers big-endian):
//   header  magic "KITHBAK" (7) | version u8 = 1 | kdf u8 = 1 (scrypt) | log2 N u8 | r u8 | p u8
//           | salt (16) | nonce prefix (16) | chunk size u32 | key check (32)       = 81 bytes
//   chunks  XChaCha20-Poly1305(chunk) = ciphertext ‖ 16-byte tag, each chunk `chunk size` bytes of
//           payload except the last (0 to `chunk size`); there is always a last chunk.
// Keys: scrypt(NFC(passphrase), salt, N, r, p) → 64 bytes: the first 32 the AEAD key, the last 32
// the key of the check, HMAC-SHA256 over the header's first 49 bytes. The check authenticates the
// header and tells a wrong passphrase from a damaged file; it lets a guess be tested no faster
// than the first chunk's tag would (each guess costs one scrypt).
// Nonce of chunk i: nonce prefix (16) ‖ u64(i | FINAL) where FINAL = 2^63 marks the last chunk;
// the header is every chunk's associated data. So a chunk moved, dropped, duplicated or taken
// from another file fails its tag, and a file cut at a chunk boundary lacks its FINAL chunk:
// the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, "Online
// Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance" (CRYPTO 2015), §7, as
// libsodium's secretstream uses it.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hmac } from '@noble/hashes/hmac.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { equalBytes } from '../bytes.js'
import { defineError } from '../errors.js'

/** The passphrase does not open this backup (or its header was altered). */
export class BackupPassphraseError extends defineError('BackupPassphraseError') {}
/** Not a backup, a version we do not read, or a file truncated or altered after its header. */
export class BackupCorruptError extends defineError('BackupCorruptError') {}

export const BACKUP_MAGIC = new TextEncoder().encode('KITHBAK')
export const BACKUP_VERSION = 1
const KDF_SCRYPT = 1
export const BACKUP_SALT_BYTES = 16
const NONCE_PREFIX_BYTES = 16
const CHECK_BYTES = 32
const TAG_BYTES = 16
/** Bytes of the header before the key check (what the check covers). */
const HEADER_PREFIX_BYTES = 7 + 1 + 1 + 3 + BACKUP_SALT_BYTES + NONCE_PREFIX_BYTES + 4
export const BACKUP_HEADER_BYTES = HEADER_PREFIX_BYTES + CHECK_BYTES

/** Payload bytes per chunk: 64 KiB, so a reader holds one chunk's plaintext at a time and the
 *  tag overhead is 0.02 %. */
export const BACKUP_CHUNK_BYTES = 64 * 1024
/** Largest chunk size a file may declare (a crafted header must not make us allocate GiBs). */
export const MAX_BACKUP_CHUNK_BYTES = 1024 * 1024
/** Largest payload sealed or opened: 1 GiB. History, contacts and keys of a heavy user are far
 *  below it; the payload is held in memory as one buffer. */
export const MAX_BACKUP_PAYLOAD_BYTES = 1024 * 1024 * 1024

// scrypt cost (RFC 7914 §2). A backup leaves the device (a USB stick, a cloud folder) and lives
// for years, where an attacker with the file can guess passphrases offline at leisure: so twice
// the store's N (database.ts SCRYPT_N = 2^17): N = 2^18, r = 8 needs 128·N·r = 256 MiB and took
// 0.95 s (idle) to 2.8 s (loaded) with noble's scrypt on this 2-core VM, once per backup and once
// per restore: a wait a user accepts for a rare operation.
// (Argon2id at RFC 9106 §4's second option, 64 MiB, t = 3, took 2.0 s here for a quarter of the
// memory; scrypt at 256 MiB costs an attacker's GPU more per guess.)
export const BACKUP_SCRYPT_LOG2_N = 18
export const BACKUP_SCRYPT_R = 8
export const BACKUP_SCRYPT_P = 1
/** Most scrypt memory a file's header may ask of us (128·N·r·p bytes): 1 GiB. */
export const MAX_BACKUP_SCRYPT_BYTES = 1024 * 1024 * 1024

export interface BackupKdfParams {
  log2N: number
  r: number
  p: number
}

export const DEFAULT_BACKUP_KDF: BackupKdfParams = {
  log2N: BACKUP_SCRYPT_LOG2_N,
  r: BACKUP_SCRYPT_R,
  p: BACKUP_SCRYPT_P,
}

const FINAL = 1n << 63n

function checkKdf(k: BackupKdfParams): void {
  const ok =
    Number.isInteger(k.log2N) &&
    k.log2N >= 1 &&
    k.log2N <= 30 &&
    Number.isInteger(k.r) &&
    k.r >= 1 &&
    k.r <= 255 &&
    Number.isInteger(k.p) &&
    k.p >= 1 &&
    k.p <= 255 &&
    128 * 2 ** k.log2N * k.r * k.p <= MAX_BACKUP_SCRYPT_BYTES
  if (!ok) throw new BackupCorruptError('backup: scrypt parameters out of bounds')
}

function deriveKeys(passphrase: string, salt: Uint8Array, k: BackupKdfParams) {
  const N = 2 ** k.log2N
  const out = scrypt(new TextEncoder().encode(passphrase.normalize('NFC')), salt, {
    N,
    r: k.r,
    p: k.p,
    dkLen: 64,
    maxmem: 2 * 128 * N * k.r * k.p,
  })
  return { aead: out.subarray(0, 32), check: out.subarray(32), wipe: () => out.fill(0) }
}

function nonce(prefix: Uint8Array, index: number, final: boolean): Uint8Array {
  const n = new Uint8Array(24)
  n.set(prefix, 0)
  new DataView(n.buffer).setBigUint64(16, BigInt(index) | (final ? FINAL : 0n))
  return n
}

/** Seals `payload` under `passphrase`. `random(n)`: n cryptographically random bytes. */
export function sealBackup(
  payload: Uint8Array,
  passphrase: string,
  random: (n: number) => Uint8Array,
  opts: { kdf?: BackupKdfParams; chunkBytes?: number } = {},
): Uint8Array {
  if (passphrase.length === 0) throw new RangeError('passphrase: must not be empty')
  if (payload.length > MAX_BACKUP_PAYLOAD_BYTES) {
    throw new RangeError(`payload: at most ${MAX_BACKUP_PAYLOAD_BYTES} bytes`)
  }
  const kdf = opts.kdf ?? DEFAULT_BACKUP_KDF
  checkKdf(kdf)
  const chunk = opts.chunkBytes ?? BACKUP_CHUNK_BYTES
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > MAX_BACKUP_CHUNK_BYTES) {
    throw new RangeError(`chunkBytes: an integer from 1 to ${MAX_BACKUP_CHUNK_BYTES}`)
  }
  const salt = random(BACKUP_SALT_BYTES)
  const prefix = random(NONCE_PREFIX_BYTES)
  const header = new Uint8Array(BACKUP_HEADER_BYTES)
  header.set(BACKUP_MAGIC, 0)
  header.set([BACKUP_VERSION, KDF_SCRYPT, kdf.log2N, kdf.r, kdf.p], 7)
  header.set(salt, 12)
  header.set(prefix, 12 + BACKUP_SALT_BYTES)
  new DataView(header.buffer).setUint32(12 + BACKUP_SALT_BYTES + NONCE_PREFIX_BYTES, chunk)
  const keys = deriveKeys(passphrase, salt, kdf)
  try {
    header.set(
      hmac(sha256, keys.check, header.subarray(0, HEADER_PREFIX_BYTES)),
      HEADER_PREFIX_BYTES,
    )
    const count = Math.floor(payload.length / chunk) + 1 // the last may be empty
    const out = new Uint8Array(BACKUP_HEADER_BYTES + payload.length + count * TAG_BYTES)
    out.set(header, 0)
    let at = BACKUP_HEADER_BYTES
    for (let i = 0; i < count; i++) {
      const plain = payload.subarray(i * chunk, Math.min((i + 1) * chunk, payload.length))
      const sealed = xchacha20poly1305(
        keys.aead,
        nonce(prefix, i, i === count - 1),
        header,
      ).encrypt(plain)
      out.set(sealed, at)
      at += sealed.length
    }
    return out
  } finally {
    keys.wipe()
  }
}

/** The header fields a reader needs, parsed and bounded; throws BackupCorruptError. */
function parseHeader(file: Uint8Array) {
  if (file.length < BACKUP_HEADER_BYTES + TAG_BYTES)
    throw new BackupCorruptError('backup: too short')
  if (!equalBytes(file.subarray(0, 7), BACKUP_MAGIC)) {
    throw new BackupCorruptError('backup: not a Kith backup file')
  }
  if (file[7] !== BACKUP_VERSION || file[8] !== KDF_SCRYPT) {
    throw new BackupCorruptError(`backup: unsupported version ${file[7]}`)
  }
  const kdf = { log2N: file[9]!, r: file[10]!, p: file[11]! }
  checkKdf(kdf)
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const chunk = dv.getUint32(12 + BACKUP_SALT_BYTES + NONCE_PREFIX_BYTES)
  if (chunk < 1 || chunk > MAX_BACKUP_CHUNK_BYTES) {
    throw new BackupCorruptError('backup: chunk size out of bounds')
  }
  const header = file.subarray(0, BACKUP_HEADER_BYTES)
  return {
    kdf,
    chunk,
    header,
    salt: file.subarray(12, 12 + BACKUP_SALT_BYTES),
    prefix: file.subarray(12 + BACKUP_SALT_BYTES, 12 + BACKUP_SALT_BYTES + NONCE_PREFIX_BYTES),
  }
}

/**
 * Opens a sealed backup. Throws BackupPassphraseError when the passphrase does not match the
 * header's check, BackupCorruptError for anything else: not a backup, a version or parameters we
 * refuse, a file cut short (at a chunk boundary or inside one), a chunk altered, reordered or
 * repeated. Nothing of the payload is returned unless every chunk authenticated.
 */
export function openBackup(file: Uint8Array, passphrase: string): Uint8Array {
  const h = parseHeader(file)
  const body = file.length - BACKUP_HEADER_BYTES
  const sealedChunk = h.chunk + TAG_BYTES
  // Every chunk but the last is full; the last holds 0 to `chunk` bytes plus its tag.
  const count = Math.floor((body - TAG_BYTES) / sealedChunk) + 1
  const payloadLength = body - count * TAG_BYTES
  if (payloadLength > MAX_BACKUP_PAYLOAD_BYTES) throw new BackupCorruptError('backup: too large')
  const keys = deriveKeys(passphrase, h.salt, h.kdf)
  try {
    const check = hmac(sha256, keys.check, h.header.subarray(0, HEADER_PREFIX_BYTES))
    if (!equalBytes(check, h.header.subarray(HEADER_PREFIX_BYTES))) {
      throw new BackupPassphraseError('wrong passphrase for this backup (or its header is damaged)')
    }
    const out = new Uint8Array(payloadLength)
    for (let i = 0; i < count; i++) {
      const start = BACKUP_HEADER_BYTES + i * sealedChunk
      const sealed = file.subarray(start, Math.min(start + sealedChunk, file.length))
      let plain: Uint8Array
      try {
        plain = xchacha20poly1305(keys.aead, nonce(h.prefix, i, i === count - 1), h.header).decrypt(
          sealed,
        )
      } catch {
        out.fill(0)
        throw new BackupCorruptError(
          `backup: chunk ${i} does not authenticate (truncated or altered)`,
        )
      }
      out.set(plain, i * h.chunk)
      plain.fill(0)
    }
    return out
  } finally {
    keys.wipe()
  }
}
