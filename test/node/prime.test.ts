// The punch primer (src/node/connectivity/prime.ts) and the port it hands to WebRTC
// (src/node/connectivity/webrtc.ts withIcePort): the frame with its exact size (MAX+1 refused),
// addresses outside the allowed scopes refused, and the exchange between real libp2p nodes over a
// circuit relay on 127.0.0.1 with a real STUN server: both sides ask the STUN server for their
// mapping and exchange them, the asker gets its port and the responder holds its own for the
// asker's offer (once), both ports free again for the ICE agent. Refused over a direct connection and
// from a stream carrying MAX+1 bytes, each counted by name. The TTL's effect (a prime dies at the
// next router) needs routers: the netns suite's `home192` variant (test/netns).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { MalformedMessageError } from '../../src/core/errors.js'
import { createLibp2p, type Libp2p } from 'libp2p'
import { multiaddr } from '@multiformats/multiaddr'
import {
  decodeMapping,
  encodeMapping,
  ipv4Stun,
  PRIME_FRAME_BYTES,
  PRIME_PROTOCOL,
  PrimeAddressError,
  punchPrimer,
  type PunchPrimer,
} from '../../src/node/connectivity/prime.js'
import { HOLD_ANSWER, HOLD_CHECKS, ON_FAILED } from '../../src/node/libp2p/ice-order.js'
import {
  answerWithPrimedPort,
  rtcConfiguration,
  withIcePort,
} from '../../src/node/connectivity/webrtc.js'
import { startStunServer, type StunServer } from '../../src/node/connectivity/stun.js'
import { writeFrame } from '../../src/node/stream/io.js'
import { until } from '../helpers/wait.js'
import { LOOPBACK, startCircuitRelay } from './helpers.js'
import type { Connection } from '@libp2p/interface'

describe('punch prime frames', () => {
  it('round-trips a public IPv4 mapping in exactly PRIME_FRAME_BYTES', () => {
    const frame = encodeMapping({ address: '11.0.0.1', port: 40_001 })
    assert.equal(frame.length, PRIME_FRAME_BYTES)
    assert.deepEqual(decodeMapping(frame), { address: '11.0.0.1', port: 40_001 })
  })

  it('refuses MAX+1 bytes, a short frame, another family, port 0, and non-public addresses', () => {
    const ok = encodeMapping({ address: '11.0.0.1', port: 1 })
    assert.throws(() => decodeMapping(Uint8Array.of(...ok, 0)), MalformedMessageError)
    assert.throws(() => decodeMapping(ok.subarray(1)), MalformedMessageError)
    assert.throws(() => decodeMapping(Uint8Array.of(6, ...ok.subarray(1))), MalformedMessageError)
    assert.throws(() => decodeMapping(Uint8Array.of(4, 0, 0, 11, 0, 0, 1)), MalformedMessageError)
    for (const address of ['127.0.0.1', '192.168.1.2', '10.0.0.1', '169.254.1.1', '224.0.0.1']) {
      const f = encodeMapping({ address, port: 1 })
      assert.throws(() => decodeMapping(f), PrimeAddressError, address)
    }
    assert.deepEqual(
      decodeMapping(encodeMapping({ address: '127.0.0.1', port: 9 }), ['loopback']),
      {
        address: '127.0.0.1',
        port: 9,
      },
    )
    assert.throws(() => encodeMapping({ address: '::1', port: 1 }), PrimeAddressError)
  })

  it('primes with the first IPv4 STUN server', () => {
    assert.deepEqual(ipv4Stun(['[2001:db8::1]:3478', 'stun.example:3478', '11.0.0.10:3478']), {
      host: '11.0.0.10',
      port: 3478,
    })
    assert.equal(ipv4Stun(['[2001:db8::1]:3478']), undefined)
  })
})

