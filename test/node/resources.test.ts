// The connection budget (src/node/libp2p/resources.ts; issue 11 finding 3) against strangers with
// fresh keys: light js-libp2p nodes (TCP + Noise + yamux only) dialling a Kith victim from
// chosen loopback source addresses (127.0.0.1, 127.0.0.2: one /24; 127.1.0.1, 127.2.0.1, …:
// other /24s). The victim runs smaller limits (tuning.resources) so the test stays fast; the
// same code enforces MAX_STRANGER_CONNECTIONS_PER_IP/_PER_PREFIX and RESERVED_CONNECTIONS.
//  - the MAX+1st stranger from one IP is refused (deniedIp), from one /24 too (deniedPrefix);
//  - with the stranger pool full, a newcomer from another network evicts an idle stranger of
//    the largest network group (evicted), never a protected peer;
//  - a protected peer (an accepted contact) connects from an IP at its cap with every slot of
//    the pool taken, and its first message arrives;
//  - ipPrefix, ipOf and pickEviction as pure functions.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import {
  MAX_STRANGER_CONNECTIONS_PER_IP,
  MAX_STRANGER_CONNECTIONS_PER_PREFIX,
  RESERVED_CONNECTIONS,
  pickEviction,
} from '../../src/node/libp2p/resources.js'
import { ipOf, ipPrefix } from '../../src/node/connectivity/net-prefix.js'
import { MAX_CONNECTIONS, YAMUX_MAX_INBOUND_STREAMS } from '../../src/node/libp2p/node.js'
import { sleep, startNode, stopAll, waitFor } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import type { Stream } from '@libp2p/interface'

/** After a dial: a refusal after Noise may surface as a closed connection a moment later. */
const DIAL_SETTLE_MS = 150
/** After the last paced dial, before the open connections are counted (as DIAL_SETTLE_MS). */
const REFUSAL_SURFACES_MS = 300
/** Before raw muxer streams: those racing the connection's setup are reset for other reasons. */
const CONNECTION_SETTLE_MS = 1_000
/** Pacing under libp2p's inbound rate limit (INBOUND_CONNECTION_THRESHOLD per second per IP). */
const DIAL_PACING_MS = 40

const LIMITS = { maxConnections: 16, reserved: 4, perIp: 3, perPrefix: 5 }

