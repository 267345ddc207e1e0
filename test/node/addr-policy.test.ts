// The address rules (src/node/connectivity/addr-policy.ts, announce.ts): what an invite or card
// announces (no loopback or link-local unless loopback-only, LAN last; property-tested), which of
// a peer's addresses we dial (never our own ip:port, never a peer's loopback unless we are
// loopback-only), the dial rank order, the gater that composes with the connection budget's, and
// the own-address cache.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import {
  AddrPolicy,
  DIAL_RANK,
  dialRank,
  OWN_ADDRS_TTL_MS,
  ownAddrs,
  undialable,
} from '../../src/node/connectivity/addr-policy.js'
import { announceAddrs } from '../../src/node/connectivity/announce.js'
import { classifyAddr } from '../../src/node/connectivity/addr-scope.js'
import type { Address } from '@libp2p/interface'

const ME = '12D3KooWGs8rZb7eoUkomNCrSLhyMie72WpFMD2VoKhocLuCmqrS'
const R = '12D3KooWHFuzRKhpzN1pU6a8uAwGyk6L3Yf9VLxGmx7rxFKxAEVr'
const p2p = (a: string) => `${a}/p2p/${ME}`
const mas = (xs: string[]): Multiaddr[] => xs.map((x) => multiaddr(x))

const LOOP = p2p('/ip4/127.0.0.1/tcp/4001')
const LOOP6 = p2p('/ip6/::1/tcp/4001')
const LAN = p2p('/ip4/192.168.1.5/tcp/4001')
const ULA = p2p('/ip6/fd00::2/tcp/4001')
const LINK = p2p('/ip6/fe80::1/tcp/4001')
const PUB = p2p('/ip4/11.0.0.5/tcp/4001')
const PUB_WS = p2p('/ip4/11.0.0.5/tcp/4002/ws')
const CIRCUIT = `/ip4/11.0.0.1/tcp/4001/p2p/${R}/p2p-circuit/p2p/${ME}`
const WEBRTC = `/ip4/11.0.0.1/tcp/4001/p2p/${R}/p2p-circuit/webrtc/p2p/${ME}`
const LOOP_CIRCUIT = `/ip4/127.0.0.1/tcp/9000/p2p/${R}/p2p-circuit/p2p/${ME}`

describe('announceAddrs (invites and cards)', () => {
  it('drops loopback and link-local; public, relayed, WebRTC, then LAN', () => {
    assert.deepEqual(announceAddrs([LOOP, LAN, LINK, WEBRTC, LOOP6, CIRCUIT, PUB, ULA, PUB_WS]), [
      PUB,
      PUB_WS,
      CIRCUIT,
      WEBRTC,
      LAN,
      ULA,
    ])
  })

  it('a relayed address through a loopback relay is dropped when anything else remains', () => {
    assert.deepEqual(announceAddrs([LOOP_CIRCUIT, LOOP, CIRCUIT]), [CIRCUIT])
  })

  it('a loopback-only node (the test suite) keeps its loopback addresses, direct first', () => {
    assert.deepEqual(announceAddrs([LOOP_CIRCUIT, LOOP]), [LOOP, LOOP_CIRCUIT])
    assert.deepEqual(announceAddrs([LOOP, LINK]), [LOOP])
  })

  it('drops what does not parse, unusable and non-IP addresses, and duplicates', () => {
    assert.deepEqual(
      announceAddrs(['not a multiaddr', p2p('/ip4/0.0.0.0/tcp/1'), '/memory/x', LAN, LAN]),
      [LAN],
    )
    assert.deepEqual(announceAddrs([]), [])
  })

  const anyAddr = fc.constantFrom(
    LOOP,
    LOOP6,
    LAN,
    ULA,
    LINK,
    PUB,
    PUB_WS,
    CIRCUIT,
    WEBRTC,
    LOOP_CIRCUIT,
  )
  it('properties: a subset, loopback only when nothing else, LAN after the rest, idempotent (numRuns 1000)', () => {
    fc.assert(
      fc.property(fc.array(anyAddr, { maxLength: 12 }), (input) => {
        const out = announceAddrs(input)
        assert.ok(out.every((a) => input.includes(a)))
        assert.equal(new Set(out).size, out.length)
        const cls = out.map((a) => classifyAddr(multiaddr(a)))
        assert.ok(cls.every((c) => c.scope !== 'link-local'))
        const reachable = input.some((a) => {
          const s = classifyAddr(multiaddr(a)).scope
          return s === 'public' || s === 'lan'
        })
        if (reachable)
          assert.ok(
            cls.every((c) => c.scope !== 'loopback'),
            out.join(' '),
          )
        else assert.deepEqual(new Set(out), new Set(input.filter((a) => a !== LINK)))
        const firstLan = cls.findIndex((c) => c.path === 'direct' && c.scope === 'lan')
        if (firstLan >= 0) {
          assert.ok(cls.slice(firstLan).every((c) => c.path === 'direct' && c.scope === 'lan'))
        }
        assert.deepEqual(announceAddrs(out), out)
      }),
      { numRuns: 1000 },
    )
  })
})

