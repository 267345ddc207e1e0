// A WebRTC connection after a punch (./holepunch.ts decides and schedules the punches): its
// liveness probe (./webrtc.ts probe; one that carries nothing is aborted), then the tidy-up once
// a peer is direct — duplicate direct connections closed (duplicateDirect), relayed ones closed
// after a grace so frames in flight on them are read. It owns the set of connections being
// probed; it knows nothing of when or why a punch runs.
import debug from 'debug'
import { duplicateDirect, isLimited, probe } from './webrtc.js'
import type { Connection, PeerId } from '@libp2p/interface'

const log = debug('kith:node:holepunch')

export interface DirectConnectionsComponents {
  peerId: PeerId
  connectionManager: { getConnections(peerId?: PeerId): Connection[] }
}

export class DirectConnections {
  readonly #c: DirectConnectionsComponents
  readonly #probeMs: number
  readonly #graceMs: number
  /** WebRTC connections whose liveness probe is running. */
  readonly #probing = new Set<string>()
  /** When each WebRTC connection passed its probe (ms since the epoch); gone with the object. */
  readonly #verified = new WeakMap<Connection, number>()

  /** `probeMs`: WEBRTC_PROBE_TIMEOUT_MS; `graceMs`: RELAY_CLOSE_GRACE_MS (tests shorten them). */
  constructor(components: DirectConnectionsComponents, probeMs: number, graceMs: number) {
    this.#c = components
    this.#probeMs = probeMs
    this.#graceMs = graceMs
  }

  /** Whether `connId` is a WebRTC connection still being probed: not "direct" yet. */
  probing(connId: string): boolean {
    return this.#probing.has(connId)
  }

  /** When `conn` passed its liveness probe (ms since the epoch), or undefined. */
  verifiedAt(conn: Connection): number | undefined {
    return this.#verified.get(conn)
  }

  /** Probes a WebRTC connection; aborts it if it carries nothing. */
  async verify(conn: Connection): Promise<boolean> {
    this.#probing.add(conn.id)
    let ok: boolean
    try {
      ok = await probe(conn, this.#probeMs)
    } finally {
      this.#probing.delete(conn.id)
    }
    if (ok) {
      this.#verified.set(conn, Date.now())
      return true
    }
    log('webrtc connection to %s carries nothing: aborting it', conn.remotePeer.toString())
    conn.abort(new Error('WebRTC connection failed its liveness probe'))
    return false
  }

  /** Whether an open, unlimited (direct) connection to `peerId` exists. */
  hasDirect(peerId: PeerId): boolean {
    return this.#c.connectionManager
      .getConnections(peerId)
      .some((c) => c.status === 'open' && !isLimited(c))
  }

  /** Closes all but one of the direct connections to `peerId` (duplicateDirect's choice). */
  closeDuplicates(peerId: PeerId): void {
    const conns = this.#c.connectionManager.getConnections(peerId)
    for (const c of duplicateDirect(this.#c.peerId.toString(), peerId.toString(), conns, (id) =>
      this.#probing.has(id),
    )) {
      log('closing duplicate direct connection to %s', peerId.toString())
      c.close().catch((err: unknown) =>
        c.abort(err instanceof Error ? err : new Error(String(err))),
      )
    }
  }

  /** Closes the relayed connections to `peer` once the direct one has carried its grace. */
  closeRelayed(peerId: PeerId): void {
    const t = setTimeout(() => {
      if (!this.hasDirect(peerId)) return
      for (const c of this.#c.connectionManager.getConnections(peerId).filter(isLimited)) {
        c.close().catch((err: unknown) => {
          c.abort(err instanceof Error ? err : new Error(String(err)))
        })
      }
    }, this.#graceMs)
    t.unref()
  }
}
