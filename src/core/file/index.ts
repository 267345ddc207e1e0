// The file format (docs/files.md): limits, the chunk AEAD (STREAM over XChaCha20-Poly1305) and
// the manifest rules. Explicit export list (STYLE.md).
export {
  CHUNK_BYTES,
  CHUNK_TAG_BYTES,
  FILE_HASH_BYTES,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  HASH_LIST_PART_BYTES,
  MAX_FILE_BYTES,
  MAX_FILE_CHUNKS,
  MAX_FILE_NAME_BYTES,
  MAX_HASH_LIST_BYTES,
  MAX_INLINE_CHUNK_HASHES,
  MAX_SEALED_CHUNK_BYTES,
} from './limits.js'
export {
  ChunkAuthError,
  ChunkHashError,
  ChunkRangeError,
  FileDigestError,
  HashListError,
  InvalidManifestError,
} from './errors.js'
export { chunkNonce, openChunk, sealChunk } from './stream.js'
export { nobleFileCipher, type FileCipher, type FileHasher } from './cipher.js'
export {
  checkDigest,
  checkManifest,
  chunkCount,
  chunkPlainLength,
  FileSealer,
  hashListOf,
  hashListRoot,
  needsHashList,
  openFileChunk,
  sealedLength,
  verifyChunk,
  wireManifest,
  withHashList,
  type FileManifest,
} from './manifest.js'
export { MIME_SNIFF_BYTES, sniffMime } from './mime.js'
