// Which connection a DM goes on without dialling (src/node/dm/outbound.ts pickConnection): an
// unlimited one before a relayed one, never a WebRTC one still young enough to fail its probe,
// never a closed one; none: the sender dials.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { DM_WEBRTC_SETTLE_MS, pickConnection } from '../../src/node/dm/outbound.js'
import type { Connection } from '@libp2p/interface'

const R = '12D3KooWHFuzRKhpzN1pU6a8uAwGyk6L3Yf9VLxGmx7rxFKxAEVr'
const now = 1_000_000
function conn(
  id: string,
  o: { limited?: boolean; webrtc?: boolean; age?: number; status?: string },
): Connection {
  return {
    id,
    status: o.status ?? 'open',
    limits: o.limited === true ? { bytes: 1n } : undefined,
    multiplexer: o.webrtc === true ? '/webrtc' : '/yamux/1.0.0',
    remoteAddr: multiaddr(
      o.limited === true
        ? `/ip4/11.0.0.10/tcp/4001/p2p/${R}/p2p-circuit`
        : '/ip4/11.0.0.9/tcp/4001',
    ),
    timeline: { open: now - (o.age ?? 60_000) },
  } as unknown as Connection
}

describe('DM connection choice', () => {
  it('unlimited before relayed; a young WebRTC connection is skipped; a closed one too', () => {
    const relayed = conn('relayed', { limited: true })
    const tcp = conn('tcp', {})
    const young = conn('young', { webrtc: true, age: DM_WEBRTC_SETTLE_MS - 1 })
    const settled = conn('settled', { webrtc: true, age: DM_WEBRTC_SETTLE_MS + 1 })
    const closed = conn('closed', { status: 'closed' })
    assert.equal(pickConnection([relayed, tcp], now)?.id, 'tcp')
    assert.equal(pickConnection([relayed, young], now)?.id, 'relayed')
    assert.equal(pickConnection([relayed, settled], now)?.id, 'settled')
    assert.equal(pickConnection([relayed], now)?.id, 'relayed', 'a relayed connection is reused')
    assert.equal(pickConnection([closed, young], now), undefined)
    assert.equal(pickConnection([], now), undefined)
  })
})
