// Crash safety of delivery: kill -9 the receiver in the middle of a 1,000-message burst, and
// kill -9 the sender mid-burst; after restarts every message is stored exactly once, and every
// message the sender reported as queued is delivered exactly once.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  api,
  json,
  startPair,
  startDaemon,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const homes: string[] = []
after(() => stopAll(homes))
const BURST = 1000

async function pair(): Promise<[Daemon, Daemon]> {
  const [a, b] = await startPair(homes)
  await json(b.home, ['send', 'alice', 'hello', '--wait'])
  return [a, b]
}

async function messages(d: Daemon, contact?: string): Promise<MessageLine[]> {
  const q = contact === undefined ? '' : `?contact=${encodeURIComponent(contact)}`
  return api<MessageLine[]>(d, 'GET', `/v1/messages${q}`)
}

describe('crash safety', { timeout: 300_000 }, () => {
  it('kill -9 of the receiver mid-burst: all 1,000 stored exactly once after restart', async () => {
    const [a, b] = await pair()
    const sending = (async () => {
      for (let i = 0; i < BURST; i++)
        await api(b, 'POST', '/v1/messages', { contact: 'alice', text: `burst ${i}` })
    })()
    await until(
      'alice received part of the burst',
      async () => (await messages(a)).length > 150,
      60_000,
      20,
    )
    await stopDaemon(a, 'SIGKILL')
    await sending
    const a2 = await startDaemon('alice', a.home, a.port)
    const got = await until(
      'alice has the whole burst',
      async () => {
        const ms = (await messages(a2)).filter((m) => m.text.startsWith('burst '))
        return ms.length >= BURST ? ms : undefined
      },
      120_000,
      500,
    )
    assert.equal(got.length, BURST, 'no duplicates')
    assert.equal(new Set(got.map((m) => m.id)).size, BURST)
    assert.deepEqual(
      got.map((m) => m.text),
      Array.from({ length: BURST }, (_, i) => `burst ${i}`),
      'in sequence order',
    )
    await until(
      'bob sees the burst delivered',
      async () => (await messages(b, 'alice')).every((m) => m.status === 'delivered'),
      60_000,
      500,
    )
  })

  it('kill -9 of the sender mid-burst: every message reported queued is delivered exactly once', async () => {
    const [a, b] = await pair()
    const queued: string[] = []
    const sending = (async () => {
      for (let i = 0; i < BURST; i++) {
        const r = await api<{ id: string; status: string }>(b, 'POST', '/v1/messages', {
          contact: 'alice',
          text: `s ${i}`,
        })
        queued.push(r.id)
      }
    })().catch(() => undefined) // the daemon dies under us
    await until('some of the burst queued', () => Promise.resolve(queued.length > 300), 60_000, 10)
    await stopDaemon(b, 'SIGKILL')
    await sending
    const reported = [...queued]
    const b2 = await startDaemon('bob', b.home, b.port)
    const got = await until(
      'alice has every reported message',
      async () => {
        const ms = (await messages(a)).filter((m) => m.text.startsWith('s '))
        const ids = new Set(ms.map((m) => m.id))
        return reported.every((id) => ids.has(id)) ? ms : undefined
      },
      120_000,
      500,
    )
    assert.equal(new Set(got.map((m) => m.id)).size, got.length, 'exactly once')
    const texts = got.map((m) => m.text)
    assert.deepEqual(
      texts,
      [...texts].sort((x, y) => Number(x.slice(2)) - Number(y.slice(2))),
      'in sequence order',
    )
    await until(
      'bob sees them delivered',
      async () => {
        const ms = await messages(b2, 'alice')
        return reported.every((id) => ms.find((m) => m.id === id)?.status === 'delivered')
      },
      60_000,
      500,
    )
  })
})
