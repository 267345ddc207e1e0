// /kith/file/1.0.0 between in-process nodes on 127.0.0.1: a round trip; a hostile peer gets
// nothing and is counted — a stranger is refused unread, a peer not entitled to the file is
// refused, a request length prefix of MAX+1, a stalled partial frame and a peer over its stream
// cap reset the stream; on the requester's side a chunk frame of MAX+1, a chunk outside the range
// and a chunk the service's check refuses (bad hash) are typed, counted errors.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ChunkHashError } from '../../src/core/file/errors.js'
import { HASH_LIST_PART_BYTES, MAX_SEALED_CHUNK_BYTES } from '../../src/core/file/limits.js'
import { encodeFrames } from '../../src/node/stream/frames.js'
import { decodeRequest, encodeChunk, encodeRequest } from '../../src/node/file/codec.js'
import {
  FILE_MAX_CHUNKS_PER_REQUEST,
  FILE_PROTOCOL,
  FileProtocolError,
  FileStreamError,
  MAX_FILE_FRAME_BYTES,
  MAX_FILE_REQUEST_BYTES,
} from '../../src/node/file/index.js'
import { seededBytes, startNode, stopAll, waitFor, leb } from './helpers.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import type { Stream } from '@libp2p/interface'

const TUNING = { file: { requestIdleMs: 400, chunkStallMs: 2_000, maxInboundPerPeer: 2 } }
const FILE = new Uint8Array(16).fill(5)
const OTHER = new Uint8Array(16).fill(6)
const CHUNKS = [seededBytes(1, 1000), seededBytes(2, 1000), seededBytes(3, 17)]
/** A hash list of 1.5 parts (docs/files.md "Hash list"). */
const LIST = seededBytes(9, HASH_LIST_PART_BYTES + HASH_LIST_PART_BYTES / 2)
const rejected = (n: Libp2pKithNode, name: string): number => n.metrics().file?.rejected[name] ?? 0

