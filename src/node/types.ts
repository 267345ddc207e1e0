// What the service layer sees of the network: one KithNode (a js-libp2p node with Kith's
// protocols), cut into per-protocol ports (DmPort, MailboxPort, SyncPort, PubsubPort, CardPort,
// FilePort, PeersPort, StatusPort, NodeLifecycle) so a service module declares only the ports it
// uses (js-libp2p's `*Components` idea). The node knows frames and peers, never plaintext: it
// hands /kith/dm frames to the service and closes the stream when the service rejects one.
import type { FileRequest, FileServeHandler } from './file/index.js'
import type { MailboxItem, MailboxPolicy, MailboxSign, MailboxUsage } from './mailbox/types.js'
import type { NatStatus, NetworkInfo, NodeMetrics, ReservationInfo, UpnpInfo } from './status.js'

export interface ConnectionInfo {
  peerId: string
  addrs: string[]
  /** False for a relayed (limited) connection. */
  direct: boolean
  /** Since when it is what `direct` says (ms since the epoch): when it opened, or for a WebRTC
   *  connection when it passed its liveness probe. */
  since: number
  protocols: string[]
}

/** A topic validator's verdict (gossipsub's TopicValidatorResult): `accept` delivers and
 *  forwards; `reject` drops and penalises the peer that sent it; `ignore` drops silently. */
export type PubsubVerdict = 'accept' | 'reject' | 'ignore'

/** A /kith/sync/1.0.0 request (design §4): what the requester holds of a group. */
export interface SyncRequest {
  groupId: Uint8Array
  /** opHash (SHA-256 of the encoded signed op) of every op the requester holds. */
  opHashes: Uint8Array[]
  /** Per sender (a PeerId), the highest seq the requester delivered contiguously. */
  marks: Array<{ sender: string; seq: number }>
}

/** One retained group ciphertext (the core's SenderKeyMessage bytes) with its sender and seq. */
export interface SyncEnvelope {
  sender: string
  seq: number
  data: Uint8Array
}

/** The answer: ops (and their secrets, parallel, empty when none) and envelopes the requester
 *  lacks; `more`: ask again for the rest. The node trims an answer to the SYNC limits (sync/limits.ts)
 *  by dropping trailing envelopes, then ops, and then sets `more`. */
export interface SyncResponse {
  ops: Uint8Array[]
  secrets: Uint8Array[]
  envelopes: SyncEnvelope[]
  more: boolean
}

/**
 * Answers an authenticated peer's sync request (`from` is its PeerId). Throwing (a typed error,
 * e.g. NotAMemberError) makes the node reset the stream and count the error's name in
 * NodeMetrics.syncRejected.
 */
export type SyncHandler = (from: string, req: SyncRequest) => Promise<SyncResponse> | SyncResponse

/**
 * Handles one incoming /kith/dm frame from an authenticated peer. Resolving acknowledges it;
 * throwing (a typed error) makes the node close that stream and count the rejection.
 */
export type DmHandler = (from: string, frame: Uint8Array) => Promise<void>

/** Starting and stopping the node; its PeerId. */
export interface NodeLifecycle {
  readonly peerId: string
  start(): Promise<void>
  stop(): Promise<void>
}

/** What the node reports of itself and its connections. */
export interface StatusPort {
  readonly peerId: string
  /** Our reachable multiaddrs, each ending in /p2p/<peerId>. */
  addrs(): string[]
  /** addrs() plus our listen addresses AutoNAT has not judged yet (a public interface's, in the
   *  first seconds or minutes): what invites and cards pick from (connectivity/addr-policy.ts candidates). */
  candidateAddrs(): string[]
  connections(): ConnectionInfo[]
  isConnected(peer: string): boolean
  nat(): NatStatus
  /** Whether the host has a network at all (interfaces and routes; connectivity/connectivity.ts). */
  network?(): NetworkInfo
  /** The relays this node holds a reservation on now, oldest first. */
  reservations?(): ReservationInfo[]
  /** The port mapping held on the home router (UPnP IGD), or null. */
  upnp?(): UpnpInfo | null
  metrics(): NodeMetrics
}

/** /kith/dm (node/dm/): frames to and from peers. */
export interface DmPort {
  onDm(handler: DmHandler): void
  /**
   * Writes frames to `peer` over /kith/dm, dialling it (known or given addrs) if needed.
   * Resolves when the frames were written to the stream; rejects if the peer is unreachable.
   */
  sendDm(peer: string, frames: Uint8Array[], addrs?: string[]): Promise<void>
}

