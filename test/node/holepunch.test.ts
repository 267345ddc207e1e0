// Pieces of the hole puncher (src/node/holepunch.ts) that need no network: which /webrtc
// addresses are dialled for a peer reached through a relay, and the wrapper that keeps libp2p's
// dial queue from dialling /webrtc addresses on its own. The punch itself is tested end to end
// in network namespaces (test/netns, `npm run test:netns`).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { gatedWebRTC, webrtcDialAddrs, type WebRTCDialer } from '../../src/node/holepunch.js'
import type { Connection, Upgrader } from '@libp2p/interface'

const R = '12D3KooWJCAXuxZqFWi8PRffVaRcm5ndGEze9ifeqUWcUMsQh6WB'
const B = '12D3KooWB5js5RR58i5sxocDPpEJVpR4fXDPZf3jJPW4yV1nX692'
const C = '12D3KooWKyLKrxf6xTEXt5YUgacbTB4vzzLh5jZVaAWhH4Z9Tjh3'
const relay = `/ip4/11.0.0.10/tcp/4001/p2p/${R}`

describe('hole punching helpers', () => {
  it('dials the announced /p2p-circuit/webrtc addresses, then ones derived from the relayed connection', () => {
    const known = [
      multiaddr(`${relay}/p2p-circuit/webrtc`),
      multiaddr(`${relay}/p2p-circuit`),
      multiaddr('/ip4/10.1.0.2/tcp/4001'),
    ]
    const relayed = [multiaddr(`/ip4/11.0.0.20/tcp/4001/p2p/${C}/p2p-circuit/p2p/${B}`)]
    assert.deepEqual(
      webrtcDialAddrs(B, known, relayed).map((m) => m.toString()),
      [
        `${relay}/p2p-circuit/webrtc/p2p/${B}`,
        `/ip4/11.0.0.20/tcp/4001/p2p/${C}/p2p-circuit/webrtc/p2p/${B}`,
      ],
    )
    // A relayed address without the relay's PeerId names no relay to signal through.
    assert.deepEqual(webrtcDialAddrs(B, [], [multiaddr(`/p2p-circuit/p2p/${B}`)]), [])
  })

  it('keeps libp2p from dialling /webrtc itself; the hole puncher dials through the transport', async () => {
    const dialled: Array<{ ma: string; upgrader: unknown; signal: unknown }> = []
    const transport = {
      dialFilter: (mas: Multiaddr[]) => mas.filter((m) => m.toString().includes('/webrtc')),
      dial(ma: Multiaddr, options: { upgrader: unknown; signal?: AbortSignal }) {
        dialled.push({ ma: ma.toString(), upgrader: options.upgrader, signal: options.signal })
        return Promise.resolve({} as Connection)
      },
    }
    const upgrader = {} as Upgrader
    const dialer: WebRTCDialer = {}
    const gated = gatedWebRTC(() => transport, dialer)({ upgrader })
    const addrs = [
      multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${B}`),
      multiaddr(`${relay}/p2p-circuit/p2p/${B}`),
    ]
    assert.deepEqual(gated.dialFilter(addrs), [])
    const signal = AbortSignal.timeout(1_000)
    await dialer.dial?.(addrs[0]!, signal)
    assert.deepEqual(dialled, [{ ma: addrs[0]!.toString(), upgrader, signal }])
  })
})
