// /kith/sync/1.0.0 between in-process nodes on 127.0.0.1: a request/response round trip; the
// handler's typed error, a missing handler, garbage, oversize and over-count frames and idle or
// slow streams all reset the stream and are counted in syncRejected, and the node serves the
// next honest request; every limit at MAX and MAX+1 on both sides (the requester refuses before
// sending, the responder trims its own answer, a hostile answer is a counted SyncProtocolError).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { KithError, MessageTooLargeError } from '../../src/core/errors.js'
import { FrameReader, encodeFrames } from '../../src/node/stream/frames.js'
import { peerIdBytes } from '../../src/node/mailbox/codec.js'
import { encodeResponse } from '../../src/node/sync/codec.js'
import {
  MAX_SYNC_ENVELOPE_BYTES,
  MAX_SYNC_ENVELOPES,
  MAX_SYNC_GROUP_ID_BYTES,
  MAX_SYNC_MARKS,
  MAX_SYNC_OP_BYTES,
  MAX_SYNC_OP_HASHES,
  MAX_SYNC_OPS,
  MAX_SYNC_REQUEST_BYTES,
  MAX_SYNC_RESPONSE_BYTES,
  MAX_SYNC_SECRET_BYTES,
  SYNC_PROTOCOL,
} from '../../src/node/sync/limits.js'
import {
  SyncProtocolError,
  SyncRefusedError,
  SyncStreamError,
  SyncTimeoutError,
} from '../../src/node/sync/errors.js'
import * as pb from '../../src/node/sync/pb/sync.js'
import { seededBytes, sleep, startNode, stopAll, waitFor, leb } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import type { SyncRequest, SyncResponse } from '../../src/node/types.js'
import type { Stream } from '@libp2p/interface'

class NotAMemberError extends KithError {
  override readonly name = 'NotAMemberError'
  readonly code = 'NotAMemberError'
}

const TUNING = { sync: { streamIdleMs: 400, handlerTimeoutMs: 400, requestTimeoutMs: 2_000 } }
const GROUP = new Uint8Array(16).fill(7)
const hash = (i: number): Uint8Array => {
  const h = new Uint8Array(32)
  new DataView(h.buffer).setUint32(0, i)
  return h
}
const wire = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>
const rejected = (n: Libp2pKithNode, name: string): number => n.metrics().syncRejected[name] ?? 0
const total = (n: Libp2pKithNode): number =>
  Object.values(n.metrics().syncRejected).reduce((s, v) => s + v, 0)