/** Keeping contacts connected (connectivity/dialer.ts), peer events, the connection budget. */
export interface PeersPort {
  /** Keep (re)connecting to this peer with backoff while it is watched (contacts). */
  watch(peer: string, addrs: string[]): void
  unwatch(peer: string): void
  /**
   * Peer events: connected / disconnected (any connection); discovered (mDNS or DHT, with
   * addrs); identified (identify finished, with the peer's own listen addrs ending in /p2p/).
   */
  on(event: 'peer:connect' | 'peer:disconnect', fn: (peer: string) => void): void
  on(event: 'peer:discovery' | 'peer:identify', fn: (peer: string, addrs: string[]) => void): void
  /**
   * Which peers are protected (the service: accepted contacts). Protected peers, and the relays
   * named in KithNodeOptions.bootstrap, are always admitted and never evicted; strangers share
   * the rest of the connection slots under per-IP and per-prefix caps (src/node/libp2p/resources.ts).
   */
  setProtectedPeers?(isProtected: (peer: string) => boolean): void
}

/** Contact cards: in the DHT (card/routing.ts) and by /kith/card (card/index.ts). */
export interface CardPort {
  /**
   * Puts our signed contact card (signed by the service) into the DHT under /kith-card/<PeerId>.
   * Throws the core's typed error (InvalidSignatureError, CardExpiredError, …) for a card that
   * is not ours or not valid. Resolves once it is stored locally and on at least one DHT peer
   * (the put goes on to the other closest peers in the background), or, with few or no peers,
   * after CARD_PUBLISH_TIMEOUT_MS (src/node/card/routing.ts) with only the local copy.
   */
  publishCard(signedCard: Uint8Array): Promise<void>
  /** The newest valid (verified, unexpired) card of `peer` in the DHT, or undefined if none was
   *  found within CARD_LOOKUP_TIMEOUT_MS. */
  findCard(peer: string): Promise<Uint8Array | undefined>
  /** `peer`'s addresses by DHT peer routing, each ending in /p2p/<peer> (unauthenticated hints);
   *  [] if not found within CARD_LOOKUP_TIMEOUT_MS. */
  findPeerAddrs(peer: string): Promise<string[]>
  /**
   * Keeps our card in the DHT while the node runs: publishes makeCard() at once (or at start),
   * every CARD_REFRESH_MS, and when our addresses change (CardPublisher, src/node/card/routing.ts).
   * undefined stops publishing.
   */
  setCardSource(makeCard: (() => Promise<Uint8Array>) | undefined): void
  /** Answers /kith/card requests (first contact by a short invite link): our signed card for a
   *  secret of ours, undefined otherwise (the stream is reset). */
  onCardRequest(handler: (from: string, secret: Uint8Array) => Uint8Array | undefined): void
  /** Asks `peer` for its signed card, proving `secret` (CardRefusedError, CardTimeoutError,
   *  PeerUnreachableError). The bytes are unverified. */
  fetchCard(peer: string, secret: Uint8Array, addrs?: string[]): Promise<Uint8Array>
}

/** /kith/mailbox (src/node/mailbox/; docs/mailbox.md). */
export interface MailboxPort {
  /**
   * Deposits an already sealed envelope for `recipient` with `mailbox` (a PeerId; dialled if
   * needed, `addrs` merged in). Resolves once the mailbox holds it (status `sent`). Rejects with
   * MailboxQuotaError (`.quota` names the quota), MailboxRefusedError, PeerUnreachableError,
   * MailboxStreamError, MailboxTimeoutError, MailboxProtocolError; TypeError / RangeError /
   * MessageTooLargeError before sending. `mailbox` = this node: held locally under its policy.
   */
  mailboxDeposit(
    mailbox: string,
    recipient: string,
    envelope: Uint8Array,
    addrs?: string[],
  ): Promise<void>
  /**
   * The next batch of envelopes held for this node at `mailbox` (at most MAILBOX_BATCH_MAX_ITEMS
   * / _BYTES), oldest first; [] when nothing more is held. `sign` signs the mailbox's challenge
   * with the identity key. Call again to page on; confirm what was stored so it is deleted.
   * Rejects with MailboxAuthError, PeerUnreachableError, MailboxRefusedError, MailboxStreamError,
   * MailboxTimeoutError, MailboxProtocolError.
   */
  mailboxFetch(mailbox: string, sign: MailboxSign, addrs?: string[]): Promise<MailboxItem[]>
  /**
   * Has `mailbox` delete the fetched envelopes `ids` (only ever this node's own): on the fetch's
   * authenticated stream while it is open, else on a new one signed with `sign`. Resolves how
   * many were deleted. Same rejections as mailboxFetch.
   */
  mailboxConfirm(
    mailbox: string,
    ids: string[],
    sign: MailboxSign,
    addrs?: string[],
  ): Promise<number>
  /** Which deposits this node holds as a mailbox: (recipient, depositor) → accept? */
  setMailboxPolicy(policy: MailboxPolicy): void
  /** What this node holds for others; undefined when it is no mailbox. */
  mailboxUsage(): Promise<MailboxUsage | undefined>
}

