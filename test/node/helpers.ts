// Shared helpers of the node tests: real libp2p nodes on 127.0.0.1 only (never mDNS, no
// bootstrap), and small waiting utilities.
import { randomBytes } from 'node:crypto'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import { until } from '../helpers/wait.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import type { KithNodeTuning } from '../../src/node/libp2p/options.js'

export const LOOPBACK = '/ip4/127.0.0.1/tcp/0'

export async function startNode(
  opts: { seed?: Uint8Array; listen?: string[]; tuning?: KithNodeTuning } = {},
): Promise<Libp2pKithNode> {
  const node = await createKithNode(
    {
      identitySeed: opts.seed ?? randomBytes(32),
      listen: opts.listen ?? [LOOPBACK],
      bootstrap: [],
      mdns: false,
    },
    opts.tuning ?? {},
  )
  await node.start()
  return node
}

/** A plain circuit-relay-v2 server on 127.0.0.1, and the `/p2p-circuit` listen address a node
 *  passes to reserve a slot on it. */
export async function startCircuitRelay(): Promise<{ relay: Libp2p; viaRelay: string }> {
  const relay = await createLibp2p({
    addresses: { listen: [LOOPBACK] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), relay: circuitRelayServer() },
  })
  return { relay, viaRelay: `${relay.getMultiaddrs()[0]!.toString()}/p2p-circuit` }
}

export async function stopAll(...nodes: Array<Libp2pKithNode | undefined>): Promise<void> {
  await Promise.all(nodes.map((n) => (n == null ? Promise.resolve() : n.stop())))
}

export { sleep } from '../helpers/wait.js'

/** Polls `cond` every 10 ms until it holds; throws after `timeoutMs` (test/helpers/wait.ts
 *  `until`, in the argument order the node tests use). */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  await until(what, cond, timeoutMs, 10)
}

/** Deterministic bytes (xorshift32), for reproducible "random" hostile input. */
export function seededBytes(seed: number, n: number): Uint8Array {
  let x = seed >>> 0 || 1
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

/** LEB128 (unsigned varint) of n, written independently of the code under test. */
export function leb(n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}
