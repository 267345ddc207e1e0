// Reachability (src/node/connectivity/nat.ts) read from the address manager's metadata: 'unknown' on loopback,
// 'public' once a public address is verified (or announced), 'private' with a relay address or
// when AutoNAT rejected our public observed/transport addresses.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { TypedEventEmitter } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { isPublicAddr, NatTracker, type AddressInfo } from '../../src/node/connectivity/nat.js'
import { startNode, stopAll } from './helpers.js'
import type { Libp2pEvents } from '@libp2p/interface'

function tracker(addrs: AddressInfo[]): NatTracker {
  return new NatTracker({
    addressManager: { getAddressesWithMetadata: () => addrs },
    events: new TypedEventEmitter<Libp2pEvents>(),
  })
}
const addr = (ma: string, verified: boolean, type = 'transport', expires = 0): AddressInfo => ({
  multiaddr: multiaddr(ma),
  verified,
  type,
  expires,
})

describe('nat status', () => {
  it('classifies addresses', () => {
    assert.equal(isPublicAddr(multiaddr('/ip4/8.8.8.8/tcp/1')), true)
    assert.equal(isPublicAddr(multiaddr('/dns4/relay.example.org/tcp/443/wss')), true)
    for (const ma of [
      '/ip4/127.0.0.1/tcp/1',
      '/ip4/192.168.1.2/tcp/1',
      '/ip4/10.0.0.1/tcp/1',
      '/ip4/169.254.1.1/tcp/1',
      '/ip6/::1/tcp/1',
      '/ip4/8.8.8.8/tcp/1/p2p/12D3KooWRW5m5f4QAXB2fBbAf1YhGuWYr634TAua2ra6QKtpwQPF/p2p-circuit',
    ]) {
      assert.equal(isPublicAddr(multiaddr(ma)), false, ma)
    }
  })

  it('unknown with only private addresses; public once one is verified', () => {
    const addrs = [addr('/ip4/192.168.1.2/tcp/4001', true)]
    const t = tracker(addrs)
    assert.equal(t.status(), 'unknown')
    addrs.push(addr('/ip4/8.8.8.8/tcp/4001', false, 'observed'))
    assert.equal(t.status(), 'unknown')
    addrs[1]!.verified = true
    assert.equal(t.status(), 'public')
    assert.equal(
      tracker([addr('/dns4/relay.example.org/tcp/443/wss', true, 'announce')]).status(),
      'public',
    )
  })

  it('private when AutoNAT drops our unverified observed address', () => {
    const addrs = [
      addr('/ip4/192.168.1.2/tcp/4001', true),
      addr('/ip4/8.8.8.8/tcp/4001', false, 'observed'),
    ]
    const t = tracker(addrs)
    assert.equal(t.status(), 'unknown')
    addrs.pop()
    assert.equal(t.status(), 'private')
  })

  it('private with a relay address, or an unconfirmed public interface address', () => {
    const relay =
      '/ip4/8.8.8.8/tcp/1/p2p/12D3KooWRW5m5f4QAXB2fBbAf1YhGuWYr634TAua2ra6QKtpwQPF/p2p-circuit'
    assert.equal(tracker([addr(relay, true)]).status(), 'private')
    assert.equal(
      tracker([addr('/ip4/8.8.8.8/tcp/1', false, 'transport', Date.now() + 1000)]).status(),
      'private',
    )
    assert.equal(tracker([addr('/ip4/8.8.8.8/tcp/1', false, 'transport', 0)]).status(), 'unknown')
  })

  it('a real node on loopback stays unknown', async () => {
    const a = await startNode()
    const b = await startNode()
    try {
      await a.sendDm(b.peerId, [Uint8Array.of(1)], b.addrs()).catch(() => undefined)
      assert.equal(a.nat(), 'unknown')
      assert.equal(b.nat(), 'unknown')
    } finally {
      await stopAll(a, b)
    }
  })
})
