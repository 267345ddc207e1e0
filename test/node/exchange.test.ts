// The one request/answer path every request/response protocol shares (src/node/stream/host.ts,
// exchange.ts), driven through a test protocol of its own between two in-process nodes on
// 127.0.0.1: a round trip; each failure is the protocol's own typed error on the requester's
// side (the responder's throw or silent close is `reset`, an answer over the limit `protocol`,
// the deadline `timeout`) and is counted by error name where it happens; the responder's
// admission refuses before a byte is read; an idle partial frame and a request of MAX+1 reset
// the stream and are counted; stop() aborts the streams in flight; a stopped host asks nothing.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import debug from 'debug'
import { defineError } from '../../src/core/errors.js'
import { encodeFrames } from '../../src/node/stream/frames.js'
import { requestOnce, type ExchangeErrors } from '../../src/node/stream/exchange.js'
import { StreamHost, type HostRegistrar, type Inbound } from '../../src/node/stream/host.js'
import { leb, startNode, stopAll, waitFor } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'

const PROTOCOL = '/kith-test/echo/1.0.0'
const MAX_REQUEST_BYTES = 64
const MAX_ANSWER_BYTES = 64
const IDLE_MS = 300
const DEADLINE_MS = 400

class EchoIdleError extends defineError('EchoIdleError') {}
class EchoRefusedError extends defineError('EchoRefusedError') {}
class EchoHandlerError extends defineError('EchoHandlerError') {}
class EchoTimeoutError extends defineError('EchoTimeoutError') {}
class EchoNoProtocolError extends defineError('EchoNoProtocolError') {}
class EchoStreamError extends defineError('EchoStreamError') {}
class EchoResetError extends defineError('EchoResetError') {}
class EchoProtocolError extends defineError('EchoProtocolError') {}

