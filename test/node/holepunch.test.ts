// Pieces of the hole puncher (src/node/connectivity/holepunch.ts) that need no network: which /webrtc
// addresses are dialled for a peer reached through a relay, and the wrapper that keeps libp2p's
// dial queue from dialling /webrtc addresses on its own. The punch itself is tested end to end
// in network namespaces (test/netns, `npm run test:netns`).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import {
  duplicateDirect,
  gatedWebRTC,
  limitAnswers,
  rtcConfiguration,
  webrtcDialAddrs,
  WEBRTC_MAX_INBOUND_ANSWERS,
  WebRTCAnswerBusyError,
  WebRTCFailedError,
  type WebRTCDialer,
} from '../../src/node/connectivity/webrtc.js'
import {
  HOLE_PUNCH_QUICK_RETRY_MS,
  HolePuncher,
  WEBRTC_SIGNALING_PROTOCOL,
  type HolePunchComponents,
} from '../../src/node/connectivity/holepunch.js'
import { ON_FAILED } from '../../src/node/libp2p/ice-order.js'
import type { Connection, PeerId, Stream, Upgrader } from '@libp2p/interface'
import { sleep, until } from '../helpers/wait.js'

/** How long the larger PeerId is watched not punching (its punch delay here is 100 ms). */
const NO_PUNCH_MS = 400

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
    const caller = new AbortController()
    await dialer.dial?.(addrs[0]!, caller.signal)
    assert.deepEqual(
      dialled.map((d) => [d.ma, d.upgrader]),
      [[addrs[0]!.toString(), upgrader]],
    )
    const signal = dialled[0]!.signal as AbortSignal
    assert.equal(signal.aborted, false)
    caller.abort()
    assert.equal(signal.aborted, true, 'the caller’s signal reaches the transport')
  })

  it('ends a dial at once when its connection fails (ICE or DTLS), with WebRTCFailedError', async () => {
    const config = rtcConfiguration([])
    const transport = {
      dialFilter: (mas: Multiaddr[]) => mas,
      // As @libp2p/webrtc's offerer: it asks the configuration, the connection then fails, and it
      // waits for a data channel until its signal ends.
      dial(_ma: Multiaddr, options: { signal?: AbortSignal }): Promise<Connection> {
        const onFailed = config()[ON_FAILED]
        setTimeout(() => onFailed?.(), 20)
        return new Promise((_resolve, reject) =>
          options.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        )
      },
    }
    const dialer: WebRTCDialer = {}
    gatedWebRTC(() => transport, dialer)({ upgrader: {} as Upgrader })
    const t0 = Date.now()
    await assert.rejects(
      dialer.dial!(multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${B}`), AbortSignal.timeout(5_000)),
      (err: unknown) => WebRTCFailedError.is(err),
    )
    assert.ok(Date.now() - t0 < 1_000, `failed after ${Date.now() - t0} ms, not at the timeout`)
  })
})

/** A hole puncher whose peer `me` holds one relayed connection to `peer`; every punch it
 *  dials is recorded and fails, unless `direct` says a direct connection exists. */
function puncher(
  me: string,
  peer: string,
  swapMs: number,
  fail: () => Error = () => new Error('ICE failed'),
) {
  const id = (s: string) => ({ toString: () => s }) as unknown as PeerId
  const relayedConn = {
    id: 'c1',
    limits: { bytes: 1n },
    status: 'open',
    remotePeer: id(peer),
    remoteAddr: multiaddr(`${relay}/p2p-circuit/p2p/${peer}`),
  } as unknown as Connection
  const state = { direct: false, dials: [] as number[], primed: [] as boolean[] }
  const events = new EventTarget()
  const components = {
    peerId: id(me),
    connectionManager: {
      getConnections: () =>
        state.direct ? [relayedConn, { ...relayedConn, limits: undefined }] : [relayedConn],
    },
    peerStore: { get: () => Promise.resolve({ addresses: [] }) },
    events,
  } as unknown as HolePunchComponents
  const t0 = Date.now()
  const hp = new HolePuncher(components, {
    swapMs,
    retryMs: 60_000,
    webrtc: {
      dial: (_ma, _signal, ice) => {
        state.dials.push(Date.now() - t0)
        state.primed.push(ice?.port !== undefined)
        return Promise.reject(fail())
      },
      prime: () => Promise.resolve(40_000),
    },
  })
  hp.start()
  const identify = () =>
    events.dispatchEvent(
      new CustomEvent('peer:identify', {
        detail: {
          peerId: id(peer),
          protocols: [WEBRTC_SIGNALING_PROTOCOL],
          connection: relayedConn,
        },
      }),
    )
  return { hp, state, identify }
}

describe('hole punch schedule', () => {
  it('the smaller PeerId punches at once; the larger one only after the swap delay, with roles swapped', async () => {
    const small = puncher(B, C, 300)
    const large = puncher(C, B, 300)
    try {
      small.identify()
      large.identify()
      await until('the first punch', () => small.state.dials.length === 1)
      assert.ok(small.state.dials[0]! < 250, `first punch after ${small.state.dials[0]} ms`)
      assert.equal(large.state.dials.length, 0, 'the larger PeerId waits')
      await until('the swapped punch', () => large.state.dials.length === 1)
      assert.ok(large.state.dials[0]! >= 290, `swapped punch after ${large.state.dials[0]} ms`)
      assert.equal(large.hp.metrics().failures, 1)
      // Each side's first punch is primed (each side checks first once), its next one not.
      assert.deepEqual([small.state.primed, large.state.primed], [[true], [true]])
      assert.equal(small.hp.metrics().primed + large.hp.metrics().primed, 2)
    } finally {
      small.hp.stop()
      large.hp.stop()
    }
  })

  it('a punch whose connection failed is retried at once, unprimed; one that timed out waits', async () => {
    const quick = puncher(B, C, 300, () => new WebRTCFailedError())
    const slow = puncher(B, C, 300)
    try {
      quick.identify()
      slow.identify()
      await until('the quick retry', () => quick.state.dials.length === 2)
      const gap = quick.state.dials[1]! - quick.state.dials[0]!
      assert.ok(gap >= HOLE_PUNCH_QUICK_RETRY_MS - 10 && gap < 1_000, `retried after ${gap} ms`)
      assert.deepEqual(quick.state.primed, [true, false])
      await sleep(NO_PUNCH_MS)
      assert.equal(slow.state.dials.length, 1, 'a plain failure waits for the backoff (60 s here)')
    } finally {
      quick.hp.stop()
      slow.hp.stop()
    }
  })

  it('the larger PeerId does not punch when the first punch already gave a direct connection', async () => {
    const large = puncher(C, B, 100)
    try {
      large.identify()
      large.state.direct = true
      await sleep(NO_PUNCH_MS)
      assert.deepEqual(large.state.dials, [])
      assert.equal(large.hp.metrics().attempts, 0)
    } finally {
      large.hp.stop()
    }
  })
})

describe('duplicate direct connections', () => {
  const conn = (id: string, direction: 'inbound' | 'outbound', extra: Partial<Connection> = {}) =>
    ({
      id,
      direction,
      status: 'open',
      limits: undefined,
      multiplexer: '/webrtc',
      remoteAddr: multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${B}`),
      ...extra,
    }) as unknown as Connection
  const none = () => false

  it('the larger PeerId closes its outbound WebRTC connection while a verified inbound one is open', () => {
    const inbound = conn('in', 'inbound')
    const outbound = conn('out', 'outbound')
    assert.deepEqual(duplicateDirect(C, B, [inbound, outbound], none), [outbound])
  })

  it('the smaller PeerId never closes one, so the pair cannot close both', () => {
    assert.deepEqual(
      duplicateDirect(B, C, [conn('in', 'inbound'), conn('out', 'outbound')], none),
      [],
    )
  })

  it('keeps the outbound one while the inbound one is still probed, closed or relayed', () => {
    const outbound = conn('out', 'outbound')
    assert.deepEqual(
      duplicateDirect(C, B, [conn('in', 'inbound'), outbound], (id) => id === 'in'),
      [],
    )
    assert.deepEqual(
      duplicateDirect(C, B, [conn('in', 'inbound', { status: 'closed' }), outbound], none),
      [],
    )
    const relayedIn = conn('in', 'inbound', { limits: { bytes: 1n } })
    assert.deepEqual(duplicateDirect(C, B, [relayedIn, outbound], none), [])
  })
})

