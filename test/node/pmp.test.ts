// The port mapping that follows the network and its NAT-PMP fallback (src/node/connectivity/
// gateway.ts, pmp.ts, port-mapping.ts): which network a mapping belongs to (the default gateway
// from /proc/net/route's text), when an epoch ends and another starts, and the RFC 6886 client
// against a fake NAT-PMP server on 127.0.0.1 (replies, retransmission, errors, delete on stop).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket, type RemoteInfo } from 'node:dgram'
import type { NetworkInterfaceInfo } from 'node:os'
import { until } from '../helpers/wait.js'
import {
  mappingNetwork,
  parseArpMac,
  parseDefaultGateway,
  sameNetwork,
  type MappingNetwork,
} from '../../src/node/connectivity/gateway.js'
import { PmpClient, PmpError } from '../../src/node/connectivity/pmp.js'
import { PmpMapping } from '../../src/node/connectivity/pmp-mapping.js'
import {
  KithUpnp,
  NetworkFollower,
  recording,
  type KithUpnpComponents,
} from '../../src/node/connectivity/port-mapping.js'
import { upnpAllowed, UpnpSearchPacer } from '../../src/node/connectivity/upnp.js'

function iface(address: string, internal = false): NetworkInterfaceInfo {
  const family = address.includes(':') ? 'IPv6' : 'IPv4'
  return { address, family, internal, netmask: '', mac: '', cidr: null } as NetworkInterfaceInfo
}
const lo = [iface('127.0.0.1', true), iface('::1', true)]
const HEAD = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n'
/** 192.168.1.1 as /proc/net/route writes it (little-endian hex). */
const GW1 = '0101A8C0'
const route = (gw: string, metric = 0, flags = '0003') =>
  `${HEAD}eth0\t00000000\t${gw}\t${flags}\t0\t0\t${metric}\t00000000\t0\t0\t0\neth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`
const ARP =
  'IP address       HW type     Flags       HW address            Mask     Device\n' +
  '192.168.1.1      0x1         0x2         aa:bb:cc:00:00:01     *        eth0\n' +
  '192.168.1.7      0x1         0x0         00:00:00:00:00:00     *        eth0\n'

describe('gateway.ts: the network a mapping belongs to', () => {
  it('reads the default gateway and its link-layer address', () => {
    assert.deepEqual(parseDefaultGateway(route(GW1)), { ip: '192.168.1.1', iface: 'eth0' })
    const two = `${route('0A01A8C0', 100)}wlan0\t00000000\t${GW1}\t0003\t0\t0\t50\t00000000\t0\t0\t0\n`
    assert.equal(parseDefaultGateway(two)?.ip, '192.168.1.1', 'the lowest metric wins')
    assert.equal(parseDefaultGateway(HEAD), undefined, 'no default route')
    assert.equal(parseDefaultGateway(route(GW1, 0, '0001')), undefined, 'not via a gateway')
    assert.equal(parseArpMac(ARP, '192.168.1.1'), 'aa:bb:cc:00:00:01')
    assert.equal(parseArpMac(ARP, '192.168.1.7'), undefined, 'an incomplete entry')
  })

  it('loopback only, or no default gateway: no network to map on', () => {
    assert.equal(mappingNetwork({ interfaces: { lo }, routeTable: HEAD, arpTable: '' }), null)
    const eth0 = [iface('192.168.1.2')]
    assert.equal(mappingNetwork({ interfaces: { lo, eth0 }, routeTable: HEAD, arpTable: '' }), null)
    assert.equal(
      mappingNetwork({
        interfaces: { lo, eth0: [iface('11.0.0.5')] },
        routeTable: route(GW1),
        arpTable: '',
      }),
      null,
      'a public address: nothing to map',
    )
  })

  it('a home LAN: its gateway; another LAN or router is another network', () => {
    const eth0 = [iface('192.168.1.2'), iface('fd00::2')]
    const home = mappingNetwork({ interfaces: { lo, eth0 }, routeTable: route(GW1), arpTable: ARP })
    assert.deepEqual(home, {
      gateway: '192.168.1.1',
      mac: 'aa:bb:cc:00:00:01',
      addrs: ['192.168.1.2'],
    })
    const noArp = { ...home, mac: undefined }
    assert.ok(sameNetwork(home, noArp), 'an ARP entry missing for a moment: same network')
    assert.ok(
      !sameNetwork(home, { ...home, mac: 'aa:bb:cc:00:00:02' }),
      'another router, same address',
    )
    assert.ok(!sameNetwork(home, { ...home, addrs: ['192.168.1.9'] }), 'another address')
    assert.ok(!sameNetwork(home, { ...home, gateway: '10.0.0.1' }), 'another gateway')
    const notLinux = mappingNetwork({
      interfaces: { lo, eth0 },
      routeTable: undefined,
      arpTable: undefined,
    })
    assert.deepEqual(notLinux, { gateway: undefined, mac: undefined, addrs: ['192.168.1.2'] })
  })

  it('upnpAllowed: decided once (a wildcard may map later), never on loopback', () => {
    assert.equal(upnpAllowed({ upnp: true, listen: ['/ip4/0.0.0.0/tcp/4001'] }), true)
    assert.equal(upnpAllowed({ upnp: true, listen: ['/ip4/127.0.0.1/tcp/0'] }), false)
    assert.equal(upnpAllowed({ upnp: false, listen: ['/ip4/0.0.0.0/tcp/4001'] }), false)
    assert.equal(upnpAllowed({ listen: ['/ip4/0.0.0.0/tcp/4001'] }), false)
    const announce = ['/ip4/11.0.0.10/tcp/4001']
    assert.equal(upnpAllowed({ upnp: true, listen: ['/ip4/0.0.0.0/tcp/1'], announce }), false)
  })
})

