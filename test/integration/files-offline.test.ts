// A file delivered while its sender is offline (docs/files.md "Offline delivery"), with real
// daemons and a `kith relay` as Bob's mailbox: Alice sends Bob a 3 MiB file while Bob is
// stopped, her daemon deposits the sealed chunks with the relay (status metrics.files.deposited),
// she stops, Bob starts: the manifest comes from the relay's mailbox and the chunks from the
// relay's file box (/kith/filebox), and the file is written with the right SHA-256.
// And a deposit of an 80 MiB file (over the box's 64 MiB per-recipient quota) interrupted by
// kill -9 of the sender: after the restart it resumes after what the box acknowledged (the box
// receives fewer chunks in all than were sent before the kill plus the quota) and stops at the
// quota (depositPartial), its progress file removed.
// And a group file: the member offline when it is sent gets its chunks deposited with its relay;
// with the sender gone and the other member holding no chunk, it fetches the file from the relay.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_SEALED_CHUNK_BYTES } from '../../src/core/file/limits.js'
import { FILEBOX_QUOTA_PER_RECIPIENT_BYTES } from '../../src/node/file/box-store.js'
import { FILE_DEPOSIT_PROGRESS_CHUNKS } from '../../src/service/files/deposit.js'
import { api, json, startDaemon, stopAll, stopDaemon, until, type Daemon } from './harness.js'

interface FileRow {
  fileId: string
  size: number
  sha256: string
  have: number
  state: string
}
interface Status {
  metrics: {
    files?: { deposited: number; depositPartial: number; depositFailed: number }
    filebox?: { depositsIn: number; served: number; usage: { bytes: number } }
  }
}

const MiB = 1024 * 1024
const homes: string[] = []
const tmp = mkdtempSync(join(tmpdir(), 'kith-files-offline-'))
after(() => {
  stopAll(homes)
  rmSync(tmp, { recursive: true, force: true })
})

const addrOf = (r: Daemon) => `/ip4/127.0.0.1/tcp/${r.port}/p2p/${r.peerId}`

