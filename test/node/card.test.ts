// /kith/card/1.0.0 between in-process nodes on 127.0.0.1 (first contact by a short invite
// link): the card for the right secret; a stranger's wrong secret, a request of the wrong size
// (MAX+1), an idle stream and a hostile answer over MAX_CARD_ANSWER_BYTES are refused, counted in
// cardRejected (on the responder) or a typed error (on the requester), and the node answers the
// next honest request.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { encodeFrames } from '../../src/node/stream/frames.js'
import {
  CARD_PROTOCOL,
  CARD_REQUEST_BYTES,
  MAX_CARD_ANSWER_BYTES,
  packAddrs,
  unpackAddrs,
} from '../../src/node/card/index.js'
import { startNode, stopAll, waitFor } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'

const TUNING = { card: { streamIdleMs: 400, fetchTimeoutMs: 3_000 } }
const SECRET = new Uint8Array(CARD_REQUEST_BYTES).fill(9)
const CARD = new Uint8Array(2_000).fill(3)
const rejected = (n: Libp2pKithNode, name: string): number => n.metrics().cardRejected[name] ?? 0

describe('/kith/card', () => {
  let a: Libp2pKithNode // asks
  let b: Libp2pKithNode // answers for SECRET only
  let asked: Array<{ from: string }> = []

  before(async () => {
    ;[a, b] = await Promise.all([startNode({ tuning: TUNING }), startNode({ tuning: TUNING })])
    b.onCardRequest((from, secret) => {
      asked.push({ from })
      return secret.every((x, i) => x === SECRET[i]) ? CARD : undefined
    })
  })
  after(() => stopAll(a, b))

  const addrsOf = (n: Libp2pKithNode) => n.addrs()

  it('answers the card to whoever proves the secret, naming the asker to the handler', async () => {
    asked = []
    const got = await a.fetchCard(b.peerId, SECRET, addrsOf(b))
    assert.deepEqual(got, CARD)
    assert.deepEqual(asked, [{ from: a.peerId }])
  })

  it('a wrong secret gets nothing: CardRefusedError, counted, and the next honest ask works', async () => {
    const before = rejected(b, 'CardUnknownSecretError')
    await assert.rejects(a.fetchCard(b.peerId, new Uint8Array(CARD_REQUEST_BYTES), addrsOf(b)), {
      name: 'CardRefusedError',
    })
    await waitFor(() => rejected(b, 'CardUnknownSecretError') === before + 1, 5_000, 'counted')
    assert.deepEqual(await a.fetchCard(b.peerId, SECRET, addrsOf(b)), CARD)
  })

  it('a request of CARD_REQUEST_BYTES + 1 is refused before the handler runs', async () => {
    asked = []
    const stream = await a.libp2p.dialProtocol(b.libp2p.peerId, CARD_PROTOCOL)
    stream.send(encodeFrames([new Uint8Array(CARD_REQUEST_BYTES + 1)], CARD_REQUEST_BYTES + 1))
    await waitFor(() => rejected(b, 'MessageTooLargeError') === 1, 5_000, 'counted')
    assert.deepEqual(asked, [])
  })

  it('a stream that sends nothing is reset after the idle time and counted', async () => {
    const stream = await a.libp2p.dialProtocol(b.libp2p.peerId, CARD_PROTOCOL)
    await waitFor(() => rejected(b, 'CardIdleTimeoutError') === 1, 5_000, 'idle counted')
    await waitFor(() => stream.status !== 'open', 5_000, 'the asker sees the reset')
  })

  it('an answer over MAX_CARD_ANSWER_BYTES is refused by the asker with a typed error', async () => {
    const hostile = await startNode({ tuning: TUNING })
    try {
      await hostile.libp2p.handle(
        CARD_PROTOCOL,
        (stream) => {
          stream.send(
            encodeFrames([new Uint8Array(MAX_CARD_ANSWER_BYTES + 1)], MAX_CARD_ANSWER_BYTES + 1),
          )
        },
        { force: true },
      )
      await assert.rejects(a.fetchCard(hostile.peerId, SECRET, hostile.addrs()), {
        name: 'MessageTooLargeError',
      })
    } finally {
      await stopAll(hostile)
    }
  })

  it('packs multiaddrs for short links and skips what does not parse', () => {
    const addrs = ['/ip4/11.0.0.10/tcp/4001', '/ip6/2001:db8::1/udp/4001/quic-v1']
    const packed = packAddrs([...addrs, 'not an address'])
    assert.equal(packed.length, 2)
    assert.deepEqual(unpackAddrs([...packed, new Uint8Array([0xff, 0xff, 0xff])]), addrs)
    // Our own trailing /p2p/<us> is left out (the link names us once); another peer's stays.
    const relay = '12D3KooWJCAXuxZqFWi8PRffVaRcm5ndGEze9ifeqUWcUMsQh6WB'
    const me = '12D3KooWB5js5RR58i5sxocDPpEJVpR4fXDPZf3jJPW4yV1nX692'
    const circuit = `/ip4/11.0.0.10/tcp/4001/p2p/${relay}/p2p-circuit`
    assert.deepEqual(unpackAddrs(packAddrs([`${circuit}/p2p/${me}`], me)), [circuit])
    const [one] = packAddrs([`${circuit}/p2p/${me}`], me)
    assert.ok(one !== undefined && one.length <= 56, `${one?.length} bytes`)
  })
})
