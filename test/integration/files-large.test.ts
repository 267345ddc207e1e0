// Large files end to end with real daemons through ./bin/kith (docs/files.md, issue 15):
// - a file over 256 MiB (default 280 MB, so its manifest carries the hash-list root and the list
//   is fetched over /kith/file; KITH_TEST_FILE_MB shrinks it), the receiver killed with kill -9
//   at about half, restarted: `kith file get` resumes (fewer chunks fetched after the restart
//   than the file has, the list not fetched again) and the SHA-256 matches;
// - a file to a group of 5 where, the sender gone, each later member fetches from the earlier
//   ones (their `status.metrics.file.chunksServed` counts it).
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { MAX_INLINE_CHUNK_HASHES } from '../../src/core/file/limits.js'
import {
  makeRandomFile,
  api,
  json,
  KITH,
  startDaemon,
  startPair,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
} from './harness.js'

interface FileRow {
  fileId: string
  size: number
  sha256: string
  have: number
}
interface Status {
  metrics: { file?: { chunksFetched: number; chunksServed: number } }
}

const MB = 1_000_000
const MiB = 1024 * 1024
const CHUNK = 256 * 1024
/** The large file's size: 280 MB by default (over MAX_INLINE_CHUNK_HASHES chunks). */
const LARGE = Number(process.env.KITH_TEST_FILE_MB ?? 280) * MB
const tmp = mkdtempSync(join(tmpdir(), 'kith-files-large-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

const makeFile = (name: string, size: number) => makeRandomFile(tmp, name, size)

async function sha(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const b of createReadStream(path)) h.update(b as Buffer)
  return h.digest('hex')
}

const row = async (d: Daemon, fileId: string) =>
  (await api<FileRow[]>(d, 'GET', '/v1/files')).find((x) => x.fileId === fileId)

void describe('large files (real daemons)', { timeout: 900_000 }, () => {
  const homes: string[] = []
  after(() => stopAll(homes))

  void it(`${LARGE / MB} MB: kill -9 of the receiver at about half, \`file get\` resumes`, async () => {
    let [a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'hello', '--wait'])
    const f = await makeFile('large.bin', LARGE)
    const t0 = Date.now()
    const sent = await json<FileRow>(b.home, ['file', 'send', 'alice', f.path])
    const sealMs = Date.now() - t0
    await until('manifest', () => row(a, sent.fileId))
    const chunks = Math.ceil(LARGE / CHUNK)
    const byRoot = chunks > MAX_INLINE_CHUNK_HASHES
    const t1 = Date.now()
    const getter = spawn(KITH, ['--home', a.home, 'file', 'get', sent.fileId, '--json'], {
      stdio: 'ignore',
    })
    let atKill: FileRow | undefined
    try {
      atKill = await until(
        'half of the file',
        async () => {
          const r = await row(a, sent.fileId)
          return r !== undefined && r.have >= LARGE / 2 ? r : undefined
        },
        600_000,
        20,
      )
      await stopDaemon(a, 'SIGKILL')
    } finally {
      getter.kill('SIGKILL')
    }
    const firstMs = Date.now() - t1
    a = await startDaemon('alice', a.home, a.port)
    const before = await row(a, sent.fileId)
    assert.ok(before !== undefined && before.have > 0, 'verified chunks survived the kill')
    assert.ok(before.have < LARGE, 'killed before the end')
    if (byRoot) {
      assert.ok(existsSync(join(a.home, 'files', `${sent.fileId}.hashes`)), 'hash list on disk')
    }
    const t2 = Date.now()
    const got = await json<{ path: string }>(a.home, ['file', 'get', sent.fileId])
    const secondMs = Date.now() - t2
    assert.equal(await sha(got.path), f.sha256)
    const st = await json<Status>(a.home, ['status'])
    const fetched = st.metrics.file?.chunksFetched ?? 0
    // Chunks fetched after the restart (hash-list parts count as frames too: ≤ 2 of them; with
    // the list on disk it is not fetched again).
    assert.ok(fetched > 0, 'the rest came over the network')
    assert.ok(
      fetched <= chunks - Math.floor(before.have / CHUNK),
      `fetched ${fetched} after the restart; ${before.have} bytes were held of ${LARGE}`,
    )
    assert.ok(fetched < chunks, `resumed, not restarted: ${fetched} of ${chunks}`)
    console.log(
      `# large file ${LARGE / MB} MB (${chunks} chunks, hash list ${byRoot}): sealed in ${sealMs} ms; ` +
        `killed at ${atKill.have} bytes after ${firstMs} ms; rest (${fetched} chunks) + write-out ` +
        `in ${secondMs} ms`,
    )
    await stopDaemon(a)
    await stopDaemon(b)
  })
})

void describe('a group of 5 (real daemons)', { timeout: 900_000 }, () => {
  const homes: string[] = []
  after(() => stopAll(homes))

  void it('the sender gone, each later member fetches from the earlier ones', async () => {
    const names = ['alice', 'm1', 'm2', 'm3', 'm4']
    const ds = await Promise.all(names.map((n) => startDaemon(`g5${n}`)))
    homes.push(...ds.map((d) => d.home))
    const [alice, ...members] = ds as [Daemon, ...Daemon[]]
    for (const d of members) {
      const { link } = await json<{ link: string }>(d.home, ['invite'])
      await json(alice.home, ['contacts', 'add', link, '--name', d.name])
    }
    const g = await json<{ groupId: string }>(alice.home, ['group', 'create', 'five'])
    for (const d of members) await json(alice.home, ['group', 'add', g.groupId, d.name])
    for (const d of members) {
      await until(
        `${d.name} sees 5 members`,
        async () => {
          const list = await json<Array<{ groupId: string; members: string[] }>>(d.home, [
            'group',
            'list',
          ])
          return list.find((x) => x.groupId === g.groupId)?.members.length === 5
        },
        120_000,
        300,
      )
    }
    const size = 12 * MiB // over the 8 MiB auto-download: every member asks for it
    const f = await makeFile('five.bin', size)
    const sent = await json<FileRow>(alice.home, ['file', 'send', 'five', f.path])
    for (const d of members) {
      await until(`${d.name} has the manifest`, () => row(d, sent.fileId), 120_000)
    }
    const first = await json<{ path: string }>(members[0]!.home, ['file', 'get', sent.fileId])
    assert.equal(await sha(first.path), f.sha256)
    await stopDaemon(alice)
    for (const d of members.slice(1)) {
      const got = await json<{ path: string }>(d.home, ['file', 'get', sent.fileId])
      assert.equal(await sha(got.path), f.sha256, `${d.name}'s copy`)
    }
    const served: number[] = []
    for (const d of members) {
      served.push((await json<Status>(d.home, ['status'])).metrics.file?.chunksServed ?? 0)
    }
    const chunks = size / CHUNK
    // m2, m3, m4 each fetched every chunk from earlier members: m1 served, and the members
    // together served all three copies.
    assert.ok(served[0]! > 0, `m1 served nothing: ${served.join(',')}`)
    assert.ok(
      served.reduce((s, n) => s + n, 0) >= 3 * chunks,
      `served ${served.join(',')}, want ≥ ${3 * chunks} in all`,
    )
    assert.equal(served[3], 0, 'the last member served no one')
    console.log(`# group of 5, ${chunks} chunks: served by m1..m4 ${served.join(', ')}`)
  })
})
