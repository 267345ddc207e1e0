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
import { ChunkHashError, ChunkRangeError, FileDigestError, InvalidManifestError } from './errors.js'
import {
  CHUNK_BYTES,
  CHUNK_TAG_BYTES,
  FILE_HASH_BYTES,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  MAX_FILE_BYTES,
  MAX_FILE_CHUNKS,
  MAX_FILE_NAME_BYTES,
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
  if (m.chunkHashes.length > MAX_FILE_CHUNKS) throw bad(`chunkHashes over MAX_FILE_CHUNKS`)
  if (m.chunkHashes.length !== chunkCount(size)) throw bad('chunkHashes: wrong count for size')
  for (const h of m.chunkHashes) {
    if (h.length !== FILE_HASH_BYTES) throw bad(`chunkHashes: expected ${FILE_HASH_BYTES} bytes`)
  }
  if (utf8.encode(m.name).length > MAX_FILE_NAME_BYTES) throw bad('name over MAX_FILE_NAME_BYTES')
  if (utf8.encode(m.mime).length > MAX_FILE_NAME_BYTES) throw bad('mime over MAX_FILE_NAME_BYTES')
  return size
}

/** The check a chunk from any source passes before it is written: right length for its index,
 *  and the SHA-256 the manifest lists (ChunkRangeError, ChunkHashError). */
export function verifyChunk(
  m: FileManifest,
  index: number,
  sealed: Uint8Array,
  cipher: FileCipher = nobleFileCipher,
): void {
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
  const final = index === m.chunkHashes.length - 1
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
  #sealed = 0

  constructor(
    key: Uint8Array,
    fileId: Uint8Array,
    size: number,
    cipher: FileCipher = nobleFileCipher,
  ) {
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

  /** The manifest, once every chunk was sealed. */
  manifest(name: string, mime: string): FileManifest {
    if (this.#sealed !== this.#count) throw new ChunkRangeError('not every chunk was sealed')
    return {
      fileId: Uint8Array.from(this.#fileId),
      name,
      size: BigInt(this.#size),
      chunkSize: CHUNK_BYTES,
      chunkHashes: this.#hashes,
      key: Uint8Array.from(this.#key),
      sha256: Uint8Array.from(this.#digest.digest()),
      mime,
    }
  }
}

/** Checks the plaintext digest a reader computed over every opened chunk (FileDigestError). */
export function checkDigest(m: FileManifest, digest: Uint8Array): void {
  if (!equalBytes(digest, m.sha256)) throw new FileDigestError('file digest differs from manifest')
}
