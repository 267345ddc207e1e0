// The UPnP port mapping's rules (src/node/connectivity/upnp.ts): when a node maps at all (never on
// loopback, never with --no-upnp, only with a private listen address), how often it searches for
// a gateway, and what `kith status` reports of the mapping. No sockets: fake interfaces, a fake
// clock, a fake gateway and client.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NetworkInterfaceInfo } from 'node:os'
import type { UPnPNATClient } from '@libp2p/upnp-nat'
import { createKithNode } from '../../src/node/kith-node.js'
import {
  paceClient,
  UPNP_SEARCH_BASE_DELAY_MS,
  UPNP_SEARCH_MAX_DELAY_MS,
  UpnpSearchPacer,
  UpnpTracker,
  upnpWanted,
} from '../../src/node/connectivity/upnp.js'

type Gateway = Awaited<ReturnType<UPnPNATClient['getGateway']>>

function iface(address: string, internal = false): NetworkInterfaceInfo {
  const family = address.includes(':') ? 'IPv6' : 'IPv4'
  return { address, family, internal, netmask: '', mac: '', cidr: null } as NetworkInterfaceInfo
}
const home = { lo: [iface('127.0.0.1', true)], eth0: [iface('192.168.1.2')] }
const server = { lo: [iface('127.0.0.1', true)], eth0: [iface('11.0.0.10')] }

describe('upnpWanted: when a node maps its port', () => {
  it('loopback only: never (the test suite sends no SSDP)', () => {
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip4/127.0.0.1/tcp/0'] }, home), false)
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip6/::1/tcp/0'] }, home), false)
  })

  it('--no-upnp (false) or not asked (unset: in-process nodes): never', () => {
    assert.equal(upnpWanted({ upnp: false, listen: ['/ip4/192.168.1.2/tcp/4001'] }, home), false)
    assert.equal(upnpWanted({ listen: ['/ip4/0.0.0.0/tcp/4001'] }, home), false)
  })

  it('a private listen address, or a wildcard on a host with one: yes', () => {
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip4/192.168.1.2/tcp/4001'] }, home), true)
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip4/0.0.0.0/tcp/0'] }, home), true)
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip4/10.1.0.2/tcp/0/ws'] }, home), true)
  })

  it('a public host, an announcing operator, no TCP: no', () => {
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip4/0.0.0.0/tcp/4001'] }, server), false)
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip4/11.0.0.10/tcp/4001'] }, home), false)
    const announce = ['/ip4/11.0.0.10/tcp/4001']
    assert.equal(
      upnpWanted({ upnp: true, listen: ['/ip4/0.0.0.0/tcp/4001'], announce }, home),
      false,
    )
    assert.equal(upnpWanted({ upnp: true, listen: ['/p2p-circuit', '/webrtc'] }, home), false)
    assert.equal(upnpWanted({ upnp: true, listen: ['/ip4/169.254.3.3/tcp/1'] }, home), false)
  })

  it('a node on 127.0.0.1 asked to map has no upnp service at all', async () => {
    const node = await createKithNode({
      identitySeed: new Uint8Array(32).fill(7),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
      upnp: true,
    })
    assert.equal((node.libp2p.services as Record<string, unknown>).upnp, undefined)
    assert.equal(node.upnp(), null)
  })
})

describe('UpnpSearchPacer: no search every 5 s on a network without a gateway', () => {
  it('searches at once, then backs off while none answers, up to the cap', () => {
    let now = 1_000_000
    const p = new UpnpSearchPacer(() => now)
    assert.equal(p.due(), true)
    p.searched(0)
    assert.equal(p.due(), false)
    now += UPNP_SEARCH_BASE_DELAY_MS - 1
    assert.equal(p.due(), false)
    now += 1
    assert.equal(p.due(), true)
    p.searched(0)
    now += UPNP_SEARCH_BASE_DELAY_MS
    assert.equal(p.due(), false, 'the second pause is twice the first')
    now += UPNP_SEARCH_BASE_DELAY_MS
    assert.equal(p.due(), true)
    for (let i = 0; i < 20; i++) p.searched(0)
    now += UPNP_SEARCH_MAX_DELAY_MS
    assert.equal(p.due(), true, 'never longer than the cap')
  })

  it('a network change allows a search at once; offline, none', () => {
    let offline = false
    const p = new UpnpSearchPacer(() => 0)
    p.attach(() => offline)
    p.searched(0)
    assert.equal(p.due(), false)
    p.reset()
    assert.equal(p.due(), true)
    offline = true
    assert.equal(p.due(), false)
  })

  it('paceClient skips the library’s searches while not due', async () => {
    let searches = 0
    const client = {
      async *findGateways() {
        searches++
        yield* await Promise.resolve([])
      },
      getGateway: () => Promise.reject(new Error('unused')),
    } as unknown as UPnPNATClient
    let now = 0
    paceClient(client, new UpnpSearchPacer(() => now), new UpnpTracker())
    const drain = async () => {
      for await (const _ of client.findGateways()) void _
    }
    // Upstream runs its search every 5 s until a gateway answers: 12 ticks in a minute.
    for (let t = 0; t < 60_000; t += 5_000) {
      now = t
      await drain()
    }
    assert.equal(searches, 2, 'at 0 s and after the first pause (30 s)')
  })
})

describe('UpnpTracker: what `kith status` says of the mapping', () => {
  function fakeGateway(): Gateway & { ip: string } {
    const gw = {
      id: 'uuid:1',
      host: '192.168.1.1',
      port: 5000,
      family: 'IPv4' as const,
      ip: '11.0.0.1',
      map: (port: number, host: string) =>
        Promise.resolve({
          externalHost: gw.ip,
          externalPort: port,
          internalHost: host,
          internalPort: port,
          protocol: 'TCP' as const,
        }),
      externalIp: () => Promise.resolve(gw.ip),
      unmap: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      mapAll: () => {
        throw new Error('unused')
      },
    }
    return gw
  }

  it('a mapping made, the WAN address changed, the gateway stopped', async () => {
    const t = new UpnpTracker()
    const raw = fakeGateway()
    const gw = t.gateway(raw)
    assert.equal(t.mapping(), null)
    await gw.map(4001, '192.168.1.2', { protocol: 'TCP' })
    const m = t.mapping()
    assert.equal(m?.gateway, '192.168.1.1')
    assert.equal(m?.externalAddr, '/ip4/11.0.0.1/tcp/4001')
    assert.equal(m?.protocol, 'upnp')
    assert.ok(typeof m?.since === 'number' && m.since > 0)
    raw.ip = '11.0.0.9'
    await gw.externalIp()
    assert.equal(t.mapping()?.externalAddr, '/ip4/11.0.0.9/tcp/4001')
    await gw.stop()
    assert.equal(t.mapping(), null, 'unmapped on stop')
  })
})
