// The jittered connection monitor (src/node/libp2p/conn-monitor.ts) with fake connections and a fake
// clock (tick(now) called directly): the period stays within its bounds, a connection's first
// ping comes at a random phase within one interval, and connections first seen together (the
// burst libp2p's monitor makes every 10 s) ping spread over the interval, not all in one tick.
// Also that a failed ping aborts the connection, as libp2p's monitor does, but that pings of one
// connection never overlap and our own stream limit aborts nothing (unlike libp2p's). And that
// a connection whose muxer pings (yamux) is pinged through it, no stream opened: with fakes, and
// between two real Kith nodes on 127.0.0.1 (whose yamux keep-alive is off: the monitor is it).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Connection } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import {
  CONNECTION_PING_INTERVAL_MS,
  CONNECTION_PING_JITTER,
  JitteredConnectionMonitor,
  jitteredPeriod,
} from '../../src/node/libp2p/conn-monitor.js'
import { prng } from '../../bench/lib/group-net.js'
import { startNode, stopAll } from './helpers.js'
import { until } from '../helpers/wait.js'

interface FakeConn {
  pings: number[]
  aborted: boolean
}

function fakeConns(
  n: number,
  now: () => number,
  fail = false,
): { conns: FakeConn[]; list: Connection[] } {
  const conns: FakeConn[] = []
  const list = Array.from({ length: n }, () => {
    const c: FakeConn = { pings: [], aborted: false }
    conns.push(c)
    return {
      newStream: () => {
        c.pings.push(now())
        return Promise.reject(
          Object.assign(new Error('no stream'), {
            name: fail ? 'StreamResetError' : 'UnsupportedProtocolError',
          }),
        )
      },
      abort: () => {
        c.aborted = true
      },
      rtt: 0,
    } as unknown as Connection
  })
  return { conns, list }
}

/** A monitor over `conns` whose every draw is 0.5: a connection's first ping half an interval after
 *  it is first seen, then exactly every interval. */
function monitorOver(conns: readonly unknown[]): JitteredConnectionMonitor {
  return new JitteredConnectionMonitor(
    {
      connectionManager: { getConnections: () => conns as Connection[] },
      logger: defaultLogger(),
    },
    { random: () => 0.5 },
  )
}

/** Lets `m` see its connections at `start`, then ticks one interval later: each is pinged once.
 *  Returns the time of the second tick. */
function pingOnce(m: JitteredConnectionMonitor, start: number): number {
  m.tick(start)
  m.tick(start + CONNECTION_PING_INTERVAL_MS)
  return start + CONNECTION_PING_INTERVAL_MS
}

