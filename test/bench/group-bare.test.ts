// The group bench's baselines (bench/lib/group-bare.ts): bare-streams floods over a subgraph of
// the links the product cell dials, which must reach every member (else "to all" never
// completes) with at most PUBSUB_D neighbours each, symmetric like a mesh; the bare messages are
// the size of a product group message and carry their tag first. No network.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  bareMessage,
  floodNeighbours,
  productMessageBytes,
  TAG_BYTES,
} from '../../bench/lib/group-bare.js'
import { DEGREE, graphEdges, prng } from '../../bench/lib/group-net.js'
import { PUBSUB_D } from '../../src/node/pubsub/index.js'

function reached(neighbours: number[][]): number {
  const seen = new Set([0])
  for (let front = [0]; front.length > 0;) {
    front = front.flatMap((i) => neighbours[i]!.filter((j) => !seen.has(j) && seen.add(j)))
  }
  return seen.size
}

describe('bench group baselines', () => {
  for (const n of [4, 20, 40, 100]) {
    it(`bare-streams neighbours at N = ${n}: dialled links only, symmetric, ≤ D, connected`, () => {
      const seed = 0x6b697468 + n
      const edges = graphEdges(n, DEGREE, prng(seed))
      const links = new Set(edges.map(([i, j]) => `${i},${j}`))
      const nb = floodNeighbours(n, edges, prng(seed + 1))
      assert.equal(nb.length, n)
      nb.forEach((list, i) => {
        assert.ok(list.length >= 2 && list.length <= PUBSUB_D, `member ${i}: ${list.length}`)
        assert.equal(new Set(list).size, list.length)
        for (const j of list) {
          assert.ok(links.has(i < j ? `${i},${j}` : `${j},${i}`), `${i}–${j} is not a link`)
          assert.ok(nb[j]!.includes(i), `${i}–${j} one way only`)
        }
      })
      assert.equal(reached(nb), n)
      // Most members get the full degree (a sparse flood would understate the copies).
      if (n >= 20) assert.ok(nb.filter((l) => l.length === PUBSUB_D).length >= 0.75 * n)
    })
  }

  it('a bare message has the product message size and starts with its tag', () => {
    const size = productMessageBytes(new Uint8Array(16))
    assert.ok(size > 300 && size < 512, `${size}`)
    const tag = '0123456789abcdef01234567'
    const a = bareMessage(tag, size)
    const b = bareMessage(tag, size)
    assert.equal(a.length, size)
    assert.equal(Buffer.from(a.subarray(0, TAG_BYTES)).toString('hex'), tag)
    // The rest differs, so gossipsub's msgId (SHA-256 of the data) does too.
    assert.notDeepEqual(a, b)
  })
})
