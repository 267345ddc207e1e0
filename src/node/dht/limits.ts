// Bounds of Kith's Kad-DHT server (issue 11, finding 2). Every daemon answers /kith/kad/1.0.0, so
// every bound here must hold against one host with any number of fresh PeerIds: records are
// held per putter PeerId and per network group (/24, /48), puts are rate limited per PeerId and
// per group, and the whole store has a count and a byte cap. Sizes are what Kith really stores:
// signed contact cards (src/core/identity/card.ts, at most MAX_CONTACT_CARD_BYTES = 8 KiB).
// Tests shrink them through DhtLimits (KithNodeTuning.dht); production passes nothing.
import { MAX_CONTACT_CARD_BYTES } from '../../core/wire/limits.js'

/** Most records the node holds for the DHT. Each card is stored on the K = 20 nodes closest to
 *  its key, so a node holds ≈ 20 cards per node-count share (≈ 20 in a DHT of any size); 4,096 is
 *  a 200× margin, and at the byte cap it is ≤ DHT_MAX_RECORD_BYTES of RSS. */
export const DHT_MAX_RECORDS = 4096

/** Most bytes (serialized records and their datastore keys) the node holds for the DHT: 4,096
 *  cards of 4 KiB (a typical card with a full prekey bundle is ≈ 2.8 KiB). */
export const DHT_MAX_RECORD_BYTES = 16 * 1024 * 1024

/** Records held that one PeerId put. An honest peer puts its own card (replacing it) and a few
 *  get() corrections; more is rotation: the peer's oldest record is evicted, never another's. */
export const DHT_MAX_RECORDS_PER_PEER = 64

/** Records held that peers of one network group (/24 for IPv4, /48 for IPv6; the relay's for a
 *  relayed connection) put: one host with fresh PeerIds fills at most this share of the store
 *  (1/8 of DHT_MAX_RECORDS), a LAN or a NAT of honest nodes still fits. Over it, the group's
 *  oldest record is evicted. */
export const DHT_MAX_RECORDS_PER_GROUP = 512

/** PUT_VALUEs one PeerId may send in a burst, then DHT_PEER_PUTS_PER_MINUTE: an honest peer puts
 *  its card hourly and on address changes, plus a get()'s corrections. Checked before the card's
 *  signature is verified, so a flood costs no Ed25519. */
export const DHT_PEER_PUT_BURST = 32
export const DHT_PEER_PUTS_PER_MINUTE = 30

/** PUT_VALUEs one network group may send in a burst, then DHT_GROUP_PUTS_PER_MINUTE (a LAN of a
 *  few dozen honest nodes republishing hourly uses a small fraction). */
export const DHT_GROUP_PUT_BURST = 256
export const DHT_GROUP_PUTS_PER_MINUTE = 600

/** Inbound DHT streams one PeerId may open in a burst, then DHT_PEER_STREAMS_PER_MINUTE; per
 *  network group DHT_GROUP_STREAM_BURST, then DHT_GROUP_STREAMS_PER_MINUTE. Checked before
 *  kad-dht sees the stream: kad-dht keeps every stream it handled referenced by its 10 s read
 *  timer even after aborting it (rpc/index.js leaves the abort listener on the timeout signal
 *  when a handler throws), so without this a flood of refused requests pins ≈ 10 s of streams
 *  (≈ 50 MiB at the rate one loopback host reached). A peer's lookup sends us about one request;
 *  a group's rate bounds what one host pins to 50/s × 10 s × DHT_MAX_INBOUND_STREAM_BYTES. */
export const DHT_PEER_STREAM_BURST = 64
export const DHT_PEER_STREAMS_PER_MINUTE = 300
export const DHT_GROUP_STREAM_BURST = 512
export const DHT_GROUP_STREAMS_PER_MINUTE = 3000

/** Rate-limit entries kept per table (PeerIds, groups); the least recently used is dropped. A
 *  dropped PeerId's bucket refills, but its group's bucket (the bound that matters against fresh
 *  PeerIds) is kept as long as the group keeps putting. */
export const DHT_RATE_TABLE_ENTRIES = 4096

/** Most bytes one inbound DHT stream may carry. kad-dht sends one request per stream
 *  (network.js sendRequest); the largest is a PUT_VALUE of the largest card: MAX_CONTACT_CARD_BYTES
 *  plus its key (≈ 50 B) and record framing. kad-dht 16 reads messages with no length limit
 *  (rpc/index.js: pbStream(stream) without maxDataLength): this bounds the partial frame a
 *  silent peer can pin for kad-dht's 10 s read timeout. */
export const DHT_MAX_INBOUND_STREAM_BYTES = 4 * MAX_CONTACT_CARD_BYTES

/** Bytes all open inbound DHT streams may have received, node-wide: the memory a flood of
 *  half-sent requests can pin (at most for kad-dht's 10 s read timeout). Honest requests are
 *  ≤ 9 KiB and answered in milliseconds. */
export const DHT_INBOUND_BUDGET_BYTES = 4 * 1024 * 1024

/** Inbound DHT streams one connection may hold open at once (kad-dht's default is 32): a peer's
 *  lookups send at most one request to us per path (α = 3 disjoint paths). */
export const DHT_MAX_INBOUND_STREAMS_PER_PEER = 16

/** Expired records are swept at most this often (on a put); a full store sweeps at once. */
export const DHT_SWEEP_INTERVAL_MS = 10 * 60_000

/** The bounds as one object (tests pass smaller ones through KithNodeTuning.dht). */
export interface DhtLimits {
  maxRecords: number
  maxRecordBytes: number
  maxRecordsPerPeer: number
  maxRecordsPerGroup: number
  peerPutBurst: number
  peerPutsPerMinute: number
  groupPutBurst: number
  groupPutsPerMinute: number
  peerStreamBurst: number
  peerStreamsPerMinute: number
  groupStreamBurst: number
  groupStreamsPerMinute: number
  rateTableEntries: number
  maxInboundStreamBytes: number
  inboundBudgetBytes: number
  maxInboundStreamsPerPeer: number
  sweepIntervalMs: number
}

export const DEFAULT_DHT_LIMITS: Readonly<DhtLimits> = Object.freeze({
  maxRecords: DHT_MAX_RECORDS,
  maxRecordBytes: DHT_MAX_RECORD_BYTES,
  maxRecordsPerPeer: DHT_MAX_RECORDS_PER_PEER,
  maxRecordsPerGroup: DHT_MAX_RECORDS_PER_GROUP,
  peerPutBurst: DHT_PEER_PUT_BURST,
  peerPutsPerMinute: DHT_PEER_PUTS_PER_MINUTE,
  groupPutBurst: DHT_GROUP_PUT_BURST,
  groupPutsPerMinute: DHT_GROUP_PUTS_PER_MINUTE,
  peerStreamBurst: DHT_PEER_STREAM_BURST,
  peerStreamsPerMinute: DHT_PEER_STREAMS_PER_MINUTE,
  groupStreamBurst: DHT_GROUP_STREAM_BURST,
  groupStreamsPerMinute: DHT_GROUP_STREAMS_PER_MINUTE,
  rateTableEntries: DHT_RATE_TABLE_ENTRIES,
  maxInboundStreamBytes: DHT_MAX_INBOUND_STREAM_BYTES,
  inboundBudgetBytes: DHT_INBOUND_BUDGET_BYTES,
  maxInboundStreamsPerPeer: DHT_MAX_INBOUND_STREAMS_PER_PEER,
  sweepIntervalMs: DHT_SWEEP_INTERVAL_MS,
})
