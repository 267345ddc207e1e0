// Resuming the event stream (src/api/event-log.ts): every frame carries an eventId; a client that
// reconnects with ?since=<eventId> is sent what it missed, in order, before live events; a cursor
// the daemon cannot serve (another run, too old, malformed) gets one {"event":"resync"} frame.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import WebSocket from 'ws'
import { EVENT_LOG_MAX, EventLog } from '../../src/api/event-log.js'
import { startApiServer, type ApiServer } from '../../src/api/server.js'
import type { ChatApi, ServiceEvent } from '../../src/service/types.js'
import { until as waitUntil } from '../helpers/wait.js'

const TOKEN = 'c'.repeat(64)

describe('event stream resume', () => {
  const listeners = new Set<(e: ServiceEvent) => void>()
  const emit = (name: string) => {
    const e: ServiceEvent = { event: 'contact', peerId: 'p', name, online: true }
    for (const fn of listeners) fn(e)
  }
  let server: ApiServer
  before(async () => {
    const chat = {
      on: (fn: (e: ServiceEvent) => void) => {
        listeners.add(fn)
        return () => listeners.delete(fn)
      },
    } as unknown as ChatApi
    server = await startApiServer(chat, { host: '127.0.0.1', port: 0, token: TOKEN })
  })
  after(() => server.close())

  /** Opens /v1/events (with ?since), collects frames; `done` when `n` frames came. */
  async function connect(since = '') {
    const q = `?since=${encodeURIComponent(since)}`
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/events${q}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
    const frames: { event: string; name?: string; eventId?: string }[] = []
    ws.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString()) as (typeof frames)[0]))
    await new Promise((r) => ws.once('open', r))
    const until = async (n: number) => {
      await waitUntil(`${n} frames`, () => frames.length >= n, 5_000, 10).catch(() => undefined)
      return frames
    }
    return { ws, frames, until }
  }

  it('replays what a client missed after its last eventId, then goes live', async () => {
    const first = await connect()
    emit('a')
    emit('b')
    const got = await first.until(2)
    assert.deepEqual(
      got.map((f) => f.name),
      ['a', 'b'],
    )
    assert.match(got[0]?.eventId ?? '', /^[0-9a-f]{12}:\d+$/)
    const cursor = got[0]?.eventId ?? ''
    first.ws.close()
    emit('c')
    const again = await connect(cursor)
    assert.deepEqual(
      (await again.until(2)).map((f) => f.name),
      ['b', 'c'],
      'everything after the cursor, in order',
    )
    emit('d')
    assert.deepEqual(
      (await again.until(3)).map((f) => f.name),
      ['b', 'c', 'd'],
    )
    again.ws.close()
  })

  it('sends frames without ids, as before, to a client that does not ask (no ?since)', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/events`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
    const frame = new Promise<string>((r) => ws.once('message', (d: Buffer) => r(d.toString())))
    await new Promise((r) => ws.once('open', r))
    emit('plain')
    assert.deepEqual(JSON.parse(await frame), {
      event: 'contact',
      peerId: 'p',
      name: 'plain',
      online: true,
    })
    ws.close()
  })

  it('answers a cursor it cannot serve with one resync frame', async () => {
    for (const cursor of ['000000000000:1', 'nonsense', `${'f'.repeat(12)}:99`]) {
      const c = await connect(cursor)
      const [f] = await c.until(1)
      assert.deepEqual(f, { event: 'resync' }, cursor)
      c.ws.close()
    }
  })

  it('a burst of events in one tick reaches a client complete and in order (one corked write)', async () => {
    const c = await connect('')
    for (let i = 0; i < 300; i++) emit(`burst${i}`)
    const got = await c.until(300)
    assert.deepEqual(
      got.map((f) => (f as { name: string }).name),
      Array.from({ length: 300 }, (_, i) => `burst${i}`),
    )
    c.ws.close()
  })

  it('one JSON per event: the frame is the plain JSON with the id last, as { ...e, eventId }', () => {
    const log = new EventLog()
    const e: ServiceEvent = { event: 'contact', peerId: 'p"q', name: 'ü\n', online: false }
    const frame = log.append(e)
    const { eventId } = JSON.parse(frame) as { eventId: string }
    assert.equal(frame, JSON.stringify({ ...e, eventId }))
    assert.equal(log.plainOf(e), JSON.stringify(e))
    assert.equal(log.frameOf(e), frame, 'the same frame again, no new id')
  })

  it('forgets events beyond EVENT_LOG_MAX: an older cursor gets resync', () => {
    const log = new EventLog()
    const e = (i: number): ServiceEvent => ({
      event: 'contact',
      peerId: 'p',
      name: `${i}`,
      online: true,
    })
    const oldest = JSON.parse(log.append(e(0))) as { eventId: string }
    for (let i = 1; i <= EVENT_LOG_MAX; i++) log.append(e(i))
    assert.equal(
      log.since(oldest.eventId)?.length,
      EVENT_LOG_MAX,
      'the first kept is right after it',
    )
    log.append(e(EVENT_LOG_MAX + 1))
    assert.equal(log.since(oldest.eventId), undefined)
  })
})
