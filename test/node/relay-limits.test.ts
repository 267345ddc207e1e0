// Chat keeps working when a relay cuts a circuit at its data limit (docs/connectivity.md
// "Symmetric NATs"): three in-process nodes on 127.0.0.1 (mDNS off) — a relay whose circuits
// carry only RELAY_TEST_LIMIT bytes, B reachable only through it (no address of its own), and
// A, which sends B far more than one circuit carries, resending what B did not get (as the
// outbox does on a missing ack). Each cut closes the DM stream; the next send dials a new
// circuit. Every frame arrives.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import { until } from '../helpers/wait.js'

/** How long a frame may take through the relay before the test sends it again (as the outbox
 *  would after its ack timeout): a cut circuit loses what was in flight. */
const RESEND_AFTER_MS = 2_000

/** Bytes one relayed connection may carry in this test (the production limit is 1 MiB). */
const RELAY_TEST_LIMIT = 16 * 1024
const FRAME_BYTES = 2048
const FRAMES = 40

const nodes: Libp2pKithNode[] = []
after(async () => {
  await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)))
})

async function start(
  opts: Partial<Parameters<typeof createKithNode>[0]>,
  tuning: Parameters<typeof createKithNode>[1] = {},
): Promise<Libp2pKithNode> {
  const node = await createKithNode(
    {
      identitySeed: new Uint8Array(randomBytes(32)),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
      ...opts,
    },
    tuning,
  )
  await node.start()
  nodes.push(node)
  return node
}

describe('relay limits', { timeout: 90_000 }, () => {
  it('a circuit cut at the data limit is replaced; every frame arrives', async () => {
    const relay = await start(
      { relayServer: true },
      { relay: { dataLimitBytes: RELAY_TEST_LIMIT } },
    )
    const relayAddr = relay.addrs().find((a) => a.startsWith('/ip4/127.0.0.1/tcp/'))!
    // B is "behind a NAT": it listens on no address of its own, only through the relay.
    const b = await start({ listen: [`${relayAddr}/p2p-circuit`] })
    // A too, so that B cannot dial it directly either once it has learned A's addresses.
    const a = await start({ listen: [`${relayAddr}/p2p-circuit`] })
    await until(
      'a reservation on the relay',
      () => b.addrs().some((x) => x.includes('/p2p-circuit')),
      15_000,
      50,
    )
    const circuit = b.addrs().filter((x) => x.includes('/p2p-circuit'))
    const got = new Set<number>()
    b.onDm((_from, frame) => {
      got.add(new DataView(frame.buffer, frame.byteOffset).getUint32(0))
      return Promise.resolve()
    })
    const relayedConnections = new Set<string>()
    let resends = 0
    for (let i = 0; i < FRAMES; i++) {
      const frame = new Uint8Array(FRAME_BYTES)
      new DataView(frame.buffer).setUint32(0, i)
      // Like the outbox: a frame not acknowledged (here: seen by B) in time is sent again. Frames
      // in flight when the relay cuts a circuit are lost with it; the next send dials a new one.
      for (let attempt = 0; !got.has(i); attempt++) {
        assert.ok(attempt < 5, `frame ${i} never arrived`)
        if (attempt > 0) resends++
        await a.sendDm(b.peerId, [frame], circuit).catch(() => undefined)
        // Not seen within RESEND_AFTER_MS: sent again (the loop's next attempt).
        await until(`frame ${i}`, () => got.has(i), RESEND_AFTER_MS, 10).catch(() => undefined)
      }
      for (const c of a.libp2p.getConnections()) {
        if (c.remotePeer.toString() === b.peerId) relayedConnections.add(c.id)
      }
    }
    assert.equal(got.size, FRAMES)
    // 80 KiB through circuits of 16 KiB: the relay cut at least four of them, and each time a
    // new relayed connection carried on.
    assert.ok(relayedConnections.size >= 5, `only ${relayedConnections.size} relayed connections`)
    assert.ok(resends <= FRAMES / 2, `${resends} resends`)
  })
})
