// The node's public face: the ports (KithNode and the types it speaks), constants and the few
// address helpers the service may use (eslint.config.js zone "service → node"). The service
// never reaches into a protocol's folder; the composition root (src/daemon) builds the node
// from ./libp2p/node.ts. Explicit names, never `export *`.
export type {
  CardPort,
  ConnectionInfo,
  DmHandler,
  DmPort,
  FilePort,
  KithNode,
  MailboxPort,
  NodeLifecycle,
  PeersPort,
  PubsubPort,
  PubsubVerdict,
  StatusPort,
  SyncEnvelope,
  SyncPort,
  SyncHandler,
  SyncRequest,
  SyncResponse,
} from './types.js'
export type { NatStatus, NetworkInfo, NodeMetrics, ReservationInfo, UpnpInfo } from './status.js'
export type { MailboxFetchMetrics, MailboxSign } from './mailbox/types.js'
export type { FileRequest, FileServeHandler } from './file/index.js'
export {
  FILE_MAX_CHUNKS_PER_REQUEST,
  MAILBOX_DEPOSIT_REPLICAS,
  MAILBOX_FETCH_MAX_BYTES_PER_ROUND,
  MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND,
  MAILBOX_FETCH_MAX_PAGES_PER_ROUND,
  MAILBOX_MAX_TTL_MS,
  MAILBOX_PROTOCOL,
  MAX_SYNC_ENVELOPES,
  MAX_SYNC_OPS,
  MAX_SYNC_RESPONSE_BYTES,
} from './limits.js'
export { FILEBOX_QUOTA_PER_RECIPIENT_BYTES } from './file/box-store.js'
export { CARD_TTL_MS } from './card/record.js'
export { announceAddrs } from './connectivity/announce.js'
export { packAddrs, unpackAddrs } from './card/index.js'