describe('jittered connection monitor', () => {
  it('periods lie within interval × (1 ± jitter) and reach both ends', () => {
    const lo = CONNECTION_PING_INTERVAL_MS * (1 - CONNECTION_PING_JITTER)
    const hi = CONNECTION_PING_INTERVAL_MS * (1 + CONNECTION_PING_JITTER)
    assert.equal(jitteredPeriod(CONNECTION_PING_INTERVAL_MS, CONNECTION_PING_JITTER, 0), lo)
    const rand = prng(7)
    let min = Infinity
    let max = -Infinity
    for (let i = 0; i < 10_000; i++) {
      const p = jitteredPeriod(CONNECTION_PING_INTERVAL_MS, CONNECTION_PING_JITTER, rand())
      assert.ok(p >= lo && p < hi, `${p}`)
      min = Math.min(min, p)
      max = Math.max(max, p)
    }
    assert.ok(min < lo + 100 && max > hi - 100, `${min}..${max}`)
  })

  it('spreads the pings of connections opened together over the interval', async () => {
    let now = 1_000_000
    const { conns, list } = fakeConns(100, () => now)
    const m = new JitteredConnectionMonitor(
      { connectionManager: { getConnections: () => list }, logger: defaultLogger() },
      { random: prng(42) },
    )
    const tickMs = 1_000
    const start = now
    // Five intervals of 1 s ticks.
    for (let t = 0; t <= 5 * CONNECTION_PING_INTERVAL_MS; t += tickMs) {
      now = start + t
      m.tick(now)
      // A second passes between ticks: the pings of this one have ended.
      await new Promise((r) => setImmediate(r))
    }
    await new Promise((r) => setImmediate(r))
    // Every connection pinged 4–6 times in 50 s (period 8–12 s), first within one interval.
    for (const c of conns) {
      assert.ok(c.pings.length >= 4 && c.pings.length <= 6, `${c.pings.length} pings`)
      assert.ok(c.pings[0]! - start <= CONNECTION_PING_INTERVAL_MS + tickMs)
      for (let i = 1; i < c.pings.length; i++) {
        const gap = c.pings[i]! - c.pings[i - 1]!
        assert.ok(gap >= 8_000 - tickMs && gap <= 12_000 + tickMs, `gap ${gap}`)
      }
      assert.equal(c.aborted, false)
    }
    // No tick carries more than a quarter of them (libp2p's monitor: all 100 in one).
    const perTick = new Map<number, number>()
    for (const c of conns) perTick.set(c.pings[0]!, (perTick.get(c.pings[0]!) ?? 0) + 1)
    assert.ok(Math.max(...perTick.values()) <= 25, `${Math.max(...perTick.values())} in one tick`)
    assert.ok(perTick.size >= 8, `${perTick.size} distinct ticks`)
  })

  it('a failed ping aborts the connection', async () => {
    const now = 0
    const { conns, list } = fakeConns(3, () => now, true)
    pingOnce(monitorOver(list), now)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(
      conns.map((c) => c.aborted),
      [true, true, true],
    )
  })

  it('never two pings of one connection at once, and its own stream limit aborts nothing', async () => {
    let now = 0
    const opened: number[] = []
    const held: Array<(err: Error) => void> = []
    const conn = {
      aborted: false,
      newStream: () => {
        opened.push(now)
        // The first ping hangs (a busy peer); the test ends it with our stream-limit error.
        return new Promise((_resolve, reject) => held.push(reject))
      },
      abort() {
        this.aborted = true
      },
      rtt: 0,
    }
    const m = monitorOver([conn])
    m.tick(now)
    for (let i = 0; i < 5; i++) {
      now += CONNECTION_PING_INTERVAL_MS * 2
      m.tick(now)
    }
    assert.equal(opened.length, 1, 'one ping in flight, the later periods skipped')
    held[0]!(Object.assign(new Error('too many'), { name: 'TooManyOutboundProtocolStreamsError' }))
    await new Promise((r) => setImmediate(r))
    assert.equal(conn.aborted, false, 'our own limit says nothing of the peer')
    now += CONNECTION_PING_INTERVAL_MS * 2
    m.tick(now)
    assert.equal(opened.length, 2, 'the next period pings again')
  })

  it('pings through the muxer where it has a ping: no stream, the round trip kept', async () => {
    const now = 0
    let streams = 0
    let pings = 0
    const conn = {
      newStream: () => {
        streams++
        return Promise.reject(new Error('no stream expected'))
      },
      muxer: {
        ping(this: unknown, opts: { signal: AbortSignal }): Promise<number> {
          assert.equal(this, conn.muxer, 'called on its muxer')
          assert.ok(opts.signal instanceof AbortSignal)
          pings++
          return Promise.resolve(7)
        },
      },
      abort: () => assert.fail('a working ping aborts nothing'),
      rtt: 0,
    }
    pingOnce(monitorOver([conn]), now)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual({ pings, streams, rtt: conn.rtt }, { pings: 1, streams: 0, rtt: 7 })
  })

  it('a muxer ping that fails aborts the connection', async () => {
    const now = 0
    let aborted: Error | undefined
    const conn = {
      newStream: () => Promise.reject(new Error('no stream expected')),
      muxer: {
        ping: () => Promise.reject(Object.assign(new Error('t'), { name: 'TimeoutError' })),
      },
      abort: (err: Error) => {
        aborted = err
      },
      rtt: 0,
    }
    pingOnce(monitorOver([conn]), now)
    await new Promise((r) => setImmediate(r))
    assert.equal(aborted?.name, 'TimeoutError')
  })

  it('between two real Kith nodes: a yamux PING measures the round trip, keep-alive off', async () => {
    const a = await startNode()
    const b = await startNode()
    try {
      const conn = await a.libp2p.dial(b.libp2p.getMultiaddrs())
      const muxer = (conn as unknown as { muxer: { enableKeepAlive: boolean } }).muxer
      assert.equal(muxer.enableKeepAlive, false, "yamux's own keep-alive is off")
      // The real muxer's ping, counted (the DHT's first contact opens a ping stream of its own
      // meanwhile: streams are not what tells the monitor's ping apart).
      const real = muxer as unknown as { ping: (o: { signal: AbortSignal }) => Promise<number> }
      const ping = real.ping.bind(real)
      let muxerPings = 0
      real.ping = (o) => {
        muxerPings++
        return ping(o)
      }
      conn.rtt = -1
      const m = monitorOver([conn])
      pingOnce(m, Date.now())
      const deadline = Date.now() + 10_000
      while (conn.rtt === -1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      assert.ok((conn.rtt ?? -1) >= 0, 'the round trip was measured')
      assert.equal(muxerPings, 1, 'one yamux PING')
      assert.equal(conn.status, 'open')
      m.stop()
    } finally {
      await stopAll(a, b)
    }
  })
})

describe('the monitor wakes only when a ping is due', () => {
  it('never without connections; a connection that opens is pinged within one interval', async () => {
    const list: Connection[] = []
    const events = new EventTarget()
    const { conns, list: one } = fakeConns(1, () => Date.now())
    const m = new JitteredConnectionMonitor(
      {
        connectionManager: { getConnections: () => list },
        logger: defaultLogger(),
        events: events as never,
      },
      { intervalMs: 200, tickMs: 20 },
    )
    m.start()
    try {
      await new Promise((r) => setTimeout(r, 300))
      assert.equal(m.wakes, 0, 'no connection: no wake (an idle or offline daemon sleeps)')
      list.push(one[0]!)
      const opened = Date.now()
      events.dispatchEvent(new CustomEvent('connection:open', { detail: one[0] }))
      const pings = conns[0]!.pings
      await until('two pings', () => pings.length >= 2, 5_000)
      // Pinged at its phase (< one interval after it opened; loose: timers run late under load),
      // then every 160–240 ms; each wake pings (a timer firing before its time pings anyway).
      assert.ok(pings[0]! - opened < 200 + 500, `first ping ${pings[0]! - opened} ms after open`)
      assert.ok(pings[1]! - pings[0]! >= 150, `pings ${pings[1]! - pings[0]!} ms apart`)
      assert.ok(m.wakes <= pings.length + 1, `${m.wakes} wakes for ${pings.length} pings`)
      list.length = 0
      const wakes = m.wakes
      await new Promise((r) => setTimeout(r, 500))
      assert.ok(m.wakes <= wakes + 1, 'the connection gone: the monitor stops waking')
    } finally {
      m.stop()
    }
  })
})
