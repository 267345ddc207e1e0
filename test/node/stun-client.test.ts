// The STUN client of the punch primer (src/node/connectivity/stun-client.ts): the Binding request
// it sends is one the server accepts, the answer's XOR-MAPPED-ADDRESS decoded back (RFC 8489
// §14.2, against the server's encoder), every other datagram ignored (another transaction, over
// the size limit at MAX+1, a truncated attribute, IPv6, random bytes), and real round trips on
// 127.0.0.1: an answer, and a silent server giving undefined by the deadline.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import {
  bindingResponse,
  parseBindingRequest,
  startStunServer,
  STUN_MAX_MESSAGE_BYTES,
} from '../../src/node/connectivity/stun.js'
import {
  bindingRequest,
  parseBindingSuccess,
  stunMapping,
} from '../../src/node/connectivity/stun-client.js'

const tx = (): Uint8Array => new Uint8Array(randomBytes(12))

async function bound(): Promise<Socket> {
  const s = createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r))
  return s
}

describe('STUN client', () => {
  it('sends a Binding request the server parses, with its transaction ID', () => {
    const id = tx()
    assert.deepEqual(parseBindingRequest(bindingRequest(id)), id)
    assert.throws(() => bindingRequest(id.subarray(1)), RangeError)
  })

  it('decodes the mapped address of a success response to its own transaction', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)),
        fc.integer({ min: 1, max: 0xffff }),
        (ip, port) => {
          const id = tx()
          const address = ip.join('.')
          assert.deepEqual(parseBindingSuccess(bindingResponse(id, address, port), id), {
            address,
            port,
          })
        },
      ),
    )
  })

  it('ignores anything else: another transaction, MAX+1 bytes, a cut attribute, IPv6', () => {
    const id = tx()
    const ok = bindingResponse(id, '11.0.0.1', 4242)
    assert.equal(parseBindingSuccess(ok, tx()), undefined, 'another transaction')
    assert.equal(parseBindingSuccess(bindingRequest(id), id), undefined, 'a request')
    // At MAX the length rule applies; at MAX+1 the datagram is not read at all.
    const big = new Uint8Array(STUN_MAX_MESSAGE_BYTES + 1)
    big.set(ok)
    new DataView(big.buffer).setUint16(2, big.length - 20)
    assert.equal(parseBindingSuccess(big, id), undefined, 'MAX+1')
    const cut = ok.slice(0, ok.length - 2)
    new DataView(cut.buffer).setUint16(2, cut.length - 20)
    assert.equal(parseBindingSuccess(cut, id), undefined, 'attribute past the end')
    assert.equal(parseBindingSuccess(bindingResponse(id, '2001:db8::1', 1), id), undefined, 'v6')
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        assert.equal(parseBindingSuccess(bytes, id), undefined)
      }),
    )
  })

  it('learns its mapping from a real server on 127.0.0.1', async () => {
    const server = await startStunServer(0, '127.0.0.1')
    const socket = await bound()
    try {
      const m = await stunMapping(socket, '127.0.0.1', server.port, 2_000)
      assert.deepEqual(m, { address: '127.0.0.1', port: socket.address().port })
    } finally {
      socket.close()
      await server.close()
    }
  })

  it('gives undefined by its deadline when nobody answers, and at once when aborted', async () => {
    const silent = await bound()
    const socket = await bound()
    try {
      const t0 = Date.now()
      assert.equal(await stunMapping(socket, '127.0.0.1', silent.address().port, 600), undefined)
      const took = Date.now() - t0
      assert.ok(took >= 550 && took < 2_000, `took ${took} ms`)
      const ac = new AbortController()
      const pending = stunMapping(socket, '127.0.0.1', silent.address().port, 10_000, ac.signal)
      ac.abort()
      assert.equal(await pending, undefined)
      assert.equal(socket.listenerCount('message'), 0, 'its listener is gone')
    } finally {
      socket.close()
      silent.close()
    }
  })
})
