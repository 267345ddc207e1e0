// Which relays this node holds a circuit relay v2 reservation on, and since when (`kith status`
// "reservations"). Read from our own addresses: js-libp2p's circuit relay transport adds
// `<relay addr>/p2p/<relay>/p2p-circuit` to them once a reservation is made and removes it when
// the reservation is gone, so this module needs no access to the transport's internals. It owns
// the first-seen time of each relay's circuit address and nothing else.
import type { Multiaddr } from '@multiformats/multiaddr'

export interface Reservation {
  /** The relay's PeerId. */
  relay: string
  /** The relay's address our circuit address goes through (ends in /p2p/<relay>). */
  addr: string
  /** When a circuit address through this relay first appeared (ms since epoch). */
  since: number
}

/** The relay part of a circuit address: what comes before its /p2p-circuit. */
function relayOf(ma: Multiaddr): { relay: string; addr: string } | undefined {
  const s = ma.toString()
  const i = s.indexOf('/p2p-circuit')
  if (i < 0) return undefined
  const addr = s.slice(0, i)
  const m = /\/p2p\/([^/]+)$/.exec(addr)
  return m == null ? undefined : { relay: m[1]!, addr }
}

export class ReservationClock {
  readonly #since = new Map<string, Reservation>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Updates from our current addresses; returns the reservations held now, oldest first. */
  update(addrs: readonly Multiaddr[]): Reservation[] {
    const present = new Map<string, { relay: string; addr: string }>()
    for (const ma of addrs) {
      const r = relayOf(ma)
      if (r != null && !present.has(r.relay)) present.set(r.relay, r)
    }
    for (const relay of this.#since.keys()) if (!present.has(relay)) this.#since.delete(relay)
    for (const [relay, r] of present) {
      if (!this.#since.has(relay)) this.#since.set(relay, { ...r, since: this.#now() })
    }
    return [...this.#since.values()].sort((a, b) => a.since - b.since)
  }
}
