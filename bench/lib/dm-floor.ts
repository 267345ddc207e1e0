// The floor of one direct message (issue 17, the dm bench's `floor` phase): what the critical path
// of one message — POST at daemon A → the `message` event at daemon B — would cost if it did
// nothing but its irreducible steps, each measured alone as a primitive, one at a time, with the
// latency phase's method (wall time per round; p50 and mean):
//   http     the POST's round trip: the same JSON with a bearer token over the bench's keep-alive
//            agent (./dm-daemons.ts api) to a minimal node:http server in a child process
//            (./dm-floor-child.ts) that parses the body and answers a small JSON; beside it the
//            request's one way (the child's clock when the body was parsed), since A answers the
//            POST after the frame left (src/service/after-writes.ts);
//   tx A     A's one-message commit, in a real store made by src/store (createNodeStore in a temp
//            home: the product's SQLCipher key and pragmas), with the product's store methods in
//            the order the outbox's fast path calls them (service/direct/outbox.ts sendMany,
//            #sealNow): the blocked and due checks, nextSeq, insertMessage, enqueue, the invite
//            proof read, then in a savepoint the session record read and written, reschedule and
//            `sent` — the ratchet itself left out (its own rows below; the record written is a
//            real one of the same size); then, untimed, the receipt's dequeue and `delivered`;
//   ratchet  the core's SessionCipher (src/core, node:crypto, over a MemoryProtocolStore: the
//            record decoded, stepped and encoded again, as the daemons do once per message):
//            encrypt, decrypt, and the two as they run after a receipt (the DH step);
//   libp2p   the raw libp2p one-way figure (./dm-raw.ts): the latency phase's when it ran;
//   tx B     B's commit of the received frame: the product's group commit (store `batched` +
//            `commitBatch`, service/direct/receive-batch.ts) around receive.ts's statements: the
//            blocked and contact checks, the session record read and written, the invite proof
//            cleared, the timer read, insertMessage, the held edits released;
//   ws       the `message` event pushed over a `ws` WebSocket from the child to the bench, one
//            way: the child stamps performance.timeOrigin + now() when it hands the frame to ws,
//            the bench reads its own clock when the frame arrives (a round trip halved is printed
//            beside it as a check of the two clocks).
// For the in-process primitives also the CPU time (process.cpuUsage: every thread of the process,
// GC helpers included), and for each transaction the WAL frames it appended (./wal.ts). This module owns those measurements and their table; bench/dm.ts prints
// it and the summary line.
import { performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import WebSocket from 'ws'
import { MESSAGE_ID_BYTES } from '../../src/core/index.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { toMessageView } from '../../src/service/views.js'
import type { StoredMessage } from '../../src/store/types.js'
import { api, NODE_LOADER_ARGS, spawnUntilReady, stopChild, type Child } from './dm-daemons.js'
import { rawEcho } from './dm-raw.js'
import type { Primitive } from './dm-floor-primitive.js'
import { ratchetPrimitives } from './dm-floor-ratchet.js'
import { transactions } from './dm-floor-store.js'
import { fixed, int, median, percentile, table } from './measure.js'

export interface FloorOptions {
  /** Measured rounds of each primitive. */
  rounds: number
  /** Rounds run first and not counted. */
  warmup: number
  /** The message text (the latency phase's). */
  text: string
  /** Bytes of the /kith/dm frame (for the raw libp2p figure when it must be measured here). */
  frameBytes: number
  /** The latency phase's raw libp2p one-way times, when it ran in this process: reused. */
  rawOneWay?: readonly number[]
  /** Start the child process while the in-process primitives run (`--smoke`: saves its start,
   *  ≈ 0.7 s under tsx; the figures then mean nothing, as every smoke figure). */
  overlapChildStart?: boolean
}

export type { Primitive }

export interface FloorResult {
  http: Primitive
  /** The same POSTs, bench's request → the body read in the child (the child's clock). */
  httpOneWay: Primitive
  ws: Primitive
  /** The same WebSocket rounds, bench send → event back, halved. */
  wsHalfRtt: Primitive
  txA: Primitive
  txB: Primitive
  /** The same transactions on plain SQLite (not in the floor: the encryption's share). */
  plainA: Primitive
  plainB: Primitive
  encrypt: Primitive
  decrypt: Primitive
  encryptAfterReceipt: Primitive
  decryptDhStep: Primitive
  raw: Primitive
  /** Whether `raw` is the latency phase's figure (else measured here). */
  rawReused: boolean
  /** Bytes of the event JSON the child pushes, and of the record each side writes. */
  eventBytes: number
  recordBytes: { a: number; b: number }
}

/** Measures every primitive of the floor, one after the other. */
export async function measureFloor(opts: FloorOptions): Promise<FloorResult> {
  const event = messageEventJson(opts.text)
  const token = randomBytes(32).toString('hex')
  const starting = startChild(token, event)
  // Not left unobserved while the in-process primitives run: a failed start surfaces below.
  starting.catch(() => undefined)
  if (opts.overlapChildStart !== true) await starting
  let ratchet: ReturnType<typeof ratchetPrimitives>
  let store: ReturnType<typeof transactions>
  try {
    ratchet = ratchetPrimitives(opts)
    store = transactions(opts, ratchet.records)
  } catch (err) {
    await starting.then((c) => stopChild(c.proc)).catch(() => undefined)
    throw err
  }
  const { txA, txB, plainA, plainB } = store
  const { http, httpOneWay, ws, wsHalfRtt, eventBytes } = await crossProcess(
    opts,
    await starting,
    token,
  )
  const rawReused = opts.rawOneWay !== undefined
  const raw: Primitive = {
    name: `raw libp2p ${opts.frameBytes} B: write → handler`,
    where: rawReused ? 'bench (latency phase)' : 'bench',
    ms: [...(opts.rawOneWay ?? (await rawEcho(opts.frameBytes, opts.rounds, opts.warmup)).oneWay)],
  }
  return {
    http,
    httpOneWay,
    ws,
    wsHalfRtt,
    txA,
    txB,
    plainA,
    plainB,
    encrypt: ratchet.encrypt,
    decrypt: ratchet.decrypt,
    encryptAfterReceipt: ratchet.encryptAfterReceipt,
    decryptDhStep: ratchet.decryptDhStep,
    raw,
    rawReused,
    eventBytes,
    recordBytes: { a: ratchet.records.a.length, b: ratchet.records.b.length },
  }
}

/** B's `message` event for an incoming text, as src/api/events.ts sends it to a client that
 *  asked for no ids (the bench's), with a `stamp` field for the child's clock. */
function messageEventJson(text: string): string {
  const peer = () => IdentityKeyPair.generate(nodeCrypto, nodeRng).peerId
  const from = peer()
  const now = Date.now()
  const m: StoredMessage = {
    id: randomBytes(MESSAGE_ID_BYTES).toString('hex'),
    conversation: from,
    from,
    direction: 'in',
    seq: 1234,
    text,
    sentAt: now,
    receivedAt: now,
    status: 'delivered',
  }
  return JSON.stringify({ stamp: 0, event: 'message', message: toMessageView(m) })
}

/** The child process of the HTTP and WebSocket primitives (./dm-floor-child.ts), ready. */
function startChild(token: string, event: string): Promise<Child> {
  return spawnUntilReady(
    'floor-child',
    process.execPath,
    [...NODE_LOADER_ARGS, new URL('./dm-floor-child.ts', import.meta.url).pathname],
    { ...process.env, KITH_FLOOR_TOKEN: token, KITH_FLOOR_EVENT: event },
  )
}

/** The HTTP and WebSocket primitives, against the child (stopped after them). */
async function crossProcess(
  opts: FloorOptions,
  child: Child,
  token: string,
): Promise<{
  http: Primitive
  httpOneWay: Primitive
  ws: Primitive
  wsHalfRtt: Primitive
  eventBytes: number
}> {
  try {
    const target = { api: `http://127.0.0.1:${child.ready.port as number}`, token }
    const contact = IdentityKeyPair.generate(nodeCrypto, nodeRng).peerId
    const http: Primitive = {
      name: 'HTTP POST /v1/messages (JSON, bearer, keep-alive)',
      where: 'bench → child → bench',
      ms: [],
    }
    const httpOneWay: Primitive = {
      name: 'same, one way: request → body parsed (child clock)',
      where: 'bench → child',
      ms: [],
    }
    const origin = performance.timeOrigin
    for (let i = 0; i < opts.warmup + opts.rounds; i++) {
      const t0 = performance.now()
      const r = await api<{ id: string; at: number }>(target, 'POST', '/v1/messages', {
        contact,
        text: opts.text,
      })
      const t1 = performance.now()
      if (typeof r.id !== 'string') throw new Error('floor: the child answered no id')
      if (i < opts.warmup) continue
      http.ms.push(t1 - t0)
      httpOneWay.ms.push(r.at - (origin + t0))
    }
    const { oneWay, halfRtt, frameBytes } = await wsRounds(target.api, token, opts)
    const ws: Primitive = {
      name: `WebSocket push of the message event (${frameBytes} B JSON)`,
      where: 'child → bench',
      ms: oneWay,
    }
    const wsHalfRtt: Primitive = {
      name: 'same, bench → child → bench halved (clock check)',
      where: 'bench → child → bench',
      ms: halfRtt,
    }
    return { http, httpOneWay, ws, wsHalfRtt, eventBytes: frameBytes }
  } finally {
    await stopChild(child.proc)
  }
}

async function wsRounds(
  url: string,
  token: string,
  opts: FloorOptions,
): Promise<{ oneWay: number[]; halfRtt: number[]; frameBytes: number }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const out = { oneWay: [] as number[], halfRtt: [] as number[], frameBytes: 0 }
  try {
    let arrived: ((frame: { at: number; data: Buffer }) => void) | undefined
    ws.on('message', (data: Buffer) => {
      // As the latency phase's listener (./dm-daemons.ts openEvents): the clock first.
      const at = performance.now()
      arrived?.({ at, data })
    })
    const origin = performance.timeOrigin
    for (let i = 0; i < opts.warmup + opts.rounds; i++) {
      const got = new Promise<{ at: number; data: Buffer }>((resolve) => (arrived = resolve))
      const t0 = performance.now()
      ws.send('1')
      const { at, data } = await got
      const stamp = Number(/^\{"stamp":([\d.]+),/.exec(data.toString('latin1'))?.[1])
      if (!Number.isFinite(stamp)) throw new Error('floor: an event frame without its stamp')
      out.frameBytes = data.length
      if (i < opts.warmup) continue
      out.oneWay.push(origin + at - stamp)
      out.halfRtt.push((at - t0) / 2)
    }
  } finally {
    ws.terminate()
  }
  return out
}

// ---- the report --------------------------------------------------------------------------------

/** The figures summed into the floor: one per step of the critical path, in path order. */
export function floorSteps(r: FloorResult): Primitive[] {
  return [r.http, r.txA, r.encrypt, r.raw, r.decrypt, r.txB, r.ws]
}

export interface FloorReport {
  /** The table of every primitive and the sums, to print. */
  text: string
  /** Sum of the p50s of floorSteps, ms. */
  sum: number
  /** The same with the POST's one-way time instead of its round trip, ms. */
  postOneWay: number
}

/** The floor's table; `kithP50` (ms), the latency phase's p50 in the same run, if it ran. */
export function formatFloor(r: FloorResult, kithP50: number | undefined): FloorReport {
  const f3 = (x: number) => (Number.isFinite(x) ? fixed(x, 3) : '—')
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length
  const row = (p: Primitive, inSum: boolean) => [
    `${inSum ? '+ ' : '  '}${p.name}`,
    p.where,
    String(p.ms.length),
    f3(percentile(p.ms, 50)),
    f3(mean(p.ms)),
    p.cpuMs === undefined ? '—' : int(mean(p.cpuMs) * 1000),
    p.walFrames === undefined || p.walFrames.length === 0 ? '—' : fixed(median(p.walFrames), 0),
  ]
  const steps = floorSteps(r)
  const sum = steps.reduce((s, p) => s + percentile(p.ms, 50), 0)
  const sumMean = steps.reduce((s, p) => s + mean(p.ms), 0)
  const rows = [
    row(r.http, true),
    row(r.httpOneWay, false),
    row(r.txA, true),
    row(r.plainA, false),
    row(r.encrypt, true),
    row(r.encryptAfterReceipt, false),
    row(r.raw, true),
    row(r.decrypt, true),
    row(r.decryptDhStep, false),
    row(r.txB, true),
    row(r.plainB, false),
    row(r.ws, true),
    row(r.wsHalfRtt, false),
    ['= sum of the + rows (the floor)', '', '', f3(sum), f3(sumMean), '—', '—'],
  ]
  if (kithP50 !== undefined) {
    rows.push([
      'kith: POST at A → event at B (latency phase)',
      'bench, A, B',
      '',
      f3(kithP50),
      '',
      '',
      '',
    ])
  }
  const postOneWay = sum - percentile(r.http.ms, 50) + percentile(r.httpOneWay.ms, 50)
  const dh =
    percentile(r.decryptDhStep.ms, 50) -
    percentile(r.decrypt.ms, 50) +
    percentile(r.encryptAfterReceipt.ms, 50) -
    percentile(r.encrypt.ms, 50)
  const text = [
    table(
      [
        'primitive (+: in the floor)',
        'processes',
        'n',
        'p50 ms',
        'mean ms',
        'CPU µs',
        'WAL frames',
      ],
      rows,
    ),
    `session records written: A ${r.recordBytes.a} B, B ${r.recordBytes.b} B; event frame ` +
      `${r.eventBytes} B (B's event + a 27 B stamp); raw libp2p: ` +
      `${r.rawReused ? "the latency phase's figure" : 'measured here'}.`,
    `The floor leaves out: the content's protobuf and the event's JSON at B, the event log, the ` +
      `scheduling between steps (each hop's event-loop turn), contention with the bench and ` +
      `the other daemon on 2 cores, and a DH step (after a receipt: ${f3(dh)} ms more at p50).`,
    `The POST's answer leaves A after the frame (src/service/after-writes.ts): off the path. ` +
      `With the POST one way instead of its round trip the floor is ${f3(postOneWay)} ms.`,
  ].join('\n')
  return { text, sum, postOneWay }
}
