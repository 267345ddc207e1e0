// Files end to end with real daemons through ./bin/kith (docs/files.md): a ≤ 8 MiB file arrives
// by itself; a 20 MiB file is fetched on `file get` with the same SHA-256; the receiver killed
// with kill -9 mid-transfer resumes after a restart from its verified chunks (it fetches fewer
// chunks than the file has); `file cancel`; a blocked sender's file is refused; a group file
// fetched by one member is fetched by another from it after the sender stopped. Hostile peers are test/node/file.test.ts's.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import {
  makeRandomFile,
  api,
  json,
  jsonLines,
  KITH,
  run,
  startDaemon,
  startPair,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

interface FileRow {
  fileId: string
  name: string
  size: number
  sha256: string
  from: string
  have: number
}
interface Status {
  metrics: { file?: { chunksFetched: number; chunksServed: number } }
}

const MiB = 1024 * 1024
const CHUNK = 256 * 1024
const tmp = mkdtempSync(join(tmpdir(), 'kith-files-'))
after(() => rmSync(tmp, { recursive: true, force: true }))

const makeFile = (name: string, size: number) => makeRandomFile(tmp, name, size)

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')
const files = (d: Daemon) => api<FileRow[]>(d, 'GET', '/v1/files')

void describe('files (real daemons)', { timeout: 600_000 }, () => {
  const homes: string[] = []
  let a: Daemon
  let b: Daemon
  after(() => stopAll(homes))

  void it('a 3 MiB file arrives by itself, shown as a file line on both sides', async () => {
    ;[a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'hello', '--wait'])
    const f = await makeFile('photo.jpg', 3 * MiB)
    const sent = await json<FileRow>(b.home, ['file', 'send', 'alice', f.path])
    assert.equal(sent.size, 3 * MiB)
    assert.equal(sent.sha256, f.sha256)
    const row = await until('auto-download', async () => {
      const r = (await files(a)).find((x) => x.fileId === sent.fileId)
      return r !== undefined && r.have === r.size ? r : undefined
    })
    assert.equal(row.from, b.peerId)
    const written = join(a.home, 'downloads', 'photo.jpg')
    await until('written', () => Promise.resolve(existsSync(written)))
    assert.equal(sha(written), f.sha256)
    const lines = await jsonLines<MessageLine>(a.home, ['messages', b.peerId])
    const line = lines.find((m) => m.kind === 'file')
    assert.deepEqual(line?.file, {
      fileId: sent.fileId,
      name: 'photo.jpg',
      size: 3 * MiB,
      sha256: f.sha256,
    })
  })

  void it('a 20 MiB file waits for `file get`, then arrives with the same SHA-256', async () => {
    const f = await makeFile('big.bin', 20 * MiB)
    const sent = await json<FileRow>(b.home, ['file', 'send', 'alice', f.path])
    const row = await until('manifest', async () =>
      (await files(a)).find((x) => x.fileId === sent.fileId),
    )
    assert.equal(row.have, 0, 'over 8 MiB: not fetched by itself')
    const out = join(tmp, 'out')
    const got = await json<{ path: string; size: number; sha256: string }>(a.home, [
      'file',
      'get',
      sent.fileId,
      '--out',
      out,
    ])
    assert.equal(got.path, out)
    assert.equal(sha(out), f.sha256)
    // Never overwrites: a second get writes "out (1)".
    const again = await json<{ path: string }>(a.home, ['file', 'get', sent.fileId, '--out', out])
    assert.equal(again.path, `${out} (1)`)
  })

  void it('kill -9 of the receiver mid-transfer: `file get` resumes from verified chunks', async () => {
    const size = 64 * MiB
    const f = await makeFile('resume.bin', size)
    const sent = await json<FileRow>(b.home, ['file', 'send', 'alice', f.path])
    await until('manifest', async () => (await files(a)).find((x) => x.fileId === sent.fileId))
    const getter = spawn(KITH, ['--home', a.home, 'file', 'get', sent.fileId, '--json'], {
      stdio: 'ignore',
    })
    try {
      await until(
        'part of the file',
        async () => {
          const r = (await files(a)).find((x) => x.fileId === sent.fileId)
          return r !== undefined && r.have > 0 ? r : undefined
        },
        60_000,
        10,
      )
      await stopDaemon(a, 'SIGKILL')
    } finally {
      getter.kill('SIGKILL')
    }
    a = await startDaemon('alice', a.home, a.port)
    const before = (await files(a)).find((x) => x.fileId === sent.fileId)
    assert.ok(before !== undefined && before.have > 0, 'verified chunks survived the kill')
    const got = await json<{ path: string; sha256: string }>(a.home, ['file', 'get', sent.fileId])
    assert.equal(sha(got.path), f.sha256)
    const st = await json<Status>(a.home, ['status'])
    const fetched = st.metrics.file?.chunksFetched ?? 0
    assert.ok(fetched > 0, 'the rest came over the network')
    assert.ok(
      fetched < size / CHUNK,
      `fetched ${fetched} chunks after the restart, of ${size / CHUNK}: resumed, not restarted`,
    )
    assert.ok(before.have < size || fetched === 0)
  })

  void it('`file cancel` stops a file: listed cancelled, `get` refused, chunks dropped', async () => {
    const f = await makeFile('unwanted.bin', 9 * MiB)
    const sent = await json<FileRow>(b.home, ['file', 'send', 'alice', f.path])
    await until('manifest', async () => (await files(a)).find((x) => x.fileId === sent.fileId))
    const c = await json<{ fileId: string; cancelled: boolean }>(a.home, [
      'file',
      'cancel',
      sent.fileId,
    ])
    assert.deepEqual(c, { fileId: sent.fileId, cancelled: true })
    const row = (await files(a)).find((x) => x.fileId === sent.fileId) as FileRow & {
      state?: string
    }
    assert.equal(row.state, 'cancelled')
    assert.equal(row.have, 0)
    const r = await run(a.home, ['file', 'get', sent.fileId, '--json'])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /FileCancelled/)
    assert.equal(existsSync(join(a.home, 'files', `${sent.fileId}.chunks`)), false)
  })

  void it("a blocked sender's file is not fetched (FileCancelled)", async () => {
    const f = await makeFile('from-blocked.bin', 9 * MiB)
    const sent = await json<FileRow>(b.home, ['file', 'send', 'alice', f.path])
    await until('manifest', async () => (await files(a)).find((x) => x.fileId === sent.fileId))
    await json(a.home, ['contacts', 'block', b.peerId])
    const r = await run(a.home, ['file', 'get', sent.fileId, '--json'])
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /FileCancelled/)
    await json(a.home, ['contacts', 'unblock', b.peerId])
  })
})

