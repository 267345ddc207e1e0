// One socket write per connection per loop turn (src/node/libp2p/write-batch.ts), on a real
// connection: two libp2p nodes on 127.0.0.1 (TCP, Noise, yamux, nothing else), one stream.
// Counts the writes on the dialler's socket (net.Socket.prototype.write, only the socket whose
// remote port is the listener's) while the dialler sends many small messages in one turn, each
// its own yamux frame; checks every byte arrives in order, that backpressure still reaches the
// stream writer (send() returns false once a batch did not fit the socket), and that closing
// the connection right after sending loses nothing. The canary runs upstream's noise() and fails
// once @libp2p/noise (or the muxer) stops writing each frame on its own: then the patch can go.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import { Uint8ArrayList } from 'uint8arraylist'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddrConnectionPair } from '@libp2p/utils'
import type { MessageStream, Stream, Upgrader } from '@libp2p/interface'
import { until } from '../../helpers/wait.js'
import { noiseLength } from '../../../src/node/libp2p/patches.js'
import {
  batchedNoise,
  WRITE_BATCH_MAX_BYTES,
  WRITE_BATCH_NOISE_VERSION,
} from '../../../src/node/libp2p/write-batch.js'
import { readFileSync } from 'node:fs'

const PROTOCOL = '/kith-test/write-batch/1.0.0'
/** Small messages sent in one turn: a chat-sized frame each. */
const MESSAGES = 50
const MESSAGE_BYTES = 300

interface Pair {
  a: Libp2p
  b: Libp2p
  stream: Stream
  received: Uint8ArrayList
  /** socket.write calls on a's socket to b since the last reset. */
  writes: () => number
  reset: () => void
}

const nodes: Libp2p[] = []
type Write = (this: net.Socket, ...args: unknown[]) => boolean
const proto = net.Socket.prototype as unknown as { write: Write }
const write = proto.write
let counting: { port: number; n: number } | undefined
// Counts writes on the one socket whose remote port is the listener's (set per pair).
proto.write = function (this: net.Socket, ...args: unknown[]) {
  if (counting !== undefined && this.remotePort === counting.port) counting.n++
  return write.apply(this, args)
}

after(async () => {
  proto.write = write
  for (const n of nodes) await n.stop()
})

/** Noise over `conn` with a fresh key, batched (batchedNoise), no early muxer negotiation. */
async function secure(
  conn: MessageStream,
  direction: 'inbound' | 'outbound',
): Promise<MessageStream> {
  const privateKey = await generateKeyPair('Ed25519')
  const encrypter = batchedNoise()({
    privateKey,
    peerId: peerIdFromPrivateKey(privateKey),
    logger: defaultLogger(),
    upgrader: { getStreamMuxers: () => new Map() } as unknown as Upgrader,
  })
  const opts = { skipStreamMuxerNegotiation: true }
  const secured = await (direction === 'outbound'
    ? encrypter.secureOutbound(conn, opts)
    : encrypter.secureInbound(conn, opts))
  return secured.connection
}

async function pair(encrypter: typeof noise): Promise<Pair> {
  const make = () =>
    createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [encrypter()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false },
    })
  const [a, b] = await Promise.all([make(), make()])
  nodes.push(a, b)
  const received = new Uint8ArrayList()
  await b.handle(PROTOCOL, (s) => {
    s.addEventListener('message', (evt) => received.append(evt.data))
  })
  const addr = b.getMultiaddrs()[0]!
  const stream = await a.dialProtocol(addr, PROTOCOL)
  // Settle the stream (SYN/ACK, negotiation) before counting.
  stream.send(new Uint8Array([0]))
  await until('first byte', () => received.byteLength === 1)
  received.consume(1)
  const tcpPort = addr.getComponents().find((x) => x.name === 'tcp')?.value
  const c = { port: Number(tcpPort), n: 0 }
  counting = c
  return { a, b, stream, received, writes: () => c.n, reset: () => (c.n = 0) }
}

/** Message i: MESSAGE_BYTES bytes of (i + k) mod 251, so order and content are checked. */
function message(i: number, size = MESSAGE_BYTES): Uint8Array {
  return Uint8Array.from({ length: size }, (_, k) => (i + k) % 251)
}

