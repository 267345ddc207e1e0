// One file's download run (docs/files.md "Fetching"): a large file's chunk-hash list first
// (./hashlist.ts, from a peer: never a file box), then the missing chunks from every source at
// once (./download.ts) — the sender, our own mailboxes for a 1:1 file (./deposit.ts put them
// there), the group's other members — with the row's state and progress events kept current.
// It owns no state of its own: the caller (./index.ts) hands in the row, the resolved manifest
// (if held), the verified-chunk array and where to report; it knows no SQL beyond the row state.
import debug from 'debug'
import { chunkPlainLength, type FileManifest } from '../../core/index.js'
import { FileManifest as FileManifestCodec } from '../../core/index.js'
import type { FileRequest } from '../../node/index.js'
import type { FileRow } from '../../store/files.js'
import type { ChatContext } from '../context.js'
import type { MailboxRef } from './deposit.js'
import { download } from './download.js'
import { FileCancelledError } from './errors.js'
import { fetchHashList } from './hashlist.js'
import { FILE_PROGRESS_EVENT_MS } from './limits.js'

const log = debug('kith:service:files')

/** A download source that is one of our mailboxes (/kith/filebox) rather than a peer. */
const BOX = 'box:'

/** One download run's state and callbacks into the files module (./index.ts). */
export interface DownloadRun {
  chunksPath: string
  /** The row's manifest with every chunk hash, if held (a large file's list may not be yet). */
  resolved: FileManifest | undefined
  /** Keeps a freshly fetched, verified manifest (the list is on disk by then). */
  onResolved(m: FileManifest): void
  /** The verified chunks (loaded once the manifest is resolved); shared with serving. */
  have(): Promise<boolean[]>
  /** The group's other current members ([] for a 1:1 file). */
  members: string[]
  /** Our own mailboxes (a 1:1 file may be deposited there). */
  ownMailboxes: MailboxRef[]
  metrics: { badChunks: number; downloads: number; completed: number }
  emit(have: number, state: FileRow['state']): void
}

export async function runDownload(
  cx: ChatContext,
  run: DownloadRun,
  r: FileRow,
  signal: AbortSignal,
): Promise<void> {
  const fetch = cx.node.fileFetch?.bind(cx.node)
  const peerFetch = (
    peer: string,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => Promise<void>,
  ): Promise<number> => {
    if (fetch === undefined) throw new FileCancelledError('this node cannot fetch files')
    return fetch(peer, req, onChunk, cx.store.getContact(peer)?.addrs ?? [])
  }
  const others = run.members.filter((p) => p !== r.sender)
  let m = run.resolved
  if (m === undefined) {
    m = await fetchHashList(
      {
        fetch: peerFetch,
        sources: [r.sender, ...others],
        signal,
        onBad: (peer, name) => {
          run.metrics.badChunks++
          log('bad hash list of %s from %s: %s', r.fileId, peer, name)
        },
      },
      FileManifestCodec.decode(r.manifest),
      run.chunksPath,
    )
    run.onResolved(m)
  }
  const have = await run.have()
  if (have.every(Boolean)) return
  if (fetch === undefined) throw new FileCancelledError('this node cannot fetch files')
  run.metrics.downloads++
  cx.store.files.setState(r.fileId, 'fetching')
  let last = 0
  const haveBytes = () => have.reduce((s, h, i) => (h ? s + chunkPlainLength(r.size, i) : s), 0)
  // The file may also be held by our mailboxes (deposited by its sender: ./deposit.ts).
  const boxes = run.ownMailboxes.filter((b) => b.peerId !== r.sender)
  const boxFetch = cx.node.fileboxFetch?.bind(cx.node)
  try {
    await download({
      fetch: (peer, req, onChunk) => {
        const box = peer.startsWith(BOX) ? boxes.find((b) => BOX + b.peerId === peer) : undefined
        if (box !== undefined && boxFetch !== undefined) {
          return boxFetch(box.peerId, req, onChunk, box.addrs)
        }
        return peerFetch(peer, req, onChunk)
      },
      manifest: m,
      chunksPath: run.chunksPath,
      have,
      sources: [r.sender, ...boxes.map((b) => BOX + b.peerId), ...others],
      signal,
      onChunk: () => {
        const now = Date.now()
        if (now - last < FILE_PROGRESS_EVENT_MS) return
        last = now
        run.emit(haveBytes(), 'fetching')
      },
      onBadChunk: (peer, name) => {
        run.metrics.badChunks++
        log('bad chunk of %s from %s: %s', r.fileId, peer, name)
      },
    })
    run.metrics.completed++
  } finally {
    if (cx.store.files.get(r.fileId)?.state === 'fetching') {
      cx.store.files.setState(r.fileId, 'pending')
    }
  }
}
