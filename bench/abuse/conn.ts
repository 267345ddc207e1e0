// Connection-slot exhaustion (issue 11 finding 3): idle connections from fresh PeerIds, paced
// under the victim's per-host inbound rate limit, until its connection limit is passed; then a
// newcomer (one more fresh PeerId) tries to connect and stay connected.
import * as libp2pModule from '../../src/node/libp2p/node.js'
import { sleep } from './attacker.js'
import { hold, workers, type FloodContext } from './flood.js'
import type { Connection } from '@libp2p/interface'

/** The victim's connection limit when main exports no MAX_CONNECTIONS (the 400). */
export const DEFAULT_MAX_CONNECTIONS = 400
/** Idle connections opened beyond the victim's limit: enough to show whether it prunes
 *  strangers (and which) or refuses newcomers. */
export const CONN_SLOTS_EXTRA = 50
/** Dials in flight at once (each waits for the shared 40/s pacer): enough that slow Noise
 *  handshakes on a loaded machine do not hold the rate below the pace. */
export const CONN_SLOTS_WORKERS = 16
/** How long the newcomer's connection must survive to count as admitted. */
export const NEWCOMER_HOLD_MS = 3_000

function maxConnections(): number {
  const v = (libp2pModule as Record<string, unknown>).MAX_CONNECTIONS
  return typeof v === 'number' && v > 0 ? v : DEFAULT_MAX_CONNECTIONS
}

export async function connSlots(cx: FloodContext): Promise<void> {
  const cap = cx.smoke ? 60 : maxConnections() + CONN_SLOTS_EXTRA
  const conns: Connection[] = []
  let opened = 0
  await workers(cx, CONN_SLOTS_WORKERS, async () => {
    if (opened >= cap) return false
    opened++
    const h = await cx.pool.spawn()
    conns.push(await cx.pool.connect(h))
    return true
  })
  if (cx.signal.aborted) return
  let newcomer = 'not admitted'
  try {
    const h = await cx.pool.spawn()
    const conn = await cx.pool.connect(h)
    await sleep(NEWCOMER_HOLD_MS, cx.signal)
    if (conn.status === 'open') newcomer = 'admitted'
  } catch (err) {
    newcomer = `refused (${err instanceof Error ? err.name : 'Error'})`
  }
  const closed = conns.filter((c) => c.status !== 'open').length
  cx.stats.note = `${conns.length} idle connections, ${closed} closed by the victim; newcomer ${newcomer}`
  await hold(cx)
}
