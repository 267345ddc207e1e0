// The chunk AEAD of a file (docs/files.md "Format"): the STREAM construction of Hoang,
// Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
// Misuse-Resistance" (CRYPTO 2015, §7), with XChaCha20-Poly1305 as the AEAD, modelled on
// libsodium's crypto_secretstream_xchacha20poly1305 (src/libsodium/crypto_secretstream/
// xchacha20poly1305/secretstream_xchacha20poly1305.c): a per-stream key, a counter in the nonce
// and a TAG_FINAL on the last message, so chunks cannot be reordered, dropped at the end or
// spliced in from another file. Unlike secretstream, whose state ratchets message by message,
// every chunk here is sealed under a nonce computed from its index: chunks are fetched out of
// order from several sources and verified one by one, so none may depend on its predecessor.
//
// This module owns the nonce and associated data layout. It knows nothing of manifests, disks or
// peers. Pure: no fs, no network, no randomness of its own (the caller passes the key).
import { nobleFileCipher, type FileCipher } from './cipher.js'
import { ChunkAuthError, ChunkRangeError } from './errors.js'
import {
  CHUNK_BYTES,
  CHUNK_TAG_BYTES,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  MAX_FILE_CHUNKS,
} from './limits.js'

/** Domain separation of the associated data: format name and version. */
const AD_PREFIX = new TextEncoder().encode('kith/file/1')
/** The XChaCha20 nonce: 24 bytes. */
const NONCE_BYTES = 24

/**
 * nonce = file id (16) ‖ index (u32 big-endian) ‖ final (1 byte: 0 or 1) ‖ 0x000000.
 * STREAM §7: nonce = prefix ‖ counter ‖ last-block flag; the prefix is the file id, the counter
 * the chunk index (libsodium secretstream's 4-byte COUNTERBYTES), the flag its TAG_FINAL.
 */
export function chunkNonce(fileId: Uint8Array, index: number, final: boolean): Uint8Array {
  checkIds(fileId, index)
  const n = new Uint8Array(NONCE_BYTES)
  n.set(fileId, 0)
  new DataView(n.buffer).setUint32(FILE_ID_BYTES, index, false)
  n[FILE_ID_BYTES + 4] = final ? 1 : 0
  return n
}

/** AD = "kith/file/1" ‖ nonce: the index and final flag are authenticated twice over (nonce and
 *  AD), so a reader that mixes up its nonce arithmetic still cannot accept a moved chunk. */
function chunkAd(nonce: Uint8Array): Uint8Array {
  const ad = new Uint8Array(AD_PREFIX.length + nonce.length)
  ad.set(AD_PREFIX, 0)
  ad.set(nonce, AD_PREFIX.length)
  return ad
}

function checkIds(fileId: Uint8Array, index: number): void {
  if (!(fileId instanceof Uint8Array) || fileId.length !== FILE_ID_BYTES) {
    throw new TypeError(`fileId: expected ${FILE_ID_BYTES} bytes`)
  }
  if (!Number.isInteger(index) || index < 0 || index >= MAX_FILE_CHUNKS) {
    throw new ChunkRangeError(`chunk index ${index} outside 0..${MAX_FILE_CHUNKS - 1}`)
  }
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== FILE_KEY_BYTES) {
    throw new TypeError(`key: expected ${FILE_KEY_BYTES} bytes`)
  }
}

/** Seals one chunk (≤ CHUNK_BYTES of plaintext); `final` marks the file's last chunk. */
export function sealChunk(
  key: Uint8Array,
  fileId: Uint8Array,
  index: number,
  final: boolean,
  plaintext: Uint8Array,
  cipher: FileCipher = nobleFileCipher,
): Uint8Array {
  checkKey(key)
  if (plaintext.length > CHUNK_BYTES) {
    throw new ChunkRangeError(`chunk of ${plaintext.length} bytes over CHUNK_BYTES`)
  }
  if (!final && plaintext.length !== CHUNK_BYTES) {
    throw new ChunkRangeError('only the final chunk may be shorter than CHUNK_BYTES')
  }
  const nonce = chunkNonce(fileId, index, final)
  return cipher.seal(key, nonce, chunkAd(nonce), plaintext)
}

/** Opens one sealed chunk. ChunkAuthError when it does not authenticate as chunk `index` (with
 *  this final flag) of this file under this key; ChunkRangeError for an impossible length. */
export function openChunk(
  key: Uint8Array,
  fileId: Uint8Array,
  index: number,
  final: boolean,
  sealed: Uint8Array,
  cipher: FileCipher = nobleFileCipher,
): Uint8Array {
  checkKey(key)
  if (sealed.length < CHUNK_TAG_BYTES || sealed.length > CHUNK_BYTES + CHUNK_TAG_BYTES) {
    throw new ChunkRangeError(`sealed chunk of ${sealed.length} bytes`)
  }
  const nonce = chunkNonce(fileId, index, final)
  const plain = cipher.open(key, nonce, chunkAd(nonce), sealed)
  if (plain === undefined) throw new ChunkAuthError(`chunk ${index} does not authenticate`)
  return plain
}
