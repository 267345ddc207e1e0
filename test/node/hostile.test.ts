// Hostile input on /kith/dm: raw streams opened with dialProtocol send random bytes, a length
// prefix of MAX_DM_FRAME_BYTES+1, a frame of exactly the limit, a frame the handler rejects,
// truncated and empty frames. Each bad stream is reset, counted by error name, and the node
// stays up: an honest sendDm afterwards still arrives.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { KithError } from '../../src/core/errors.js'
import { DM_PROTOCOL, MAX_DM_FRAME_BYTES } from '../../src/node/dm/index.js'
import { seededBytes, startNode, stopAll, waitFor, leb } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import type { Stream } from '@libp2p/interface'

/** The typed error the test handler throws for frames starting with 0xff. */
class TestRejectError extends KithError {
  override readonly name = 'TestRejectError'
  readonly code = 'TestRejectError'
}

const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

const ended = (s: Stream): boolean => s.status !== 'open'
const totalRejected = (n: Libp2pKithNode): number =>
  Object.values(n.metrics().dmRejected).reduce((s, v) => s + v, 0)

describe('dm hostile input', () => {
  let a: Libp2pKithNode
  let b: Libp2pKithNode
  let got: Uint8Array[] = []

  before(async () => {
    a = await startNode()
    b = await startNode()
    b.onDm((_from, frame) => {
      if (frame[0] === 0xff) {
        return Promise.reject(new TestRejectError('test handler refuses 0xff frames'))
      }
      got.push(frame)
      return Promise.resolve()
    })
  })
  after(() => stopAll(a, b))

  const raw = (): Promise<Stream> => a.libp2p.dialProtocol(b.libp2p.getMultiaddrs(), DM_PROTOCOL)

  it('a length prefix of MAX+1 resets the stream: MessageTooLargeError', async () => {
    const s = await raw()
    s.send(leb(MAX_DM_FRAME_BYTES + 1))
    await waitFor(() => ended(s), 5_000, 'stream reset')
    assert.equal(s.status, 'reset')
    assert.equal(b.metrics().dmRejected.MessageTooLargeError, 1)
  })

  it('a frame of exactly MAX_DM_FRAME_BYTES is accepted and delivered', async () => {
    got = []
    const s = await raw()
    const frame = new Uint8Array(MAX_DM_FRAME_BYTES).fill(0x5a)
    s.send(cat(leb(MAX_DM_FRAME_BYTES), frame))
    await waitFor(() => got.length === 1, 5_000, 'the MAX frame')
    assert.equal(got[0]!.length, MAX_DM_FRAME_BYTES)
    assert.deepEqual(got[0], frame)
    await s.close()
    await waitFor(() => s.status === 'closed', 5_000, 'clean close')
    assert.equal(totalRejected(b), 1)
  })

  it('a frame the handler rejects resets the stream, counted by the error name', async () => {
    got = []
    const s = await raw()
    s.send(
      cat(leb(3), Uint8Array.of(1, 2, 3), leb(2), Uint8Array.of(0xff, 0), leb(1), Uint8Array.of(7)),
    )
    await waitFor(() => ended(s), 5_000, 'stream reset')
    assert.equal(s.status, 'reset')
    assert.deepEqual(got, [Uint8Array.of(1, 2, 3)], 'frames after the rejected one are not handled')
    assert.equal(b.metrics().dmRejected.TestRejectError, 1)
  })

  it('a truncated frame (writer closes mid-frame) and an empty frame are malformed', async () => {
    const s1 = await raw()
    s1.send(cat(leb(100), new Uint8Array(50)))
    await s1.close()
    await waitFor(() => ended(s1), 5_000, 'truncated stream ended')
    const s2 = await raw()
    s2.send(Uint8Array.of(0))
    await waitFor(() => ended(s2), 5_000, 'empty-frame stream reset')
    assert.equal(s2.status, 'reset')
    assert.equal(b.metrics().dmRejected.MalformedMessageError, 2)
  })

  it('random bytes: every stream ends, each reset is one counted rejection', async () => {
    const before = totalRejected(b)
    let resets = 0
    for (let seed = 1; seed <= 20; seed++) {
      const s = await raw()
      s.send(seededBytes(seed, 4096))
      await s.close().catch(() => undefined)
      await waitFor(() => ended(s), 5_000, `stream of seed ${seed} ended`)
      if (s.status === 'reset') resets++
    }
    await waitFor(() => totalRejected(b) - before === resets, 2_000, 'rejections counted')
    assert.ok(resets >= 15, `only ${resets} of 20 random streams were refused`)
    const names = Object.keys(b.metrics().dmRejected).sort()
    assert.ok(
      names.every((n) =>
        ['MalformedMessageError', 'MessageTooLargeError', 'TestRejectError'].includes(n),
      ),
    )
  })

  it('the node is still up: an honest sendDm arrives', async () => {
    got = []
    assert.equal(b.libp2p.status, 'started')
    const inBefore = b.metrics().dmFramesIn
    await a.sendDm(b.peerId, [Uint8Array.of(9, 9), Uint8Array.of(8)], b.addrs())
    await waitFor(() => got.length === 2, 5_000, 'honest frames')
    assert.deepEqual(got, [Uint8Array.of(9, 9), Uint8Array.of(8)])
    assert.equal(b.metrics().dmFramesIn, inBefore + 2)
  })
})
