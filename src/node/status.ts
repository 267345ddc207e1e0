// What the node reports of itself (StatusPort in ./types.ts): reachability, network state,
// relay reservations, the router's port mapping and the counters of every protocol (`kith status --json`). Types only; each
// counter is kept by the module it names.
import type { DhtMetrics } from './dht/index.js'
import type { FileBoxMetrics } from './file/box.js'
import type { FileMetrics } from './file/index.js'
import type { MailboxMetrics } from './mailbox/types.js'

export type NatStatus = 'public' | 'private' | 'unknown'

/** Whether this node has a network at all (connectivity/connectivity.ts), since when (ms since epoch). */
export interface NetworkInfo {
  state: 'online' | 'offline'
  since: number
}

/** A circuit relay reservation this node holds (connectivity/reservations.ts). */
export interface ReservationInfo {
  relay: string
  addr: string
  since: number
}

/** The port mapping this node holds on its home router (connectivity/port-mapping.ts): `kith status
 *  --json`'s `upnp`, null without one. */
export interface UpnpInfo {
  /** The gateway's address on our LAN (where its UPnP IGD description was found). */
  gateway: string
  /** The mapped TCP address on the gateway's WAN side, e.g. /ip4/203.0.113.7/tcp/4001. */
  externalAddr: string
  /** When the mapping was made (ms since epoch). */
  since: number
  /** How it was asked for: UPnP IGD, or NAT-PMP (RFC 6886) where no IGD answered. */
  protocol: 'upnp' | 'nat-pmp'
}

export interface NodeMetrics {
  dmFramesIn: number
  dmFramesOut: number
  /** Frames or streams refused, by error name (MessageTooLargeError, MalformedMessageError, …). */
  dmRejected: Record<string, number>
  /** /kith/dm streams and frames refused because their peer or network was in backoff after
   *  rejected frames (dm/guard.ts); repeated rejected frames count as DmRepeatedFrameError. */
  dmBackoff?: number
  /** /kith/mailbox counters, and what this node holds for others when it is a mailbox. */
  mailbox?: MailboxMetrics
  /** Hostile /kith/sync streams (requests or answers) reset, by error name. */
  syncRejected: Record<string, number>
  /** /kith/card requests refused or reset, by error name (node/card/index.ts). */
  cardRejected: Record<string, number>
  /** /kith/file: chunks served and fetched, streams refused or failed by error name. */
  file?: FileMetrics
  /** /kith/filebox: chunks held for others, served, deposited; refusals by error name. */
  filebox?: FileBoxMetrics
  /** Hole punches this node started (connectivity/holepunch.ts): tried, made direct, failed. */
  holePunch?: {
    attempts: number
    successes: number
    failures: number
    primed: number
    answersRefused: number
  }
  /** The DHT server's records and refusals (dht/index.ts DhtMetrics). */
  dht?: DhtMetrics
  /** Connection budget (libp2p/resources.ts): strangers evicted, inbound strangers refused by cap. */
  resources?: { evicted: number; deniedIp: number; deniedPrefix: number; deniedFull: number }
  /** Network state (connectivity/connectivity.ts): reconnect rounds run, sleeps detected, network changes. */
  network?: { rounds: number; wakeups: number; changes: number }
  /** Inbound gossipsub input dropped (pubsub/guard.ts), by reason: PubsubFrameTimeoutError,
   *  PubsubPeerBudgetError, PubsubNodeBudgetError, MessageTooLargeError (streams reset),
   *  unknownTopic (messages), topicTooLong (subscriptions). */
  pubsubRejected?: Record<string, number>
}
