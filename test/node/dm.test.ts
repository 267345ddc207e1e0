// /kith/dm between real libp2p nodes on 127.0.0.1: frames arrive in order exactly once (one
// call, 1,000 frames, concurrent calls), one reused stream per peer, backpressure with a slow
// handler and large frames, idle closes on both sides, and the round trip of one frame.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { DM_PROTOCOL, MAX_DM_FRAME_BYTES } from '../../src/node/dm/index.js'
import { NodeNotStartedError, PeerUnreachableError } from '../../src/node/errors.js'
import { sleep, startNode, stopAll, waitFor } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'

/** After the expected frames: a duplicate would follow on the same stream at once. */
const NO_DUPLICATE_MS = 50

function frame(tag: number, i: number, size = 8): Uint8Array {
  const f = new Uint8Array(size)
  new DataView(f.buffer).setUint32(0, tag)
  new DataView(f.buffer).setUint32(4, i)
  return f
}
const tagOf = (f: Uint8Array): [number, number] => {
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength)
  return [v.getUint32(0), v.getUint32(4)]
}

function dmStreams(node: Libp2pKithNode, peer: string): number {
  return node.libp2p
    .getConnections()
    .filter((c) => c.remotePeer.toString() === peer)
    .flatMap((c) => c.streams)
    .filter((s) => s.protocol === DM_PROTOCOL && s.status === 'open').length
}