describe('NetworkFollower: the mapping follows the network', () => {
  function follower(nets: Array<MappingNetwork | null>) {
    const log: string[] = []
    let i = 0
    let n = 0
    const f = new NetworkFollower<number>(
      () => nets[Math.min(i++, nets.length - 1)]!,
      async (net) => {
        log.push(`open ${++n} ${net.gateway}`)
        return Promise.resolve(n)
      },
      async (e) => {
        log.push(`close ${e}`)
        return Promise.resolve()
      },
    )
    return { f, log }
  }
  const home: MappingNetwork = { gateway: '192.168.1.1', mac: 'aa', addrs: ['192.168.1.2'] }
  const cafe: MappingNetwork = { gateway: '10.0.0.1', mac: 'bb', addrs: ['10.0.0.7'] }

  it('started without a network: nothing; the link comes up: maps', async () => {
    const { f, log } = follower([null, null, home])
    await f.evaluate()
    assert.deepEqual(log, [], 'no gateway: nothing runs')
    await f.evaluate()
    assert.equal(f.current(), undefined)
    await f.evaluate()
    assert.deepEqual(log, ['open 1 192.168.1.1'])
  })

  it('same network: the mapping stays; another: dropped, then mapped there', async () => {
    const { f, log } = follower([cafe, cafe, home, null])
    await f.evaluate()
    await f.evaluate()
    assert.deepEqual(log, ['open 1 10.0.0.1'], 'a reconnect on the same network keeps it')
    await f.evaluate()
    assert.deepEqual(log, ['open 1 10.0.0.1', 'close 1', 'open 2 192.168.1.1'])
    await f.evaluate()
    assert.deepEqual(log.at(-1), 'close 2', 'the network gone: dropped')
    assert.equal(f.current(), undefined)
  })

  it('a pacer reset (a reconnect round) re-evaluates; close() ends for good', async () => {
    const { f, log } = follower([home, cafe, home])
    const pacer = new UpnpSearchPacer(() => 0)
    pacer.onReset(() => void f.evaluate())
    await f.evaluate()
    pacer.reset()
    await f.evaluate() // joins the chain the reset started
    assert.deepEqual(log.slice(0, 3), ['open 1 192.168.1.1', 'close 1', 'open 2 10.0.0.1'])
    await f.close()
    const closed = log.length
    await f.evaluate()
    assert.equal(log.length, closed, 'nothing after close')
    assert.equal(log.at(-1), 'close 3')
  })
})

