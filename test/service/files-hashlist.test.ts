// A large file's chunk-hash list (src/service/files/hashlist.ts) against fake sources: the
// manifest carries only the root; the list is taken from the first source whose list hashes to
// it (a lying source is counted and skipped, one lacking it is passed over), written beside the
// chunks, read back after a "restart", and the download then verifies chunks against it.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CHUNK_BYTES,
  FileSealer,
  hashListOf,
  HASH_LIST_PART_BYTES,
  wireManifest,
} from '../../src/core/file/index.js'
import { download } from '../../src/service/files/download.js'
import { fetchHashList, hashListPath, resolveManifest } from '../../src/service/files/hashlist.js'
import type { FileRequest } from '../../src/node/file/index.js'

const dir = mkdtempSync(join(tmpdir(), 'kith-hl-'))
const N = 12
const data = Uint8Array.from({ length: N * CHUNK_BYTES - 3 }, (_, i) => (i * 7) & 255)
// Inline maximum 4: a 12-chunk file carries its root, as a 4 GiB one would.
const s = new FileSealer(
  new Uint8Array(32).fill(1),
  new Uint8Array(16).fill(2),
  data.length,
  undefined,
  4,
)
const chunks: Uint8Array[] = []
for (let i = 0; i < s.count; i++) {
  chunks.push(s.next(data.subarray(i * CHUNK_BYTES, Math.min(data.length, (i + 1) * CHUNK_BYTES))))
}
const full = s.manifest('big', '')
const wire = wireManifest(full)
const list = hashListOf(full)

type Answer = (req: FileRequest) => Uint8Array[]
function fetcher(answers: Record<string, Answer>, asked: string[]) {
  return async (
    peer: string,
    req: FileRequest,
    onChunk: (i: number, d: Uint8Array) => Promise<void>,
  ): Promise<number> => {
    asked.push(`${peer}:${req.hashList === true ? 'list' : 'chunks'}`)
    const frames = answers[peer]!(req)
    for (let i = 0; i < frames.length; i++) await onChunk(req.first + i, frames[i]!)
    return frames.length
  }
}
const honestList: Answer = (req) =>
  req.hashList === true ? [list] : chunks.slice(req.first, req.first + req.count)

void describe('hash list by its root', () => {
  after(() => rmSync(dir, { recursive: true, force: true }))

  void it('a lying source is counted and skipped, one lacking it passed over, the next used', async () => {
    const path = join(dir, 'a.chunks')
    const asked: string[] = []
    const bad: string[] = []
    const liar: Answer = () => {
      const l = Uint8Array.from(list)
      l[33]! ^= 1
      return [l]
    }
    const resolved = await fetchHashList(
      {
        fetch: fetcher({ liar, none: () => [], good: honestList }, asked),
        sources: ['liar', 'none', 'good'],
        signal: new AbortController().signal,
        onBad: (peer, name) => bad.push(`${peer}:${name}`),
      },
      wire,
      path,
    )
    assert.deepEqual(bad, ['liar:HashListError'])
    assert.deepEqual(asked, ['liar:list', 'none:list', 'good:list'])
    assert.equal(resolved.chunkHashes.length, N)
    assert.equal(statSync(hashListPath(path)).mode & 0o777, 0o600)
    // After a restart the list is read back from disk, checked against the root again.
    const again = await resolveManifest(wire, path)
    assert.deepEqual(again?.chunkHashes, full.chunkHashes)
    // …and chunks verify against it.
    const have = new Array<boolean>(N).fill(false)
    await download({
      fetch: fetcher({ good: honestList }, []),
      manifest: again,
      chunksPath: path,
      have,
      sources: ['good'],
      signal: new AbortController().signal,
      onChunk: () => undefined,
      onBadChunk: () => undefined,
    })
    assert.ok(have.every(Boolean))
  })

  void it('a part longer than its slice is refused before it is kept; none left: FileUnavailable', async () => {
    const path = join(dir, 'b.chunks')
    const bad: string[] = []
    const long: Answer = () => [new Uint8Array(Math.min(HASH_LIST_PART_BYTES, list.length + 32))]
    const err = await fetchHashList(
      {
        fetch: fetcher({ long }, []),
        sources: ['long'],
        signal: new AbortController().signal,
        onBad: (peer, name) => bad.push(`${peer}:${name}`),
      },
      wire,
      path,
    ).catch((e: Error) => e)
    assert.ok(err instanceof Error && err.name === 'FileUnavailable')
    assert.deepEqual(bad, ['long:FileUnavailable'])
    assert.equal(await resolveManifest(wire, path), undefined)
  })
})