describe('hole punch state is bounded', () => {
  it('keeps maxPeers peers; an idle one is forgotten for a new peer, a busy one never', async () => {
    const id = (s: string) => ({ toString: () => s }) as unknown as PeerId
    const me = '12D3KooWA' // smaller than every peer below: each punch starts at once
    const peers = ['12D3KooWP1', '12D3KooWP2', '12D3KooWP3', '12D3KooWP4']
    const conn = (peer: string) =>
      ({
        id: `c-${peer}`,
        limits: { bytes: 1n },
        status: 'open',
        remotePeer: id(peer),
        remoteAddr: multiaddr(`${relay}/p2p-circuit/p2p/${B}`),
      }) as unknown as Connection
    const events = new EventTarget()
    const pending = new Map<string, (err: Error) => void>()
    const dialled: string[] = []
    const hp = new HolePuncher(
      {
        peerId: id(me),
        connectionManager: { getConnections: (p?: PeerId) => [conn(String(p))] },
        peerStore: { get: () => Promise.resolve({ addresses: [] }) },
        events,
      } as unknown as HolePunchComponents,
      {
        maxPeers: 2,
        maxAttempts: 1,
        webrtc: {
          dial: (ma) =>
            new Promise((_resolve, reject) => {
              const peer = peers.find((p) => ma.toString().includes(p)) ?? '?'
              dialled.push(peer)
              pending.set(peer, reject)
            }),
        },
      },
    )
    // The dial address is derived from the relayed connection: give each its own peer.
    const identify = (peer: string) =>
      events.dispatchEvent(
        new CustomEvent('peer:identify', {
          detail: {
            peerId: id(peer),
            protocols: [WEBRTC_SIGNALING_PROTOCOL],
            connection: {
              ...conn(peer),
              remoteAddr: multiaddr(`${relay}/p2p-circuit/p2p/${B}`),
            },
          },
        }),
      )
    hp.start()
    try {
      identify(peers[0]!)
      identify(peers[1]!)
      await until('two punches running', () => pending.size === 2)
      identify(peers[2]!)
      await sleep(50)
      assert.equal(hp.tracked(), 2, 'both entries busy: the third peer is not punched')
      pending.get(peers[0]!)!(new Error('ICE failed')) // its last attempt: now idle
      await until('the first punch ended', () => hp.metrics().failures === 1)
      identify(peers[3]!)
      await until('the fourth peer punched', () => hp.metrics().attempts === 3)
      assert.equal(hp.tracked(), 2)
    } finally {
      hp.stop()
    }
  })
})

