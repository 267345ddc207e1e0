// /kith/sync against hostile askers (issue 11 finding 15): strangers with fresh keys open many
// sync streams, each writing a request of MAX_SYNC_REQUEST_BYTES. The responder asks `allow`
// first: nothing of a stranger's request is read or handed to the handler, each stream is reset
// and counted (SyncNotAllowedError), and the victim's RSS stays under a named bound. At most
// SYNC_MAX_INBOUND_STREAMS streams are served at once node-wide (the MAX+1st is SyncBusyError),
// and an honest member's request is answered afterwards.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { encodeFrames } from '../../src/node/stream/frames.js'
import {
  MAX_SYNC_REQUEST_BYTES,
  SYNC_MAX_INBOUND_STREAMS,
  SYNC_PROTOCOL,
} from '../../src/node/sync/limits.js'
import { sleep, startNode, stopAll, waitFor } from './helpers.js'
import { memoryAfterGc } from '../helpers/memory.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import type { SyncResponse } from '../../src/node/types.js'
import type { Stream } from '@libp2p/interface'

/** After the resets, before memory is measured: their buffers are released on later turns. */
const RESET_SETTLE_MS = 500

/** Victim RSS growth allowed (after a GC) while STRANGERS × 4 streams each hold all but one
 *  byte of a MAX_SYNC_REQUEST_BYTES request (≈ 19 MiB in all: the old responder buffered it
 *  until SYNC_STREAM_IDLE_MS before asking who sent it). */
const BUFFER_GROWTH_BOUND_BYTES = 8 * 1024 * 1024
/** RSS, a coarse guard only: the process also runs the 13 other nodes, and V8 and malloc keep
 *  freed pages (measured 20–105 MiB on a loaded 2-core machine), so the buffer bound above is the
 *  one that tells the old responder from the new. */
const RSS_GROWTH_BOUND_BYTES = 256 * 1024 * 1024
/** Live byte buffers (ArrayBuffers) and RSS after a full GC. */
const memAfterGc = (): { buffers: number; rss: number } => {
  const m = memoryAfterGc()
  return { buffers: m.arrayBuffers, rss: m.rss }
}
/** The asker's whole-exchange timeout in the test: held answers must outlive a slow machine
 *  (the default SYNC_REQUEST_TIMEOUT_MS, 15 s, is counted from before the stream opens, so on a
 *  loaded machine a held fetch could give up before all MAX were being served). */
const HELD_REQUEST_TIMEOUT_MS = 120_000
const STRANGERS = 12
const STREAMS_PER_STRANGER = 4
const EMPTY: SyncResponse = { ops: [], secrets: [], envelopes: [], more: false }
const GROUP = new Uint8Array(16).fill(9)

/** Dials with a retry: a Noise handshake may time out on a loaded machine. */
async function dial(from: Libp2pKithNode, to: Libp2pKithNode) {
  for (let i = 0; ; i++) {
    try {
      return await from.libp2p.dial(to.libp2p.getMultiaddrs())
    } catch (err) {
      if (i >= 3) throw err
    }
  }
}

const rejected = (n: Libp2pKithNode, name: string): number => n.metrics().syncRejected[name] ?? 0

