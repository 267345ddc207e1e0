// The paced random walk (src/node/libp2p/random-walk.ts) with a fake peer routing: a walk whose
// queries find nothing (no network) pauses between queries with growing delays instead of
// spinning; reset() wakes a paused walker at once; a failing query does not end the walk; an
// aborted signal ends it during a pause; withPacedWalk hands the walk to the wrapped service.
// And with real nodes on 127.0.0.1: a relayed node whose relay stopped stays nearly idle (the
// old code, libp2p's own walk, used ≈42 % of a core here).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { createKithNode } from '../../src/node/kith-node.js'
import {
  PacedRandomWalk,
  WALK_BASE_DELAY_MS,
  WALK_MAX_DELAY_MS,
  withPacedWalk,
} from '../../src/node/libp2p/random-walk.js'
import { sleep, stopAll, waitFor } from './helpers.js'
import type { PeerInfo } from '@libp2p/interface'

/** The sleeps here are measurement windows (the walk's pacing is what is tested): */
/** how long the walk runs before its queries are counted (50–200 ms pauses: a handful). */
const WALK_WATCH_MS = 1_000
/** after the first query, how long no second one may come (the pause is ≈54 s). */
const NO_SECOND_QUERY_MS = 100
/** after the relay stops, before CPU is measured: the refused dials have started. */
const REFUSALS_START_MS = 1_000
/** the window the walk's CPU share is measured over. */
const CPU_WINDOW_MS = 5_000

/** A peer routing whose every query ends at once: with `found` peers, or throwing. */
function fakeRouting(found: PeerInfo[] = [], fail = false) {
  const r = {
    queries: 0,
    async *getClosestPeers(): AsyncGenerator<PeerInfo> {
      r.queries++
      await Promise.resolve()
      if (fail) throw new Error('no route')
      yield* found
    },
  }
  return r
}

/** Consumes a walk in the background until `ac` aborts. */
function consume(walk: PacedRandomWalk, ac: AbortController, seen: PeerInfo[] = []): Promise<void> {
  return (async () => {
    for await (const p of walk.walk({ signal: ac.signal })) seen.push(p)
  })()
}

describe('PacedRandomWalk', () => {
  it('constants: first pause under 1 s, doubling to 5 min', () => {
    assert.equal(WALK_BASE_DELAY_MS, 1_000)
    assert.equal(WALK_MAX_DELAY_MS, 300_000)
  })

  it('pauses between queries that find nothing (no busy loop)', async () => {
    const routing = fakeRouting()
    const walk = new PacedRandomWalk({ baseDelayMs: 50, maxDelayMs: 200, random: () => 0.5 })
    walk.bind({ peerRouting: routing })
    const ac = new AbortController()
    const done = consume(walk, ac)
    await sleep(WALK_WATCH_MS)
    ac.abort()
    await done
    // Pauses 25, 50, 100, 100, … ms: ≈ 11 queries in 1 s. Upstream's loop made thousands.
    assert.ok(routing.queries >= 3, `queries ${routing.queries}`)
    assert.ok(routing.queries <= 20, `queries ${routing.queries}`)
  })

  it('yields what queries find; a failing query does not end the walk', async () => {
    const peer = { id: {} as PeerInfo['id'], multiaddrs: [] }
    const ok = fakeRouting([peer])
    const walk = new PacedRandomWalk({ baseDelayMs: 10, maxDelayMs: 10 })
    walk.bind({ peerRouting: ok })
    const ac = new AbortController()
    const seen: PeerInfo[] = []
    const done = consume(walk, ac, seen)
    await waitFor(() => seen.length >= 2, 5_000)
    ac.abort()
    await done

    const failing = fakeRouting([], true)
    const walk2 = new PacedRandomWalk({ baseDelayMs: 10, maxDelayMs: 10 })
    walk2.bind({ peerRouting: failing })
    const ac2 = new AbortController()
    const done2 = consume(walk2, ac2)
    await waitFor(() => failing.queries >= 3, 5_000)
    ac2.abort()
    await done2
  })

  it('reset() wakes a walker in a long pause at once; abort ends a pause', async () => {
    const routing = fakeRouting()
    const walk = new PacedRandomWalk({ baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.9 })
    walk.bind({ peerRouting: routing })
    const ac = new AbortController()
    const done = consume(walk, ac)
    await waitFor(() => routing.queries === 1, 2_000)
    await sleep(NO_SECOND_QUERY_MS)
    assert.equal(routing.queries, 1, 'paused for ≈54 s')
    const t0 = performance.now()
    walk.reset()
    await waitFor(() => routing.queries === 2, 2_000)
    assert.ok(performance.now() - t0 < 1_000)
    ac.abort()
    await done // ends during the next pause, well before 54 s
  })

  it('withPacedWalk: the wrapped factory sees the walk as randomWalk, the rest unchanged', () => {
    const walk = new PacedRandomWalk()
    const routing = fakeRouting()
    const components = { peerRouting: routing, randomWalk: 'upstream', other: 42 }
    const seen = withPacedWalk((c: typeof components) => c, walk)(components)
    assert.equal(seen.randomWalk, walk)
    assert.equal(seen.other, 42)
    assert.equal(seen.peerRouting, routing)
  })
})

describe('a relayed node whose relay is gone (real nodes, 127.0.0.1)', { timeout: 60_000 }, () => {
  it('stays nearly idle: under 10 % of a core over 5 s (libp2p’s own walk: ≈42 %)', async () => {
    const relay = await createKithNode({
      identitySeed: randomBytes(32),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
      relayServer: true,
    })
    await relay.start()
    const node = await createKithNode({
      identitySeed: randomBytes(32),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: relay.addrs(),
      mdns: false,
      relayed: true,
    })
    try {
      await node.start()
      await node.libp2p.dial(multiaddr(relay.addrs()[0]))
      await waitFor(() => node.addrs().some((a) => a.includes('/p2p-circuit')), 20_000)
      await relay.stop() // every dial to it is now refused at once
      await sleep(REFUSALS_START_MS)
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      await sleep(CPU_WINDOW_MS)
      const used = process.cpuUsage(c0)
      const share = (used.user + used.system) / 1_000 / (performance.now() - t0)
      assert.ok(share < 0.1, `used ${(share * 100).toFixed(1)} % of a core`)
    } finally {
      await stopAll(node, relay)
    }
  })
})