void describe('/kith/file', () => {
  let a: Libp2pKithNode // requester, entitled
  let b: Libp2pKithNode // honest server
  let s: Libp2pKithNode // stranger to b; hostile server for a
  let hostile: (stream: Stream) => void | Promise<void> = () => undefined

  before(async () => {
    const ns = await Promise.all([0, 1, 2].map(() => startNode({ tuning: TUNING })))
    ;[a, b, s] = [ns[0]!, ns[1]!, ns[2]!]
    b.onFileRequest({
      allowPeer: (peer) => peer === a.peerId,
      entitled: (_peer, id) => id.every((x, i) => x === FILE[i]),
      chunk: (_id, i) => Promise.resolve(CHUNKS[i]),
      hashList: () => Promise.resolve(LIST),
    })
    await s.libp2p.unhandle(FILE_PROTOCOL)
    await s.libp2p.handle(FILE_PROTOCOL, (stream) => void hostile(stream))
  })
  after(() => stopAll(a, b, s))

  const fetchAll = async (from: Libp2pKithNode, id = FILE) => {
    const got: Array<[number, Uint8Array]> = []
    const n = await from.fileFetch(
      b.peerId,
      { fileId: id, first: 0, count: FILE_MAX_CHUNKS_PER_REQUEST },
      (i, d) => void got.push([i, d]),
      b.addrs(),
    )
    return { n, got }
  }

  void it('round trip: the chunks held in the range, in order', async () => {
    const { n, got } = await fetchAll(a)
    assert.equal(n, 3)
    assert.deepEqual(
      got.map(([i]) => i),
      [0, 1, 2],
    )
    assert.deepEqual(got[2]![1], CHUNKS[2])
    assert.equal(b.metrics().file?.chunksServed, 3)
  })

  void it('a hash-list request gets the list in HASH_LIST_PART_BYTES parts', async () => {
    const parts: Array<[number, Uint8Array]> = []
    const n = await a.fileFetch(
      b.peerId,
      { fileId: FILE, first: 0, count: 4, hashList: true },
      (i, d) => void parts.push([i, d]),
      b.addrs(),
    )
    assert.equal(n, 2)
    assert.deepEqual(
      parts.map(([i, d]) => [i, d.length]),
      [
        [0, HASH_LIST_PART_BYTES],
        [1, HASH_LIST_PART_BYTES / 2],
      ],
    )
    assert.deepEqual(Uint8Array.from([...parts[0]![1], ...parts[1]![1]]), LIST)
  })

  void it('the largest request (hash-list flag, first = 2^32-1, count 16) fits MAX', () => {
    const req = { fileId: FILE, first: 0xffff_ffff, count: 16, hashList: true }
    const bytes = encodeRequest(req)
    assert.ok(bytes.length <= MAX_FILE_REQUEST_BYTES, `${bytes.length} bytes`)
    assert.equal(decodeRequest(bytes).hashList, true)
    assert.equal(decodeRequest(encodeRequest({ ...req, hashList: false })).hashList, undefined)
  })

  void it('full-size chunks to a slow reader: all 16 arrive (paused stream, then end)', async () => {
    const big = Array.from({ length: 16 }, (_, i) => seededBytes(i + 10, MAX_SEALED_CHUNK_BYTES))
    const c = await startNode({ tuning: TUNING })
    try {
      c.onFileRequest({
        allowPeer: () => true,
        entitled: () => true,
        chunk: (_id, i) => Promise.resolve(big[i]),
      })
      const got: number[] = []
      const n = await a.fileFetch(
        c.peerId,
        { fileId: FILE, first: 0, count: 16 },
        async (i, d) => {
          assert.deepEqual(d, big[i])
          got.push(i)
          await new Promise((r) => setImmediate(r))
        },
        c.addrs(),
      )
      assert.equal(n, 16)
    } finally {
      await stopAll(c)
    }
  })

  void it('a stranger is refused unread and gets nothing', async () => {
    await assert.rejects(fetchAll(s), (e: Error) => FileStreamError.is(e))
    assert.equal(rejected(b, 'FileNotAllowedError'), 1)
  })

  void it('a file the asker is not entitled to is refused', async () => {
    await assert.rejects(fetchAll(a, OTHER), (e: Error) => FileStreamError.is(e))
    assert.equal(rejected(b, 'FileNotEntitledError'), 1)
  })

  const raw = (): Promise<Stream> => a.libp2p.dialProtocol(b.libp2p.getMultiaddrs(), FILE_PROTOCOL)

  void it('a request length prefix of MAX+1 resets the stream, counted', async () => {
    const st = await raw()
    st.send(leb(MAX_FILE_REQUEST_BYTES + 1))
    await waitFor(() => st.status !== 'open', 5_000, 'reset')
    assert.equal(rejected(b, 'MessageTooLargeError'), 1)
    // MAX itself is read (and then refused as malformed: 32 bytes of garbage).
    const st2 = await raw()
    st2.send(encodeFrames([seededBytes(9, MAX_FILE_REQUEST_BYTES)], MAX_FILE_REQUEST_BYTES))
    await waitFor(() => st2.status !== 'open', 5_000, 'reset')
    assert.equal(rejected(b, 'MalformedMessageError'), 1)
    assert.equal(rejected(b, 'MessageTooLargeError'), 1)
  })

  void it('a stalled partial frame is cut off after the idle time', async () => {
    const st = await raw()
    st.send(Uint8Array.of(20, 1, 2)) // 3 of 21 bytes
    await waitFor(() => st.status !== 'open', 5_000, 'idle reset')
    assert.equal(rejected(b, 'FileIdleTimeoutError'), 1)
  })

  void it('one peer over its stream cap is refused (FileBusyError); others still served', async () => {
    const held = [await raw(), await raw()]
    await assert.rejects(fetchAll(a), (e: Error) => FileStreamError.is(e))
    assert.equal(rejected(b, 'FileBusyError'), 1)
    for (const h of held) h.abort(new Error('done'))
    await waitFor(() => rejected(b, 'FileIdleTimeoutError') >= 1, 5_000, 'held streams end')
    const { n } = await fetchAll(a)
    assert.equal(n, 3)
  })

  const fromHostile = async () =>
    a.fileFetch(s.peerId, { fileId: FILE, first: 4, count: 2 }, () => undefined, s.addrs())

  void it('a chunk frame of MAX+1 from a source is a counted FileProtocolError', async () => {
    hostile = (st) => {
      st.send(leb(MAX_FILE_FRAME_BYTES + 1))
    }
    await assert.rejects(fromHostile(), (e: Error) => FileProtocolError.is(e))
    assert.equal(rejected(a, 'FileProtocolError'), 1)
  })

  void it('a chunk outside the asked range is a FileProtocolError', async () => {
    hostile = async (st) => {
      const f = encodeChunk({ index: 9, data: CHUNKS[0]! })
      st.send(encodeFrames([f], f.length))
      await st.close()
    }
    await assert.rejects(fromHostile(), (e: Error) => FileProtocolError.is(e))
    assert.equal(rejected(a, 'FileProtocolError'), 2)
  })

  void it("a chunk the service's check refuses aborts the fetch with that error, counted", async () => {
    await assert.rejects(
      a.fileFetch(
        b.peerId,
        { fileId: FILE, first: 0, count: 3 },
        (i) => {
          if (i === 1) throw new ChunkHashError('bad')
        },
        b.addrs(),
      ),
      (e: Error) => ChunkHashError.is(e),
    )
    assert.equal(rejected(a, 'ChunkHashError'), 1)
  })
})

void describe('/kith/file over a relayed (limited) connection', { timeout: 60_000 }, () => {
  const nodes: Libp2pKithNode[] = []
  after(() => stopAll(...nodes))

  void it('is refused both ways: no chunk crosses a relay', async () => {
    const r = await createKithNode(
      {
        identitySeed: seededBytes(77, 32),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [],
        mdns: false,
        relayServer: true,
      },
      {},
    )
    await r.start()
    nodes.push(r)
    const relayAddr = r.addrs().find((x) => x.startsWith('/ip4/127.0.0.1/tcp/'))!
    // B listens only through the relay ("behind a NAT").
    const b = await startNode({ listen: [`${relayAddr}/p2p-circuit`] })
    nodes.push(b)
    await waitFor(() => b.addrs().some((x) => x.includes('/p2p-circuit')), 15_000, 'reservation')
    let asked = 0
    b.onFileRequest({
      allowPeer: () => true,
      entitled: () => true,
      chunk: () => {
        asked++
        return Promise.resolve(CHUNKS[0])
      },
    })
    const a = await startNode({ listen: [`${relayAddr}/p2p-circuit`] })
    nodes.push(a)
    const circuit = b.addrs().filter((x) => x.includes('/p2p-circuit'))
    await assert.rejects(
      a.fileFetch(b.peerId, { fileId: FILE, first: 0, count: 1 }, () => undefined, circuit),
      (e: Error) => FileStreamError.is(e) && /Limited/.test(e.message),
    )
    assert.equal(asked, 0)
  })
})
