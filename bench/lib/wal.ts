// Reading how far an SQLite write-ahead log has grown, from its file alone (the dm bench's floor,
// ./dm-floor.ts: the WAL frames one transaction appends). It owns the WAL file format's headers
// (sqlite.org/fileformat2.html §4.1) and nothing else; it never opens the database. SQLCipher
// encrypts the pages inside the frames, not the WAL header or the frame headers read here.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/** SQLite's WAL format (sqlite.org/fileformat2.html §4.1): a 32-byte header, then frames of a
 *  24-byte header and one page. */
const WAL_HEADER_BYTES = 32
const WAL_FRAME_HEADER_BYTES = 24

/** Where a WAL stands: its generation's salts and how many frames it holds. */
export interface WalPosition {
  salts: string
  frames: number
}

/**
 * The frames of the current WAL generation in the -wal file at `path` (none when there is no
 * WAL): counted from the start, or from `from` when it is of the same generation, while a frame's
 * salts equal the header's (frames left from before a restart carry older salts). Reads only the
 * frame headers. SQLCipher encrypts the pages, not these headers.
 */
export function walPosition(path: string, from?: WalPosition): WalPosition {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return { salts: '', frames: 0 }
  }
  try {
    const size = fstatSync(fd).size
    if (size < WAL_HEADER_BYTES) return { salts: '', frames: 0 }
    const head = Buffer.alloc(WAL_HEADER_BYTES)
    readSync(fd, head, 0, WAL_HEADER_BYTES, 0)
    const magic = head.readUInt32BE(0)
    if (magic !== 0x377f0682 && magic !== 0x377f0683)
      throw new Error('wal: not a WAL file (bad magic)')
    const pageSize = head.readUInt32BE(8)
    const salts = head.subarray(16, 24).toString('hex')
    const frame = WAL_FRAME_HEADER_BYTES + pageSize
    let frames = from?.salts === salts ? from.frames : 0
    const fh = Buffer.alloc(WAL_FRAME_HEADER_BYTES)
    for (;;) {
      const off = WAL_HEADER_BYTES + frames * frame
      if (off + frame > size) break
      readSync(fd, fh, 0, WAL_FRAME_HEADER_BYTES, off)
      if (fh.subarray(8, 16).toString('hex') !== salts) break
      frames++
    }
    return { salts, frames }
  } finally {
    closeSync(fd)
  }
}

/** WAL frames appended between two positions: a new generation (the WAL restarted, which only
 *  a write transaction's start does) holds only frames written since. */
export function walFramesBetween(before: WalPosition, after: WalPosition): number {
  return after.salts === before.salts ? after.frames - before.frames : after.frames
}
