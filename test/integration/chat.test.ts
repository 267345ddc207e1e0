// 1:1 chat between real daemons started through ./bin/kith: invite → add → both ways, exactly
// once and in order; delivery across a receiver restart; both daemons restarting; at-rest
// secrecy of the store and the API's token check.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import {
  api,
  json,
  jsonLines,
  KITH,
  run,
  startPair,
  startDaemon,
  stopAll,
  stopDaemon,
  until,
  type MessageLine,
} from './harness.js'

const homes: string[] = []
after(() => stopAll(homes))

const texts = (ms: MessageLine[]) => ms.map((m) => m.text)

describe('1:1 chat between two daemons', { timeout: 360_000 }, () => {
  it('messages --follow prints the history, then each new message once; SIGINT exits 0', async () => {
    const [a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'before', '--wait'])
    const p = spawn(KITH, ['--home', a.home, 'messages', '--follow', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines: MessageLine[] = []
    createInterface({ input: p.stdout }).on('line', (l) => lines.push(JSON.parse(l) as MessageLine))
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve))
    await until('the history line', () => Promise.resolve(lines.length === 1 ? true : undefined))
    await json(b.home, ['send', 'alice', 'after', '--wait'])
    await until('the live line', () => Promise.resolve(lines.length === 2 ? true : undefined))
    p.kill('SIGINT')
    assert.equal(await exited, 0)
    assert.deepEqual(texts(lines), ['before', 'after'])
  })

  it('prints long histories whole into a pipe (more than its 64 KiB buffer)', async () => {
    const [a, b] = await startPair(homes)
    // 300 messages of 400 characters: ≈ 150 KiB of JSON lines, through ./bin/kith's stdout pipe.
    const text = (i: number) => `${String(i).padStart(4, '0')}${'x'.repeat(396)}`
    for (let i = 0; i < 300; i++) {
      await api(a, 'POST', '/v1/messages', { contact: b.peerId, text: text(i) })
    }
    const ms = await jsonLines<MessageLine>(a.home, ['messages', '--limit', '1000'])
    assert.equal(ms.length, 300)
    assert.deepEqual(
      ms.map((m) => m.text),
      Array.from({ length: 300 }, (_, i) => text(i)),
    )
  })

  it('invite, add, send both ways: once, in order, delivered; send --wait returns on the ack', async () => {
    const [a, b] = await startPair(homes)
    const first = await json<{ id: string; status: string }>(b.home, [
      'send',
      'alice',
      'hello alice',
      '--wait',
      '--timeout',
      '20',
    ])
    assert.equal(first.status, 'delivered')
    // `kith peers` names a connected contact (JSON `name`, human NAME column; issue 14).
    const peers = await json<{ peerId: string; name?: string }[]>(b.home, ['peers'])
    assert.equal(peers.find((p) => p.peerId === a.peerId)?.name, 'alice')
    const human = await run(b.home, ['peers'])
    assert.match(human.stdout, new RegExp(`${a.peerId}\\s+alice\\s`))
    // Alice learned Bob from his first message: unverified, named by PeerId.
    const contacts = await json<{ name: string; peerId: string; verified: boolean }[]>(a.home, [
      'contacts',
      'list',
    ])
    assert.deepEqual(
      contacts.map((c) => [c.name, c.peerId, c.verified]),
      [[b.peerId, b.peerId, false]],
    )
    for (let i = 1; i <= 5; i++) await json(a.home, ['send', b.peerId, `a${i}`])
    for (let i = 1; i <= 5; i++) await json(b.home, ['send', 'alice', `b${i}`])
    const want = ['hello alice', 'a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3', 'b4', 'b5']
    for (const d of [a, b]) {
      const ms = await until(`${d.name} has all messages delivered`, async () => {
        const ms = await jsonLines<MessageLine>(d.home, ['messages'])
        return ms.length === want.length &&
          ms.every((m) => m.direction === 'in' || m.status === 'delivered')
          ? ms
          : undefined
      })
      assert.deepEqual(new Set(texts(ms)), new Set(want))
      assert.equal(new Set(ms.map((m) => m.id)).size, want.length, 'each message exactly once')
      const own = ms.filter((m) => m.direction === 'out').map((m) => m.text)
      const theirs = ms.filter((m) => m.direction === 'in').map((m) => m.text)
      const mine =
        d === a ? ['a1', 'a2', 'a3', 'a4', 'a5'] : ['hello alice', 'b1', 'b2', 'b3', 'b4', 'b5']
      assert.deepEqual(own, mine, 'own messages in sequence order')
      assert.deepEqual(
        theirs,
        want.filter((t) => !mine.includes(t)),
        'received messages in sequence order',
      )
    }
  })

  it('stop the receiver, send 10, start it again: all 10 arrive once, in order', async () => {
    const [a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'hi', '--wait'])
    await stopDaemon(a)
    const ids: string[] = []
    for (let i = 0; i < 10; i++)
      ids.push(
        (await json<{ id: string; status: string }>(b.home, ['send', 'alice', `offline ${i}`])).id,
      )
    const a2 = await startDaemon('alice', a.home, a.port)
    const got = await until('alice has the 10 messages', async () => {
      const ms = (await jsonLines<MessageLine>(a2.home, ['messages'])).filter((m) =>
        m.text.startsWith('offline'),
      )
      return ms.length >= 10 ? ms : undefined
    })
    assert.deepEqual(
      texts(got),
      Array.from({ length: 10 }, (_, i) => `offline ${i}`),
    )
    await until('bob sees them delivered', async () => {
      const ms = await jsonLines<MessageLine>(b.home, ['messages', 'alice'])
      return ids.every((id) => ms.find((m) => m.id === id)?.status === 'delivered')
    })
  })

  it('both daemons restart: history, contacts and sessions persist; chat continues', async () => {
    const [a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'before restart', '--wait'])
    await json(a.home, ['send', b.peerId, 'reply before', '--wait'])
    await Promise.all([stopDaemon(a), stopDaemon(b)])
    const a2 = await startDaemon('alice', a.home, a.port)
    const b2 = await startDaemon('bob', b.home, b.port)
    assert.equal(a2.peerId, a.peerId)
    assert.equal((await json<{ name: string }[]>(b2.home, ['contacts', 'list']))[0]?.name, 'alice')
    assert.deepEqual(texts(await jsonLines<MessageLine>(a2.home, ['messages'])), [
      'before restart',
      'reply before',
    ])
    assert.equal(
      (
        await json<{ status: string }>(b2.home, [
          'send',
          'alice',
          'after restart',
          '--wait',
          '--timeout',
          '30',
        ])
      ).status,
      'delivered',
    )
    assert.equal(
      (
        await json<{ status: string }>(a2.home, [
          'send',
          b.peerId,
          'reply after',
          '--wait',
          '--timeout',
          '30',
        ])
      ).status,
      'delivered',
    )
  })

  it('keeps secrets: no plaintext or key in the database files, 0600 files, token required', async () => {
    const [a, b] = await startPair(homes)
    const marker = `very-secret-marker-${Date.now()}`
    await json(b.home, ['send', 'alice', marker, '--wait'])
    const token = readFileSync(join(b.home, 'api-token'), 'utf8').trim()
    for (const f of ['api-token', 'daemon.json'])
      assert.equal(statSync(join(b.home, f)).mode & 0o777, 0o600, f)
    const keyFile = join(b.home, 'store.key')
    assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'store.key')
    const storeKey = readFileSync(keyFile)
    for (const d of [a, b]) {
      for (const f of readdirSync(d.home).filter((x) => x.startsWith('kith.db'))) {
        const bytes = readFileSync(join(d.home, f))
        assert.ok(!bytes.includes(Buffer.from(marker)), `${d.name}/${f} holds the message text`)
        assert.ok(!bytes.includes(storeKey.subarray(0, 16)), `${d.name}/${f} holds the store key`)
      }
    }
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${token}x`]) {
      const res = await fetch(
        `${b.api}/v1/status`,
        auth === undefined ? {} : { headers: { authorization: auth } },
      )
      assert.equal(res.status, 401)
    }
    assert.equal((await api<{ peerId: string }>(b, 'GET', '/v1/status')).peerId, b.peerId)
    // The CLI output never carries key material: status/contacts/verify are checked for the key file bytes.
    for (const args of [['status'], ['contacts', 'list'], ['verify', 'alice'], ['id']]) {
      const r = await run(b.home, [...args, '--json'])
      assert.equal(r.code, 0, r.stderr)
      assert.ok(
        !r.stdout.includes(storeKey.toString('hex')) && !r.stdout.includes(token),
        `${args.join(' ')} leaks a secret`,
      )
    }
  })
})