describe('/kith/sync', () => {
  let a: Libp2pKithNode // requester
  let b: Libp2pKithNode // honest responder
  let c: Libp2pKithNode // hostile responder (raw handler), then none
  let seenBy: Array<{ from: string; req: SyncRequest }> = []
  let answer: (req: SyncRequest) => SyncResponse | Promise<SyncResponse>

  before(async () => {
    const ns = await Promise.all([0, 1, 2].map(() => startNode({ tuning: TUNING })))
    ;[a, b, c] = [ns[0]!, ns[1]!, ns[2]!]
    b.onSyncRequest((from, req) => {
      seenBy.push({ from, req })
      return answer(req)
    })
  })
  after(() => stopAll(a, b, c))

  const bAddrs = (): string[] => b.addrs()
  const req = (over: Partial<SyncRequest> = {}): SyncRequest => ({
    groupId: GROUP,
    opHashes: [hash(1), hash(2)],
    marks: [{ sender: c.peerId, seq: 5 }],
    ...over,
  })
  const empty: SyncResponse = { ops: [], secrets: [], envelopes: [], more: false }

  /** A raw /kith/sync stream from a to b, for hostile bytes. */
  const raw = (): Promise<Stream> => a.libp2p.dialProtocol(b.libp2p.getMultiaddrs(), SYNC_PROTOCOL)
  const frame = (bytes: Uint8Array): Uint8Array => encodeFrames([bytes], bytes.length)
  /** Sends `bytes` on a raw stream; resolves once b has reset it. */
  async function hostile(bytes: Uint8Array, close = true): Promise<Stream> {
    const s = await raw()
    s.send(bytes)
    if (close) await s.close().catch(() => undefined)
    await waitFor(() => s.status !== 'open' && s.status !== 'closing', 5_000, 'stream end')
    return s
  }
  /** b still answers an honest request. */
  async function stillServes(): Promise<void> {
    answer = () => empty
    assert.deepEqual(await a.syncFetch(b.peerId, req(), bAddrs()), empty)
  }

  it('round trip: the handler sees the authenticated requester and the request', async () => {
    seenBy = []
    const res: SyncResponse = {
      ops: [Uint8Array.of(1, 2, 3), Uint8Array.of(4)],
      secrets: [new Uint8Array(32).fill(9), new Uint8Array(0)],
      envelopes: [
        { sender: a.peerId, seq: 1, data: Uint8Array.of(5) },
        { sender: c.peerId, seq: 2 ** 40, data: new Uint8Array(300).fill(6) },
      ],
      more: true,
    }
    answer = () => res
    const got = await a.syncFetch(b.peerId, req(), bAddrs())
    assert.deepEqual(got, res)
    assert.equal(seenBy.length, 1)
    assert.equal(seenBy[0]!.from, a.peerId)
    assert.deepEqual(seenBy[0]!.req, req())
    assert.equal(total(b), 0)
    assert.equal(total(a), 0)
  })

  it("the handler's typed error resets the stream and is counted by name", async () => {
    answer = () => {
      throw new NotAMemberError('not a member')
    }
    await assert.rejects(a.syncFetch(b.peerId, req(), bAddrs()), (e: Error) =>
      SyncStreamError.is(e),
    )
    assert.equal(rejected(b, 'NotAMemberError'), 1)
    answer = () => Promise.reject(new NotAMemberError('async too'))
    await assert.rejects(a.syncFetch(b.peerId, req(), bAddrs()), (e: Error) =>
      SyncStreamError.is(e),
    )
    assert.equal(rejected(b, 'NotAMemberError'), 2)
    await stillServes()
  })

  it('a slow handler is cut off (SyncHandlerTimeoutError), an idle stream too', async () => {
    answer = () => sleep(1_000).then(() => empty)
    await assert.rejects(a.syncFetch(b.peerId, req(), bAddrs()), (e: Error) =>
      SyncStreamError.is(e),
    )
    assert.equal(rejected(b, 'SyncHandlerTimeoutError'), 1)
    const s = await raw()
    await waitFor(() => s.status !== 'open', 5_000, 'idle reset')
    assert.equal(rejected(b, 'SyncIdleTimeoutError'), 1)
    await stillServes()
  })

  it('garbage, an empty request and a length prefix of MAX+1 reset the stream, counted', async () => {
    const before = total(b)
    await hostile(frame(seededBytes(42, 200)))
    await hostile(new Uint8Array(0))
    const s = await hostile(leb(MAX_SYNC_REQUEST_BYTES + 1), false)
    assert.equal(s.status, 'reset')
    assert.equal(total(b), before + 3)
    assert.equal(rejected(b, 'MessageTooLargeError'), 1)
    await stillServes()
  })

  it('requests over a count or field limit: refused by the requester, reset by the responder', async () => {
    answer = () => empty
    // MAX of each passes.
    const big = req({
      groupId: new Uint8Array(MAX_SYNC_GROUP_ID_BYTES),
      opHashes: Array.from({ length: MAX_SYNC_OP_HASHES }, (_, i) => hash(i)),
      marks: Array.from({ length: MAX_SYNC_MARKS }, (_, i) => ({ sender: c.peerId, seq: i })),
    })
    assert.deepEqual(await a.syncFetch(b.peerId, big, bAddrs()), empty)
    assert.equal(seenBy.at(-1)!.req.opHashes.length, MAX_SYNC_OP_HASHES)
    // MAX+1 is refused before sending...
    const over = [
      req({ opHashes: Array.from({ length: MAX_SYNC_OP_HASHES + 1 }, (_, i) => hash(i)) }),
      req({
        marks: Array.from({ length: MAX_SYNC_MARKS + 1 }, () => ({ sender: c.peerId, seq: 1 })),
      }),
    ]
    for (const r of over) {
      await assert.rejects(a.syncFetch(b.peerId, r, bAddrs()), (e: Error) =>
        MessageTooLargeError.is(e),
      )
    }
    await assert.rejects(
      a.syncFetch(b.peerId, req({ groupId: new Uint8Array(MAX_SYNC_GROUP_ID_BYTES + 1) })),
      RangeError,
    )
    await assert.rejects(a.syncFetch(b.peerId, req({ opHashes: [new Uint8Array(33)] })), RangeError)
    await assert.rejects(
      a.syncFetch(
        b.peerId,
        req({ marks: [{ sender: c.peerId, seq: Number.MAX_SAFE_INTEGER + 1 }] }),
      ),
      RangeError,
    )
    await assert.rejects(
      a.syncFetch(b.peerId, req({ marks: [{ sender: c.peerId, seq: -1 }] })),
      RangeError,
    )
    await assert.rejects(
      a.syncFetch(b.peerId, req({ marks: [{ sender: 'nope', seq: 1 }] })),
      TypeError,
    )
    // ... and reset by the responder when a hostile requester sends it anyway.
    const mark = { sender: wire(peerIdBytes('sender', c.peerId)), seq: 1n }
    const hostileReqs: pb.Request[] = [
      {
        groupId: wire(GROUP),
        opHashes: Array.from({ length: MAX_SYNC_OP_HASHES + 1 }, (_, i) => wire(hash(i))),
        marks: [],
      },
      {
        groupId: wire(GROUP),
        opHashes: [],
        marks: Array.from({ length: MAX_SYNC_MARKS + 1 }, () => mark),
      },
      { groupId: wire(new Uint8Array(MAX_SYNC_GROUP_ID_BYTES + 1)), opHashes: [], marks: [] },
      { groupId: new Uint8Array(0), opHashes: [wire(hash(1))], marks: [] },
      { groupId: wire(GROUP), opHashes: [wire(new Uint8Array(31))], marks: [] },
      {
        groupId: wire(GROUP),
        opHashes: [],
        marks: [{ sender: wire(new Uint8Array(38)), seq: 1n }],
      },
      { groupId: wire(GROUP), opHashes: [], marks: [{ ...mark, seq: 2n ** 53n }] },
    ]
    const before = rejected(b, 'MalformedMessageError')
    const calls = seenBy.length
    for (const r of hostileReqs) {
      const s = await hostile(frame(pb.Request.encode(r)))
      assert.equal(s.status, 'reset')
    }
    assert.equal(rejected(b, 'MalformedMessageError'), before + hostileReqs.length)
    assert.equal(seenBy.length, calls, 'the handler never saw them')
    await stillServes()
  })

  it('the responder trims its answer to MAX_SYNC_OPS / MAX_SYNC_ENVELOPES / bytes and sets more', async () => {
    const env = (seq: number, n = 10) => ({
      sender: c.peerId,
      seq,
      data: new Uint8Array(n).fill(1),
    })
    answer = () => ({
      ops: Array.from({ length: MAX_SYNC_OPS + 1 }, () => Uint8Array.of(1)),
      secrets: Array.from({ length: MAX_SYNC_OPS + 1 }, () => new Uint8Array(0)),
      envelopes: [env(1)],
      more: false,
    })
    let got = await a.syncFetch(b.peerId, req(), bAddrs())
    assert.equal(got.ops.length, MAX_SYNC_OPS)
    assert.equal(got.envelopes.length, 0, 'envelopes after the trimmed ops are left out')
    assert.equal(got.more, true)
    answer = () => ({
      ...empty,
      envelopes: Array.from({ length: MAX_SYNC_ENVELOPES + 1 }, (_, i) => env(i + 1)),
    })
    got = await a.syncFetch(b.peerId, req(), bAddrs())
    assert.equal(got.envelopes.length, MAX_SYNC_ENVELOPES)
    assert.deepEqual(got.envelopes.map((e) => e.seq).slice(0, 3), [1, 2, 3])
    assert.equal(got.more, true)
    // Bytes: 40 envelopes of MAX data do not fit 2 MiB; a prefix does, in order.
    answer = () => ({
      ...empty,
      envelopes: Array.from({ length: 40 }, (_, i) => env(i + 1, MAX_SYNC_ENVELOPE_BYTES)),
    })
    got = await a.syncFetch(b.peerId, req(), bAddrs())
    const fit = Math.floor(MAX_SYNC_RESPONSE_BYTES / (MAX_SYNC_ENVELOPE_BYTES + 50))
    assert.equal(got.envelopes.length, fit)
    assert.equal(got.more, true)
    const { bytes } = encodeResponse({ ...empty, envelopes: got.envelopes })
    assert.ok(bytes.length <= MAX_SYNC_RESPONSE_BYTES)
    // MAX op / secret / envelope sizes pass; MAX+1 is the handler's bug: reset, counted.
    answer = () => ({
      ops: [new Uint8Array(MAX_SYNC_OP_BYTES)],
      secrets: [new Uint8Array(MAX_SYNC_SECRET_BYTES)],
      envelopes: [env(1, MAX_SYNC_ENVELOPE_BYTES)],
      more: false,
    })
    got = await a.syncFetch(b.peerId, req(), bAddrs())
    assert.equal(got.ops[0]!.length, MAX_SYNC_OP_BYTES)
    const bad: SyncResponse[] = [
      { ...empty, ops: [new Uint8Array(MAX_SYNC_OP_BYTES + 1)], secrets: [new Uint8Array(0)] },
      { ...empty, ops: [Uint8Array.of(1)], secrets: [new Uint8Array(MAX_SYNC_SECRET_BYTES + 1)] },
      { ...empty, envelopes: [env(1, MAX_SYNC_ENVELOPE_BYTES + 1)] },
      { ...empty, ops: [Uint8Array.of(1)], secrets: [] },
      { ...empty, envelopes: [env(0)] },
    ]
    const before = rejected(b, 'RangeError')
    for (const r of bad) {
      answer = () => r
      await assert.rejects(a.syncFetch(b.peerId, req(), bAddrs()), (e: Error) =>
        SyncStreamError.is(e),
      )
    }
    assert.equal(rejected(b, 'RangeError'), before + bad.length)
  })

  describe('a hostile responder', () => {
    let reply: Uint8Array | undefined
    before(async () => {
      await c.libp2p.unhandle(SYNC_PROTOCOL)
      await c.libp2p.handle(
        SYNC_PROTOCOL,
        async (stream) => {
          const reader = new FrameReader(stream, MAX_SYNC_REQUEST_BYTES)
          await reader.next().catch(() => null)
          if (reply === undefined) return // never answers
          stream.send(reply)
          await stream.close().catch(() => undefined)
        },
        { runOnLimitedConnection: true },
      )
    })
    const fetchC = (): Promise<SyncResponse> => a.syncFetch(c.peerId, req(), c.addrs())
    const answerWith = (r: pb.Response): Uint8Array => frame(pb.Response.encode(r))
    const env = (over: Partial<pb.Envelope> = {}): pb.Envelope => ({
      sender: wire(peerIdBytes('sender', b.peerId)),
      seq: 1n,
      data: wire(Uint8Array.of(1)),
      ...over,
    })
    const none: pb.Response = { ops: [], secrets: [], envelopes: [], more: false }

    it('a well-formed answer at every MAX is accepted', async () => {
      reply = answerWith({
        ops: Array.from({ length: MAX_SYNC_OPS }, () => wire(Uint8Array.of(1))),
        secrets: Array.from({ length: MAX_SYNC_OPS }, () =>
          wire(new Uint8Array(MAX_SYNC_SECRET_BYTES)),
        ),
        envelopes: Array.from({ length: MAX_SYNC_ENVELOPES }, () => env()),
        more: false,
      })
      const got = await fetchC()
      assert.equal(got.ops.length, MAX_SYNC_OPS)
      assert.equal(got.envelopes.length, MAX_SYNC_ENVELOPES)
    })

    it('answers over each limit, malformed or oversize are counted SyncProtocolErrors', async () => {
      const bad: Uint8Array[] = [
        answerWith({
          ...none,
          envelopes: Array.from({ length: MAX_SYNC_ENVELOPES + 1 }, () => env()),
        }),
        answerWith({
          ...none,
          ops: Array.from({ length: MAX_SYNC_OPS + 1 }, () => wire(Uint8Array.of(1))),
          secrets: Array.from({ length: MAX_SYNC_OPS + 1 }, () => wire(new Uint8Array(0))),
        }),
        answerWith({
          ...none,
          ops: [wire(new Uint8Array(MAX_SYNC_OP_BYTES + 1))],
          secrets: [wire(new Uint8Array(0))],
        }),
        answerWith({
          ...none,
          ops: [wire(Uint8Array.of(1))],
          secrets: [wire(new Uint8Array(MAX_SYNC_SECRET_BYTES + 1))],
        }),
        answerWith({ ...none, ops: [wire(Uint8Array.of(1))], secrets: [] }),
        answerWith({
          ...none,
          envelopes: [env({ data: wire(new Uint8Array(MAX_SYNC_ENVELOPE_BYTES + 1)) })],
        }),
        answerWith({ ...none, envelopes: [env({ seq: 0n })] }),
        answerWith({
          ops: [wire(Uint8Array.of(1))],
          secrets: [wire(Uint8Array.of(2))],
          envelopes: [],
        }),
        answerWith({ ...none, envelopes: [env({ sender: wire(new Uint8Array(5)) })] }),
        frame(seededBytes(7, 100)),
        leb(MAX_SYNC_RESPONSE_BYTES + 1),
      ]
      const before = rejected(a, 'SyncProtocolError')
      for (const r of bad) {
        reply = r
        await assert.rejects(fetchC(), (e: Error) => SyncProtocolError.is(e))
      }
      assert.equal(rejected(a, 'SyncProtocolError'), before + bad.length)
    })

    it('an answer that never comes: SyncTimeoutError', async () => {
      reply = undefined
      await assert.rejects(fetchC(), (e: Error) => SyncTimeoutError.is(e))
    })

    it('a peer without /kith/sync: SyncRefusedError; the node still serves', async () => {
      await c.libp2p.unhandle(SYNC_PROTOCOL)
      await assert.rejects(fetchC(), (e: Error) => SyncRefusedError.is(e))
      await stillServes()
    })
  })
})
