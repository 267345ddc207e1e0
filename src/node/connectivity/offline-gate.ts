// While the host has no network (connectivity.ts: `offline`), dials leave no socket. One gate in
// front of every dialler — libp2p's reconnect queue and relay discovery, the DHT, AutoNAT,
// Kith's dialer, mailbox, cards and outbox — through the connection gater's
// denyDialMultiaddr, which libp2p's dial queue asks before it opens a socket (libp2p 3.3.11
// connection-manager/dial-queue.ts calculateMultiaddrs: DialDeniedError when every address is
// denied). Measured before it (netns, issue 12): with the random walk paced, the diallers' own
// backoffs still came in bursts of up to 12 sockets (a redial round, a DHT lookup, a mailbox
// fetch each dial the relay and the contact), 0.4–1.9 a second averaged over 15–30 s.
// Loopback addresses pass only on a host that never had a network (a sandbox whose peers are all
// on 127.0.0.1); a node that lost its network dialled, in the test, contacts' and relays'
// loopback addresses learned from their cards and identify (up to 17 sockets a round). The gate
// lets the configured relays through once every OFFLINE_PROBE_INTERVAL_MS (a probe): a host whose
// routes /proc/net/route does not show (policy routing) connects, and connectivity.ts then
// believes the connection. This module owns the gate and the probe; what is offline is
// connectivity.ts's business.
import { ANCHOR_DIAL_TIMEOUT_MS, dialAnchors } from './anchors.js'
import type { Connectivity } from './connectivity.js'
import { isLoopback } from './host-network.js'
import type { ConnectionGater } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A multiaddr without its trailing /p2p/<PeerId>. */
function bare(ma: Multiaddr): string {
  return ma.toString().replace(/\/p2p\/[^/]+$/, '')
}

export class OfflineGate {
  #conn: Connectivity | undefined
  readonly #probing = new Set<string>()
  #denied = 0

  /** The node's network state (set once the connectivity service exists). */
  attach(conn: Connectivity): void {
    this.#conn = conn
  }

  /** Dials denied so far (tests, diagnostics). */
  get denied(): number {
    return this.#denied
  }

  /** Whether a dial to `ma` may open a socket now. */
  allow(ma: Multiaddr): boolean {
    const conn = this.#conn
    if (conn == null || conn.state() === 'online' || this.#probing.has(bare(ma))) return true
    // Loopback only on a host that never had a network (a sandbox: peers on 127.0.0.1). A node
    // that lost its network dials loopback addresses only from other hosts' cards (junk).
    if (isLoopback(ma) && !conn.everOnline()) return true
    this.#denied++
    return false
  }

  /** `inner` plus denyDialMultiaddr: denied while offline (see the header). */
  gater(inner: ConnectionGater = {}): ConnectionGater {
    return {
      ...inner,
      denyDialMultiaddr: async (ma: Multiaddr) => {
        if (!this.allow(ma)) return true
        return (await inner.denyDialMultiaddr?.(ma)) === true
      },
    }
  }

  /** Lets the anchors (the bootstrap relays) through for one dial each, and dials them. */
  probe(cm: Parameters<typeof dialAnchors>[0], anchors: readonly Multiaddr[]): void {
    const keys = anchors.map(bare)
    for (const k of keys) this.#probing.add(k)
    dialAnchors(cm, anchors)
    setTimeout(() => {
      for (const k of keys) this.#probing.delete(k)
    }, ANCHOR_DIAL_TIMEOUT_MS).unref()
  }
}
