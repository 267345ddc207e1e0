// The watch list (src/node/connectivity/dialer.ts): the full-jitter backoff function (bounds, growth, jitter
// within [0, cap]); with fake components, backoff between failed rounds, address pruning after
// MAX_ADDR_FAILURES, an immediate dial on discovery, the stale-peer sweep; and with real nodes,
// A keeps redialling a stopped B and reconnects within a few seconds once B is back on its port.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  BASE_DIAL_DELAY_MS,
  dialDelay,
  MAX_DIAL_DELAY_MS,
} from '../../src/node/connectivity/backoff.js'
import {
  Dialer,
  MAX_ADDR_FAILURES,
  type DialerComponents,
} from '../../src/node/connectivity/dialer.js'
import { STALE_PEER_MS } from '../../src/node/connectivity/stale-peers.js'
import { sleep, startNode, stopAll, waitFor } from './helpers.js'
import type { Connection, Libp2pEvents, Peer, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

describe('dialDelay (full jitter)', () => {
  it('is uniform in [0, min(cap, base·2^n)): extremes of random', () => {
    for (let n = 0; n < 30; n++) {
      const ceiling = Math.min(MAX_DIAL_DELAY_MS, BASE_DIAL_DELAY_MS * 2 ** n)
      assert.equal(
        dialDelay(n, () => 0),
        0,
      )
      const top = dialDelay(n, () => 0.999999999)
      assert.ok(top < ceiling && top >= ceiling - 1, `attempt ${n}: ${top} vs ceiling ${ceiling}`)
    }
  })

  it('the ceiling doubles per attempt until MAX_DIAL_DELAY_MS', () => {
    const half = (n: number) => dialDelay(n, () => 0.5)
    assert.equal(half(0), BASE_DIAL_DELAY_MS / 2)
    assert.equal(half(1), BASE_DIAL_DELAY_MS)
    assert.equal(half(2), BASE_DIAL_DELAY_MS * 2)
    const capAt = Math.ceil(Math.log2(MAX_DIAL_DELAY_MS / BASE_DIAL_DELAY_MS))
    assert.equal(half(capAt + 1), MAX_DIAL_DELAY_MS / 2)
    assert.equal(half(1000), MAX_DIAL_DELAY_MS / 2)
  })

  it('stays within [0, cap] for any attempt and random (fast-check, numRuns 500)', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (attempt, r, base, max) => {
          const d = dialDelay(attempt, () => r, base, max)
          return Number.isInteger(d) && d >= 0 && d <= max && d <= base * 2 ** Math.min(attempt, 60)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('jitter spreads delays over the whole interval (Math.random, 2,000 draws)', () => {
    const ceiling = BASE_DIAL_DELAY_MS * 8
    const draws = Array.from({ length: 2000 }, () => dialDelay(3))
    assert.ok(draws.every((d) => d >= 0 && d < ceiling))
    const quarters = [0, 0, 0, 0]
    for (const d of draws) quarters[Math.floor((d / ceiling) * 4)]!++
    assert.ok(
      quarters.every((q) => q > 350),
      `quarters ${quarters.join(',')}`,
    )
  })

  it('refuses a negative or fractional attempt', () => {
    assert.throws(() => dialDelay(-1), RangeError)
    assert.throws(() => dialDelay(1.5), RangeError)
  })
})

/** Fake libp2p components: dials fail unless `reachable`; records what was dialled. */
async function fakeComponents() {
  const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const events = new TypedEventEmitter<Libp2pEvents>()
  const dials: Array<{ target: string; at: number }> = []
  const store = new Map<string, Peer>()
  const state = { reachable: false }
  const components: DialerComponents = {
    peerId: self,
    events,
    connectionManager: {
      async openConnection(peer: PeerId | Multiaddr): Promise<Connection> {
        dials.push({ target: peer.toString(), at: Date.now() })
        await sleep(1)
        if (!state.reachable) throw new Error('ECONNREFUSED')
        return {} as Connection
      },
      getConnections: () => [],
    },
    peerStore: {
      all: () => Promise.resolve([...store.values()]),
      delete: (id: PeerId) => {
        store.delete(id.toString())
        return Promise.resolve()
      },
    },
  }
  return { components, events, dials, store, state, self }
}

async function randomPeer(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

describe('Dialer with fake components', () => {
  it('backs off between failed rounds, prunes an address after MAX_ADDR_FAILURES, then dials by PeerId', async () => {
    const f = await fakeComponents()
    // Delays large enough that a loaded machine's timer lateness (≈50 ms seen in CI with
    // 10 ms delays) cannot reorder them.
    const d = new Dialer(f.components, { baseDelayMs: 100, maxDelayMs: 800, random: () => 0.999 })
    const peer = await randomPeer()
    d.start()
    try {
      d.watch(peer, [multiaddr('/ip4/127.0.0.1/tcp/9')])
      await waitFor(() => f.dials.length >= MAX_ADDR_FAILURES + 3, 20_000, 'dials')
      const gaps = f.dials.slice(1).map((x, i) => x.at - f.dials[i]!.at)
      // Delays 99, 199, 399, 799, 799… ms (random 0.999 of 100·2^n, cap 800): they grow, then
      // plateau.
      assert.ok(gaps[3]! >= gaps[0]! + 400, `gaps ${gaps.join(',')}`)
      assert.ok(
        gaps.every((g) => g >= 90 && g < 800 + 400),
        `gaps ${gaps.join(',')}`,
      )
      const byAddr = f.dials.filter((x) => x.target.startsWith('/ip4/127.0.0.1/tcp/9/p2p/'))
      assert.equal(byAddr.length, MAX_ADDR_FAILURES)
      assert.ok(f.dials.slice(MAX_ADDR_FAILURES).every((x) => x.target === peer.toString()))
      assert.deepEqual(d.watchState(peer.toString())?.addrs, [])
      assert.ok((d.watchState(peer.toString())?.attempt ?? 0) >= MAX_ADDR_FAILURES)
    } finally {
      d.stop()
    }
  })

  it('a discovery of a watched peer dials at once; connect resets the attempt count', async () => {
    const f = await fakeComponents()
    const d = new Dialer(f.components, {
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 0.999,
    })
    const peer = await randomPeer()
    d.start()
    try {
      d.watch(peer, [multiaddr('/ip4/127.0.0.1/tcp/9')])
      await waitFor(() => d.watchState(peer.toString())?.attempt === 1, 2_000, 'first failed round')
      assert.ok((d.watchState(peer.toString())?.nextDialAt ?? 0) > Date.now() + 30_000)
      const before = f.dials.length
      f.state.reachable = true
      f.events.safeDispatchEvent('peer:discovery', {
        detail: { id: peer, multiaddrs: [multiaddr('/ip4/127.0.0.1/tcp/10')] },
      })
      await waitFor(() => f.dials.length > before, 2_000, 'immediate dial on discovery')
      assert.ok(d.watchState(peer.toString())?.addrs.includes('/ip4/127.0.0.1/tcp/10'))
      await waitFor(() => d.watchState(peer.toString())?.attempt === 0, 2_000, 'attempt reset')
      f.events.safeDispatchEvent('peer:connect', { detail: peer })
      assert.equal(d.watchState(peer.toString())?.nextDialAt, undefined)
    } finally {
      d.stop()
    }
  })

  it('unwatched, disconnected peers not seen for STALE_PEER_MS leave the peer store', async () => {
    const f = await fakeComponents()
    let now = 1_000_000
    const d = new Dialer(f.components, { now: () => now })
    const [watched, seen, stale] = await Promise.all([randomPeer(), randomPeer(), randomPeer()])
    for (const p of [watched, seen, stale, f.self]) {
      f.store.set(p.toString(), {
        id: p,
        addresses: [],
        protocols: [],
        metadata: new Map(),
        tags: new Map(),
      })
    }
    d.start()
    try {
      d.watch(watched, [])
      assert.equal(await d.sweepStalePeers(), 0) // first sweep: everyone noticed now
      now += STALE_PEER_MS / 2
      f.events.safeDispatchEvent('peer:disconnect', { detail: seen })
      now += STALE_PEER_MS / 2 + 1
      assert.equal(await d.sweepStalePeers(), 1)
      assert.deepEqual([...f.store.keys()].sort(), [watched, seen, f.self].map(String).sort())
      now += STALE_PEER_MS
      assert.equal(await d.sweepStalePeers(), 1)
      assert.deepEqual([...f.store.keys()].sort(), [watched, f.self].map(String).sort())
    } finally {
      d.stop()
    }
  })
})

describe('watch with real nodes', () => {
  it('A redials a stopped B with backoff, and reconnects when B is back on the same port', async () => {
    const seedB = randomBytes(32)
    const tuning = { dialer: { baseDelayMs: 100, maxDelayMs: 800 } }
    const a = await startNode({ tuning })
    const b = await startNode({ seed: seedB })
    let b2: Awaited<ReturnType<typeof startNode>> | undefined
    try {
      const bAddrs = b.addrs()
      const bId = b.peerId
      await a.sendDm(bId, [Uint8Array.of(1)], bAddrs).catch(() => undefined)
      await waitFor(() => a.isConnected(bId), 5_000, 'first connection')
      await b.stop()
      await waitFor(() => !a.isConnected(bId), 5_000, 'disconnect seen')
      a.watch(bId, bAddrs)

      // B is down: rounds fail and the attempt count climbs (delays ≤ 100, 200, 400, 800… ms).
      await waitFor(() => (a.watchState(bId)?.attempt ?? 0) >= 3, 5_000, 'three failed rounds')
      const state = a.watchState(bId)!
      assert.ok(state.nextDialAt != null && state.nextDialAt - Date.now() <= 800)
      assert.deepEqual(
        state.addrs,
        bAddrs.map((s) => s.replace(`/p2p/${bId}`, '')),
      )

      let connectedAt = 0
      a.on('peer:connect', (peer) => {
        if (peer === bId) connectedAt = Date.now()
      })
      const restartedAt = Date.now()
      b2 = await startNode({ seed: seedB, listen: bAddrs.map((s) => s.replace(`/p2p/${bId}`, '')) })
      assert.deepEqual(b2.addrs(), bAddrs)
      await waitFor(() => connectedAt > 0, 5_000, 'peer:connect from the restarted B')
      console.log(`# reconnected ${connectedAt - restartedAt} ms after B restarted`)
      assert.ok(a.isConnected(bId))
      await waitFor(() => a.watchState(bId)?.attempt === 0, 2_000, 'attempt reset on connect')
      a.unwatch(bId)
      assert.equal(a.watchState(bId), undefined)
    } finally {
      await stopAll(a, b, b2)
    }
  })
})
