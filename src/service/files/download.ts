// One download (docs/files.md "Fetching"): the missing chunks of a file fetched from several
// sources at once — the sender and, in a group, members that hold it — FILE_PARALLEL_PER_SOURCE
// requests per source, each for a run of up to FILE_MAX_CHUNKS_PER_REQUEST missing chunks no
// other request holds. Every chunk is checked against the manifest (length and SHA-256) before it
// is written; a bad one aborts that request, is counted against its source (dropped after
// FILE_MAX_BAD_CHUNKS_PER_SOURCE) and is fetched from another. Chunks a source did not send are
// remembered as ones it lacks; a source that fails or stalls is retried after the others, up to
// FILE_SOURCE_ROUNDS times. It knows nothing of SQL, messages or how the file is finally written.
import { setTimeout as sleep } from 'node:timers/promises'
import { verifyChunk } from '../../core/index.js'
import type { FileManifest } from '../../core/index.js'
import { FILE_MAX_CHUNKS_PER_REQUEST } from '../../node/index.js'
import type { FileRequest } from '../../node/index.js'
import { nodeFileCipher } from '../../platform/file-cipher.js'
import { writeChunk, openChunks } from './disk.js'
import { FileCancelledError, FileUnavailableError } from './errors.js'
import {
  FILE_MAX_BAD_CHUNKS_PER_SOURCE,
  FILE_MAX_SOURCES,
  FILE_PARALLEL_PER_SOURCE,
  FILE_SOURCE_ROUNDS,
} from './limits.js'
import { errorName } from '../../core/errors.js'

/** Pause before a failed source is asked again (grows with its failures). */
export const FILE_SOURCE_RETRY_MS = 500

export interface DownloadJob {
  fetch(
    peer: string,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => Promise<void>,
  ): Promise<number>
  manifest: FileManifest
  chunksPath: string
  /** Verified chunks; set here as chunks land (shared with whoever serves them meanwhile). */
  have: boolean[]
  /** Candidate sources, best first. */
  sources: string[]
  signal: AbortSignal
  onChunk(index: number): void
  /** A source sent a chunk that failed the manifest's check. */
  onBadChunk(peer: string, errorName: string): void
}

interface Source {
  peer: string
  bad: number
  failures: number
  lacks: Set<number>
  dead: boolean
}

export async function download(job: DownloadJob): Promise<void> {
  const fh = await openChunks(job.chunksPath)
  const inFlight = new Set<number>()
  let wake: () => void = () => undefined
  let changed = new Promise<void>((r) => (wake = r))
  const notify = () => {
    const w = wake
    changed = new Promise<void>((r) => (wake = r))
    w()
  }
  const done = () => job.have.every(Boolean)
  const sources: Source[] = job.sources
    .slice(0, FILE_MAX_SOURCES)
    .map((peer) => ({ peer, bad: 0, failures: 0, lacks: new Set(), dead: false }))

  const claimable = (s: Source, i: number) => !job.have[i] && !inFlight.has(i) && !s.lacks.has(i)
  const claim = (s: Source): FileRequest | undefined => {
    const first = job.have.findIndex((_, i) => claimable(s, i))
    if (first < 0) return undefined
    let count = 1
    while (count < FILE_MAX_CHUNKS_PER_REQUEST && claimable(s, first + count)) count++
    if (first + count > job.have.length) count = job.have.length - first
    for (let i = first; i < first + count; i++) inFlight.add(i)
    return { fileId: job.manifest.fileId, first, count }
  }
  /** Nobody can make progress: nothing in flight, and every missing chunk is lacked by (or
   *  unreachable at) every live source. */
  const stuck = () =>
    inFlight.size === 0 && !sources.some((s) => !s.dead && job.have.some((_, i) => claimable(s, i)))

  /** A local failure (disk full, cancelled): every worker stops, the first error is thrown. */
  let fatal: Error | undefined
  const worker = async (s: Source): Promise<void> => {
    while (!done() && !s.dead && fatal === undefined) {
      if (job.signal.aborted) return
      const req = claim(s)
      if (req === undefined) {
        if (stuck()) return
        await Promise.race([changed, sleep(FILE_SOURCE_RETRY_MS, undefined, { ref: false })])
        continue
      }
      const got = new Set<number>()
      try {
        await job.fetch(s.peer, req, async (index, data) => {
          if (fatal !== undefined) throw fatal
          if (job.signal.aborted) throw new FileCancelledError('download cancelled')
          if (job.have[index] === true) return
          verifyChunk(job.manifest, index, data, nodeFileCipher)
          await writeChunk(fh, index, data)
          job.have[index] = true
          got.add(index)
          job.onChunk(index)
        })
        for (let i = req.first; i < req.first + req.count; i++) if (!got.has(i)) s.lacks.add(i)
        s.failures = 0
      } catch (err) {
        const name = errorName(err)
        if (name === 'ChunkHashError' || name === 'ChunkRangeError') {
          job.onBadChunk(s.peer, name)
          if (++s.bad >= FILE_MAX_BAD_CHUNKS_PER_SOURCE) s.dead = true
        } else if (name === 'FileWrite' || name === 'FileCancelled') {
          fatal ??= err as Error
          return
        } else if (++s.failures >= FILE_SOURCE_ROUNDS) {
          s.dead = true
        } else {
          for (let i = req.first; i < req.first + req.count; i++) inFlight.delete(i)
          notify()
          await sleep(FILE_SOURCE_RETRY_MS * s.failures, undefined, { ref: false })
          continue
        }
      } finally {
        for (let i = req.first; i < req.first + req.count; i++) inFlight.delete(i)
        notify()
      }
    }
  }

  try {
    const workers = sources.flatMap((s) =>
      Array.from({ length: FILE_PARALLEL_PER_SOURCE }, () => worker(s)),
    )
    await Promise.all(workers)
  } finally {
    await fh.close()
  }
  if (job.signal.aborted) throw new FileCancelledError('download cancelled')
  if (!done()) {
    const missing = job.have.filter((h) => !h).length
    throw new FileUnavailableError(`${missing} chunks not available from any source now`)
  }
}