void describe('files while the sender is offline', { timeout: 300_000 }, () => {
  void it('A deposits a 3 MiB file with B’s relay mailbox and stops; B starts and gets it from the relay', async () => {
    const r = await startDaemon('relay', undefined, undefined, [], 'relay')
    homes.push(r.home)
    const boot = ['--bootstrap', addrOf(r)]
    const a = await startDaemon('alice', undefined, undefined, boot)
    const b = await startDaemon('bob', undefined, undefined, boot)
    homes.push(a.home, b.home)
    const { link } = await json<{ link: string }>(b.home, ['invite'])
    await json(a.home, ['contacts', 'add', link, '--name', 'bob'])
    await json(a.home, ['send', 'bob', 'hello bob', '--wait', '--timeout', '30'])
    await until('alice has bob’s card with the relay as mailbox', async () => {
      const [bob] = await json<{ mailboxes: string[] }[]>(a.home, ['contacts', 'list'])
      return bob?.mailboxes.includes(r.peerId) === true ? true : undefined
    })
    await stopDaemon(b)

    const data = randomBytes(3 * MiB)
    const path = join(tmp, 'report.pdf')
    writeFileSync(path, data)
    const sha256 = createHash('sha256').update(data).digest('hex')
    const sent = await json<FileRow>(a.home, ['file', 'send', 'bob', path])
    assert.equal(sent.sha256, sha256)
    await until(
      'alice’s deposit held by the relay',
      async () => {
        const s = await api<Status>(a, 'GET', '/v1/status')
        assert.equal(s.metrics.files?.depositFailed, 0)
        return (s.metrics.files?.deposited ?? 0) >= 1 ? true : undefined
      },
      120_000,
    )
    const held = await api<Status>(r, 'GET', '/v1/status')
    assert.equal(held.metrics.filebox?.depositsIn, 12, '12 chunks of 256 KiB')
    assert.ok((held.metrics.filebox?.usage.bytes ?? 0) > 3 * MiB, 'sealed: a tag per chunk')
    await until('the manifest reached the relay mailbox', async () => {
      const ms = await api<{ id: string; status: string; kind?: string }[]>(
        a,
        'GET',
        '/v1/messages?contact=bob',
      )
      return ms.some((m) => m.kind === 'file' && m.status === 'sent') ? true : undefined
    })
    await stopDaemon(a)

    const b2 = await startDaemon('bob', b.home, b.port, boot)
    const row = await until(
      'bob’s file downloaded by itself',
      async () => {
        const rows = await api<FileRow[]>(b2, 'GET', '/v1/files')
        const f = rows.find((x) => x.fileId === sent.fileId)
        return f?.state === 'done' ? f : undefined
      },
      120_000,
    )
    assert.equal(row.sha256, sha256)
    const written = readFileSync(join(b2.home, 'downloads', 'report.pdf'))
    assert.equal(createHash('sha256').update(written).digest('hex'), sha256)
    const served = await api<Status>(r, 'GET', '/v1/status')
    assert.ok((served.metrics.filebox?.served ?? 0) >= 12, 'every chunk came from the relay')
    await stopDaemon(b2)
    await stopDaemon(r)
  })

  void it('a deposit cut by kill -9 of the sender resumes after restart, up to the box quota', async () => {
    const r = await startDaemon('relay2', undefined, undefined, [], 'relay')
    homes.push(r.home)
    const boot = ['--bootstrap', addrOf(r)]
    let a = await startDaemon('alice2', undefined, undefined, boot)
    const b = await startDaemon('bob2', undefined, undefined, boot)
    homes.push(a.home, b.home)
    const { link } = await json<{ link: string }>(b.home, ['invite'])
    await json(a.home, ['contacts', 'add', link, '--name', 'bob'])
    await json(a.home, ['send', 'bob', 'hello bob', '--wait', '--timeout', '30'])
    await until('alice has bob’s card with the relay as mailbox', async () => {
      const [bob] = await json<{ mailboxes: string[] }[]>(a.home, ['contacts', 'list'])
      return bob?.mailboxes.includes(r.peerId) === true ? true : undefined
    })
    await stopDaemon(b)
    const path = join(tmp, 'video.bin')
    writeFileSync(path, randomBytes(80 * MiB))
    const sent = await json<FileRow>(a.home, ['file', 'send', 'bob', path])
    const box = async () => (await api<Status>(r, 'GET', '/v1/status')).metrics.filebox
    const atKill = await until(
      'part of the deposit held',
      async () => {
        const n = (await box())?.depositsIn ?? 0
        return n >= FILE_DEPOSIT_PROGRESS_CHUNKS * 2 ? n : undefined
      },
      120_000,
      20,
    )
    await stopDaemon(a, 'SIGKILL')
    const quota = Math.floor(FILEBOX_QUOTA_PER_RECIPIENT_BYTES / MAX_SEALED_CHUNK_BYTES) // 255
    const before = (await box())?.depositsIn ?? 0
    assert.ok(before < quota, `killed mid-deposit (${before} of ${quota} chunks held)`)
    const progress = join(a.home, 'files', `${sent.fileId}.${b.peerId}.deposit`)
    assert.ok(existsSync(progress), 'the deposit progress survived the kill')
    a = await startDaemon('alice2', a.home, a.port, boot)
    await until(
      'the resumed deposit stops at the quota',
      async () => {
        const s = await api<Status>(a, 'GET', '/v1/status')
        return (s.metrics.files?.depositPartial ?? 0) >= 1 ? true : undefined
      },
      180_000,
    )
    const after = await box()
    assert.equal(after?.usage.bytes, quota * MAX_SEALED_CHUNK_BYTES, 'held up to the quota')
    // Resumed, not restarted: at most FILE_DEPOSIT_PROGRESS_CHUNKS (+ the one in flight) again.
    assert.ok(
      (after?.depositsIn ?? 0) <= quota + FILE_DEPOSIT_PROGRESS_CHUNKS + 1,
      `deposits received ${after?.depositsIn} (killed at ${atKill}/${before}, quota ${quota})`,
    )
    assert.equal(existsSync(progress), false, 'progress file removed once over')
    await stopDaemon(a)
    await stopDaemon(r)
  })

  void it('a group file is deposited for the member offline; it gets it from its relay', async () => {
    const r = await startDaemon('relay3', undefined, undefined, [], 'relay')
    homes.push(r.home)
    const boot = ['--bootstrap', addrOf(r)]
    const [a, b, c] = await Promise.all(
      ['alice3', 'bob3', 'carol3'].map((n) => startDaemon(n, undefined, undefined, boot)),
    )
    homes.push(a!.home, b!.home, c!.home)
    for (const d of [b!, c!]) {
      const { link } = await json<{ link: string }>(d.home, ['invite'])
      await json(a!.home, ['contacts', 'add', link, '--name', d.name])
    }
    await until('alice has bob’s card with the relay as mailbox', async () => {
      const list = await json<{ peerId: string; mailboxes: string[] }[]>(a!.home, [
        'contacts',
        'list',
      ])
      return list.find((x) => x.peerId === b!.peerId)?.mailboxes.includes(r.peerId) === true
        ? true
        : undefined
    })
    const g = await json<{ groupId: string }>(a!.home, ['group', 'create', 'trio'])
    await json(a!.home, ['group', 'add', g.groupId, 'bob3'])
    await json(a!.home, ['group', 'add', g.groupId, 'carol3'])
    for (const d of [b!, c!]) {
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
    await stopDaemon(b!)
    // Over 8 MiB: carol does not fetch it by herself, so she cannot serve bob a chunk.
    const data = randomBytes(10 * MiB)
    const path = join(tmp, 'group.bin')
    writeFileSync(path, data)
    const sha256 = createHash('sha256').update(data).digest('hex')
    const sent = await json<FileRow>(a!.home, ['file', 'send', 'trio', path])
    await until(
      'the deposit for bob held by his relay',
      async () => {
        const s = await api<Status>(a!, 'GET', '/v1/status')
        return (s.metrics.files?.deposited ?? 0) >= 1 ? true : undefined
      },
      120_000,
    )
    await until('carol has the manifest', async () =>
      (await api<FileRow[]>(c!, 'GET', '/v1/files')).find((x) => x.fileId === sent.fileId),
    )
    await stopDaemon(a!)
    const b2 = await startDaemon('bob3', b!.home, b!.port, boot)
    await until(
      'bob has the manifest (from carol)',
      async () =>
        (await api<FileRow[]>(b2, 'GET', '/v1/files')).find((x) => x.fileId === sent.fileId),
      120_000,
    )
    const got = await json<{ path: string }>(b2.home, ['file', 'get', sent.fileId])
    assert.equal(createHash('sha256').update(readFileSync(got.path)).digest('hex'), sha256)
    const served = await api<Status>(r, 'GET', '/v1/status')
    assert.ok((served.metrics.filebox?.served ?? 0) >= 40, 'every chunk came from the relay')
    await stopDaemon(b2)
    await stopDaemon(c!)
    await stopDaemon(r)
  })
})