void describe('group files (real daemons)', { timeout: 600_000 }, () => {
  const homes: string[] = []
  after(() => stopAll(homes))

  void it('a member fetches from another member once the sender is gone', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((n) => startDaemon(`g${n}`)),
    )
    homes.push(alice!.home, bob!.home, carol!.home)
    for (const d of [bob!, carol!]) {
      const { link } = await json<{ link: string }>(d.home, ['invite'])
      await json(alice!.home, ['contacts', 'add', link, '--name', d.name])
    }
    const g = await json<{ groupId: string }>(alice!.home, ['group', 'create', 'team'])
    await json(alice!.home, ['group', 'add', g.groupId, 'gbob'])
    await json(alice!.home, ['group', 'add', g.groupId, 'gcarol'])
    for (const d of [bob!, carol!]) {
      await until(
        `${d.name} in the group`,
        async () => {
          const list = await json<Array<{ groupId: string; members: string[] }>>(d.home, [
            'group',
            'list',
          ])
          return list.find((x) => x.groupId === g.groupId)?.members.length === 3
        },
        60_000,
        300,
      )
    }
    const f = await makeFile('team.bin', 12 * MiB)
    const sent = await json<FileRow>(alice!.home, ['file', 'send', 'team', f.path])
    for (const d of [bob!, carol!]) {
      await until(
        `${d.name} has the manifest`,
        async () => (await files(d)).find((x) => x.fileId === sent.fileId),
        60_000,
      )
    }
    const first = await json<{ path: string }>(bob!.home, ['file', 'get', sent.fileId])
    assert.equal(sha(first.path), f.sha256)
    await stopDaemon(alice!)
    const second = await json<{ path: string }>(carol!.home, ['file', 'get', sent.fileId])
    assert.equal(sha(second.path), f.sha256)
    const st = await json<Status>(bob!.home, ['status'])
    assert.ok((st.metrics.file?.chunksServed ?? 0) >= (12 * MiB) / CHUNK, 'carol fetched from bob')
  })
})
