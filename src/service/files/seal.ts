// Sealing a file to send (docs/files.md "Format"): read from disk CHUNK_BYTES at a time, sealed
// by the core's FileSealer under a fresh key and id, each sealed chunk written to its slot in the
// chunk store. Never the whole file in memory; the key is zeroed once the manifest holds its copy.
// It knows nothing of messages or peers.
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { toHex } from '../../core/index.js'
import type { Rng } from '../../core/index.js'
import {
  CHUNK_BYTES,
  chunkPlainLength,
  FILE_ID_BYTES,
  FILE_KEY_BYTES,
  FileSealer,
  hashListOf,
  MAX_FILE_BYTES,
  MIME_SNIFF_BYTES,
  sniffMime,
  type FileManifest,
} from '../../core/index.js'
import { nodeFileCipher } from '../../platform/file-cipher.js'
import { openChunks, writeChunk } from './disk.js'
import { FileTooLargeError, FileUnreadableError } from './errors.js'
import { hashListPath, writeHashList } from './hashlist.js'

/** Seals `path` into `chunksPath(fileId)`; FileUnreadable, FileTooLarge, FileWrite.
 *  `progress` sees the plaintext bytes sealed so far after each chunk. The manifest returned is
 *  the full one (every chunk hash); over MAX_INLINE_CHUNK_HASHES chunks it also has the root,
 *  and the list is written beside the chunks (./hashlist.ts): send `wireManifest` of it. */
export async function sealFile(
  path: string,
  rng: Rng,
  chunksPath: (fileId: string) => string,
  progress?: (fileId: string, done: number, size: number) => void,
  inlineMax?: number,
): Promise<{ fileId: string; manifest: FileManifest; size: number }> {
  const st = await stat(path).catch(() => undefined)
  if (st === undefined) throw new FileUnreadableError('cannot read that path')
  if (!st.isFile()) throw new FileUnreadableError('not a regular file')
  if (st.size > MAX_FILE_BYTES) {
    throw new FileTooLargeError(`${st.size} bytes is over the limit of ${MAX_FILE_BYTES}`)
  }
  const fileIdBytes = rng(FILE_ID_BYTES)
  const key = rng(FILE_KEY_BYTES)
  const fileId = toHex(fileIdBytes)
  const sealer = new FileSealer(key, fileIdBytes, st.size, nodeFileCipher, inlineMax)
  const src = await open(path, 'r').catch(() => {
    throw new FileUnreadableError('cannot read that path')
  })
  let manifest: FileManifest
  let mime = ''
  try {
    const dst = await openChunks(chunksPath(fileId))
    try {
      for (let i = 0; i < sealer.count; i++) {
        const want = chunkPlainLength(st.size, i)
        const buf = new Uint8Array(want)
        let off = 0
        while (off < want) {
          const { bytesRead } = await src.read(buf, off, want - off, null)
          if (bytesRead === 0) throw new FileUnreadableError('the file shrank while being read')
          off += bytesRead
        }
        if (i === 0) mime = sniffMime(buf.subarray(0, MIME_SNIFF_BYTES), basename(path))
        await writeChunk(dst, i, sealer.next(buf))
        progress?.(fileId, Math.min(st.size, (i + 1) * CHUNK_BYTES), st.size)
      }
      manifest = sealer.manifest(basename(path), mime) // copies the key
      if (manifest.chunkHashRoot.length > 0) {
        await writeHashList(hashListPath(chunksPath(fileId)), hashListOf(manifest))
      }
    } finally {
      await dst.close()
    }
  } finally {
    await src.close()
    key.fill(0)
  }
  return { fileId, manifest, size: st.size }
}
