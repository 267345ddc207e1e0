// Contact cards through Kith's Kad-DHT with ten real nodes on 127.0.0.1 (src/node/cards.ts):
// B publishes its card and A, connected only to other nodes, finds it; B restarts on a new port
// with the same identity and publishes seq+1; A, which has only B's old address, resolves the
// new one through the DHT (findCard, findPeerAddrs) and its watched dial reaches B. A refuses
// inbound connections from B (as a node behind a NAT would), so the only way A and B meet again
// is A finding B. Also prints put/get timings, checks that a forged card is refused by peers and
// that setCardSource publishes the service's card.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { verifyContactCard, signContactCard } from '../../src/core/identity/card.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { CARD_TTL_MS, cardKey } from '../../src/node/card/record.js'
import { bundleFor } from '../core/wire/helpers.js'
import { rawPut } from './dht-helpers.js'
import { startNode, stopAll, waitFor } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import type { SingleKadDHT } from '@libp2p/kad-dht'

const NODES = 10

function signCard(seed: Uint8Array, addrs: string[], seq: bigint): Uint8Array {
  const id = IdentityKeyPair.fromSeed(seed, nodeCrypto)
  return signContactCard(nodeCrypto, id, {
    addrs,
    prekeys: bundleFor(id.publicKey),
    mailboxes: [],
    seq,
    expiresAt: BigInt(Date.now() + CARD_TTL_MS),
  })
}

const tableSize = (n: Libp2pKithNode): number =>
  (n.libp2p.services.dht as unknown as SingleKadDHT).routingTable.size

const port = (addr: string): string => addr.split('/')[4] ?? ''

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}

async function connect(from: Libp2pKithNode, to: Libp2pKithNode): Promise<void> {
  await from.libp2p.dial(multiaddr(to.addrs()[0]))
}