describe('dm between two nodes', () => {
  let a: Libp2pKithNode
  let b: Libp2pKithNode
  let received: Array<{ from: string; frame: Uint8Array }> = []
  let delay = 0

  before(async () => {
    a = await startNode()
    b = await startNode()
    b.onDm(async (from, f) => {
      if (delay > 0) await sleep(delay)
      received.push({ from, frame: f })
    })
  })
  after(() => stopAll(a, b))

  it('delivers frames in order, exactly once, from the authenticated sender', async () => {
    received = []
    const frames = Array.from({ length: 10 }, (_, i) => frame(1, i))
    await a.sendDm(b.peerId, frames, b.addrs())
    await waitFor(() => received.length >= 10)
    await sleep(NO_DUPLICATE_MS)
    assert.equal(received.length, 10)
    assert.deepEqual(
      received.map((r) => r.frame),
      frames,
    )
    assert.ok(received.every((r) => r.from === a.peerId))
    assert.equal(a.metrics().dmFramesOut, 10)
    assert.equal(b.metrics().dmFramesIn, 10)
    assert.ok(a.isConnected(b.peerId))
    const conn = a.connections().find((c) => c.peerId === b.peerId)
    assert.equal(conn?.direct, true)
    assert.ok(conn.since > Date.now() - 60_000 && conn.since <= Date.now(), `since ${conn.since}`)
  })

  it('1,000 small frames in one call arrive in order', async () => {
    received = []
    const frames = Array.from({ length: 1000 }, (_, i) => frame(2, i))
    await a.sendDm(b.peerId, frames)
    await waitFor(() => received.length >= 1000)
    assert.deepEqual(
      received.map((r) => tagOf(r.frame)),
      frames.map((f) => tagOf(f)),
    )
  })

  it('concurrent sendDm calls keep the call order, over one reused stream', async () => {
    received = []
    const calls = Array.from({ length: 100 }, (_, c) =>
      a.sendDm(
        b.peerId,
        Array.from({ length: 5 }, (_, i) => frame(c, i)),
      ),
    )
    await Promise.all(calls)
    await waitFor(() => received.length >= 500)
    const expected = Array.from({ length: 100 }, (_, c) =>
      Array.from({ length: 5 }, (_, i) => [c, i]),
    ).flat()
    assert.deepEqual(
      received.map((r) => tagOf(r.frame)),
      expected,
    )
    assert.equal(dmStreams(a, b.peerId), 1)
  })

  it('a slow handler and large frames: backpressure, no reset, all in order', async () => {
    received = []
    delay = 2
    try {
      const big = Array.from({ length: 120 }, (_, i) => frame(3, i, 64 * 1024))
      const started = Date.now()
      await a.sendDm(b.peerId, big)
      const sendMs = Date.now() - started
      await waitFor(() => received.length >= 120, 20_000, '120 large frames')
      assert.deepEqual(
        received.map((r) => tagOf(r.frame)),
        big.map((f) => tagOf(f)),
      )
      // 7.5 MiB cannot sit in B's buffers (yamux window, DM_READ_HIGH_WATER_BYTES): the sender
      // had to wait for the handler.
      assert.ok(sendMs > 60, `send returned after ${sendMs} ms`)
      assert.deepEqual(b.metrics().dmRejected, {})
    } finally {
      delay = 0
    }
  })

  it('round trip of one frame (ping-pong over the two reused streams)', async () => {
    let pong: (() => void) | undefined
    a.onDm(() => {
      pong?.()
      return Promise.resolve()
    })
    b.onDm(async (from, f) => {
      if (f[0] === 0xaa) await b.sendDm(from, [f])
      else received.push({ from, frame: f })
    })
    const rtts: number[] = []
    for (let i = 0; i < 300; i++) {
      const done = new Promise<void>((r) => (pong = r))
      const t = performance.now()
      await a.sendDm(b.peerId, [Uint8Array.of(0xaa, i & 0xff)])
      await done
      rtts.push(performance.now() - t)
    }
    rtts.sort((x, y) => x - y)
    const p = (q: number) => rtts[Math.floor(q * (rtts.length - 1))]!.toFixed(3)
    console.log(
      `# dm frame RTT over loopback: p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, p99 ${p(0.99)} ms`,
    )
  })

  it('sendDm to an unreachable peer rejects with PeerUnreachableError', async () => {
    const ghost = await startNode()
    const ghostId = ghost.peerId
    const ghostAddrs = ghost.addrs()
    await ghost.stop()
    await assert.rejects(a.sendDm(ghostId, [Uint8Array.of(1)], ghostAddrs), PeerUnreachableError)
  })

  it('WebSocket addresses: dialled where a global WebSocket exists, else refused cleanly', async () => {
    const w = await startNode({ listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
    try {
      let n = 0
      w.onDm(() => {
        n++
        return Promise.resolve()
      })
      if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') {
        await a.sendDm(w.peerId, [Uint8Array.of(1)], w.addrs())
        await waitFor(() => n === 1)
      } else {
        // Node 20 without --experimental-websocket: /ws is hidden from the dialer.
        await assert.rejects(
          a.sendDm(w.peerId, [Uint8Array.of(1)], w.addrs()),
          PeerUnreachableError,
        )
      }
    } finally {
      await w.stop()
    }
  })

  it('bad arguments are TypeErrors naming the field', async () => {
    await assert.rejects(a.sendDm('not-a-peer', [Uint8Array.of(1)]), /peer/)
    await assert.rejects(a.sendDm(b.peerId, [Uint8Array.of(1)], ['nonsense']), /addrs\[0\]/)
    await assert.rejects(a.sendDm(b.peerId, [new Uint8Array(MAX_DM_FRAME_BYTES + 1)]), {
      name: 'MessageTooLargeError',
    })
    assert.throws(() => a.watch('x', []), TypeError)
  })
})

describe('dm idle streams and lifecycle', () => {
  it('the sender closes an idle stream and reopens one on the next send', async () => {
    const a = await startNode({ tuning: { dm: { outboundIdleMs: 150 } } })
    const b = await startNode()
    try {
      const got: number[] = []
      b.onDm((_f, fr) => {
        got.push(fr[0]!)
        return Promise.resolve()
      })
      await a.sendDm(b.peerId, [Uint8Array.of(1)], b.addrs())
      await waitFor(() => got.length === 1)
      assert.equal(dmStreams(a, b.peerId), 1)
      await waitFor(() => dmStreams(a, b.peerId) === 0, 3_000, 'outbound idle close')
      await waitFor(() => dmStreams(b, a.peerId) === 0, 3_000, 'inbound side closed too')
      await a.sendDm(b.peerId, [Uint8Array.of(2)])
      await waitFor(() => got.length === 2)
      assert.deepEqual(got, [1, 2])
      assert.deepEqual(b.metrics().dmRejected, {})
    } finally {
      await stopAll(a, b)
    }
  })

  it('the listener closes an idle inbound stream; the sender notices and reopens', async () => {
    const a = await startNode()
    const b = await startNode({ tuning: { dm: { inboundIdleMs: 150, closeGraceMs: 2_000 } } })
    try {
      const got: number[] = []
      b.onDm((_f, fr) => {
        got.push(fr[0]!)
        return Promise.resolve()
      })
      await a.sendDm(b.peerId, [Uint8Array.of(1)], b.addrs())
      await waitFor(() => got.length === 1)
      // B closes its side after 150 ms; A sees the FIN, stops reusing and closes its side.
      await waitFor(() => dmStreams(a, b.peerId) === 0, 3_000, 'sender retired the stream')
      await a.sendDm(b.peerId, [Uint8Array.of(2)])
      await waitFor(() => got.length === 2)
      assert.deepEqual(got, [1, 2])
      assert.deepEqual(b.metrics().dmRejected, {})
    } finally {
      await stopAll(a, b)
    }
  })

  it('a silent raw stream is closed and then reset after the grace period', async () => {
    const a = await startNode()
    const b = await startNode({ tuning: { dm: { inboundIdleMs: 100, closeGraceMs: 100 } } })
    try {
      b.onDm(() => Promise.resolve())
      const raw = await a.libp2p.dialProtocol(b.libp2p.getMultiaddrs(), DM_PROTOCOL)
      await waitFor(() => raw.remoteWriteStatus === 'closed', 3_000, 'FIN from the listener')
      await waitFor(() => raw.status === 'reset', 3_000, 'reset after grace')
      assert.deepEqual(b.metrics().dmRejected, {})
    } finally {
      await stopAll(a, b)
    }
  })

  it('without a handler, inbound streams are refused and counted', async () => {
    const a = await startNode()
    const b = await startNode()
    try {
      await a.sendDm(b.peerId, [Uint8Array.of(1)], b.addrs()).catch(() => undefined)
      await waitFor(() => (b.metrics().dmRejected.DmNoHandlerError ?? 0) === 1)
    } finally {
      await stopAll(a, b)
    }
  })

  it('after stop, sendDm rejects with NodeNotStartedError; the node can start again', async () => {
    const seed = randomBytes(32)
    const a = await startNode({ seed })
    const b = await startNode()
    try {
      const got: number[] = []
      b.onDm((_f, fr) => {
        got.push(fr[0]!)
        return Promise.resolve()
      })
      await a.stop()
      await assert.rejects(a.sendDm(b.peerId, [Uint8Array.of(1)], b.addrs()), NodeNotStartedError)
      await a.start()
      await a.sendDm(b.peerId, [Uint8Array.of(2)], b.addrs())
      await waitFor(() => got.length === 1)
      assert.deepEqual(got, [2])
    } finally {
      await stopAll(a, b)
    }
  })
})
