// Files on disk (docs/files.md "On disk"): the sealed chunks of one file in one sparse file,
// chunk i at offset i × MAX_SEALED_CHUNK_BYTES, so chunks land in any order and a restart finds
// them where they were; what is there counts only once it hashes to the manifest's value (a torn
// write after kill -9 simply fails the check and is fetched again). Sealed chunks are ciphertext:
// the partial state is encrypted at rest without a key of its own. Also the finished file: opened
// chunk by chunk into a temporary file beside the target, its SHA-256 checked, then linked to a
// sanitised name that never overwrites (" (1)", " (2)", …). It knows nothing of peers or SQL.
import { constants } from 'node:fs'
import { link, mkdir, open, stat, unlink, type FileHandle } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import {
  checkDigest,
  chunkCount,
  MAX_SEALED_CHUNK_BYTES,
  openFileChunk,
  sealedLength,
  verifyChunk,
} from '../../core/index.js'
import type { FileManifest } from '../../core/index.js'
import { nodeFileCipher } from '../../platform/file-cipher.js'
import { FileWriteError } from './errors.js'

/** Names tried with " (n)" before giving up on a free name. */
export const MAX_NAME_SUFFIX = 1000
/** Longest sanitised name, in UTF-16 units (most filesystems take 255 bytes). */
export const MAX_SAFE_NAME_CHARS = 120

const slot = (index: number): number => index * MAX_SEALED_CHUNK_BYTES

/** Opens (creating, 0600) the chunk file at `path` for positional reads and writes. */
export async function openChunks(path: string): Promise<FileHandle> {
  try {
    return await open(path, constants.O_RDWR | constants.O_CREAT, 0o600)
  } catch (err) {
    throw new FileWriteError(`cannot open chunk store: ${(err as NodeJS.ErrnoException).code}`)
  }
}

export async function readChunk(fh: FileHandle, length: number, index: number) {
  const buf = new Uint8Array(length)
  const { bytesRead } = await fh.read(buf, 0, length, slot(index))
  return bytesRead === length ? buf : undefined
}

export async function writeChunk(fh: FileHandle, index: number, data: Uint8Array): Promise<void> {
  try {
    await fh.write(data, 0, data.length, slot(index))
  } catch (err) {
    throw new FileWriteError(`cannot write a chunk: ${(err as NodeJS.ErrnoException).code}`)
  }
}

/** Which chunks on disk hash to the manifest's values (a restart's resume point). */
export async function verifiedChunks(path: string, m: FileManifest): Promise<boolean[]> {
  const n = chunkCount(Number(m.size))
  const have = new Array<boolean>(n).fill(false)
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch {
    return have
  }
  try {
    for (let i = 0; i < n; i++) {
      const data = await readChunk(fh, sealedLength(Number(m.size), i), i)
      if (data === undefined) continue
      try {
        verifyChunk(m, i, data, nodeFileCipher)
        have[i] = true
      } catch {
        // torn or foreign bytes: fetched again
      }
    }
  } finally {
    await fh.close()
  }
  return have
}

/** A file name safe to create: no directories, no control or bidi characters, no dot files,
 *  bounded length; "file" when nothing is left. */
export function safeName(name: string): string {
  let s = basename(name.replace(/\\/g, '/'))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[/:*?"<>|]/g, '_')
    .trim()
  s = s.replace(/^\.+/, '')
  if (s.length > MAX_SAFE_NAME_CHARS) {
    const ext = extname(s).slice(0, 16)
    s = s.slice(0, MAX_SAFE_NAME_CHARS - ext.length) + ext
  }
  return s.length === 0 ? 'file' : s
}

/** `name`, `name (1)`, `name (2)`, … (the suffix before the extension). */
function candidate(name: string, n: number): string {
  if (n === 0) return name
  const ext = extname(name)
  return `${name.slice(0, name.length - ext.length)} (${n})${ext}`
}

/**
 * Opens every chunk into a temporary file in the target's directory, checks the SHA-256, and
 * links it to the first free name (link(2) fails rather than overwrite: atomic, no clobbering).
 * `out`: an existing directory (the name goes inside) or a file path. Returns the path.
 */
export async function writeOut(
  chunksPath: string,
  m: FileManifest,
  fileIdHex: string,
  out: string,
): Promise<string> {
  let dir = out
  let name = safeName(m.name)
  const st = await stat(out).catch(() => undefined)
  if (st === undefined || !st.isDirectory()) {
    dir = join(out, '..')
    name = safeName(basename(out))
  }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const tmp = join(dir, `.kith-${fileIdHex}.part`)
  const src = await open(chunksPath, 'r')
  let dst: FileHandle | undefined
  try {
    dst = await open(tmp, 'w', 0o600)
    const digest = nodeFileCipher.hasher()
    const n = chunkCount(Number(m.size))
    for (let i = 0; i < n; i++) {
      const sealed = await readChunk(src, sealedLength(Number(m.size), i), i)
      if (sealed === undefined) throw new FileWriteError(`chunk ${i} is missing on disk`)
      const plain = openFileChunk(m, i, sealed, nodeFileCipher)
      digest.update(plain)
      await dst.write(plain)
    }
    checkDigest(m, digest.digest())
    await dst.sync()
    await dst.close()
    dst = undefined
    for (let k = 0; k < MAX_NAME_SUFFIX; k++) {
      const path = join(dir, candidate(name, k))
      try {
        await link(tmp, path)
        return path
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
    }
    throw new FileWriteError('no free file name')
  } catch (err) {
    // fs errors (ENOSPC, EACCES…) become one typed error naming the code, never the path.
    const code = (err as NodeJS.ErrnoException).code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new FileWriteError(`cannot write the file: ${code}`)
    }
    throw err
  } finally {
    await src.close()
    await dst?.close()
    await unlink(tmp).catch(() => undefined)
  }
}
