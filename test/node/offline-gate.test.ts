// The offline gate (src/node/connectivity/offline-gate.ts) with an injected network: while online every dial
// passes; while offline only the anchors during a probe, and loopback ones on a host that never
// had a network; a connection that opens while /proc/net says offline makes the node online for
// that network (routes elsewhere) if it still says so PROOF_DELAY_MS later (not when the link
// was merely coming back); a real node refuses such a dial with DialDeniedError.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TypedEventEmitter } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Connectivity, type RoundReason } from '../../src/node/connectivity/connectivity.js'
import { createKithNode } from '../../src/node/kith-node.js'
import { OfflineGate } from '../../src/node/connectivity/offline-gate.js'
import type { NetworkSnapshot } from '../../src/node/connectivity/host-network.js'
import type { Libp2pEvents } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The gate's timers in these tests (Connectivity's proofDelayMs / proofStableMs, shortened). */
const PROOF_DELAY_MS = 50
const PROOF_STABLE_MS = 500
/** The sleeps are the point here (what the gate decides once its timer has run): past
 *  proofDelayMs with margin for a loaded machine, and past proofStableMs. */
const PAST_PROOF_DELAY_MS = 200
const PAST_PROOF_STABLE_MS = 600

const RELAY = multiaddr(
  '/ip4/11.77.0.1/tcp/4001/p2p/12D3KooWCPjDyS2uUfsSz42VujHVXmGSsLpsp7SnZJ7BRFGwvPRB',
)
const OTHER = multiaddr('/ip4/11.77.0.9/tcp/4001')
const LOOP = multiaddr('/ip4/127.0.0.1/tcp/4002')
const LOOP_CIRCUIT = multiaddr(
  '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWCPjDyS2uUfsSz42VujHVXmGSsLpsp7SnZJ7BRFGwvPRB/p2p-circuit',
)

function setup(initial: NetworkSnapshot = { fingerprint: 'up', online: true }) {
  let net: NetworkSnapshot = initial
  const events = new TypedEventEmitter<Libp2pEvents>()
  const dialled: string[] = []
  let conns: Array<{ remoteAddr: Multiaddr }> = []
  const c = new Connectivity(
    { events, connectionManager: { getConnections: () => conns } },
    {
      pollIntervalMs: 60_000,
      roundMinIntervalMs: 0,
      proofDelayMs: PROOF_DELAY_MS,
      proofStableMs: PROOF_STABLE_MS,
      snapshot: () => net,
    },
  )
  const rounds: RoundReason[] = []
  c.onReconnect((r) => rounds.push(r))
  const gate = new OfflineGate()
  gate.attach(c)
  const gater = gate.gater()
  const cm = {
    openConnection: (ma: Multiaddr) => {
      dialled.push(ma.toString())
      return Promise.reject(new Error('unreachable'))
    },
    getConnections: () => [],
  }
  c.onProbe(() => gate.probe(cm, [RELAY]))
  c.start()
  return {
    c,
    gate,
    denied: async (ma: Multiaddr) => (await gater.denyDialMultiaddr?.(ma)) === true,
    dialled,
    rounds,
    set: (n: NetworkSnapshot) => (net = n),
    open: (remoteAddr: Multiaddr) => {
      conns = [...conns, { remoteAddr }]
      events.safeDispatchEvent('connection:open', { detail: { remoteAddr } as never })
    },
  }
}

describe('OfflineGate', () => {
  it('online: every dial passes', async () => {
    const s = setup()
    for (const ma of [RELAY, OTHER, LOOP]) assert.equal(await s.denied(ma), false)
    s.c.stop()
  })

  it('offline after being online: nothing passes but the relays once a probe interval', async () => {
    const s = setup()
    s.set({ fingerprint: 'down', online: false })
    s.c.tick() // offline now; the first probe is due at once: it dials the relay
    assert.equal(s.c.state(), 'offline')
    assert.deepEqual(s.dialled, [RELAY.toString()])
    assert.equal(await s.denied(RELAY), false, 'the probe dial itself passes')
    assert.equal(await s.denied(OTHER), true)
    // Loopback addresses of other hosts' peers (from cards): junk once the network is gone.
    assert.equal(await s.denied(LOOP), true)
    assert.equal(await s.denied(LOOP_CIRCUIT), true)
    s.c.tick() // within OFFLINE_PROBE_INTERVAL_MS: no new probe
    assert.equal(s.dialled.length, 1)
    assert.ok(s.gate.denied >= 1)
    s.c.stop()
  })

  it('a host that never had a network (a sandbox) still dials loopback peers', async () => {
    const s = setup({ fingerprint: 'lo', online: false, hasAddress: false })
    assert.equal(s.c.state(), 'offline')
    assert.equal(await s.denied(LOOP), false)
    assert.equal(await s.denied(LOOP_CIRCUIT), false)
    assert.equal(await s.denied(OTHER), true)
    s.c.stop()
  })

  it('a connection as the link comes back (operstate lagging) is no proof of anything', async () => {
    const s = setup()
    s.set({ fingerprint: 'addr-no-route', online: false, hasAddress: true })
    s.c.tick()
    s.open(RELAY) // the link is up, its operstate not yet
    s.set({ fingerprint: 'up', online: true })
    await sleep(PAST_PROOF_DELAY_MS) // looked at again, and it is online by /proc/net now
    assert.equal(s.c.state(), 'online')
    assert.deepEqual(s.rounds, ['network-changed'])
    s.set({ fingerprint: 'addr-no-route', online: false, hasAddress: true })
    s.c.tick()
    assert.equal(s.c.state(), 'offline', 'the transient state was not taken as proven')
    // Still looking offline at the check, but the network had just changed: no proof either.
    s.open(OTHER)
    await sleep(PAST_PROOF_DELAY_MS)
    assert.equal(s.c.state(), 'offline', 'a network seen for less than proofStableMs')
    s.c.stop()
  })

  it('a connection while /proc/net says offline, long and still: online for that network', async () => {
    const s = setup()
    s.set({ fingerprint: 'policy-routed', online: false, hasAddress: true })
    s.c.tick()
    assert.equal(s.c.state(), 'offline')
    await sleep(PAST_PROOF_STABLE_MS) // the network has looked the same for proofStableMs
    s.open(LOOP)
    await sleep(PAST_PROOF_DELAY_MS)
    assert.equal(s.c.state(), 'offline', 'a loopback connection proves nothing')
    s.open(RELAY)
    assert.equal(s.c.state(), 'offline', 'not at once')
    await sleep(PAST_PROOF_DELAY_MS)
    assert.equal(s.c.state(), 'online')
    assert.deepEqual(s.rounds, ['network-changed'])
    s.c.tick()
    assert.equal(s.c.state(), 'online', 'the same network stays online')
    s.set({ fingerprint: 'really-down', online: false, hasAddress: true })
    s.c.tick()
    assert.equal(s.c.state(), 'offline', 'another network is judged afresh')
    s.c.stop()
  })

  it('a real node, offline: a dial to another host fails with DialDeniedError, no socket', async () => {
    const node = await createKithNode(
      {
        identitySeed: randomBytes(32),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [],
        mdns: false,
      },
      { connectivity: { snapshot: () => ({ fingerprint: 'x', online: false, hasAddress: true }) } },
    )
    await node.start()
    try {
      assert.equal(node.network().state, 'offline')
      await assert.rejects(node.libp2p.dial(RELAY), { name: 'DialDeniedError' })
    } finally {
      await node.stop()
    }
  })
})
