// What this node holds of each file on disk (docs/files.md "Chunk store"): where a file's sealed
// chunks live (KITH_HOME/files/<fileId>.chunks), its manifest with every chunk hash (a large file's
// hash list read from disk once), and which chunks are verified — loaded on demand and cached in
// memory. It knows nothing of sending, downloading or serving, nor of the store (rows are handed in).
import { join } from 'node:path'
import { chunkCount, chunkPlainLength, type FileManifest } from '../../core/index.js'
import { FileManifest as FileManifestCodec } from '../../core/index.js'
import type { FileRow } from '../../store/files.js'
import { verifiedChunks } from './disk.js'
import { resolveManifest } from './hashlist.js'

export const decodeManifest = (b: Uint8Array): FileManifest => FileManifestCodec.decode(b)

export class ChunkState {
  readonly #dir: string
  /** Verified chunks of incoming files not yet complete, by file id (loaded on demand). */
  readonly #have = new Map<string, boolean[]>()
  /** Manifests with their chunk hashes filled in (a large file's list read from disk once). */
  readonly #resolved = new Map<string, FileManifest>()

  /** `dir`: KITH_HOME/files. */
  constructor(dir: string) {
    this.#dir = dir
  }

  path(fileId: string): string {
    return join(this.#dir, `${fileId}.chunks`)
  }

  /** A manifest known whole (sealed here, or its hash list fetched). */
  setResolved(fileId: string, m: FileManifest): void {
    this.#resolved.set(fileId, m)
  }

  /** Forgets a cancelled file's cached state. */
  forget(fileId: string): void {
    this.#have.delete(fileId)
    this.#resolved.delete(fileId)
  }

  /** The row's manifest with every chunk hash (undefined: a large file's list not held yet). */
  async resolve(r: FileRow): Promise<FileManifest | undefined> {
    const known = this.#resolved.get(r.fileId)
    if (known !== undefined) return known
    const m = await resolveManifest(decodeManifest(r.manifest), this.path(r.fileId))
    if (m !== undefined) this.#resolved.set(r.fileId, m)
    return m
  }

  /** Which chunks of `r` are verified on disk (the array a download mutates). */
  async have(r: FileRow): Promise<boolean[]> {
    let have = this.#have.get(r.fileId)
    if (have === undefined) {
      const m = await this.resolve(r)
      // No hash list yet: nothing can have verified (the list is fetched before any chunk).
      if (m === undefined) return new Array<boolean>(chunkCount(r.size)).fill(false)
      have = await verifiedChunks(this.path(r.fileId), m)
      // Another call may have loaded it meanwhile: keep the first (a download mutates it).
      have = this.#have.get(r.fileId) ?? have
      this.#have.set(r.fileId, have)
    }
    return have
  }

  /** The verified plaintext bytes held of `r`. */
  async haveBytes(r: FileRow): Promise<number> {
    if (r.direction === 'out' || r.state === 'done') return r.size
    if (r.state === 'cancelled') return 0
    const have = await this.have(r)
    return have.reduce((s, h, i) => (h ? s + chunkPlainLength(r.size, i) : s), 0)
  }
}
