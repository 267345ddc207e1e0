// Multi-source downloads (src/service/files/download.ts) against fake sources: chunks come from
// several sources at once; a source that sends a tampered chunk is counted, dropped, and the
// chunk is fetched from another; a source lacking chunks leaves them to the others; with no
// source holding a chunk the download fails typed and keeps what it verified (resumable).
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHUNK_BYTES, FileSealer, type FileManifest } from '../../src/core/file/index.js'
import { verifiedChunks } from '../../src/service/files/disk.js'
import { download } from '../../src/service/files/download.js'
import type { FileRequest } from '../../src/node/file/index.js'

const dir = mkdtempSync(join(tmpdir(), 'kith-dl-'))
const N = 40 // chunks: more than two requests' worth
const data = Uint8Array.from({ length: N * CHUNK_BYTES - 5 }, (_, i) => (i * 13) & 255)
const s = new FileSealer(new Uint8Array(32).fill(3), new Uint8Array(16).fill(4), data.length)
const chunks: Uint8Array[] = []
for (let i = 0; i < s.count; i++) {
  chunks.push(s.next(data.subarray(i * CHUNK_BYTES, Math.min(data.length, (i + 1) * CHUNK_BYTES))))
}
const m: FileManifest = s.manifest('f', '')

type Source = (i: number) => Uint8Array | undefined
function fetcher(sources: Record<string, Source>, asked: Record<string, number>) {
  return async (
    peer: string,
    req: FileRequest,
    onChunk: (i: number, d: Uint8Array) => Promise<void>,
  ): Promise<number> => {
    let n = 0
    for (let i = req.first; i < req.first + req.count; i++) {
      const c = sources[peer]!(i)
      if (c === undefined) continue
      asked[peer] = (asked[peer] ?? 0) + 1
      await onChunk(i, c)
      n++
    }
    return n
  }
}

let run = 0
async function dl(sources: Record<string, Source>) {
  const path = join(dir, `${run++}.chunks`)
  const have = new Array<boolean>(N).fill(false)
  const asked: Record<string, number> = {}
  const bad: string[] = []
  const result = await download({
    fetch: fetcher(sources, asked),
    manifest: m,
    chunksPath: path,
    have,
    sources: Object.keys(sources),
    signal: new AbortController().signal,
    onChunk: () => undefined,
    onBadChunk: (peer, name) => bad.push(`${peer}:${name}`),
  }).catch((e: Error) => e)
  return { result, asked, bad, have, path }
}

void describe('multi-source download', () => {
  after(() => rmSync(dir, { recursive: true, force: true }))

  void it('two honest sources share the work; every chunk lands verified', async () => {
    const r = await dl({ s1: (i) => chunks[i], s2: (i) => chunks[i] })
    assert.equal(r.result, undefined)
    assert.ok((r.asked.s1 ?? 0) > 0 && (r.asked.s2 ?? 0) > 0, JSON.stringify(r.asked))
    assert.ok(r.have.every(Boolean))
    assert.ok((await verifiedChunks(r.path, m)).every(Boolean))
  })

  void it('a tampered chunk is refused, its source dropped, the chunk fetched elsewhere', async () => {
    const tampered = (i: number) => {
      const c = Uint8Array.from(chunks[i]!)
      if (i === 5) c[10]! ^= 1
      return c
    }
    const r = await dl({ evil: tampered, honest: (i) => chunks[i] })
    assert.equal(r.result, undefined)
    assert.deepEqual(r.bad, ['evil:ChunkHashError'])
    assert.ok((await verifiedChunks(r.path, m)).every(Boolean))
  })

  void it('a source lacking chunks leaves them to the others', async () => {
    const r = await dl({ partial: (i) => (i < 10 ? chunks[i] : undefined), full: (i) => chunks[i] })
    assert.equal(r.result, undefined)
    assert.ok(r.have.every(Boolean))
  })

  void it('a chunk no source has: FileUnavailable, the verified rest kept for a resume', async () => {
    const r = await dl({ a: (i) => (i === 7 ? undefined : chunks[i]) })
    assert.ok(r.result instanceof Error && r.result.name === 'FileUnavailable')
    const on = await verifiedChunks(r.path, m)
    assert.equal(on.filter(Boolean).length, N - 1)
    assert.equal(on[7], false)
  })
})