/** Group topics on gossipsub (src/node/pubsub/index.ts; design §3). */
export interface PubsubPort {
  /**
   * Subscribes to `topic`. `validate` runs (synchronously) on every message before it is
   * delivered or forwarded (data over MAX_PUBSUB_DATA_BYTES is rejected before it); accepted
   * messages go to `onMessage`. A validator that throws counts as `reject`. Rejections are
   * counted by the caller, which knows why. Subscribing again replaces the callbacks.
   */
  pubsubSubscribe(
    topic: string,
    validate: (data: Uint8Array) => PubsubVerdict,
    onMessage: (data: Uint8Array) => void,
  ): void
  pubsubUnsubscribe(topic: string): void
  /** Publishes; resolves with the number of peers it was sent to (0: nobody subscribed is
   *  connected). Rejects with MessageTooLargeError over MAX_PUBSUB_DATA_BYTES. */
  pubsubPublish(topic: string, data: Uint8Array): Promise<number>
  /** Connected peers subscribed to `topic`. */
  pubsubPeers(topic: string): string[]
}

/** /kith/sync/1.0.0 (src/node/sync/; design §4). */
export interface SyncPort {
  /**
   * Installs the handler that answers inbound sync requests (replaces any earlier one). `allow`
   * runs first, before a byte of the request is read: false resets the stream (counted as
   * SyncNotAllowedError). Without it every asker's request is read and handed to the handler.
   */
  onSyncRequest(handler: SyncHandler, allow?: (peer: string) => boolean): void
  /**
   * Asks `peer` over /kith/sync/1.0.0 (dialling it, `addrs` merged in, if needed). Rejects with
   * PeerUnreachableError, SyncRefusedError (no such protocol), SyncStreamError (reset: e.g. the
   * peer's handler refused us), SyncTimeoutError, SyncProtocolError (a bad answer, counted);
   * TypeError / RangeError / MessageTooLargeError for a request over the limits, before sending.
   */
  syncFetch(peer: string, req: SyncRequest, addrs?: string[]): Promise<SyncResponse>
}

/** /kith/file/1.0.0 and /kith/filebox/1.0.0 (src/node/file/; docs/files.md); optional: a node
 *  may leave files out. */
export interface FilePort {
  /** Installs (undefined: removes) what decides who gets which chunks (FileServeHandler). */
  onFileRequest?(handler: FileServeHandler | undefined): void
  /** Asks `peer` for a run of sealed chunks; `onChunk` sees each (and may throw to refuse it).
   *  Resolves how many came; rejections as FileProtocol.fetch (src/node/file/index.ts). */
  fileFetch?(
    peer: string,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
    addrs?: string[],
  ): Promise<number>

  // /kith/filebox/1.0.0 (src/node/file/box.ts; docs/files.md "Offline delivery")
  /** Deposits chunks first…count-1 (first defaults to 0) of a file for `recipient` with
   *  `mailbox` (FileBoxProtocol.deposit). */
  fileboxDeposit?(
    mailbox: string,
    recipient: string,
    fileId: Uint8Array,
    count: number,
    chunk: (index: number) => Promise<Uint8Array>,
    addrs?: string[],
    first?: number,
  ): Promise<void>
  /** Fetches a run of chunks `mailbox` holds for us (as fileFetch). */
  fileboxFetch?(
    mailbox: string,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
    addrs?: string[],
  ): Promise<number>
}

/** The whole node, every port: what Libp2pKithNode implements and the daemon hands the service. */
export type KithNode = NodeLifecycle &
  StatusPort &
  PeersPort &
  DmPort &
  CardPort &
  MailboxPort &
  PubsubPort &
  SyncPort &
  FilePort