/** A NAT-PMP server on 127.0.0.1: answers opcodes 0 and 2 (RFC 6886 §3.2, §3.3). */
async function fakeServer(opts: { drop?: number; result?: number; external?: number[] } = {}) {
  const sock = createSocket('udp4')
  const seen: Buffer[] = []
  let drop = opts.drop ?? 0
  sock.on('message', (msg: Buffer, from: RemoteInfo) => {
    seen.push(msg)
    if (drop-- > 0) return
    const op = msg[1]!
    const r = Buffer.alloc(op === 0 ? 12 : 16)
    r[1] = 128 + op
    r.writeUInt16BE(opts.result ?? 0, 2)
    r.writeUInt32BE(42, 4)
    if (op === 0) Buffer.from(opts.external ?? [11, 0, 0, 2]).copy(r, 8)
    else {
      r.writeUInt16BE(msg.readUInt16BE(4), 8)
      r.writeUInt16BE(msg.readUInt32BE(8) === 0 ? 0 : 40_001, 10)
      r.writeUInt32BE(Math.min(msg.readUInt32BE(8), 600), 12)
    }
    sock.send(r, from.port, from.address)
  })
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve))
  return { port: sock.address().port, seen, close: () => sock.close() }
}

describe('PmpClient and PmpMapping: RFC 6886 against a fake gateway', () => {
  it('external address, a mapping, retransmission after a lost request', async () => {
    const srv = await fakeServer({ drop: 1 })
    try {
      const c = new PmpClient('127.0.0.1', { port: srv.port, firstTimeoutMs: 50 })
      const { external, local } = await c.externalAddress()
      assert.equal(external, '11.0.0.2')
      assert.equal(local, '127.0.0.1')
      assert.equal(srv.seen.length, 2, 'the first request was lost and sent again')
      const g = await c.mapTcp(4001, 3600)
      assert.deepEqual(g, { internalPort: 4001, externalPort: 40_001, lifetimeS: 600 })
      const req = srv.seen.at(-1)!
      assert.equal(req.readUInt32BE(8), 3600, 'the lifetime is in seconds')
      assert.equal(req.readUInt16BE(6), 4001, 'the same external port suggested')
    } finally {
      srv.close()
    }
  })

  it('a refusing gateway, and one that never answers: PmpError', async () => {
    const refusing = await fakeServer({ result: 2 })
    const silent = await fakeServer({ drop: 99 })
    try {
      const c = new PmpClient('127.0.0.1', { port: refusing.port, firstTimeoutMs: 20 })
      await assert.rejects(c.mapTcp(4001, 60), (e: PmpError) => e.code === 2)
      const s = new PmpClient('127.0.0.1', { port: silent.port, firstTimeoutMs: 20, tries: 3 })
      await assert.rejects(s.externalAddress(), PmpError)
      assert.equal(silent.seen.length, 3, 'tries, then gives up')
    } finally {
      refusing.close()
      silent.close()
    }
  })

  it('maps the listen port into the address manager, reports nat-pmp, deletes on stop', async () => {
    const srv = await fakeServer()
    const calls: string[] = []
    const am = {
      addPublicAddressMapping: (...a: unknown[]) => calls.push(`add ${a.join(' ')}`),
      removePublicAddressMapping: (...a: unknown[]) => calls.push(`remove ${a.join(' ')}`),
    }
    try {
      const client = new PmpClient('127.0.0.1', { port: srv.port, firstTimeoutMs: 50 })
      const m = new PmpMapping(client, am, (host) => (host === '127.0.0.1' ? [4001] : []))
      let mapped = 0
      m.onMapped = () => mapped++
      await m.attempt()
      assert.deepEqual(calls, ['add 127.0.0.1 4001 11.0.0.2 40001 tcp'])
      assert.equal(mapped, 1, 'AutoNAT is asked at once')
      const info = m.info()
      assert.equal(info?.protocol, 'nat-pmp')
      assert.equal(info?.externalAddr, '/ip4/11.0.0.2/tcp/40001')
      await m.attempt()
      assert.equal(calls.length, 1, 'a held mapping is not asked for again')
      await m.stop()
      assert.deepEqual(calls.at(-1), 'remove 127.0.0.1 4001 11.0.0.2 40001 tcp')
      assert.equal(m.info(), null)
      const del = srv.seen.at(-1)!
      assert.deepEqual(
        [del[1], del.readUInt16BE(6), del.readUInt32BE(8)],
        [2, 0, 0],
        'RFC 6886 §3.4 delete',
      )
    } finally {
      srv.close()
    }
  })

  it('a gateway whose external address is private (double NAT): nothing mapped', async () => {
    const srv = await fakeServer({ external: [100, 64, 0, 2] })
    try {
      const client = new PmpClient('127.0.0.1', { port: srv.port, firstTimeoutMs: 50 })
      const m = new PmpMapping(
        client,
        {
          addPublicAddressMapping: () => assert.fail('mapped'),
          removePublicAddressMapping: () => undefined,
        },
        () => [4001],
      )
      await m.attempt()
      assert.equal(m.info(), null)
      assert.equal(srv.seen.length, 1, 'no mapping request after the external address')
    } finally {
      srv.close()
    }
  })
})

