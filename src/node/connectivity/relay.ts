// The circuit relay v2 server of a public Kith node (`kith relay`; ARCHITECTURE.md "Network"):
// its named resource limits and the configured @libp2p/circuit-relay-v2 service. Only relays
// run it (KithNodeOptions.relayServer); every node can *use* relays (circuitRelayTransport).
//
// Sizing. A relayed connection carries Kith chat between two peers that cannot reach each other
// directly, and the WebRTC signalling that usually replaces it with a direct connection
// (NOTES.md). libp2p's defaults (128 KiB and 2 min per relayed connection, 15 reservations) cut
// a chat after about a hundred short messages and serve a handful of users. The limits below
// carry about 900 short messages (≈1.1 KiB on the wire each) or 14 maximum-size envelopes per
// relayed connection; when one runs out the relay closes it and the peers open a new one (a
// watched contact is redialled), so chat continues. They are kept low on purpose for bulk: files
// go direct (WebRTC) or not through the relay at all, and a relay operator's bandwidth is
// bounded by RELAY_MAX_RESERVATIONS × RELAY_DATA_LIMIT_BYTES per RELAY_DURATION_LIMIT_MS.
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'

/** Peers that may hold a reservation (a /p2p-circuit address) on this relay at once. */
export const RELAY_MAX_RESERVATIONS = 1024
/** How long a reservation lasts before the peer must renew it (libp2p's default, 2 h). */
export const RELAY_RESERVATION_TTL_MS = 2 * 60 * 60_000
/** Bytes one relayed connection may carry (each direction) before the relay closes it. */
export const RELAY_DATA_LIMIT_BYTES = 1024 * 1024
/** How long one relayed connection may stay open. */
export const RELAY_DURATION_LIMIT_MS = 10 * 60_000

/** Limits tests shrink (a relay that cuts circuits after a few KiB). Production passes none. */
export interface RelayLimits {
  dataLimitBytes?: number
  durationLimitMs?: number
}

/** The configured relay server service: `services: { relay: relayServer() }`. */
export function relayServer(limits: RelayLimits = {}): ReturnType<typeof circuitRelayServer> {
  return circuitRelayServer({
    reservations: {
      maxReservations: RELAY_MAX_RESERVATIONS,
      reservationTtl: RELAY_RESERVATION_TTL_MS,
      defaultDataLimit: BigInt(limits.dataLimitBytes ?? RELAY_DATA_LIMIT_BYTES),
      defaultDurationLimit: limits.durationLimitMs ?? RELAY_DURATION_LIMIT_MS,
    },
  })
}