describe('dialling a peer: undialable and dialRank', () => {
  const PEER = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
  const peer = (a: string) => multiaddr(`${a}/p2p/${PEER}`)

  it('never our own ip:port, even under another PeerId (issue 12: 127.0.0.1:4001 from an invite)', () => {
    const own = ownAddrs(mas(['/ip4/0.0.0.0/tcp/4001', LOOP, LAN, PUB]))
    assert.equal(undialable(peer('/ip4/127.0.0.1/tcp/4001'), own), 'own')
    assert.equal(undialable(peer('/ip4/192.168.1.5/tcp/4001'), own), 'own')
    assert.equal(undialable(peer('/ip4/11.0.0.5/tcp/4001'), own), 'own')
    // Another port on our LAN IP is another process: dialable.
    assert.equal(undialable(peer('/ip4/192.168.1.5/tcp/4002'), own), undefined)
    // A relayed address whose relay is us.
    assert.equal(
      undialable(multiaddr(`/ip4/11.0.0.5/tcp/4001/p2p/${R}/p2p-circuit/p2p/${PEER}`), own),
      'own',
    )
  })

  it('our reservation on a relay does not make the relay, or others relayed by it, ours', () => {
    const own = ownAddrs(mas([PUB, CIRCUIT, WEBRTC]))
    assert.equal(undialable(multiaddr(`/ip4/11.0.0.1/tcp/4001/p2p/${R}`), own), undefined)
    const viaR = multiaddr(`/ip4/11.0.0.1/tcp/4001/p2p/${R}/p2p-circuit/p2p/${PEER}`)
    assert.equal(undialable(viaR, own), undefined)
    assert.equal(dialRank(viaR, own), DIAL_RANK.relayed)
  })

  it("a peer's loopback only when we are loopback-only; link-local and unusable never", () => {
    const networked = ownAddrs(mas([LOOP, LAN]))
    const loopbackOnly = ownAddrs(mas([LOOP, LOOP_CIRCUIT]))
    assert.equal(networked.loopbackOnly, false)
    assert.equal(loopbackOnly.loopbackOnly, true)
    const theirLoop = peer('/ip4/127.0.0.1/tcp/5001')
    assert.equal(undialable(theirLoop, networked), 'loopback')
    // The test suite: daemons on 127.0.0.1, each on its own port.
    assert.equal(undialable(theirLoop, loopbackOnly), undefined)
    assert.equal(undialable(peer('/ip4/127.0.0.1/tcp/4001'), loopbackOnly), 'own')
    assert.equal(undialable(peer('/ip6/fe80::9/tcp/1'), loopbackOnly), 'link-local')
    assert.equal(undialable(peer('/ip4/0.0.0.0/tcp/1'), loopbackOnly), 'unusable')
    // Another network's LAN address is not dialled (it hung for the whole address timeout);
    // one on our /24, or inside one of our interfaces' subnets, is.
    assert.equal(undialable(peer('/ip4/10.9.9.9/tcp/1'), networked), 'foreign-lan')
    assert.equal(undialable(peer('/ip4/192.168.1.77/tcp/1'), networked), undefined)
    const wide = ownAddrs(mas([LOOP, LAN]), [[(10 << 24) >>> 0, 0xffff0000]])
    assert.equal(undialable(peer('/ip4/10.0.9.9/tcp/1'), wide), undefined)
    assert.equal(undialable(peer('/ip4/10.1.9.9/tcp/1'), wide), 'foreign-lan')
    assert.equal(undialable(peer('/ip4/10.9.9.9/tcp/1'), loopbackOnly), undefined)
  })

  it('rank: same LAN, public, relayed, WebRTC, other LAN', () => {
    const own = ownAddrs(mas([LOOP, LAN]))
    const ranked = [
      ['/ip4/10.3.0.7/tcp/1', DIAL_RANK.lan],
      [`/ip4/11.0.0.1/tcp/1/p2p/${R}/p2p-circuit/webrtc`, DIAL_RANK.webrtc],
      [`/ip4/11.0.0.1/tcp/1/p2p/${R}/p2p-circuit`, DIAL_RANK.relayed],
      ['/ip4/11.0.0.9/tcp/1', DIAL_RANK.public],
      ['/dns4/example.org/tcp/443/wss', DIAL_RANK.public],
      ['/ip4/192.168.1.77/tcp/1', DIAL_RANK.near],
    ] as const
    for (const [a, rank] of ranked) assert.equal(dialRank(peer(a), own), rank, a)
    const sorted = ranked
      .map(([a]) => a)
      .sort((x, y) => dialRank(peer(x), own) - dialRank(peer(y), own))
    assert.deepEqual(sorted, [
      '/ip4/192.168.1.77/tcp/1',
      '/ip4/11.0.0.9/tcp/1',
      '/dns4/example.org/tcp/443/wss',
      `/ip4/11.0.0.1/tcp/1/p2p/${R}/p2p-circuit`,
      `/ip4/11.0.0.1/tcp/1/p2p/${R}/p2p-circuit/webrtc`,
      '/ip4/10.3.0.7/tcp/1',
    ])
    // Same LAN for IPv6 is the /64.
    const own6 = ownAddrs(mas([ULA]))
    assert.equal(dialRank(peer('/ip6/fd00::77/tcp/1'), own6), DIAL_RANK.near)
    assert.equal(dialRank(peer('/ip6/fd00:0:0:1::77/tcp/1'), own6), DIAL_RANK.lan)
  })
})

