// Typed errors of the file format: one class per failure, told apart by `.name` (STYLE.md §4).
// Messages never hold key bytes, chunk bytes or plaintext.
import { defineError } from '../errors.js'

/** A sealed chunk did not authenticate under the file's key, index and final flag (reordered,
 *  truncated, spliced from another file, or altered). */
export class ChunkAuthError extends defineError('ChunkAuthError') {}
/** A sealed chunk's SHA-256 is not the one the manifest lists for its index. */
export class ChunkHashError extends defineError('ChunkHashError') {}
/** A chunk of the wrong length for its index, or an index outside the file. */
export class ChunkRangeError extends defineError('ChunkRangeError') {}
/** A manifest that breaks the format's rules or limits (size, chunk count, name, lengths). */
export class InvalidManifestError extends defineError('InvalidManifestError') {}
/** The decrypted file's SHA-256 is not the manifest's (a sender's inconsistent manifest). */
export class FileDigestError extends defineError('FileDigestError') {}
/** A fetched chunk-hash list of the wrong length or whose root is not the manifest's (or a chunk
 *  checked against a manifest whose list is not held yet). */
export class HashListError extends defineError('HashListError') {}