describe('WebRTC answers are bounded', () => {
  it('answers WEBRTC_MAX_INBOUND_ANSWERS offers at once and one per peer; the rest are aborted', async () => {
    const done = new Map<string, () => void>()
    const answered: string[] = []
    const transport = {
      // As @libp2p/webrtc: the whole answer (SDP, ICE, upgrade) before it resolves.
      _onProtocol(_s: unknown, c: Connection): Promise<void> {
        answered.push(c.remotePeer.toString())
        return new Promise((resolve) => done.set(c.remotePeer.toString(), resolve))
      },
    }
    let refused = 0
    assert.equal(
      limitAnswers(transport, () => refused++),
      true,
    )
    const aborted: unknown[] = []
    const stream = () => ({ abort: (err: unknown) => aborted.push(err) }) as unknown as Stream
    const conn = (peer: string) => ({ remotePeer: { toString: () => peer } }) as Connection
    const offer = (peer: string) => transport._onProtocol(stream(), conn(peer))
    const running = Array.from({ length: WEBRTC_MAX_INBOUND_ANSWERS }, (_, i) => offer(`p${i}`))
    await offer('p-extra') // over the bound: refused at once
    await offer('p0') // a second offer of a peer being answered: refused
    assert.equal(refused, 2)
    assert.equal(aborted.length, 2)
    assert.ok(aborted.every((e) => WebRTCAnswerBusyError.is(e)))
    assert.deepEqual(answered, ['p0', 'p1', 'p2', 'p3'])
    done.get('p0')!()
    await running[0]
    const next = offer('p-next') // a slot is free again
    assert.deepEqual(answered.at(-1), 'p-next')
    for (const resolve of done.values()) resolve()
    await Promise.all([...running, next])
    assert.equal(
      limitAnswers({}, () => {}),
      false,
      'no _onProtocol: left alone',
    )
  })
})