describe('/kith/sync: ask before reading', () => {
  let victim: Libp2pKithNode
  let member: Libp2pKithNode
  const strangers: Libp2pKithNode[] = []
  let handled: string[] = []
  const releases: Array<() => void> = []
  let hold = false

  before(async () => {
    // Held handlers and requests must outlive a slow machine: no handler or idle timeout during
    // the test (a request that took over SYNC_STREAM_IDLE_MS to arrive would never be served).
    victim = await startNode({
      tuning: {
        sync: { handlerTimeoutMs: HELD_REQUEST_TIMEOUT_MS, streamIdleMs: HELD_REQUEST_TIMEOUT_MS },
      },
    })
    member = await startNode()
    victim.onSyncRequest(
      async (from) => {
        handled.push(from)
        if (hold) await new Promise<void>((r) => releases.push(r))
        return EMPTY
      },
      (peer) => peer === member.peerId || (hold && strangers.some((s) => s.peerId === peer)),
    )
    // One at a time: parallel Noise handshakes time out on a loaded 2-core machine.
    for (let i = 0; i < STRANGERS; i++) {
      const s = await startNode({ tuning: { sync: { requestTimeoutMs: HELD_REQUEST_TIMEOUT_MS } } })
      strangers.push(s)
      await dial(s, victim)
    }
  })
  after(() => stopAll(victim, member, ...strangers))

  it('strangers: every stream reset before its request is read; RSS under the bound', async () => {
    handled = []
    const body = new Uint8Array(MAX_SYNC_REQUEST_BYTES).fill(0x0a)
    const whole = encodeFrames([body], MAX_SYNC_REQUEST_BYTES)
    const frame = whole.subarray(0, whole.length - 1)
    const before = memAfterGc()
    const streams: Stream[] = []
    for (const s of strangers) {
      const conn = await dial(s, victim)
      for (let i = 0; i < STREAMS_PER_STRANGER; i++) {
        const st = await conn.newStream(SYNC_PROTOCOL, { runOnLimitedConnection: true })
        streams.push(st)
        try {
          st.send(frame)
        } catch {
          // already reset
        }
      }
    }
    const n = STRANGERS * STREAMS_PER_STRANGER
    await waitFor(() => rejected(victim, 'SyncNotAllowedError') >= n, 20_000, 'every refusal')
    await waitFor(() => streams.every((st) => st.status !== 'open'), 10_000, 'streams reset')
    await sleep(RESET_SETTLE_MS)
    const now = memAfterGc()
    const buffers = now.buffers - before.buffers
    const rss = now.rss - before.rss
    assert.deepEqual(handled, [], 'no stranger request reached the handler')
    const mib = (n: number): string => (n / 2 ** 20).toFixed(1)
    assert.ok(buffers < BUFFER_GROWTH_BOUND_BYTES, `buffers grew ${mib(buffers)} MiB`)
    assert.ok(rss < RSS_GROWTH_BOUND_BYTES, `rss grew ${mib(rss)} MiB`)
    // The honest member is still served.
    const res = await member.syncFetch(
      victim.peerId,
      { groupId: GROUP, opHashes: [], marks: [] },
      victim.addrs(),
    )
    assert.deepEqual(res, EMPTY)
    assert.deepEqual(handled, [member.peerId])
  })

  // Once flaky in CI (timed out before MAX requests were being served): the askers' own 15 s
  // timeout and the victim's 10 s idle timeout could end a request before it was served on a
  // loaded machine; both are now longer than the wait, and every held handler is released.
  // Then flaky again (2026-12-04/05: every request of whole strangers reset): libp2p's connection
  // monitor aborted those strangers' connections when two of its pings overlapped, over the ping
  // service's limit of one stream (PING_MAX_OUTBOUND_STREAMS in src/node/libp2p/node.ts).
  it(
    `at most SYNC_MAX_INBOUND_STREAMS (${SYNC_MAX_INBOUND_STREAMS}) served at once: the next is SyncBusyError`,
    // The last flake's cause (a fresh-clone CI run, 2026-12-05: one stranger's four requests
    // counted MalformedMessageError): a request that arrived whole, end of stream included,
    // before the handler made its reader was read as an empty stream (src/node/stream/frames.ts
    // FrameReader; test/node/frames.test.ts).
    async () => {
      // The streams the first test saw refused are gone from the askers' connections (they count
      // against SYNC_MAX_STREAMS_PER_CONNECTION while listed).
      const syncStreams = (s: Libp2pKithNode): number =>
        s.libp2p
          .getConnections(victim.libp2p.peerId)
          .flatMap((c) => c.streams)
          .filter((st) => st.protocol === SYNC_PROTOCOL).length
      // Both ends: the victim's registrar counts its own view of each connection's streams
      // against SYNC_MAX_STREAMS_PER_CONNECTION, and that view may lag the asker's.
      const victimSyncStreams = (): number =>
        victim.libp2p
          .getConnections()
          .flatMap((c) => c.streams)
          .filter((st) => st.protocol === SYNC_PROTOCOL).length
      await waitFor(
        () => strangers.every((s) => syncStreams(s) === 0) && victimSyncStreams() === 0,
        30_000,
        'old streams gone on both ends',
      )
      handled = []
      hold = true
      const req = { groupId: GROUP, opHashes: [], marks: [] }
      const busyBefore = rejected(victim, 'SyncBusyError')
      const outcomes: Array<SyncResponse | Error | undefined> = []
      // MAX from strangers the predicate now allows (4 streams per connection at most).
      const pending = Array.from({ length: SYNC_MAX_INBOUND_STREAMS }, (_, i) =>
        strangers[Math.floor(i / 4)]!.syncFetch(victim.peerId, req).then(
          (r) => (outcomes[i] = r),
          (e: Error) => (outcomes[i] = e),
        ),
      )
      const failed = () =>
        outcomes.flatMap((o, i) => (o instanceof Error ? [`#${i}: ${o.name}: ${o.message}`] : []))
      await waitFor(
        () => handled.length === SYNC_MAX_INBOUND_STREAMS || failed().length > 0,
        HELD_REQUEST_TIMEOUT_MS / 2,
        'MAX being served',
      )
      // What the victim saw, for a failure's report (the remaining flake's cause is open).
      const seen = () =>
        JSON.stringify({
          rejected: victim.metrics().syncRejected,
          conns: strangers
            .slice(0, 4)
            .map((s) =>
              victim.libp2p
                .getConnections(s.libp2p.peerId)
                .map((c) => `${c.status}/${c.streams.length}`),
            ),
        })
      assert.deepEqual(failed(), [], `no request failed before it was served; victim: ${seen()}`)
      // MAX + 1: refused at once, before its request is read.
      const over = await strangers[STRANGERS - 1]!.syncFetch(victim.peerId, req).catch(
        (e: Error) => e,
      )
      assert.ok(over instanceof Error, 'the MAX+1st stream is refused')
      assert.equal(rejected(victim, 'SyncBusyError'), busyBefore + 1)
      assert.equal(handled.length, SYNC_MAX_INBOUND_STREAMS)
      hold = false
      for (const r of releases.splice(0)) r()
      await Promise.all(pending)
      assert.deepEqual(failed(), [], 'every held request was answered')
      assert.ok(outcomes.every((o) => o !== undefined && !(o instanceof Error)))
      const res = await member.syncFetch(victim.peerId, req, victim.addrs())
      assert.deepEqual(res, EMPTY)
    },
  )
})