/** A stranger: fresh key, no services, dialling from `from`. */
async function stranger(from: string): Promise<Libp2p> {
  const node = await createLibp2p({
    privateKey: await generateKeyPairFromSeed('Ed25519', randomBytes(32)),
    addresses: { listen: [] },
    // Node's net.connect option, passed through by @libp2p/tcp (not in its option type).
    transports: [tcp({ dialOpts: { localAddress: from } as Record<string, unknown> })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  })
  await node.start()
  return node
}

/** Whether `s` holds a connection to `victim` a moment after dialling (a refusal after Noise
 *  may surface as a closed connection rather than a failed dial). */
async function connects(s: Libp2p, victim: Libp2pKithNode): Promise<boolean> {
  try {
    await s.dial(victim.libp2p.getMultiaddrs().map((a) => multiaddr(a.toString())))
  } catch {
    return false
  }
  await sleep(DIAL_SETTLE_MS)
  return s.getConnections(victim.libp2p.peerId).some((c) => c.status === 'open')
}

const metric = (n: Libp2pKithNode, k: 'evicted' | 'deniedIp' | 'deniedPrefix' | 'deniedFull') =>
  n.metrics().resources?.[k] ?? 0

describe('connection budget', () => {
  let victim: Libp2pKithNode
  let contact: Libp2pKithNode | undefined
  const strangers: Libp2p[] = []
  const got: string[] = []
  const add = async (from: string): Promise<[Libp2p, boolean]> => {
    const s = await stranger(from)
    strangers.push(s)
    return [s, await connects(s, victim)]
  }

  before(async () => {
    victim = await startNode({
      listen: ['/ip4/0.0.0.0/tcp/0'],
      tuning: { resources: LIMITS },
    })
    victim.onDm((from) => {
      got.push(from)
      return Promise.resolve()
    })
  })
  after(async () => {
    for (const s of strangers) await s.stop()
    await stopAll(victim, contact)
  })

  it('the MAX+1st stranger from one IP is refused (deniedIp)', async () => {
    for (let i = 0; i < LIMITS.perIp; i++) {
      const [, ok] = await add('127.0.0.1')
      assert.ok(ok, `stranger ${i} from 127.0.0.1 admitted`)
    }
    const [, ok] = await add('127.0.0.1')
    assert.equal(ok, false)
    assert.equal(metric(victim, 'deniedIp'), 1)
  })

  it('the MAX+1st stranger from one /24 is refused (deniedPrefix)', async () => {
    for (let i = LIMITS.perIp; i < LIMITS.perPrefix; i++) {
      const [, ok] = await add('127.0.0.2')
      assert.ok(ok, 'admitted within the /24')
    }
    const [, ok] = await add('127.0.0.3')
    assert.equal(ok, false)
    assert.equal(metric(victim, 'deniedPrefix'), 1)
  })

  it('a full stranger pool evicts an idle stranger of the largest network group', async () => {
    // Fill the pool (maxConnections - reserved) from other /24s, 2 per /24.
    const pool = LIMITS.maxConnections - LIMITS.reserved
    for (let i = LIMITS.perPrefix, net = 1; i < pool; i++, net += i % 2) {
      const [, ok] = await add(`127.${net}.0.1`)
      assert.ok(ok, `filling the pool (${i + 1}/${pool})`)
    }
    const before = metric(victim, 'evicted')
    const oldest = strangers[0]!
    const [, ok] = await add('127.200.0.1')
    assert.ok(ok, 'the newcomer from a fresh network is admitted')
    assert.equal(metric(victim, 'evicted'), before + 1)
    // The victim came from 127.0.0.0/24 (5 connections, the largest group), idle longest.
    await waitFor(
      () => oldest.getConnections(victim.libp2p.peerId).length === 0,
      5_000,
      'the oldest idle stranger of 127.0.0.0/24 evicted',
    )
    const held = victim.connections().length
    assert.ok(held <= pool, `${held} connections > pool ${pool}`)
  })

  it('a protected peer gets in from a capped IP with the pool full; its first message arrives', async () => {
    contact = await startNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    victim.setProtectedPeers((p) => p === contact!.peerId)
    const deniedBefore = metric(victim, 'deniedIp')
    await contact.sendDm(victim.peerId, [new Uint8Array([1, 2, 3])], victim.addrs())
    await waitFor(() => got.includes(contact!.peerId), 10_000, 'the contact’s first message')
    assert.equal(metric(victim, 'deniedIp'), deniedBefore, 'the contact was not counted as refused')
    assert.ok(victim.isConnected(contact.peerId))
  })
})

describe('connection budget at the real MAX_STRANGER_CONNECTIONS_PER_IP', () => {
  let victim: Libp2pKithNode
  const strangers: Libp2p[] = []
  before(async () => {
    victim = await startNode({ listen: ['/ip4/0.0.0.0/tcp/0'] })
  })
  after(async () => {
    for (const s of strangers) await s.stop()
    await stopAll(victim)
  })

  it(`YAMUX_MAX_INBOUND_STREAMS (${YAMUX_MAX_INBOUND_STREAMS}) pending streams on one connection; the next are reset`, async () => {
    const s = await stranger('127.0.0.10')
    strangers.push(s)
    const conn = await s.dial(victim.libp2p.getMultiaddrs())
    // Let the connection settle (streams racing its setup are reset for other reasons).
    await sleep(CONNECTION_SETTLE_MS)
    // Raw muxer streams that never finish negotiating a protocol (one byte of a length prefix).
    const muxer = (conn as unknown as { muxer: { createStream(): Promise<Stream> | Stream } }).muxer
    const streams: Stream[] = []
    for (let i = 0; i < YAMUX_MAX_INBOUND_STREAMS + 2; i++) {
      const st = await muxer.createStream()
      st.send(Uint8Array.of(0x13))
      streams.push(st)
    }
    await waitFor(
      () => streams.filter((st) => st.status === 'reset').length === 2,
      10_000,
      'the two streams over the cap reset',
    )
    assert.equal(streams.filter((st) => st.status === 'open').length, YAMUX_MAX_INBOUND_STREAMS)
    await conn.close()
    await waitFor(() => s.getConnections().length === 0, 5_000, 'closed')
  })

  it(`${MAX_STRANGER_CONNECTIONS_PER_IP} strangers from one IP are admitted, the next is refused`, async () => {
    // Paced under libp2p's inbound rate limit (INBOUND_CONNECTION_THRESHOLD per second per IP),
    // as the finding's flood was.
    for (let i = 0; i < MAX_STRANGER_CONNECTIONS_PER_IP; i++) {
      const s = await stranger('127.0.0.9')
      strangers.push(s)
      await s.dial(victim.libp2p.getMultiaddrs())
      await sleep(DIAL_PACING_MS)
    }
    await sleep(REFUSAL_SURFACES_MS)
    const open = strangers.filter((s) => s.getConnections(victim.libp2p.peerId).length > 0)
    assert.equal(open.length, MAX_STRANGER_CONNECTIONS_PER_IP)
    const last = await stranger('127.0.0.9')
    strangers.push(last)
    assert.equal(await connects(last, victim), false, 'the MAX+1st is refused')
    assert.equal(metric(victim, 'deniedIp'), 1)
    // Another IP (another /24) still gets in.
    const other = await stranger('127.9.0.1')
    strangers.push(other)
    assert.equal(await connects(other, victim), true)
  })
})

describe('connection budget: pure functions and constants', () => {
  it('constants leave reserved slots and cap one IP and one /24 below the whole', () => {
    assert.ok(RESERVED_CONNECTIONS > 0 && RESERVED_CONNECTIONS < MAX_CONNECTIONS)
    assert.ok(MAX_STRANGER_CONNECTIONS_PER_IP < MAX_STRANGER_CONNECTIONS_PER_PREFIX)
    assert.ok(MAX_STRANGER_CONNECTIONS_PER_PREFIX < MAX_CONNECTIONS - RESERVED_CONNECTIONS)
  })

  it('ipPrefix: IPv4 /24, IPv6 /48, IPv4-mapped as IPv4', () => {
    assert.equal(ipPrefix('192.0.2.77'), 'ip4/192.0.2.0/24')
    assert.equal(ipPrefix('::ffff:192.0.2.77'), 'ip4/192.0.2.0/24')
    assert.equal(ipPrefix('2001:db8:1:2::5'), 'ip6/2001:db8:1::/48')
    assert.equal(ipPrefix('2001:0db8:0001:ffff:0:0:0:1'), 'ip6/2001:db8:1::/48')
    assert.equal(ipPrefix('::1'), 'ip6/0:0:0::/48')
  })

  it('ipOf: the IP of a direct address; none for a relayed one', () => {
    assert.equal(ipOf(multiaddr('/ip4/192.0.2.1/tcp/4001')), '192.0.2.1')
    assert.equal(ipOf(multiaddr('/ip6/2001:db8::1/tcp/4001')), '2001:db8::1')
    const relayed =
      '/ip4/192.0.2.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN/p2p-circuit'
    assert.equal(ipOf(multiaddr(relayed)), undefined)
  })

  it('pickEviction: the largest group loses its slot idle longest', () => {
    const slots = [
      { id: 'a1', group: 'A', lastActive: 50 },
      { id: 'a2', group: 'A', lastActive: 10 },
      { id: 'a3', group: 'A', lastActive: 90 },
      { id: 'b1', group: 'B', lastActive: 1 },
      { id: 'b2', group: 'B', lastActive: 2 },
      { id: 'c1', group: 'C', lastActive: 0 },
    ]
    assert.equal(pickEviction(slots)?.id, 'a2')
    assert.equal(pickEviction([])?.id, undefined)
    // A tie: the group with the most recently active slot (Bitcoin Core: youngest).
    const tie = [
      { id: 'x1', group: 'X', lastActive: 5 },
      { id: 'y1', group: 'Y', lastActive: 7 },
    ]
    assert.equal(pickEviction(tie)?.id, 'y1')
  })
})
