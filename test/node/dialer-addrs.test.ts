// The dialer's address order and the self-dial rule (issue 12). With fake components: a round
// dials public, then relayed, then another LAN's address, never our own; an address that failed
// goes after one that worked. With real libp2p nodes on 127.0.0.1: a node given its own address
// as a contact's (the dialer's watch list, and libp2p's own dial by PeerId from the peer store)
// never opens a connection to itself, and still reaches the contact by its real address.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { AddrPolicy } from '../../src/node/connectivity/addr-policy.js'
import { Dialer, type DialerComponents } from '../../src/node/connectivity/dialer.js'
import { LOOPBACK, startCircuitRelay, startNode, stopAll, waitFor } from './helpers.js'
import type { Connection, Libp2pEvents, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const R = '12D3KooWHFuzRKhpzN1pU6a8uAwGyk6L3Yf9VLxGmx7rxFKxAEVr'

async function randomPeer(): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** Fake components: a dial succeeds iff its address (without /p2p/) is in `reachable`. */
async function fake() {
  const events = new TypedEventEmitter<Libp2pEvents>()
  const dials: string[] = []
  const reachable = new Set<string>()
  const components: DialerComponents = {
    peerId: await randomPeer(),
    events,
    connectionManager: {
      openConnection(target: PeerId | Multiaddr): Promise<Connection> {
        const s = target.toString()
        const bare = s.replace(/\/p2p\/[^/]+$/, '')
        dials.push(bare)
        return reachable.has(bare)
          ? Promise.resolve({} as Connection)
          : Promise.reject(new Error('ECONNREFUSED'))
      },
      getConnections: () => [],
    },
    peerStore: { all: () => Promise.resolve([]), delete: () => Promise.resolve() },
  }
  return { components, events, dials, reachable }
}

describe('dial order (fake components)', () => {
  const OWN = '/ip4/192.168.1.5/tcp/4001'
  const OWN_LOOP = '/ip4/127.0.0.1/tcp/4001'
  const OTHER_LAN = '/ip4/10.7.0.9/tcp/4001'
  const PUBLIC = '/ip4/11.0.0.9/tcp/4001'
  const RELAYED = `/ip4/11.0.0.1/tcp/4001/p2p/${R}/p2p-circuit`
  const THEIR_LOOP = '/ip4/127.0.0.1/tcp/5001'

  it('public, then relayed; never our own address, their loopback or another LAN; failed ones last', async () => {
    const f = await fake()
    const policy = new AddrPolicy()
    policy.setSource(() => [multiaddr(OWN), multiaddr(OWN_LOOP)])
    // Rounds after a failure wait ≈60 s: every round here is started by a discovery event.
    const d = new Dialer(f.components, {
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 0.999,
      policy,
    })
    const peer = await randomPeer()
    const round = async (dials: number, what: string): Promise<void> => {
      f.events.safeDispatchEvent('peer:discovery', { detail: { id: peer, multiaddrs: [] } })
      await waitFor(
        () => f.dials.length === dials && d.watchState(peer.toString())?.dialing === false,
        5_000,
        what,
      )
    }
    d.start()
    try {
      // The order an invite from before issue 12 had: loopback and LAN first.
      // A /webrtc address is the hole puncher's to dial: never the dialer's.
      d.watch(
        peer,
        [OWN_LOOP, THEIR_LOOP, OTHER_LAN, OWN, `${RELAYED}/webrtc`, RELAYED, PUBLIC].map((a) =>
          multiaddr(a),
        ),
      )
      await waitFor(() => d.watchState(peer.toString())?.attempt === 1, 5_000, 'a first round')
      // Another network's LAN address is not dialled at all (addr-policy.ts 'foreign-lan').
      assert.deepEqual(f.dials, [PUBLIC, RELAYED])
      // Every address failed once; now the relayed one works.
      f.reachable.add(RELAYED)
      await round(4, 'a second round')
      assert.deepEqual(f.dials.slice(2), [PUBLIC, RELAYED])
      // Next time the address that worked goes first, before the public one that failed twice.
      await round(5, 'a third round')
      assert.equal(f.dials[4], RELAYED)
      assert.ok(
        !f.dials.some((a) => a === OWN || a === OWN_LOOP || a === THEIR_LOOP || a === OTHER_LAN),
      )
      // The watch list still holds them (our state may change); they are only not dialled.
      assert.ok(d.watchState(peer.toString())?.addrs.includes(OWN))
    } finally {
      d.stop()
    }
  })

  it('with only undialable addresses, the peer is dialled by PeerId', async () => {
    const f = await fake()
    const policy = new AddrPolicy()
    policy.setSource(() => [multiaddr(OWN)])
    const d = new Dialer(f.components, { baseDelayMs: 10, maxDelayMs: 10, policy })
    const peer = await randomPeer()
    d.start()
    try {
      d.watch(peer, [multiaddr(OWN), multiaddr(THEIR_LOOP)])
      await waitFor(() => f.dials.length >= 2, 5_000, 'two rounds')
      assert.ok(
        f.dials.every((t) => t === peer.toString()),
        f.dials.join(' '),
      )
    } finally {
      d.stop()
    }
  })
})

describe('never dialling ourselves (real nodes on 127.0.0.1)', () => {
  it('a node on 0.0.0.0 knows its loopback and interface addresses as its own', async () => {
    const a = await startNode({ listen: ['/ip4/0.0.0.0/tcp/0'] })
    try {
      const policy = a.libp2p.services.addrPolicy
      const mine = a.addrs().map((s) => multiaddr(s.replace(`/p2p/${a.peerId}`, '')))
      const port = mine[0]!.getComponents()[1]!.value
      assert.ok(mine.length >= 2, 'loopback and at least one interface')
      for (const ma of mine) assert.equal(policy.dialable(ma), false, ma.toString())
      assert.equal(policy.own().loopbackOnly, false)
      // Another daemon's loopback port: not reachable for contacts elsewhere, not dialled.
      assert.equal(policy.dialable(multiaddr(`/ip4/127.0.0.1/tcp/${Number(port) + 1}`)), false)
    } finally {
      await stopAll(a)
    }
  })

  it('a contact given our own address: no connection to ourselves, the real one is reached', async () => {
    // Every inbound TCP connection A accepts passes its gater: none may come from A itself.
    let inbound = 0
    const tuning = {
      dialer: { baseDelayMs: 50, maxDelayMs: 200 },
      connectionGater: {
        denyInboundConnection: () => {
          inbound++
          return false
        },
      },
    }
    const a = await startNode({ tuning })
    const b = await startNode()
    try {
      const own = a.addrs()[0]!.replace(`/p2p/${a.peerId}`, '')
      const ghost = (await randomPeer()).toString()

      // 1. The dialer's watch list: a contact with our address (issue 12's invite) and a dead
      //    one (port 1 refuses at once, so rounds end quickly instead of in a DHT lookup).
      a.watch(ghost, [`${own}/p2p/${ghost}`, `/ip4/127.0.0.1/tcp/1/p2p/${ghost}`])
      await waitFor(() => (a.watchState(ghost)?.dials ?? 0) >= 3, 20_000, 'three rounds')
      a.unwatch(ghost)

      // 2. libp2p's own dial by PeerId, from the peer store.
      const ghost2 = await randomPeer()
      await a.libp2p.peerStore.merge(ghost2, { multiaddrs: [multiaddr(own)] })
      await assert.rejects(a.libp2p.dial(ghost2, { signal: AbortSignal.timeout(10_000) }))

      // 3. A real contact with our address listed first: reached by its own.
      const bId = peerIdFromString(b.peerId)
      await a.libp2p.peerStore.merge(bId, {
        multiaddrs: [
          multiaddr(own),
          ...b.addrs().map((s) => multiaddr(s.replace(`/p2p/${b.peerId}`, ''))),
        ],
      })
      await a.libp2p.dial(bId, { signal: AbortSignal.timeout(10_000) })
      assert.ok(a.isConnected(b.peerId))
      a.watch(b.peerId, [`${own}/p2p/${b.peerId}`, ...b.addrs()])
      await a.libp2p.hangUp(bId)
      await waitFor(() => a.isConnected(b.peerId), 10_000, 'the dialer reconnects B')

      assert.equal(inbound, 0, 'A accepted a connection: it dialled itself')
    } finally {
      await stopAll(a, b)
    }
  })

  it('two nodes holding reservations on one relay reach each other through it', async () => {
    const { relay, viaRelay } = await startCircuitRelay()
    const b = await startNode({ listen: [LOOPBACK, viaRelay] })
    const c = await startNode({ listen: [LOOPBACK, viaRelay] })
    try {
      const reserved = (n: typeof b) => n.addrs().find((x) => x.includes('/p2p-circuit'))
      await waitFor(
        () => reserved(b) !== undefined && reserved(c) !== undefined,
        10_000,
        'reservations',
      )
      // B's own relayed address starts with the relay's ip:port, as C's does: neither the relay
      // nor C's relayed address is "ours" to B.
      const policy = b.libp2p.services.addrPolicy
      assert.ok([...policy.own().endpoints].length > 0, 'B knows its addresses')
      assert.equal(policy.dialable(relay.getMultiaddrs()[0]!), true)
      await b.libp2p.dial(multiaddr(reserved(c)), { signal: AbortSignal.timeout(10_000) })
      assert.ok(b.isConnected(c.peerId))
    } finally {
      await stopAll(b, c)
      await relay.stop()
    }
  })
})
