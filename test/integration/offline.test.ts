// Offline delivery through mailboxes with real daemons and `kith relay` nodes: a message reaches
// a recipient that was never online at the same time as the sender, exactly once and in order;
// one of two mailboxes down is fine; with both down the message waits and goes out later.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  api,
  json,
  startDaemon,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'
import { sleep } from '../helpers/wait.js'

/** How long the test watches a message with no mailbox up stay `queued` (a deposit attempt
 *  follows the send within a flush, far sooner). */
const NOTHING_TAKES_IT_MS = 3_000

const homes: string[] = []
after(() => stopAll(homes))

async function relay(name: string, home?: string, port?: number): Promise<Daemon> {
  const r = await startDaemon(name, home, port, [], 'relay')
  homes.push(r.home)
  return r
}

const addrOf = (r: Daemon) => `/ip4/127.0.0.1/tcp/${r.port}/p2p/${r.peerId}`

async function pairVia(relays: Daemon[]): Promise<[Daemon, Daemon]> {
  const boot = relays.flatMap((r) => ['--bootstrap', addrOf(r)])
  const a = await startDaemon('alice', undefined, undefined, boot)
  const b = await startDaemon('bob', undefined, undefined, boot)
  homes.push(a.home, b.home)
  const { link } = await json<{ link: string }>(b.home, ['invite'])
  await json(a.home, ['contacts', 'add', link, '--name', 'bob'])
  await json(a.home, ['send', 'bob', 'hello bob', '--wait', '--timeout', '30'])
  // Alice knows Bob's card naming every relay as a mailbox.
  await until('alice has bob’s card with the relays as mailboxes', async () => {
    const [bob] = await json<{ mailboxes: string[] }[]>(a.home, ['contacts', 'list'])
    return relays.every((r) => bob?.mailboxes.includes(r.peerId)) ? true : undefined
  })
  return [a, b]
}

async function texts(d: Daemon, prefix: string): Promise<MessageLine[]> {
  return (await api<MessageLine[]>(d, 'GET', '/v1/messages')).filter((m) =>
    m.text.startsWith(prefix),
  )
}

describe('offline delivery through mailboxes', { timeout: 240_000 }, () => {
  it('B away, A sends 20 and leaves, B returns: all 20 once, in order; A returns: delivered', async () => {
    const r = await relay('relay')
    const [a, b] = await pairVia([r])
    await stopDaemon(b)
    const ids: string[] = []
    for (let i = 0; i < 20; i++)
      ids.push((await json<{ id: string }>(a.home, ['send', 'bob', `away ${i}`])).id)
    await until('all 20 sent (held by a mailbox)', async () => {
      const ms = await api<MessageLine[]>(a, 'GET', '/v1/messages?contact=bob')
      return ids.every((id) => ms.find((m) => m.id === id)?.status === 'sent')
    })
    await stopDaemon(a)
    const b2 = await startDaemon('bob', b.home, b.port, ['--bootstrap', addrOf(r)])
    const got = await until('bob fetched all 20', async () => {
      const ms = await texts(b2, 'away ')
      return ms.length >= 20 ? ms : undefined
    })
    assert.deepEqual(
      got.map((m) => m.text),
      Array.from({ length: 20 }, (_, i) => `away ${i}`),
    )
    assert.equal(new Set(got.map((m) => m.id)).size, 20)
    const a2 = await startDaemon('alice', a.home, a.port, ['--bootstrap', addrOf(r)])
    await until('alice sees the 20 delivered', async () => {
      const ms = await api<MessageLine[]>(a2, 'GET', '/v1/messages?contact=bob')
      return ids.every((id) => ms.find((m) => m.id === id)?.status === 'delivered')
    })
    assert.equal(
      (await texts(b2, 'away ')).length,
      20,
      'still exactly once after the direct resend',
    )
  })

  it('one of two mailboxes down still delivers; both down: queued until one returns', async () => {
    const r1 = await relay('relay1')
    const r2 = await relay('relay2')
    const [a, b] = await pairVia([r1, r2])
    await stopDaemon(b)
    await stopDaemon(r1)
    const one = (await json<{ id: string }>(a.home, ['send', 'bob', 'via one mailbox'])).id
    await until('sent via the remaining mailbox', async () => {
      const ms = await api<MessageLine[]>(a, 'GET', '/v1/messages?contact=bob')
      return ms.find((m) => m.id === one)?.status === 'sent'
    })
    await stopDaemon(r2)
    const queued = (await json<{ id: string }>(a.home, ['send', 'bob', 'no mailbox up'])).id
    await sleep(NOTHING_TAKES_IT_MS)
    const mid = await api<MessageLine[]>(a, 'GET', '/v1/messages?contact=bob')
    assert.equal(mid.find((m) => m.id === queued)?.status, 'queued', 'nothing took it')
    const r2b = await relay('relay2', r2.home, r2.port)
    assert.equal(r2b.peerId, r2.peerId, 'the relay keeps its identity')
    await until(
      'queued message deposited once a mailbox is back',
      async () => {
        const ms = await api<MessageLine[]>(a, 'GET', '/v1/messages?contact=bob')
        return ms.find((m) => m.id === queued)?.status === 'sent'
      },
      90_000,
    )
    await stopDaemon(a)
    const b2 = await startDaemon('bob', b.home, b.port, ['--bootstrap', addrOf(r2b)])
    await until(
      'bob got both',
      async () =>
        (await texts(b2, 'via one mailbox')).length === 1 &&
        (await texts(b2, 'no mailbox up')).length === 1,
    )
  })
})
