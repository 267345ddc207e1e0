// The network of the group bench: N real Kith nodes (createKithNode, the product's libp2p stack:
// TCP + Noise + yamux, gossipsub, DHT…) in this process on 127.0.0.1, connected as a random
// regular-ish graph (a ring lattice plus random chords, ≈ DEGREE links per node) rather than a
// full mesh, as members who each keep up to GROUP_MAX_WATCH (8) other members connected.
// It knows nothing of encryption or of what is measured.
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'

/** Links per node the graph aims at (GROUP_MAX_WATCH in the design). */
export const DEGREE = 8
/** Dials in flight at once while wiring the graph (Noise handshakes are CPU-bound here). */
const DIAL_CONCURRENCY = 16

/** A small deterministic PRNG (mulberry32), so a run's graph is reproducible from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Edges {i, j} (i < j): every node links to its 2 neighbours on each side of a ring, plus
 *  random chords until it has about `degree` links. Connected by construction (the ring). */
export function graphEdges(n: number, degree: number, rand: () => number): Array<[number, number]> {
  const edges = new Set<string>()
  const add = (i: number, j: number): void => {
    if (i === j) return
    edges.add(i < j ? `${i},${j}` : `${j},${i}`)
  }
  const deg = new Array<number>(n).fill(0)
  for (let i = 0; i < n; i++) {
    for (let k = 1; k <= 2 && k < n; k++) add(i, (i + k) % n)
  }
  for (const e of edges) for (const v of e.split(',')) deg[Number(v)]!++
  const target = Math.min(degree, n - 1)
  for (let i = 0; i < n; i++) {
    for (let tries = 0; deg[i]! < target && tries < 50; tries++) {
      const j = Math.floor(rand() * n)
      const key = i < j ? `${i},${j}` : `${j},${i}`
      if (j === i || edges.has(key) || deg[j]! >= target + 2) continue
      edges.add(key)
      deg[i]!++
      deg[j]!++
    }
  }
  return [...edges].map((e) => e.split(',').map(Number) as [number, number])
}

/**
 * Dials every pair (i → j), DIAL_CONCURRENCY at a time. Under load a handshake can fail (a busy
 * machine, a closing duplicate connection): three tries, then the pair is left out. Resolves
 * how many pairs failed.
 */
export async function dialPairs(
  nodes: readonly Libp2pKithNode[],
  pairs: ReadonlyArray<readonly [number, number]>,
): Promise<number> {
  const queue = [...pairs]
  let failed = 0
  await Promise.all(
    Array.from({ length: DIAL_CONCURRENCY }, async () => {
      for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
        const [i, j] = e
        for (let attempt = 1; ; attempt++) {
          try {
            await nodes[i]!.libp2p.dial(nodes[j]!.libp2p.getMultiaddrs())
            break
          } catch {
            if (attempt >= 3) {
              failed++
              break
            }
          }
        }
      }
    }),
  )
  return failed
}

export interface GroupNet {
  nodes: Libp2pKithNode[]
  edges: Array<[number, number]>
  /** Links that could not be dialled (three tries each). */
  failedLinks: number
  /** Milliseconds to start the nodes and to wire the graph. */
  startMs: number
  connectMs: number
  stop(): Promise<void>
}

/** Starts `n` nodes on 127.0.0.1 (no mDNS, no bootstrap) and dials the graph's edges. */
export async function startGroupNet(n: number, seed: number): Promise<GroupNet> {
  const t0 = performance.now()
  const nodes = await Promise.all(
    Array.from({ length: n }, async () => {
      const node = await createKithNode({
        identitySeed: randomBytes(32),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [],
        mdns: false,
      })
      await node.start()
      return node
    }),
  )
  const t1 = performance.now()
  const edges = graphEdges(n, DEGREE, prng(seed))
  const failedLinks = await dialPairs(nodes, edges)
  const t2 = performance.now()
  return {
    nodes,
    edges,
    failedLinks,
    startMs: t1 - t0,
    connectMs: t2 - t1,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop().catch(() => undefined)))
    },
  }
}