describe('contact cards in the DHT, ten nodes on loopback', () => {
  const seeds = Array.from({ length: NODES }, () => randomBytes(32))
  // nodes[0] is A, nodes[NODES - 1] is B.
  const nodes: Libp2pKithNode[] = []
  let bPeer = ''
  let b2: Libp2pKithNode | undefined

  before(async () => {
    bPeer = IdentityKeyPair.fromSeed(seeds[NODES - 1]!, nodeCrypto).peerId
    for (let i = 0; i < NODES; i++) {
      nodes.push(
        await startNode({
          seed: seeds[i]!,
          tuning:
            i === 0
              ? {
                  connectionGater: {
                    denyInboundEncryptedConnection: (peer) => peer.toString() === bPeer,
                  },
                }
              : {},
        }),
      )
    }
    // A chain with shortcuts: node i dials i-1 and i-2. A (0) and B (9) are not neighbours.
    for (let i = 1; i < NODES; i++) {
      await connect(nodes[i]!, nodes[i - 1]!)
      if (i >= 2) await connect(nodes[i]!, nodes[i - 2]!)
    }
    await waitFor(() => nodes.every((n) => tableSize(n) >= 2), 10_000, 'routing tables')
  })

  after(async () => {
    await stopAll(...nodes, b2)
  })

  it('B publishes its card; A finds it; put/get timings', async () => {
    const a = nodes[0]!
    const b = nodes[NODES - 1]!
    assert.equal(a.isConnected(b.peerId), false)
    const t0 = performance.now()
    await b.publishCard(signCard(seeds[NODES - 1]!, b.addrs(), 1n))
    const publishMs = performance.now() - t0
    const t1 = performance.now()
    const found = await a.findCard(b.peerId)
    const findMs = performance.now() - t1
    assert.ok(found != null, 'A finds B’s card')
    const card = verifyContactCard(nodeCrypto, found, Date.now(), b.peerId)
    assert.equal(card.seq, 1n)
    assert.deepEqual(card.addrs, b.addrs())

    // Timings: every other node puts its card (the whole put, to all K closest), A gets each.
    const puts: number[] = []
    const gets: number[] = []
    for (let i = 1; i < NODES - 1; i++) {
      const n = nodes[i]!
      const value = signCard(seeds[i]!, n.addrs(), 1n)
      const s = performance.now()
      for await (const _ of n.libp2p.services.dht.put(cardKey(n.peerId), value)) void _
      puts.push(performance.now() - s)
      const g = performance.now()
      assert.ok((await a.findCard(n.peerId)) != null)
      gets.push(performance.now() - g)
    }
    console.log(
      `# publishCard (first peer ack) ${publishMs.toFixed(0)} ms; findCard ${findMs.toFixed(0)} ms; ` +
        `full put p50 ${p50(puts).toFixed(0)} ms (max ${Math.max(...puts).toFixed(0)}); ` +
        `findCard p50 ${p50(gets).toFixed(0)} ms (max ${Math.max(...gets).toFixed(0)}) over ${puts.length} cards`,
    )
  })

  it('peers refuse a card that B did not sign', async () => {
    const a = nodes[0]!
    const b = nodes[NODES - 1]!
    const mallory = seeds[1]! // a valid card of node 1, put under B's key
    const forged = signCard(mallory, ['/ip4/127.0.0.1/tcp/1'], 99n)
    await assert.rejects(a.publishCard(forged), { name: 'InvalidSignatureError' })
    // kad-dht's put stores locally without validating; the bounded store validates its own copy
    // too (src/node/dht/store.ts), so the put fails before reaching any peer.
    await assert.rejects(
      async () => {
        for await (const _ of nodes[1]!.libp2p.services.dht.put(cardKey(b.peerId), forged)) void _
      },
      { name: 'InvalidSignatureError' },
    )
    // Sent raw to peers, each refuses it and counts it.
    for (const peer of nodes.slice(2, 5)) {
      const forgedPut = { key: cardKey(b.peerId), value: forged }
      assert.equal(await rawPut(nodes[1]!, peer, forgedPut), 'reset', 'no peer stores it')
      assert.ok((peer.metrics().dht?.rejected.InvalidSignatureError ?? 0) >= 1)
    }
    const found = await a.findCard(b.peerId)
    assert.equal(verifyContactCard(nodeCrypto, found!, Date.now(), b.peerId).seq, 1n)
  })

  it('B moves to a new port; A, with only the old address, finds and reaches B through the DHT', async () => {
    const a = nodes[0]!
    const b = nodes[NODES - 1]!
    const oldAddrs = b.addrs()
    await b.stop()
    await waitFor(() => !a.isConnected(bPeer), 5_000, 'A sees B gone')

    b2 = await startNode({ seed: seeds[NODES - 1]! })
    assert.equal(b2.peerId, bPeer)
    const newAddrs = b2.addrs()
    assert.notEqual(port(newAddrs[0]!), port(oldAddrs[0]!), 'a new port')
    await connect(b2, nodes[NODES - 2]!)
    await connect(b2, nodes[NODES - 3]!)
    await waitFor(() => tableSize(b2!) >= 2, 5_000, 'B’s routing table')
    await b2.publishCard(signCard(seeds[NODES - 1]!, newAddrs, 2n))
    assert.equal(a.isConnected(bPeer), false, 'B cannot reach A by itself')

    let connectedAt = 0
    a.on('peer:connect', (peer) => {
      if (peer === bPeer && connectedAt === 0) connectedAt = performance.now()
    })
    const watchedAt = performance.now()
    a.watch(bPeer, oldAddrs)
    await waitFor(() => connectedAt > 0, 10_000, 'A reaches B at its new address')
    const state = a.watchState(bPeer)!
    assert.ok(state.lookups >= 1, 'through a DHT lookup')
    assert.ok(
      state.addrs.includes(newAddrs[0]!.replace(`/p2p/${bPeer}`, '')),
      `new address on the watch list: ${state.addrs.join(' ')}`,
    )
    console.log(`# A reached B ${(connectedAt - watchedAt).toFixed(0)} ms after watch()`)

    const found = await a.findCard(bPeer)
    const card = verifyContactCard(nodeCrypto, found!, Date.now(), bPeer)
    assert.equal(card.seq, 2n, 'the newest card wins')
    assert.deepEqual(card.addrs, newAddrs)
    const routed = await a.findPeerAddrs(bPeer)
    assert.ok(
      routed.some((r) => port(r) === port(newAddrs[0]!)),
      `peer routing: ${routed.join(' ')}`,
    )
    a.unwatch(bPeer)
  })

  it('setCardSource publishes a fresh card from the service’s makeCard', async () => {
    const b = b2!
    let made = 0
    b.setCardSource(() => {
      made++
      return Promise.resolve(signCard(seeds[NODES - 1]!, b.addrs(), 10n + BigInt(made)))
    })
    try {
      await waitFor(() => made >= 1, 2_000, 'makeCard called at once')
      let seq = 0n
      const end = Date.now() + 5_000
      while (seq < 11n && Date.now() < end) {
        const found = await nodes[1]!.findCard(bPeer)
        if (found != null) seq = verifyContactCard(nodeCrypto, found, Date.now(), bPeer).seq
      }
      assert.ok(seq >= 11n, `node 1 sees the published card (seq ${seq})`)
    } finally {
      b.setCardSource(undefined)
    }
  })
})
