// The raw libp2p baseline of the dm bench: two plain js-libp2p nodes (TCP, Noise, yamux — the
// transport stack Kith's /kith/dm runs on, and nothing else) in the bench's process on 127.0.0.1,
// and one length-prefixed stream between them. What it measures is the floor under any message
// sent over libp2p on this machine: no store, no ratchet, no HTTP, no event stream. This module
// owns that node setup and the echo protocol; it knows nothing of Kith.
//
// Import src/platform/polyfill.ts before this module (libp2p needs Promise.withResolvers).
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import { performance } from 'node:perf_hooks'

export const ECHO_PROTOCOL = '/kith-bench/echo/1.0.0'

/** A started libp2p node with only TCP, Noise and yamux, listening on 127.0.0.1. */
export async function bareNode(): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  })
}

export interface RawResult {
  /** Dialler write → listener's handler has the whole message, ms (same clock: one process). */
  oneWay: number[]
  /** Dialler write → echo read back, ms. */
  rtt: number[]
}

/**
 * Sends `count` messages of `bytes` bytes one at a time over one stream from node A to node B,
 * which hands each to its handler and echoes it back; A waits for the echo before the next one.
 */
export async function rawEcho(bytes: number, count: number, warmup: number): Promise<RawResult> {
  const [a, b] = await Promise.all([bareNode(), bareNode()])
  try {
    let arrivedAt = 0
    await b.handle(ECHO_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      try {
        for (;;) {
          const msg = await lp.read()
          arrivedAt = performance.now()
          await lp.write(msg)
        }
      } catch {
        // the dialler closed the stream
      }
    })
    const stream = await a.dialProtocol(b.getMultiaddrs()[0]!, ECHO_PROTOCOL)
    const lp = lpStream(stream)
    const payload = new Uint8Array(bytes).fill(0x61)
    const result: RawResult = { oneWay: [], rtt: [] }
    for (let i = 0; i < warmup + count; i++) {
      const t0 = performance.now()
      await lp.write(payload)
      const back = await lp.read()
      const t1 = performance.now()
      if (back.byteLength !== bytes) throw new Error('raw libp2p: echo differs from what was sent')
      if (i < warmup) continue
      result.oneWay.push(arrivedAt - t0)
      result.rtt.push(t1 - t0)
    }
    await stream.close()
    return result
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
}
