// A file's manifest (wire.proto FileManifest, ChatContent body 13) and the rules that tie chunks
// to it: how many chunks a size makes, how long each sealed chunk is, that a chunk's SHA-256 is
// the one the sender listed (docs/files.md "Format"). The manifest travels inside the 1:1 session
// or the group's Sender Key channel, so it is as authentic as a text message; its chunk hashes
// let a receiver check a chunk from ANY source (a group member also holds the key and could seal
// a different chunk that authenticates; it cannot match the sender's hash).
//
// Also the incremental sealer a sender runs over its file. Pure: no fs, no network; the caller
// hands in the key, the id and the bytes.
import { equalBytes } from '../bytes.js'
import type { FileManifest } from '../wire/pb/wire.js'
import {
  ChunkHashError,
  ChunkRangeError,
  FileDigestError,
  HashListError,
  InvalidManifestError,
} from './errors.js'
import {
  CHUNK_BYTES,
  CHUNK_TAG_BYTES,
  FILE_HASH_BYTES,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  MAX_FILE_BYTES,
  MAX_FILE_NAME_BYTES,
  MAX_INLINE_CHUNK_HASHES,
} from './limits.js'
import { nobleFileCipher, type FileCipher, type FileHasher } from './cipher.js'
import { openChunk, sealChunk } from './stream.js'

export type { FileManifest } from '../wire/pb/wire.js'

/** Chunks a file of `size` bytes makes: an empty file is one empty final chunk. */
export function chunkCount(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_FILE_BYTES) {
    throw new InvalidManifestError(`file size ${size} outside 0..${MAX_FILE_BYTES}`)
  }
  return Math.max(1, Math.ceil(size / CHUNK_BYTES))
}

/** Plaintext bytes of chunk `index` of a file of `size` bytes. */
export function chunkPlainLength(size: number, index: number): number {
  const n = chunkCount(size)
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new ChunkRangeError(`chunk ${index} outside a file of ${n} chunks`)
  }
  return index < n - 1 ? CHUNK_BYTES : size - (n - 1) * CHUNK_BYTES
}

/** Sealed bytes of chunk `index` (plaintext + tag). */
export function sealedLength(size: number, index: number): number {
  return chunkPlainLength(size, index) + CHUNK_TAG_BYTES
}

const utf8 = new TextEncoder()

/**
 * Checks a received manifest against the format's rules; InvalidManifestError names the field.
 * Returns the size as a number (≤ MAX_FILE_BYTES, exact).
 */
export function checkManifest(m: FileManifest): number {
  const bad = (what: string) => new InvalidManifestError(`manifest ${what}`)
  if (m.fileId.length !== FILE_ID_BYTES) throw bad(`fileId: expected ${FILE_ID_BYTES} bytes`)
  if (m.key.length !== FILE_KEY_BYTES) throw bad(`key: expected ${FILE_KEY_BYTES} bytes`)
  if (m.sha256.length !== FILE_HASH_BYTES) throw bad(`sha256: expected ${FILE_HASH_BYTES} bytes`)
  if (m.size > BigInt(MAX_FILE_BYTES)) throw bad(`size over MAX_FILE_BYTES (${MAX_FILE_BYTES})`)
  const size = Number(m.size)
  if (m.chunkSize !== CHUNK_BYTES) throw bad(`chunkSize: expected ${CHUNK_BYTES}`)
  const count = chunkCount(size)
  if (m.chunkHashRoot.length === 0) {
    // Hashes inline: every one of them, and only for a file small enough to carry them.
    if (m.chunkHashes.length > MAX_INLINE_CHUNK_HASHES) {
      throw bad('chunkHashes over MAX_INLINE_CHUNK_HASHES')
    }
    if (m.chunkHashes.length !== count) throw bad('chunkHashes: wrong count for size')
    for (const h of m.chunkHashes) {
      if (h.length !== FILE_HASH_BYTES) throw bad(`chunkHashes: expected ${FILE_HASH_BYTES} bytes`)
    }
  } else {
    // A root instead (docs/files.md "Hash list"): no inline hash, any count (the list is fetched).
    if (m.chunkHashRoot.length !== FILE_HASH_BYTES) {
      throw bad(`chunkHashRoot: expected ${FILE_HASH_BYTES} bytes`)
    }
    if (m.chunkHashes.length !== 0) throw bad('both chunkHashes and chunkHashRoot')
  }
  if (utf8.encode(m.name).length > MAX_FILE_NAME_BYTES) throw bad('name over MAX_FILE_NAME_BYTES')
  if (utf8.encode(m.mime).length > MAX_FILE_NAME_BYTES) throw bad('mime over MAX_FILE_NAME_BYTES')
  return size
}

