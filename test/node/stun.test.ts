// The STUN binding server of `kith relay` (src/node/connectivity/stun.ts): request parsing with its size
// limit (MAX and MAX+1), hostile datagrams dropped and counted, XOR-MAPPED-ADDRESS encoding
// (RFC 8489 §14.2) checked by decoding it back, a real round trip on 127.0.0.1, and the STUN
// servers a daemon derives from its bootstrap relays (never unset).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import {
  bindingResponse,
  parseBindingRequest,
  startStunServer,
  StunRateLimit,
  STUN_HEADER_BYTES,
  STUN_MAGIC_COOKIE,
  STUN_MAX_MESSAGE_BYTES,
  STUN_MAX_RESPONSES_PER_IP,
  STUN_RATE_WINDOW_MS,
} from '../../src/node/connectivity/stun.js'
import { until } from '../helpers/wait.js'

function request(txId: Uint8Array, attrBytes = 0): Uint8Array {
  const msg = new Uint8Array(STUN_HEADER_BYTES + attrBytes)
  const view = new DataView(msg.buffer)
  view.setUint16(0, 0x0001)
  view.setUint16(2, attrBytes)
  view.setUint32(4, STUN_MAGIC_COOKIE)
  msg.set(txId, 8)
  return msg
}

/** Decodes the XOR-MAPPED-ADDRESS of a Binding success response (IPv4 only). */
function mapped(res: Uint8Array): { address: string; port: number; txId: Uint8Array } {
  const view = new DataView(res.buffer, res.byteOffset, res.byteLength)
  assert.equal(view.getUint16(0), 0x0101)
  assert.equal(view.getUint32(4), STUN_MAGIC_COOKIE)
  assert.equal(view.getUint16(20), 0x0020)
  assert.equal(view.getUint8(25), 0x01)
  const port = view.getUint16(26) ^ (STUN_MAGIC_COOKIE >>> 16)
  const cookie = res.subarray(4, 8)
  const address = [0, 1, 2, 3].map((i) => res[28 + i]! ^ cookie[i]!).join('.')
  return { address, port, txId: new Uint8Array(res.slice(8, 20)) }
}

describe('STUN binding server', () => {
  it('parses a Binding request up to STUN_MAX_MESSAGE_BYTES and drops MAX+1', () => {
    const txId = new Uint8Array(randomBytes(12))
    assert.deepEqual(parseBindingRequest(request(txId)), txId)
    const max = request(txId, STUN_MAX_MESSAGE_BYTES - STUN_HEADER_BYTES)
    assert.deepEqual(parseBindingRequest(max), txId)
    const over = request(txId, STUN_MAX_MESSAGE_BYTES + 4 - STUN_HEADER_BYTES)
    assert.equal(over.length > STUN_MAX_MESSAGE_BYTES, true)
    assert.equal(parseBindingRequest(over), undefined)
  })

  it('drops what is not a well-formed Binding request', () => {
    const good = request(new Uint8Array(12))
    const badCookie = good.slice()
    badCookie[4] = 0
    const badType = good.slice()
    badType[1] = 0x03
    const badLength = good.slice()
    badLength[3] = 4
    for (const m of [good.subarray(0, 19), badCookie, badType, badLength]) {
      assert.equal(parseBindingRequest(m), undefined)
    }
    // Random bytes never throw (numRuns: 500).
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        parseBindingRequest(bytes)
      }),
      { numRuns: 500 },
    )
  })

  it('encodes XOR-MAPPED-ADDRESS so that it decodes to the sender', () => {
    const txId = new Uint8Array(randomBytes(12))
    const got = mapped(bindingResponse(txId, '11.0.0.3', 31897))
    assert.deepEqual(got, { address: '11.0.0.3', port: 31897, txId })
    assert.throws(() => bindingResponse(txId, 'not-an-ip', 1), TypeError)
    assert.throws(() => bindingResponse(txId.subarray(1), '1.2.3.4', 1), RangeError)
    assert.equal(bindingResponse(txId, '::1', 1).length, 20 + 4 + 4 + 16)
  })

  it('answers a request on UDP and counts a hostile datagram', async () => {
    const server = await startStunServer(0, '127.0.0.1')
    const client = createSocket('udp4')
    try {
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', r))
      const txId = new Uint8Array(randomBytes(12))
      const reply = new Promise<Buffer>((r) => client.once('message', r))
      client.send(Buffer.from('garbage'), server.port, '127.0.0.1')
      client.send(request(txId), server.port, '127.0.0.1')
      const got = mapped(await reply)
      assert.deepEqual(got, { address: '127.0.0.1', port: client.address().port, txId })
      // The send callback (responses) may run just after the reply arrived.
      await until('the response counted', () => server.metrics().responses > 0, 500, 10).catch(
        () => undefined, // the assertion below names what is missing
      )
      assert.deepEqual(server.metrics(), { requests: 1, responses: 1, dropped: 1, rateLimited: 0 })
    } finally {
      client.close()
      await server.close()
    }
  })
})

describe('STUN rate limit', () => {
  it('answers STUN_MAX_RESPONSES_PER_IP per window and source, not MAX+1', () => {
    let now = 0
    const limit = new StunRateLimit(() => now)
    for (let i = 0; i < STUN_MAX_RESPONSES_PER_IP; i++) assert.equal(limit.allow('11.0.0.3'), true)
    assert.equal(limit.allow('11.0.0.3'), false)
    assert.equal(limit.allow('11.0.0.4'), true)
    now += STUN_RATE_WINDOW_MS
    assert.equal(limit.allow('11.0.0.3'), true)
  })
})

describe('STUN servers a daemon uses', () => {
  it('are port 3478 of each bootstrap peer with an IP address, as explicit ICE servers', async () => {
    const { stunFromBootstrap } = await import('../../src/daemon/daemon.js')
    const { iceServers } = await import('../../src/node/libp2p/node.js')
    const p = '/p2p/12D3KooWJCAXuxZqFWi8PRffVaRcm5ndGEze9ifeqUWcUMsQh6WB'
    const stun = stunFromBootstrap([
      `/ip4/11.0.0.10/tcp/4001${p}`,
      `/ip4/11.0.0.10/tcp/4002/ws${p}`,
      `/ip6/2001:db8::1/tcp/4001${p}`,
      `/dns4/relay.example.org/tcp/4001${p}`,
    ])
    assert.deepEqual(stun, ['11.0.0.10:3478', '[2001:db8::1]:3478'])
    assert.deepEqual(iceServers(stun), [
      { urls: 'stun:11.0.0.10:3478' },
      { urls: 'stun:[2001:db8::1]:3478' },
    ])
    // No relay known: an empty list, never the library's default public servers.
    assert.deepEqual(iceServers(stunFromBootstrap([])), [])
  })
})