describe('AddrPolicy', () => {
  it('the gater denies what undialable names, then asks the inner gater', async () => {
    const policy = new AddrPolicy()
    policy.setSource(() => mas([LOOP, LAN]))
    const asked: string[] = []
    const gater = policy.gater({
      denyDialMultiaddr: (ma) => {
        asked.push(ma.toString())
        return ma.toString().includes('/tcp/66')
      },
      denyInboundConnection: () => false,
    })
    assert.equal(typeof gater.denyInboundConnection, 'function')
    assert.equal(await gater.denyDialMultiaddr!(multiaddr('/ip4/127.0.0.1/tcp/5')), true)
    assert.equal(await gater.denyDialMultiaddr!(multiaddr('/ip4/192.168.1.5/tcp/4001')), true)
    assert.deepEqual(asked, [])
    assert.equal(await gater.denyDialMultiaddr!(multiaddr('/ip4/11.0.0.1/tcp/66')), true)
    assert.equal(await gater.denyDialMultiaddr!(multiaddr('/ip4/11.0.0.1/tcp/67')), false)
    assert.deepEqual(asked, ['/ip4/11.0.0.1/tcp/66', '/ip4/11.0.0.1/tcp/67'])
  })

  it('without a source it knows no address of ours and denies nothing dialable', () => {
    const policy = new AddrPolicy()
    assert.equal(policy.dialable(multiaddr('/ip4/127.0.0.1/tcp/4001')), true)
    assert.equal(policy.dialable(multiaddr('/ip6/fe80::1/tcp/4001')), false)
  })

  it(`re-reads its source after OWN_ADDRS_TTL_MS (${OWN_ADDRS_TTL_MS} ms)`, () => {
    let now = 0
    let calls = 0
    let addrs = [LOOP]
    const policy = new AddrPolicy(() => now)
    policy.setSource(() => {
      calls++
      return mas(addrs)
    })
    const theirLoop = multiaddr('/ip4/127.0.0.1/tcp/5001')
    assert.equal(policy.dialable(theirLoop), true)
    addrs = [LOOP, LAN]
    now += OWN_ADDRS_TTL_MS - 1
    assert.equal(policy.dialable(theirLoop), true)
    assert.equal(calls, 1)
    now += 1
    assert.equal(policy.dialable(theirLoop), false)
    assert.equal(calls, 2)
  })

  it('an empty address set (libp2p still starting) is not cached; invalidate() re-reads', () => {
    let addrs: string[] = []
    const policy = new AddrPolicy(() => 0)
    policy.setSource(() => mas(addrs))
    const theirLoop = multiaddr('/ip4/127.0.0.1/tcp/5001')
    assert.equal(policy.dialable(theirLoop), true)
    addrs = [LAN]
    assert.equal(policy.dialable(theirLoop), false, 'the listener is seen at once')
    addrs = [LOOP]
    assert.equal(policy.dialable(theirLoop), false, 'cached within the TTL')
    policy.invalidate()
    assert.equal(policy.dialable(theirLoop), true, 'self:peer:update drops the cache')
  })

  it('candidates: confirmed addresses, plus listen addresses AutoNAT has not judged yet, not refuted ones', () => {
    // libp2p's address manager (address-manager/transport-addresses.js): a private transport
    // address is verified at once; a public one is unverified with expires 0 until AutoNAT
    // confirms it (verified) or refutes it (unconfirm: unverified, expires set).
    const meta = [
      {
        multiaddr: multiaddr('/ip4/127.0.0.1/tcp/4001'),
        verified: true,
        type: 'transport',
        expires: 1,
      },
      {
        multiaddr: multiaddr('/ip4/11.77.0.2/tcp/4001'),
        verified: false,
        type: 'transport',
        expires: 0,
      },
      {
        multiaddr: multiaddr('/ip4/11.77.0.3/tcp/4001'),
        verified: false,
        type: 'transport',
        expires: 99,
      },
      {
        multiaddr: multiaddr('/ip4/11.9.9.9/tcp/4001'),
        verified: false,
        type: 'observed',
        expires: 0,
      },
    ]
    const policy = new AddrPolicy()
    const factory = policy.service()
    factory({
      addressManager: {
        getAddresses: () => mas([LOOP]),
        getAddressesWithMetadata: () => meta,
      },
      transportManager: { getAddrs: () => meta.map((m) => m.multiaddr) },
      events: { addEventListener: () => {} },
    })
    assert.deepEqual(
      policy.candidates().map((ma) => ma.toString()),
      ['/ip4/127.0.0.1/tcp/4001', '/ip4/11.77.0.2/tcp/4001'],
    )
    // What an invite made in the first seconds announces: the public address, not loopback.
    assert.deepEqual(announceAddrs([LOOP, p2p('/ip4/11.77.0.2/tcp/4001')]), [
      p2p('/ip4/11.77.0.2/tcp/4001'),
    ])
  })

  it('compare: rank first, then certified, then reliable transports (libp2p Address)', () => {
    const policy = new AddrPolicy()
    policy.setSource(() => mas([LAN]))
    const a = (s: string, isCertified = false): Address => ({
      multiaddr: multiaddr(s),
      isCertified,
    })
    const list = [
      a('/ip4/10.3.0.7/tcp/1'),
      a(`/ip4/11.0.0.1/tcp/1/p2p/${R}/p2p-circuit`),
      a('/ip4/11.0.0.9/tcp/2/ws'),
      a('/ip4/11.0.0.9/tcp/1'),
      a('/ip4/11.0.0.8/tcp/1', true),
      a('/ip4/192.168.1.9/tcp/1'),
    ]
    assert.deepEqual(
      list.sort(policy.compare).map((x) => x.multiaddr.toString()),
      [
        '/ip4/192.168.1.9/tcp/1',
        '/ip4/11.0.0.8/tcp/1',
        '/ip4/11.0.0.9/tcp/1',
        '/ip4/11.0.0.9/tcp/2/ws',
        `/ip4/11.0.0.1/tcp/1/p2p/${R}/p2p-circuit`,
        '/ip4/10.3.0.7/tcp/1',
      ],
    )
  })
})