/** Domain separation of the hash-list root: a root can never equal another SHA-256 of ours. */
const HASH_LIST_DOMAIN = utf8.encode('kith/file/hash-list/1')

/**
 * The root of a chunk-hash list: SHA-256("kith/file/hash-list/1" ‖ h₀ ‖ h₁ ‖ …). A flat hash,
 * not a tree (BLAKE3/bao as in iroh-blobs): the list is at most MAX_HASH_LIST_BYTES (512 KiB),
 * fetched whole once and verified before any chunk, so a tree's verified ranges would buy
 * nothing; the chunk hashes already are the tree's lower level (root → list → chunks), and
 * SHA-256 is native on Node where BLAKE3 is not.
 */
export function hashListRoot(list: Uint8Array, cipher: FileCipher = nobleFileCipher): Uint8Array {
  const h = cipher.hasher()
  h.update(HASH_LIST_DOMAIN)
  h.update(list)
  return h.digest()
}

/** Whether the manifest carries a root instead of its chunk hashes (the list is fetched). */
export function needsHashList(m: FileManifest): boolean {
  return m.chunkHashRoot.length > 0 && m.chunkHashes.length === 0
}

/**
 * The manifest with the chunk hashes of `list` filled in, once `list` is exactly the file's
 * chunk count × 32 bytes and hashes to the manifest's root (HashListError otherwise): every
 * other rule (verifyChunk, openFileChunk) then reads `chunkHashes` as for a small file. The
 * manifest must have passed checkManifest.
 */
export function withHashList(
  m: FileManifest,
  list: Uint8Array,
  cipher: FileCipher = nobleFileCipher,
): FileManifest {
  const count = chunkCount(Number(m.size))
  if (list.length !== count * FILE_HASH_BYTES) {
    throw new HashListError(
      `hash list of ${list.length} bytes, expected ${count * FILE_HASH_BYTES}`,
    )
  }
  if (!equalBytes(hashListRoot(list, cipher), m.chunkHashRoot)) {
    throw new HashListError("hash list differs from the manifest's root")
  }
  const chunkHashes: Uint8Array<ArrayBuffer>[] = []
  for (let i = 0; i < count; i++) {
    chunkHashes.push(Uint8Array.from(list.subarray(i * FILE_HASH_BYTES, (i + 1) * FILE_HASH_BYTES)))
  }
  return { ...m, chunkHashes }
}

/** The concatenated chunk hashes of a resolved manifest (what a source serves by its root). */
export function hashListOf(m: FileManifest): Uint8Array {
  const out = new Uint8Array(m.chunkHashes.length * FILE_HASH_BYTES)
  m.chunkHashes.forEach((h, i) => out.set(h, i * FILE_HASH_BYTES))
  return out
}

/** The check a chunk from any source passes before it is written: right length for its index,
 *  and the SHA-256 the manifest lists (ChunkRangeError, ChunkHashError). */
export function verifyChunk(
  m: FileManifest,
  index: number,
  sealed: Uint8Array,
  cipher: FileCipher = nobleFileCipher,
): void {
  if (needsHashList(m)) throw new HashListError('the hash list is not held yet')
  const want = sealedLength(Number(m.size), index)
  if (sealed.length !== want) {
    throw new ChunkRangeError(`chunk ${index}: ${sealed.length} bytes, expected ${want}`)
  }
  if (!equalBytes(cipher.sha256(sealed), m.chunkHashes[index] ?? new Uint8Array(0))) {
    throw new ChunkHashError(`chunk ${index}: hash differs from the manifest's`)
  }
}