describe('the WebRTC connection of a primed punch', () => {
  it('gets a port range of exactly the primed port inside withIcePort, none outside', async () => {
    const config = rtcConfiguration([{ urls: 'stun:11.0.0.10:3478' }])
    assert.deepEqual(config(), { iceServers: [{ urls: 'stun:11.0.0.10:3478' }] })
    const inside = await withIcePort({ port: 40_002 }, async () => {
      await new Promise((r) => setTimeout(r, 5))
      return config()
    })
    assert.equal(inside.portRangeBegin, 40_002)
    assert.equal(inside.portRangeEnd, 40_002)
    assert.equal(HOLD_CHECKS in inside, false, 'checks held by default')
    const unheld = withIcePort({ port: 40_002, holdChecks: false }, () => config())
    assert.equal(unheld[HOLD_CHECKS], false)
    const onFailed = (): void => {}
    assert.equal(
      withIcePort({ onFailed }, () => config())[ON_FAILED],
      onFailed,
      'the failure callback reaches the configuration',
    )
  })

  it('answers an offer on the port primed for the offering peer', async () => {
    const config = rtcConfiguration([])
    const seen: Array<number | undefined> = []
    const held: Array<boolean | undefined> = []
    const transport = {
      async _onProtocol(_s: unknown, c: Connection) {
        await Promise.resolve()
        seen.push(config().portRangeBegin)
        held.push(config()[HOLD_ANSWER])
        return c.remotePeer.toString()
      },
    }
    const ports: Record<string, number> = { alice: 40_003 }
    assert.equal(
      answerWithPrimedPort(transport, (peer) => ports[peer]),
      true,
    )
    const conn = (peer: string) => ({ remotePeer: { toString: () => peer } }) as Connection
    assert.equal(await transport._onProtocol({}, conn('alice')), 'alice')
    await transport._onProtocol({}, conn('bob'))
    assert.deepEqual(seen, [40_003, undefined])
    assert.deepEqual(held, [true, undefined], 'only a primed answer holds its checks')
    assert.equal(
      answerWithPrimedPort({}, () => 1),
      false,
      'no _onProtocol: left alone',
    )
  })
})

type PrimerNode = Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>; prime: PunchPrimer }>

describe('punch prime over a relayed connection (127.0.0.1)', () => {
  let relay: Libp2p
  let stun: StunServer
  let a: PrimerNode
  let b: PrimerNode
  let relayed: Connection

  const node = async (listen: string[]): Promise<PrimerNode> =>
    await createLibp2p({
      addresses: { listen },
      transports: [tcp(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        prime: punchPrimer({ stun: [`127.0.0.1:${stun.port}`], scopes: ['loopback'] }),
      },
    })

  before(async () => {
    stun = await startStunServer(0, '127.0.0.1')
    const started = await startCircuitRelay()
    relay = started.relay
    b = await node([LOOPBACK, started.viaRelay])
    a = await node([LOOPBACK])
    await until('a reservation', () =>
      b.getMultiaddrs().some((m) => m.toString().includes('/p2p-circuit')),
    )
    const circuit = b.getMultiaddrs().find((m) => m.toString().includes('/p2p-circuit'))!
    relayed = await a.dial(multiaddr(circuit.toString()))
    assert.notEqual(relayed.limits, undefined, 'a relayed (limited) connection')
  })
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), relay?.stop()])
    await stun?.close()
  })

  it('both sides learn their mapping and prime each other; each ends with its port', async () => {
    const got = await a.services.prime.prime(b.peerId, AbortSignal.timeout(5_000))
    assert.equal(typeof got, 'number')
    const held = b.services.prime.take(a.peerId.toString())
    assert.equal(typeof held, 'number')
    assert.notEqual(held, got)
    assert.equal(b.services.prime.take(a.peerId.toString()), undefined, 'held for one offer')
    // Both ports are free again for the ICE agent to bind.
    for (const port of [got!, held!]) {
      const s = createSocket('udp4')
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.bind(port, '0.0.0.0', () => resolve())
      })
      s.close()
    }
    assert.ok(stun.metrics().responses >= 2, 'each side asked the STUN server')
  })

  it('is refused over a direct connection and for a MAX+1 frame, counted by name', async () => {
    await a.dial(b.getMultiaddrs().find((m) => !m.toString().includes('/p2p-circuit'))!)
    const direct = a.getConnections(b.peerId).find((c) => c.limits == null)!
    const s1 = await direct.newStream(PRIME_PROTOCOL)
    const sig = (): AbortSignal => AbortSignal.timeout(5_000)
    // The responder resets it before reading (admission): the write may fail.
    await writeFrame(
      s1,
      encodeMapping({ address: '127.0.0.1', port: 1 }),
      PRIME_FRAME_BYTES,
      sig(),
    ).catch(() => undefined)
    await until('the refusal', () => (b.services.prime.rejected().PrimeRefusedError ?? 0) >= 1)
    const s2 = await relayed.newStream(PRIME_PROTOCOL, { runOnLimitedConnection: true })
    await writeFrame(s2, new Uint8Array(PRIME_FRAME_BYTES + 1), PRIME_FRAME_BYTES + 1, sig())
    await until('the MAX+1 reset', () => Object.keys(b.services.prime.rejected()).length >= 2)
    assert.deepEqual(Object.keys(b.services.prime.rejected()).sort(), [
      'MessageTooLargeError',
      'PrimeRefusedError',
    ])
    assert.equal(b.services.prime.take(a.peerId.toString()), undefined, 'nothing held')
  })
})