const ERRORS: ExchangeErrors = {
  timeout: (m) => new EchoTimeoutError(m),
  refused: (m, o) => new EchoNoProtocolError(m, o),
  stream: (m, o) => new EchoStreamError(m, o),
  reset: (m, o) => new EchoResetError(m, o),
  protocol: (m) => new EchoProtocolError(m),
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Answers a request in upper case; 'throw', 'silent', 'big' and 'slow' misbehave. */
class Echo extends StreamHost {
  readonly refuse = new Set<string>()
  responded = 0
  /** A 'slow' request waits for release(). */
  waiting = false
  #release: (() => void) | undefined

  constructor(registrar: HostRegistrar) {
    super(registrar, {
      protocol: PROTOCOL,
      streamsPerConnection: 4,
      limited: false,
      maxRequestBytes: MAX_REQUEST_BYTES,
      idleMs: IDLE_MS,
      idle: (ms) => new EchoIdleError(`no request for ${ms} ms`),
      closeGraceMs: 2_000,
      log: debug('kith:test:echo'),
    })
  }

  protected override admit(remote: string): undefined {
    if (this.refuse.has(remote)) throw new EchoRefusedError('not you')
    return undefined
  }

  protected async respond(inbound: Inbound): Promise<void> {
    this.responded++
    const req = new TextDecoder().decode(await inbound.request())
    if (req === 'throw') throw new EchoHandlerError('refused')
    if (req === 'silent') return
    if (req === 'big') return await inbound.answer(new Uint8Array(MAX_ANSWER_BYTES + 1), 1024)
    if (req === 'slow') {
      this.waiting = true
      await new Promise<void>((resolve) => (this.#release = resolve))
    }
    await inbound.answer(text(req.toUpperCase()), MAX_ANSWER_BYTES)
  }

  /** Lets a 'slow' request go on. */
  release(): void {
    this.waiting = false
    this.#release?.()
  }
}

describe('stream/exchange + stream/host: one request/answer path', () => {
  let a: Libp2pKithNode
  let b: Libp2pKithNode
  let echoA: Echo
  let echoB: Echo

  const ask = (req: string, deadlineMs = 5_000) =>
    requestOnce(
      {
        components: {
          connectionManager: { openConnection: (peer, o) => a.libp2p.dial(peer, o) },
          peerStore: a.libp2p.peerStore,
        },
        host: echoA,
      },
      b.libp2p.peerId,
      [],
      {
        protocol: PROTOCOL,
        request: text(req),
        maxRequestBytes: MAX_REQUEST_BYTES,
        maxAnswerBytes: MAX_ANSWER_BYTES,
        timing: { deadlineMs },
        errors: ERRORS,
      },
      (frame) => new TextDecoder().decode(frame),
    )
  const counted = (host: Echo, name: string): number => host.rejected()[name] ?? 0

  before(async () => {
    ;[a, b] = await Promise.all([startNode(), startNode()])
    echoA = new Echo(a.libp2p)
    echoB = new Echo(b.libp2p)
    await Promise.all([echoA.start(), echoB.start()])
    await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
  })
  after(async () => {
    await Promise.all([echoA.stop(), echoB.stop()])
    await stopAll(a, b)
  })

  it('answers a request', async () => {
    assert.equal(await ask('hello'), 'HELLO')
  })

  it("the responder's throw is the requester's reset error, counted by name on the responder", async () => {
    await assert.rejects(ask('throw'), { name: 'EchoResetError' })
    await waitFor(() => counted(echoB, 'EchoHandlerError') === 1, 5_000, 'counted')
  })

  it('a close without an answer is the reset error', async () => {
    await assert.rejects(ask('silent'), { name: 'EchoResetError' })
  })

  it('an answer of MAX+1 is the protocol error, counted on the requester', async () => {
    await assert.rejects(ask('big'), { name: 'EchoProtocolError' })
    assert.equal(counted(echoA, 'EchoProtocolError'), 1)
  })

  it('no answer within the deadline is the timeout error, on time', async () => {
    const t0 = Date.now()
    await assert.rejects(ask('slow', DEADLINE_MS), { name: 'EchoTimeoutError' })
    const took = Date.now() - t0
    echoB.release()
    assert.ok(took >= DEADLINE_MS - 50 && took < DEADLINE_MS + 4_000, `took ${took} ms`)
  })

  it('admission refuses before a byte is read, counted', async () => {
    const before = echoB.responded
    echoB.refuse.add(a.peerId)
    try {
      // The reset may reach us while we still write (stream) or once we read (reset).
      await assert.rejects(ask('hello'), (err: Error) =>
        ['EchoStreamError', 'EchoResetError'].includes(err.name),
      )
    } finally {
      echoB.refuse.clear()
    }
    assert.equal(counted(echoB, 'EchoRefusedError'), 1)
    assert.equal(echoB.responded, before)
  })

  it('a partial request frame is reset after the idle time; a request of MAX+1 at once', async () => {
    const idle = await a.libp2p.dialProtocol(b.libp2p.peerId, PROTOCOL)
    idle.send(Uint8Array.of(...leb(10), 1, 2, 3))
    await waitFor(() => counted(echoB, 'EchoIdleError') === 1, 5_000, 'idle counted')
    await waitFor(() => idle.status !== 'open', 5_000, 'the asker sees the reset')
    const big = await a.libp2p.dialProtocol(b.libp2p.peerId, PROTOCOL)
    big.send(encodeFrames([new Uint8Array(MAX_REQUEST_BYTES + 1)], MAX_REQUEST_BYTES + 1))
    await waitFor(() => counted(echoB, 'MessageTooLargeError') === 1, 5_000, 'MAX+1 counted')
    assert.equal(await ask('still'), 'STILL')
  })

  it("stop() aborts the streams in flight; a stopped host's requester asks nothing", async () => {
    const pending = ask('slow')
    await waitFor(() => echoB.waiting, 5_000, 'the slow request is in flight')
    await echoB.stop()
    await assert.rejects(pending, { name: 'EchoResetError' })
    assert.equal(echoB.isStarted(), false)
    await echoA.stop()
    await assert.rejects(ask('hello'), { name: 'NodeNotStartedError' })
  })
})
