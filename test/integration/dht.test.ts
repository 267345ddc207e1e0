// Finding a moved contact through Kith's DHT with real daemons: ten nodes on loopback; Alice and
// Bob both restart on new ports, each knowing only the other's old address. Their signed contact
// cards (and peer records) in the DHT lead them back to each other, and chat continues directly.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { api, json, startDaemon, stopAll, stopDaemon, type Daemon } from './harness.js'

const homes: string[] = []
after(() => stopAll(homes))

describe('contact cards in the DHT', { timeout: 240_000 }, () => {
  it('a contact that moved to a new port is found again through the DHT (ten nodes)', async () => {
    const first = await startDaemon('dht0')
    homes.push(first.home)
    const boot = ['--bootstrap', `/ip4/127.0.0.1/tcp/${first.port}/p2p/${first.peerId}`]
    const others: Daemon[] = await Promise.all(
      Array.from({ length: 7 }, (_, i) => startDaemon(`dht${i + 1}`, undefined, undefined, boot)),
    )
    homes.push(...others.map((d) => d.home))
    const a = await startDaemon('alice', undefined, undefined, boot)
    const b = await startDaemon('bob', undefined, undefined, boot)
    homes.push(a.home, b.home)
    const { link } = await json<{ link: string }>(b.home, ['invite'])
    await json(a.home, ['contacts', 'add', link, '--name', 'bob'])
    assert.equal(
      (await json<{ status: string }>(a.home, ['send', 'bob', 'before the move', '--wait'])).status,
      'delivered',
    )

    await Promise.all([stopDaemon(a), stopDaemon(b)])
    // Both come back on ports neither has seen: only the DHT knows where they are now.
    const b2 = await startDaemon('bob', b.home, undefined, boot)
    const a2 = await startDaemon('alice', a.home, undefined, boot)
    assert.notEqual(b2.port, b.port)
    const r = await json<{ status: string }>(a2.home, [
      'send',
      'bob',
      'found you',
      '--wait',
      '--timeout',
      '150',
    ])
    assert.equal(r.status, 'delivered')
    const peers = await api<{ peerId: string; addrs: string[] }[]>(a2, 'GET', '/v1/peers')
    assert.ok(
      peers.some((p) => p.peerId === b2.peerId),
      'alice is connected to bob directly',
    )
  })
})