describe('KithUpnp: the service with libp2p-like components', () => {
  it('opens an epoch per network, drops it on a change, withdraws its addresses on stop', async () => {
    const noop = Object.assign(() => undefined, { error: () => undefined, trace: () => undefined })
    const removed: string[] = []
    /** 'self:peer:update' listeners: upnp-nat adds one per started epoch, removes it on stop. */
    let listening = 0
    const events = {
      addEventListener: (t: string) => (listening += t === 'self:peer:update' ? 1 : 0),
      removeEventListener: (t: string) => (listening -= t === 'self:peer:update' ? 1 : 0),
    }
    const fields: Record<string, unknown> = {
      peerId: { toString: () => 'peer' },
      nodeInfo: { name: 'kith', version: '0' },
      logger: { forComponent: () => noop },
      events,
      connectionManager: { getConnections: () => [] },
      addressManager: {
        getAddressesWithMetadata: () => [],
        addPublicAddressMapping: () => undefined,
        removePublicAddressMapping: (...a: unknown[]) => removed.push(a.join(' ')),
      },
    }
    // As libp2p 3.3.11's components (components.js defaultComponents): a Proxy whose own keys
    // are `components` and `_started`, and whose get throws on a service nobody set.
    const components = new Proxy(
      { components: fields, _started: false },
      {
        get: (t, k) => {
          if (k === 'components') return t.components
          if (typeof k === 'string' && fields[k] == null) throw new Error(`${k} not set`)
          return fields[k as string]
        },
      },
    ) as unknown as KithUpnpComponents
    const pacer = new UpnpSearchPacer()
    pacer.attach(() => true) // "offline": the library's searches return at once, no SSDP sent
    const nets: Array<MappingNetwork | null> = [
      { gateway: '192.168.1.1', mac: undefined, addrs: ['192.168.1.2'] },
    ]
    const svc = new KithUpnp(components, pacer, { upnp: true, listen: [] }, () => nets[0]!)
    await svc.start()
    assert.equal(listening, 1, 'an epoch runs')
    assert.equal(svc.mapping(), null, 'nothing mapped yet')
    nets[0] = null
    pacer.reset()
    await until('the epoch ends without a network', () => listening === 0)
    nets[0] = { gateway: '10.0.0.1', mac: undefined, addrs: ['10.0.0.7'] }
    pacer.reset()
    await until('a new epoch on the new network', () => listening === 1)
    await svc.stop()
    assert.equal(listening, 0, 'stopped')
    assert.equal(svc.mapping(), null)
    assert.deepEqual(removed, [], 'no address was mapped, none withdrawn')
  })
})

describe('recording: an ended epoch withdraws the addresses its mappers added', () => {
  it('removes what is still mapped, once', () => {
    const calls: string[] = []
    const am = {
      addPublicAddressMapping: (...a: unknown[]) => calls.push(`add ${a.join(' ')}`),
      removePublicAddressMapping: (...a: unknown[]) => calls.push(`remove ${a.join(' ')}`),
      getAddresses: () => ['x'],
    } as unknown as KithUpnpComponents['addressManager']
    const rec = recording(am)
    rec.am.addPublicAddressMapping('192.168.1.2', 4001, '11.0.0.1', 4001, 'tcp')
    rec.am.addPublicAddressMapping('192.168.1.2', 4001, '11.0.0.9', 4001, 'tcp')
    // upnp-nat's remapPorts after the router's WAN address changed:
    rec.am.removePublicAddressMapping('192.168.1.2', 4001, '11.0.0.1', 4001, 'tcp')
    assert.deepEqual(rec.am.getAddresses(), ['x'], 'everything else passes through')
    calls.length = 0
    rec.removeAll()
    rec.removeAll()
    assert.deepEqual(calls, ['remove 192.168.1.2 4001 11.0.0.9 4001 tcp'])
  })
})
