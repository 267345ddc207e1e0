// libp2p's connection monitor shares the ping service's per-connection stream limit (libp2p 3.3,
// @libp2p/ping 3.1; src/node/libp2p/node.ts PING_MAX_OUTBOUND_STREAMS). The canary tells when upstream
// changes that: with the default ping service a second outbound ping stream on one connection
// fails with TooManyOutboundProtocolStreamsError — the error the monitor answers by aborting the
// connection (libp2p/js-libp2p#3504). A Kith node holds PING_MAX_OUTBOUND_STREAMS at once.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import { PING_MAX_OUTBOUND_STREAMS } from '../../src/node/libp2p/node.js'
import { startNode, stopAll } from './helpers.js'
import type { Connection, Stream } from '@libp2p/interface'
import { sleep } from '../helpers/wait.js'

/** How long the held ping streams are watched not being reset by either end's limit (a reset
 *  follows the stream's opening at once). */
const NOT_RESET_MS = 300

const PING = '/ipfs/ping/1.0.0'

async function plainNode(): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { ping: ping() },
  })
}

/** Opens `n` ping streams on `conn` and leaves them open; returns them or the first error. */
async function holdPings(conn: Connection, n: number): Promise<Stream[] | Error> {
  const held: Stream[] = []
  for (let i = 0; i < n; i++) {
    try {
      held.push(await conn.newStream(PING, { signal: AbortSignal.timeout(10_000) }))
    } catch (err) {
      for (const s of held) s.abort(new Error('test done'))
      return err as Error
    }
  }
  return held
}

describe('ping stream limit per connection', () => {
  const plain: Libp2p[] = []
  after(async () => {
    for (const n of plain) await n.stop()
  })

  it('canary: upstream allows one outbound ping stream per connection (the monitor shares it)', async () => {
    const [a, b] = [await plainNode(), await plainNode()]
    plain.push(a, b)
    const conn = await a.dial(b.getMultiaddrs())
    const got = await holdPings(conn, 2)
    assert.ok(
      got instanceof Error && got.name === 'TooManyOutboundProtocolStreamsError',
      `upstream's ping limit changed (got ${got instanceof Error ? got.name : `${got.length} streams`}): ` +
        'revisit PING_MAX_OUTBOUND_STREAMS in src/node/libp2p/node.ts',
    )
  })

  it(`a Kith node holds PING_MAX_OUTBOUND_STREAMS (${PING_MAX_OUTBOUND_STREAMS}) at once, both ends`, async () => {
    const a = await startNode()
    const b = await startNode()
    try {
      const conn = await a.libp2p.dial(b.libp2p.getMultiaddrs())
      const got = await holdPings(conn, PING_MAX_OUTBOUND_STREAMS)
      assert.ok(!(got instanceof Error), `refused: ${got instanceof Error ? got.name : ''}`)
      assert.equal(got.length, PING_MAX_OUTBOUND_STREAMS)
      // None of them was refused or reset by either end's limit.
      await sleep(NOT_RESET_MS)
      assert.deepEqual(
        got.map((s) => s.status),
        got.map(() => 'open'),
      )
      for (const s of got) s.abort(new Error('test done'))
      assert.equal(conn.status, 'open', 'the connection survives')
    } finally {
      await stopAll(a, b)
    }
  })
})
