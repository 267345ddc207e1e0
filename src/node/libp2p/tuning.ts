// What the tests may shorten or shrink when they build a node (createKithNode's second
// argument): each service's timings, caps and clocks. Production code passes nothing. It owns
// that shape only; the values' defaults are the named constants in each service's module.
import type { CardInit } from '../card/index.js'
import type { CardRoutingInit } from '../card/routing.js'
import type { ConnectivityInit } from '../connectivity/connectivity.js'
import type { DialerInit } from '../connectivity/dialer.js'
import type { HolePunchInit } from '../connectivity/holepunch.js'
import type { RelayLimits } from '../connectivity/relay.js'
import type { DhtLimits } from '../dht/index.js'
import type { DmInit } from '../dm/index.js'
import type { FileBoxInit } from '../file/box.js'
import type { FileInit } from '../file/index.js'
import type { MailboxInit } from '../mailbox/index.js'
import type { SyncInit } from '../sync/index.js'
import type { ResourceLimits } from './resources.js'
import type { ConnectionGater } from '@libp2p/interface'

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
}
