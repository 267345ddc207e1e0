// yamux WINDOW_UPDATE frames (src/node/libp2p/yamux-window.ts) over an in-memory connection pair, no
// network: counts the WINDOW_UPDATE frames the receiving side sends for many small messages (each its own data frame) and
// for a transfer of several windows (which must complete: no stall). The canary runs upstream's
// factory and fails once @libp2p/yamux stops answering every data frame with an update: then the
// patch can go.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import type { Stream, StreamMuxer } from '@libp2p/interface'
import { until } from '../helpers/wait.js'
import { yamuxLazyWindow, YAMUX_PATCHED_VERSION } from '../../src/node/libp2p/yamux-window.js'
import { readFileSync } from 'node:fs'

type Factory = ReturnType<typeof yamux>
/** yamux spec frame type of WINDOW_UPDATE. */
const WINDOW_UPDATE = 1

interface Counted {
  updates: number
  received: number
  close(): void
}

/**
 * Sends `sizes` as separate messages from a dialler muxer to a listener muxer made by `factory`
 * and counts the WINDOW_UPDATE frames (flags 0: credit only) the listener's stream sends.
 */
async function run(factory: Factory, sizes: number[], oneByOne: boolean): Promise<Counted> {
  const [out, inb] = multiaddrConnectionPair()
  const dialer: StreamMuxer = factory().createStreamMuxer(out)
  const listener: StreamMuxer = factory().createStreamMuxer(inb)
  const res: Counted = {
    updates: 0,
    received: 0,
    close() {
      dialer.abort(new Error('done'))
      listener.abort(new Error('done'))
    },
  }
  const inbound = new Promise<Stream>((resolve) => {
    listener.addEventListener('stream', (evt) => resolve(evt.detail), { once: true })
  })
  const stream = await dialer.createStream()
  // The first frame opens the stream (SYN); the listener's stream exists after it arrives.
  stream.send(new Uint8Array(1))
  const s = await inbound
  const internals = s as unknown as {
    /** A bound function (YamuxMuxer._newStream binds it). */
    sendFrame: (h: { type: number; flag: number }, d?: unknown) => boolean
  }
  const send = internals.sendFrame
  internals.sendFrame = (h, d) => {
    if (h.type === WINDOW_UPDATE && h.flag === 0) res.updates++
    return send(h, d)
  }
  s.addEventListener('message', (evt) => {
    res.received += evt.data.byteLength
  })
  await until('first byte', () => res.received >= 1, 5_000)
  res.received = 0
  res.updates = 0
  const total = sizes.reduce((a, b) => a + b, 0)
  let sent = 0
  for (const n of sizes) {
    if (!stream.send(new Uint8Array(n))) await stream.onDrain()
    sent += n
    // One by one (each message its own data frame, as a chat's are), or streamed in bulk.
    if (oneByOne) await until('message', () => res.received >= sent, 5_000)
  }
  await until('all bytes', () => res.received >= total, 10_000)
  return res
}

const SMALL = Array.from({ length: 50 }, () => 300)
/** 4 MiB in 16 KiB messages: 16 initial windows of 256 KiB. */
const BULK = Array.from({ length: 256 }, () => 16 * 1024)

describe('yamux window updates', { timeout: 30_000 }, () => {
  it('canary: upstream @libp2p/yamux still sends a WINDOW_UPDATE per small data frame', async () => {
    const pkg = new URL('../../node_modules/@libp2p/yamux/package.json', import.meta.url)
    const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }
    const r = await run(yamux(), SMALL, true)
    r.close()
    // When this fails, upstream batches its updates: drop src/node/libp2p/yamux-window.ts.
    assert.ok(
      r.updates >= SMALL.length,
      `@libp2p/yamux ${version} (patched for ${YAMUX_PATCHED_VERSION}) sent ${r.updates} updates`,
    )
  })

  it('patched: no WINDOW_UPDATE for small messages far below half a window', async () => {
    const r = await run(yamuxLazyWindow(), SMALL, true)
    r.close()
    assert.equal(r.updates, 0)
  })

  it('patched: a transfer of 16 windows completes, one update per half window or so', async () => {
    const r = await run(yamuxLazyWindow(), BULK, false)
    r.close()
    const total = BULK.reduce((a, b) => a + b, 0)
    // At least one update per window's worth (else the sender would have stalled), far fewer
    // than one per frame (upstream: 256).
    assert.ok(r.updates >= 4, `${r.updates} updates`)
    assert.ok(r.updates <= total / (128 * 1024) + 1, `${r.updates} updates`)
  })
})