/** Opens verified chunk `index` of the file the manifest describes. */
export function openFileChunk(
  m: FileManifest,
  index: number,
  sealed: Uint8Array,
  cipher: FileCipher = nobleFileCipher,
): Uint8Array {
  verifyChunk(m, index, sealed, cipher)
  const final = index === chunkCount(Number(m.size)) - 1
  return openChunk(m.key, m.fileId, index, final, sealed, cipher)
}

/**
 * Seals a file chunk by chunk as its bytes arrive (`push` exactly CHUNK_BYTES each time but the
 * last; `finish` with the rest), collecting the chunk hashes and the plaintext's SHA-256. The
 * caller writes each sealed chunk out; nothing of the file stays in memory.
 */
export class FileSealer {
  readonly #key: Uint8Array
  readonly #fileId: Uint8Array
  readonly #size: number
  readonly #count: number
  readonly #hashes: Uint8Array<ArrayBuffer>[] = []
  readonly #cipher: FileCipher
  readonly #digest: FileHasher
  readonly #inlineMax: number
  #sealed = 0

  constructor(
    key: Uint8Array,
    fileId: Uint8Array,
    size: number,
    cipher: FileCipher = nobleFileCipher,
    /** Most hashes carried inline (tests lower it to exercise the hash list on small files). */
    inlineMax: number = MAX_INLINE_CHUNK_HASHES,
  ) {
    this.#inlineMax = Math.min(inlineMax, MAX_INLINE_CHUNK_HASHES)
    this.#cipher = cipher
    this.#digest = cipher.hasher()
    this.#key = key
    this.#fileId = fileId
    this.#size = size
    this.#count = chunkCount(size)
  }

  get count(): number {
    return this.#count
  }

  /** Seals the next chunk (its index is the number sealed so far). */
  next(plaintext: Uint8Array): Uint8Array {
    const index = this.#sealed
    if (index >= this.#count) throw new ChunkRangeError('more chunks than the size makes')
    if (plaintext.length !== chunkPlainLength(this.#size, index)) {
      throw new ChunkRangeError(`chunk ${index}: wrong plaintext length`)
    }
    const final = index === this.#count - 1
    const sealed = sealChunk(this.#key, this.#fileId, index, final, plaintext, this.#cipher)
    this.#digest.update(plaintext)
    this.#hashes.push(Uint8Array.from(this.#cipher.sha256(sealed)))
    this.#sealed++
    return sealed
  }

  /** The full manifest, once every chunk was sealed: every chunk hash filled in, and the root of
   *  their list when there are more than MAX_INLINE_CHUNK_HASHES (wireManifest drops them). */
  manifest(name: string, mime: string): FileManifest {
    if (this.#sealed !== this.#count) throw new ChunkRangeError('not every chunk was sealed')
    const m: FileManifest = {
      fileId: Uint8Array.from(this.#fileId),
      name,
      size: BigInt(this.#size),
      chunkSize: CHUNK_BYTES,
      chunkHashes: this.#hashes,
      key: Uint8Array.from(this.#key),
      sha256: Uint8Array.from(this.#digest.digest()),
      mime,
      chunkHashRoot: new Uint8Array(0),
    }
    if (this.#count <= this.#inlineMax) return m
    return { ...m, chunkHashRoot: Uint8Array.from(hashListRoot(hashListOf(m), this.#cipher)) }
  }
}

/** What travels (and is stored): the manifest without its chunk hashes when it has a root. */
export function wireManifest(m: FileManifest): FileManifest {
  return m.chunkHashRoot.length > 0 ? { ...m, chunkHashes: [] } : m
}

/** Checks the plaintext digest a reader computed over every opened chunk (FileDigestError). */
export function checkDigest(m: FileManifest, digest: Uint8Array): void {
  if (!equalBytes(digest, m.sha256)) throw new FileDigestError('file digest differs from manifest')
}
