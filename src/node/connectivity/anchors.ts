// Dialling the anchors (the configured bootstrap relays) in a reconnect round (./connectivity.ts)
// and in the offline probe (./offline-gate.ts): each one whose peer is not connected, in
// parallel, bounded, failures only logged; and how often the offline probe runs. It knows
// nothing of why or when a round runs.
import debug from 'debug'
import { peerIdFromString } from '@libp2p/peer-id'
import type { AbortOptions, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:connectivity')

/** While offline, how often the bootstrap relays are tried anyway (offline-gate.ts): a host whose
 *  routes are not where /proc/net/route looks (policy routing in other tables) finds out it is
 *  online within a minute; a host that is offline spends one dial per relay a minute. */
export const OFFLINE_PROBE_INTERVAL_MS = 60_000
/** Bound of one anchor dial in a reconnect round (as the dialer's DIAL_ATTEMPT_TIMEOUT_MS). */
export const ANCHOR_DIAL_TIMEOUT_MS = 10_000

/**
 * Dials each of `addrs` (multiaddrs ending in /p2p/<PeerId>: the configured bootstrap relays)
 * whose peer is not connected, in parallel; failures are only logged (the next round retries).
 */
export function dialAnchors(
  cm: {
    openConnection(ma: Multiaddr, options?: AbortOptions): Promise<unknown>
    getConnections(peer?: PeerId): unknown[]
  },
  addrs: readonly Multiaddr[],
): void {
  for (const ma of addrs) {
    const peer = ma.getComponents().findLast((c) => c.name === 'p2p')?.value
    if (peer != null && cm.getConnections(peerIdFromString(peer)).length > 0) continue
    cm.openConnection(ma, { signal: AbortSignal.timeout(ANCHOR_DIAL_TIMEOUT_MS) }).catch(
      (err: unknown) => {
        log('anchor dial %s failed: %s', peer, err instanceof Error ? err.name : String(err))
      },
    )
  }
}