function expected(count: number, size = MESSAGE_BYTES): Uint8Array {
  const out = new Uint8ArrayList()
  for (let i = 0; i < count; i++) out.append(message(i, size))
  return out.subarray()
}

/** Sends MESSAGES small messages in one turn and waits for them; returns the writes it took. */
async function burst(p: Pair): Promise<number> {
  p.reset()
  for (let i = 0; i < MESSAGES; i++) assert.equal(p.stream.send(message(i)), true)
  const total = MESSAGES * MESSAGE_BYTES
  await until('all bytes', () => p.received.byteLength >= total)
  assert.deepEqual(p.received.subarray(), expected(MESSAGES), 'every byte, in order')
  p.received.consume(p.received.byteLength)
  return p.writes()
}

describe('write batching (write-batch.ts)', { timeout: 60_000 }, () => {
  it('canary: upstream noise + yamux write each frame to the socket on its own', async () => {
    const version = (
      JSON.parse(
        readFileSync(
          new URL('../../../node_modules/@libp2p/noise/package.json', import.meta.url),
          'utf8',
        ),
      ) as { version: string }
    ).version
    assert.equal(version, WRITE_BATCH_NOISE_VERSION, 'the patch was written against this version')
    const p = await pair(noise)
    const writes = await burst(p)
    // Upstream: two writes (length, ciphertext) per frame. Fails once upstream batches.
    assert.ok(writes >= MESSAGES, `upstream made ${writes} writes for ${MESSAGES} frames`)
  })

  it(`${MESSAGES} frames sent in one turn leave in one socket write, every byte intact`, async () => {
    const p = await pair(() => batchedNoise())
    assert.equal(await burst(p), 1)
    // And again, on the same connection: the batch state resets after each flush.
    assert.equal(await burst(p), 1)
  })

  it('backpressure: a full transport makes send() return false within one batch', async () => {
    // An in-memory transport whose send() returns false once a write is queued (as a socket
    // does when the kernel's buffer is full; loopback sockets never push back this early).
    const [out, inb] = multiaddrConnectionPair({ capacity: 1 })
    const [sa, sb] = await Promise.all([secure(out, 'outbound'), secure(inb, 'inbound')])
    // Both ends read with the length decoder that throws no new Error per chunk (patches.ts).
    for (const c of [sa, sb]) {
      assert.equal(
        (c as unknown as { decoder: { lengthDecoder: unknown } }).decoder.lengthDecoder,
        noiseLength,
      )
    }
    const dialer = yamux()().createStreamMuxer(sa)
    const listener = yamux()().createStreamMuxer(sb)
    const received = new Uint8ArrayList()
    listener.addEventListener('stream', (evt) => {
      evt.detail.addEventListener('message', (m) => received.append(m.data))
    })
    const stream = await dialer.createStream()
    const size = 4096
    const count = 256 // 1 MiB: four times yamux's initial 256 KiB window
    let queued = 0
    let firstFalse: number | undefined
    for (let i = 0; i < count; i++) {
      queued += size
      if (!stream.send(message(i, size))) {
        firstFalse ??= queued
        await stream.onDrain()
      }
    }
    // A batch flushes at WRITE_BATCH_MAX_BYTES; the transport pushes back and the stream's
    // writer hears it at once (before the yamux window of 256 KiB would stop it).
    assert.ok(firstFalse !== undefined, 'the writer was told to wait')
    assert.ok(
      firstFalse <= WRITE_BATCH_MAX_BYTES + 2 * size,
      `first false after ${firstFalse} bytes`,
    )
    await until('1 MiB', () => received.byteLength >= count * size)
    assert.deepEqual(received.subarray(), expected(count, size), 'every byte, in order')
    dialer.abort(new Error('done'))
    listener.abort(new Error('done'))
  })

  it('closing the connection right after sending loses nothing', async () => {
    const p = await pair(() => batchedNoise())
    for (let i = 0; i < MESSAGES; i++) p.stream.send(message(i))
    // Same turn: the frames are still in the batch when libp2p closes the muxer and the socket.
    await p.a.hangUp(p.b.peerId)
    await until('all bytes', () => p.received.byteLength >= MESSAGES * MESSAGE_BYTES)
    assert.deepEqual(p.received.subarray(), expected(MESSAGES))
  })
})
