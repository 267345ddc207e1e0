// Named limits of the file format (docs/files.md "Limits"; STYLE.md §5). Each is tested at MAX+1
// in test/core/file/. The node's frame limits (src/node/file/limits.ts) derive from these.

/** Plaintext bytes per chunk (the last chunk may be shorter, or empty for an empty file).
 *  256 KiB: large enough that the per-chunk costs (a 16-byte tag, a 32-byte hash in the manifest,
 *  one protobuf frame, one fsync'd write) stay under 0.1 % and a libp2p stream moves at full
 *  speed; small enough that a chunk is a cheap unit to refetch from another source after a bad
 *  hash, that a relayed connection's 128 KiB-class allowance is exceeded by few bytes per
 *  request, and that yamux's 4 MiB unread-data limit holds many chunks in flight. */
export const CHUNK_BYTES = 256 * 1024
/** The Poly1305 tag each sealed chunk carries (XChaCha20-Poly1305, RFC 8439 §2.8). */
export const CHUNK_TAG_BYTES = 16
/** Largest sealed chunk on the wire and on disk. */
export const MAX_SEALED_CHUNK_BYTES = CHUNK_BYTES + CHUNK_TAG_BYTES
/** A file id: 16 random bytes (hex in JSON and the CLI). Fixed length, not a limit. */
export const FILE_ID_BYTES = 16
/** The per-file key (XChaCha20-Poly1305) and every hash (SHA-256). Fixed lengths. */
export const FILE_KEY_BYTES = 32
export const FILE_HASH_BYTES = 32
/** Chunk hashes a manifest carries inline. Every inline hash travels inside the manifest, which
 *  is one chat message (MAX_CHAT_CONTENT_BYTES, 64 KiB, holds about 1,900 framed hashes): 1,024
 *  hashes (34 KiB) leave room for the name, type and ids. A file of more chunks (over 256 MiB)
 *  carries the ROOT of its hash list instead (chunk_hash_root), and the receiver fetches the list
 *  itself (docs/files.md "Hash list"). */
export const MAX_INLINE_CHUNK_HASHES = 1024
/** Largest file: 4 GiB, issue 15's limit (XFTP's is 1 GB). Its 16,384 chunks index with a u32
 *  and its chunk store (≈ 4 GiB + 256 KiB of tags) fits a JS safe-integer offset easily. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024 * 1024
/** Chunks one file may have: MAX_FILE_BYTES in full chunks (16,384). */
export const MAX_FILE_CHUNKS = MAX_FILE_BYTES / CHUNK_BYTES
/** Largest chunk-hash list (fetched by its root): MAX_FILE_CHUNKS × 32 bytes = 512 KiB. Fetched
 *  whole, once, before any chunk, and kept on disk beside the partial file; anything longer is
 *  refused before it is buffered. */
export const MAX_HASH_LIST_BYTES = MAX_FILE_CHUNKS * FILE_HASH_BYTES
/** A hash list travels in parts of this many bytes (8,192 hashes), one /kith/file frame each: a
 *  part fits the chunk frame (MAX_SEALED_CHUNK_BYTES), so no new frame limit; a 4 GiB file's list
 *  is two parts. */
export const HASH_LIST_PART_BYTES = CHUNK_BYTES
/** UTF-8 bytes of a file name or media type in a manifest (the wire's MAX_NAME_BYTES). */
export const MAX_FILE_NAME_BYTES = 256
