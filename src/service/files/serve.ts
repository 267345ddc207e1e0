// What the node asks before it serves /kith/file (src/node/file/): who may ask at all (a contact
// or a group co-member, not blocked: a stranger is refused before its request is read), who is
// entitled to which file (the 1:1 conversation's peer; a group file's current members), and the
// sealed chunks we hold — all of a file we sent or finished, only the verified ones of a file
// still coming. It knows nothing of downloads or messages.
import { open } from 'node:fs/promises'
import { FILE_ID_BYTES, sealedLength, toHex } from '../../core/index.js'
import type { FileServeHandler } from '../../node/index.js'
import type { FileRow } from '../../store/files.js'
import type { NodeStore } from '../../store/types.js'
import { readChunk } from './disk.js'

/** What serving uses (a narrow port): the store, and what the files module knows of a file. */
export interface ServeContext {
  store: NodeStore
  /** A group file's current members other than us ([] for a 1:1 file). */
  members(r: FileRow): string[]
  /** Verified chunks of an incoming file not yet complete. */
  have(r: FileRow): Promise<boolean[]>
  chunksPath(fileId: string): string
  /** A large file's chunk-hash list held beside its chunks (../hashlist.ts), if any. */
  hashList(r: FileRow): Promise<Uint8Array | undefined>
}

export function serveHandler(cx: ServeContext): FileServeHandler {
  const { store } = cx
  const rowFor = (fileId: Uint8Array) => {
    const r = fileId.length === FILE_ID_BYTES ? store.files.get(toHex(fileId)) : undefined
    return r?.state === 'cancelled' ? undefined : r
  }
  return {
    allowPeer: (peer) =>
      !store.trust.isBlocked(peer) &&
      (store.getContact(peer) !== undefined ||
        store.groups.listGroups().some((g) => g.members.includes(peer))),
    // Non-negotiable 3: a stranger gets nothing; a contact only its conversations' files.
    entitled: (peer, fileId) => {
      const r = rowFor(fileId)
      return r !== undefined && (r.conversation === peer || cx.members(r).includes(peer))
    },
    chunk: async (fileId, index) => {
      const r = rowFor(fileId)
      if (r === undefined) return undefined
      let length: number
      try {
        length = sealedLength(r.size, index)
      } catch {
        return undefined // outside the file
      }
      if (r.direction === 'in' && r.state !== 'done' && (await cx.have(r))[index] !== true) {
        return undefined
      }
      const fh = await open(cx.chunksPath(r.fileId), 'r').catch(() => undefined)
      if (fh === undefined) return undefined
      try {
        return await readChunk(fh, length, index)
      } finally {
        await fh.close()
      }
    },
    // Written only once it matched the root (or by our own sealer): served as it is.
    hashList: async (fileId) => {
      const r = rowFor(fileId)
      return r === undefined ? undefined : await cx.hashList(r)
    },
  }
}
