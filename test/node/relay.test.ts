// /kith/dm over a circuit-relay-v2 (limited) connection: B reserves a slot on a relay, A knows
// only B's /p2p-circuit address; frames still arrive (runOnLimitedConnection on the handler and
// the stream) and connections() reports the connection as not direct.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Libp2p } from 'libp2p'
import { LOOPBACK, startCircuitRelay, startNode, stopAll, waitFor } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'

describe('dm over a relayed connection', () => {
  let relay: Libp2p
  let a: Libp2pKithNode
  let b: Libp2pKithNode

  before(async () => {
    const started = await startCircuitRelay()
    relay = started.relay
    b = await startNode({ listen: [LOOPBACK, started.viaRelay] })
    a = await startNode()
  })
  after(async () => {
    await stopAll(a, b)
    await relay.stop()
  })

  it('frames arrive over the limited connection; it is reported as not direct', async () => {
    await waitFor(() => b.addrs().some((ma) => ma.includes('/p2p-circuit')), 10_000, 'reservation')
    const circuit = b.addrs().filter((ma) => ma.includes('/p2p-circuit'))
    const got: number[] = []
    b.onDm((_from, f) => {
      got.push(f[0]!)
      return Promise.resolve()
    })
    await a.sendDm(b.peerId, [Uint8Array.of(1), Uint8Array.of(2)], circuit)
    await waitFor(() => got.length === 2, 5_000, 'relayed frames')
    assert.deepEqual(got, [1, 2])
    const toB = a.connections().filter((c) => c.peerId === b.peerId)
    assert.ok(toB.length >= 1)
    assert.ok(
      toB.some((c) => !c.direct && c.addrs[0]!.includes('/p2p-circuit')),
      JSON.stringify(toB),
    )
    assert.equal(b.nat(), 'private')
  })
})
