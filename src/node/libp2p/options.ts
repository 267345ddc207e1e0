// createKithNode's two arguments (./node.ts): what a node is (KithNodeOptions: identity,
// addresses, relays, mailbox and filebox holdings) and what the tests may shorten or shrink
// (KithNodeTuning: each service's timings, caps and clocks; production passes nothing). It owns
// those shapes only; the defaults are the named constants in each service's module.
import type { CardInit } from '../card/index.js'
import type { CardRoutingInit } from '../card/routing.js'
import type { ConnectivityInit } from '../connectivity/connectivity.js'
import type { DialerInit } from '../connectivity/dialer.js'
import type { HolePunchInit } from '../connectivity/holepunch.js'
import type { PrimerInit } from '../connectivity/prime.js'
import type { RelayLimits } from '../connectivity/relay.js'
import type { DhtLimits } from '../dht/index.js'
import type { DmInit } from '../dm/index.js'
import type { FileBoxInit } from '../file/box.js'
import type { FileInit } from '../file/index.js'
import type { MailboxInit } from '../mailbox/index.js'
import type { MailboxHoldings, MailboxPolicy } from '../mailbox/types.js'
import type { SyncInit } from '../sync/index.js'
import type { ResourceLimits } from './resources.js'
import type { JitteredMonitorInit } from './conn-monitor.js'
import type { TransportTuning } from './write-batch.js'
import type { PubsubTuning } from '../pubsub/index.js'
import type { ConnectionGater } from '@libp2p/interface'

export interface KithNodeOptions {
  /** The 32-byte Ed25519 seed of the identity key: the libp2p key, so PeerId = identity. */
  identitySeed: Uint8Array
  /** Multiaddrs to listen on. Default: TCP and WebSockets on all interfaces, port 0. */
  listen: string[]
  /** Addresses to announce instead of the listen addresses (relays behind port maps). */
  announce?: string[]
  /** Multiaddrs (with /p2p/) of bootstrap peers. */
  bootstrap: string[]
  /** mDNS on the LAN. Tests pass false (it multicasts on every interface). */
  mdns: boolean
  /** Use relays (docs/connectivity.md): also listen on '/p2p-circuit' (hold a reservation on the
   *  relays we know, e.g. bootstrap `kith relay` nodes) and '/webrtc', and upgrade relayed
   *  connections to direct ones by WebRTC hole punching. */
  relayed?: boolean
  /** STUN servers (`host:port`) for WebRTC's ICE; the only ICE servers ever used (none: []). */
  stun?: string[]
  /** Map our TCP listen port on the home router through UPnP IGD (../connectivity/upnp.ts):
   *  true maps when a listen address is a private interface address and nothing is announced
   *  (upnpWanted); false or unset never (in-process nodes; `kith daemon --no-upnp`). */
  upnp?: boolean
  /** Be a circuit relay v2 server for others (`kith relay`), with the limits in connectivity/relay.ts. */
  relayServer?: boolean
  /** Be a mailbox: hold sealed envelopes for others in `holdings`, for the recipients `policy`
   *  accepts (default: none; setMailboxPolicy replaces it). Without it the node only deposits
   *  and fetches. */
  mailbox?: { holdings: MailboxHoldings; policy?: MailboxPolicy }
  /** Hold sealed file chunks deposited for recipients (/kith/filebox, node/file/box.ts) on disk
   *  in `dir`, for `holdMs` (default FILE_HOLD_MS), under the mailbox policy. Without it
   *  deposits are refused (the node can still deposit and fetch). */
  filebox?: { dir: string; holdMs?: number }
}

/** Timings the tests shorten. Production code passes nothing. */
export interface KithNodeTuning {
  dialer?: DialerInit
  dm?: DmInit
  /** /kith/mailbox timings and clock (holdings and policy come from KithNodeOptions.mailbox). */
  mailbox?: Omit<MailboxInit, 'holdings' | 'policy'>
  cards?: CardRoutingInit
  /** Tests: smaller DHT server bounds (dht/limits.ts). */
  dht?: Partial<DhtLimits>
  /** /kith/sync timings. */
  sync?: SyncInit
  /** /kith/card timings. */
  card?: CardInit
  /** /kith/file timings and caps. */
  file?: FileInit
  /** /kith/filebox timings and quotas (the directory comes from KithNodeOptions.filebox). */
  filebox?: Omit<FileBoxInit, 'dir'>
  holePunch?: HolePunchInit
  prime?: PrimerInit
  /** Tests: a relay server (KithNodeOptions.relayServer) with smaller limits. */
  relay?: RelayLimits
  /** Tests: e.g. refuse inbound connections from one peer (a NAT'd node). */
  connectionGater?: ConnectionGater
  /** Tests: network-state polling and sleep detection (../connectivity/connectivity.ts). */
  connectivity?: ConnectivityInit
  /** Tests: smaller connection budgets (resources.ts). */
  resources?: Partial<ResourceLimits>
  /** Tests: a shorter pubsub partial-frame timeout or smaller budgets (../pubsub/guard.ts). */
  pubsubGuard?: { partialFrameTimeoutMs?: number; nodeBytes?: number; perPeerBytes?: number }
  /** Benches: gossipsub's mesh degree and IDONTWANT size, to compare against Kith's choice. */
  pubsub?: PubsubTuning
  /** Benches: upstream's transport write path or yamux-window.ts, to compare (write-batch.ts). */
  transport?: TransportTuning
  /** Benches: the liveness pings' period (conn-monitor.ts), to measure what they cost idle. */
  connectionMonitor?: Pick<JitteredMonitorInit, 'intervalMs' | 'jitter'>
}
