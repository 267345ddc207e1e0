// The chunk-hash list of a large file (docs/files.md "Hash list"): a manifest of more than
// MAX_INLINE_CHUNK_HASHES chunks carries only the list's root; the list is kept on disk beside
// the chunk store (KITH_HOME/files/<fileId>.hashes, 0600, written atomically), fetched over
// /kith/file from the first source that has it (never a file box: it holds chunks only), and
// checked against the root before any chunk is accepted. It knows nothing of SQL or messages.
import { open, readFile, rename, unlink } from 'node:fs/promises'
import {
  chunkCount,
  FILE_HASH_BYTES,
  HASH_LIST_PART_BYTES,
  MAX_HASH_LIST_BYTES,
  needsHashList,
  withHashList,
  type FileManifest,
} from '../../core/index.js'
import type { FileRequest } from '../../node/index.js'
import { nodeFileCipher } from '../../platform/file-cipher.js'
import { FileUnavailableError, FileWriteError } from './errors.js'
import { errorName } from '../../core/errors.js'

/** Where a file's hash list lives, beside its `<fileId>.chunks`. */
export const hashListPath = (chunksPath: string): string =>
  chunksPath.replace(/\.chunks$/, '.hashes')

/** Writes the list atomically (a temporary file, fsync, rename): a crash leaves none or all. */
export async function writeHashList(path: string, list: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`
  try {
    const fh = await open(tmp, 'w', 0o600)
    try {
      await fh.write(list)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw new FileWriteError(`cannot write a hash list: ${(err as NodeJS.ErrnoException).code}`)
  }
}

/** The list on disk, if any (bounded: MAX_HASH_LIST_BYTES); not checked here. */
export async function readHashList(path: string): Promise<Uint8Array | undefined> {
  try {
    const fh = await open(path, 'r')
    try {
      const st = await fh.stat()
      if (st.size > MAX_HASH_LIST_BYTES) return undefined
      return new Uint8Array(await readFile(fh))
    } finally {
      await fh.close()
    }
  } catch {
    return undefined
  }
}

/** The manifest with its chunk hashes filled in from disk (as it is when they are inline), or
 *  undefined while the list is not held (or what is held does not match the root). */
export async function resolveManifest(
  m: FileManifest,
  chunksPath: string,
): Promise<FileManifest | undefined> {
  if (!needsHashList(m)) return m
  const list = await readHashList(hashListPath(chunksPath))
  if (list === undefined) return undefined
  try {
    return withHashList(m, list, nodeFileCipher)
  } catch {
    return undefined
  }
}

export interface HashListFetch {
  fetch(
    peer: string,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => Promise<void>,
  ): Promise<number>
  /** Peers that may hold the list, best first (the sender, then group members). */
  sources: readonly string[]
  signal: AbortSignal
  /** A source whose list failed the root check (counted and skipped, as a bad chunk). */
  onBad(peer: string, errorName: string): void
}

/**
 * Fetches the list of `m` from the first source that sends one hashing to its root, writes it
 * beside the chunks and returns the resolved manifest. FileUnavailableError when none does.
 */
export async function fetchHashList(
  d: HashListFetch,
  m: FileManifest,
  chunksPath: string,
): Promise<FileManifest> {
  const want = chunkCount(Number(m.size)) * FILE_HASH_BYTES
  const parts = Math.ceil(want / HASH_LIST_PART_BYTES)
  for (const peer of d.sources) {
    if (d.signal.aborted) break
    const list = new Uint8Array(want)
    let filled = 0
    try {
      await d.fetch(
        peer,
        { fileId: m.fileId, first: 0, count: parts, hashList: true },
        (i, data) => {
          // Part i must be exactly its slice: nothing past `want` is ever buffered.
          const at = i * HASH_LIST_PART_BYTES
          if (
            at + data.length > want ||
            data.length !== Math.min(HASH_LIST_PART_BYTES, want - at)
          ) {
            return Promise.reject(new FileUnavailableError('hash list part of the wrong length'))
          }
          list.set(data, at)
          filled += data.length
          return Promise.resolve()
        },
      )
      if (filled !== want) continue // this source does not hold it (yet)
      const resolved = withHashList(m, list, nodeFileCipher)
      await writeHashList(hashListPath(chunksPath), list)
      return resolved
    } catch (err) {
      const name = errorName(err)
      if (name === 'FileWrite') throw err
      if (name === 'HashListError' || name === 'FileUnavailable') d.onBad(peer, name)
    }
  }
  throw new FileUnavailableError('no source sent the hash list')
}
