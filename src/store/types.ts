// The node's persistent store beyond the protocol core's interfaces: contacts, messages, the
// outbox and the per-conversation sequence. Implemented on SQLite (./sqlite.ts) in one
// encrypted database together with the core's ProtocolStore. Synchronous on purpose: the
// service runs "decrypt → store message + ratchet state + consumed prekeys" in ONE SQLite
// transaction (`transaction(fn)`), which an async interface could not guarantee.
import type { FileStore } from './files.js'
import type { EcPrekeyRecord, KemPrekeyRecord, ProtocolStore } from '../core/store/types.js'

/** Only moves forward. `read`: an incoming message marked read here, or an outgoing one the
 *  peer's READ receipt named. */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read'
export type Direction = 'in' | 'out'

export interface Contact {
  peerId: string
  /** Unique; a contact that wrote first is named by its PeerId until renamed. */
  name: string
  verified: boolean
  /** The user must act before messages from this contact are shown (CLI.md). */
  keyChanged: boolean
  /** Last known multiaddrs (strings, with /p2p/<peerId>). */
  addrs: string[]
  addedAt: number
  lastSeen: number | undefined
  /** What the contact calls itself (its invite's name, if clean); '' if unknown. On write,
   *  undefined keeps the stored one. */
  profileName?: string
  /** Read only: the PeerId is blocked (TrustStore.block). Only `includeBlocked` reads return
   *  blocked contacts. */
  blocked?: boolean
}

/** A message request: a stranger that wrote first (TrustStore). */
export interface RequestRow {
  peerId: string
  profileName: string
  firstAt: number
  messages: number
  /** UTF-8 bytes of its held texts. */
  bytes: number
}

/** A stranger's text held until the user accepts or blocks it. */
export interface HeldRequestMessage {
  id: string
  seq: number
  text: string
  sentAt: number
  receivedAt: number
}

/** Blocked peers, invite secrets and message requests (./trust.ts). Synchronous: used inside
 *  the receive transaction. */
export interface TrustStore {
  isBlocked(peer: string): boolean
  block(peer: string, now: number): void
  /** False if it was not blocked. */
  unblock(peer: string): boolean
  blocked(): string[]

  /** Records an invite secret we issued, by its SHA-256. */
  addInviteSecret(hash: Uint8Array, once: boolean, now: number): void
  /** Whether `peer` may use the secret with this hash: a standing one always, a single-use one
   *  if unused (then it is consumed by `peer`) or already consumed by `peer`. */
  redeemInviteSecret(hash: Uint8Array, peer: string): boolean
  /** Whether the secret with this hash exists and `peer` may use it; consumes nothing. */
  inviteSecretUsable(hash: Uint8Array, peer: string): boolean
  /** Keeps the newest `keep` single-use secrets; returns how many were dropped. */
  pruneOnceSecrets(keep: number): number
  /** The invite secret we still prove to contact `peer` (until it answers). */
  inviteProof(peer: string): Uint8Array | undefined
  setInviteProof(peer: string, secret: Uint8Array | undefined): void

  getRequest(peer: string): RequestRow | undefined
  /** Oldest first. */
  listRequests(): RequestRow[]
  requestTotals(): { requests: number; bytes: number }
  /** The oldest request other than `except`'s. */
  oldestRequest(except: string): string | undefined
  /** Holds a message (creating the request); false if that message id is held already. */
  hold(peer: string, profileName: string, m: HeldRequestMessage): boolean
  hasHeld(id: string): boolean
  heldFor(peer: string): HeldRequestMessage[]
  /** Drops the request and its held messages; false if there was none. */
  dropRequest(peer: string): boolean
  /** Deletes the session with `peer` (a dropped or blocked stranger's). */
  removeSession(peer: string): void
}

export interface StoredMessage {
  /** 16 random bytes, hex. */
  id: string
  /** 1:1: the contact's PeerId; groups: the group id. */
  conversation: string
  /** PeerId of the author. */
  from: string
  direction: Direction
  /** Per-conversation, per-sender sequence number assigned by the sender. */
  seq: number
  text: string
  sentAt: number
  /** When it was stored here (for outgoing: when it was queued). */
  receivedAt: number
  status: MessageStatus
  /** Absent: text. `event`: a group history line, `text` holding the event as JSON. */
  kind?: 'text' | 'file' | 'event'
  /** When the conversation is a group we hold: its name (read only, from the groups table). */
  groupName?: string
  /** The id of the message this one replies to, as sent (it may be unknown here). */
  replyTo?: string
  /** Read only (./edits.ts): the sender's clock of the latest edit applied. */
  editedAt?: number
  /** Read only: deleted (its text wiped). */
  deleted?: boolean
  /** The disappearing timer (seconds) it was sent or received under. */
  ttlSeconds?: number
  /** When it disappears (ms); incoming ones get it when read. */
  expiresAt?: number
  /** Read only: emoji → reactors (PeerIds, or 'me'), sorted. */
  reactions?: Record<string, string[]>
}

export interface OutboxEntry {
  messageId: string
  peer: string
  attempts: number
  nextAttemptAt: number
}

/** An outbox entry with its message's seq (the cursor of ChatStore.outboxDue). */
export interface OutboxDue extends OutboxEntry {
  seq: number
}

export interface ChatStore {
  /** Runs fn in one SQLite transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T
  /** Group commit (issue 17): runs fn as a savepoint of one open batch transaction, opening it
   *  (BEGIN IMMEDIATE) if needed; nothing is durable until commitBatch(). Any other
   *  `transaction()` commits the batch first. `onCommit` (of the call that opened it) runs after
   *  the COMMIT. */
  batched<T>(fn: () => T, onCommit: () => void): T
  /** Commits the open batch, if any, then runs its onCommit. */
  commitBatch(): void

  // Contacts. A `ref` that parses as a PeerId matches only that PeerId, never a name. Blocked
  // peers are left out unless `includeBlocked`.
  getContact(ref: string, opts?: { includeBlocked?: boolean }): Contact | undefined
  listContacts(opts?: { includeBlocked?: boolean }): Contact[]
  /** Inserts or replaces by peerId. Throws ContactExistsError if `name` belongs to another peer. */
  putContact(contact: Contact): void
  removeContact(peerId: string, purge: boolean): boolean
  setVerified(peerId: string, verified: boolean): void
  touchContact(peerId: string, lastSeen: number, addrs?: string[]): void

  // Messages
  /** Next outgoing sequence number for a conversation (persisted, starts at 1). */
  nextSeq(conversation: string): number
  /** Inserts a message; returns false (and changes nothing) if its id is already stored. */
  insertMessage(m: StoredMessage): boolean
  getMessage(id: string): StoredMessage | undefined
  hasMessage(id: string): boolean
  /** Moves the status forward only; `read` also records `at` (ms) as the time it was read. */
  setStatus(id: string, status: MessageStatus, at?: number): void
  /** Puts `sent` messages back to `queued` (their write failed after the status was stored with
   *  the encryption, service/outbox.ts); any other status is left alone. */
  unsend(ids: readonly string[]): void
  /** Marks the conversation's unread incoming messages read; returns their ids. */
  markRead(conversation: string, at: number): string[]
  /** Incoming messages of the conversation not yet marked read (an index range count). */
  unreadCount(conversation: string): number
  /** The newest message of the conversation in display order. */
  lastMessage(conversation: string): StoredMessage | undefined
  /** Oldest first, ordered by (conversation, from, seq) for display in sequence order. */
  listMessages(opts: { conversation?: string; limit?: number; before?: string }): StoredMessage[]

  // Outbox
  enqueue(entry: OutboxEntry): void
  /** Entries for a peer, in sequence order of their messages. */
  outboxFor(peer: string): OutboxEntry[]
  /** The lowest seq among a peer's entries due by `dueBy` (a range of the due index): where a
   *  flush starts its outboxDue walk, so entries in flight (sent, not yet acked) below it are not
   *  stepped over page after page. */
  firstDueSeq(peer: string, dueBy: number): number | undefined
  /** At most `limit` entries for a peer due by `dueBy` (ms) with seq above `afterSeq`, in seq
   *  order, read from an index: a flush pages through a large outbox without sorting it. */
  outboxDue(peer: string, opts: { dueBy: number; afterSeq: number; limit: number }): OutboxDue[]
  /** The earliest next attempt among a peer's outbox entries (undefined: nothing queued). */
  nextAttemptAt(peer: string): number | undefined
  /** Peers with anything in the outbox. */
  outboxPeers(): string[]
  reschedule(messageId: string, attempts: number, nextAttemptAt: number): void
  dequeue(messageId: string): void

  // Small key-value settings (listen ports, next prekey ids, …)
  getSetting(key: string): string | undefined
  setSetting(key: string, value: string): void
}

/** A group as this node holds it: the replayed state of its op log (docs/groups.md §1). */
export interface GroupRow {
  /** 16 random bytes, 32 lowercase hex chars. */
  groupId: string
  name: string
  /** Sorted PeerIds. */
  members: string[]
  admins: string[]
  epoch: number
  /** The current gossipsub topic; '' while its secret is unknown. */
  topic: string
  /** False once we were removed or left: kept for its history, not listed. */
  active: boolean
  createdAt: number
}

export interface GroupOpRow {
  /** SHA-256 of `bytes`. */
  hash: Uint8Array
  /** Encoded signed GroupControl. */
  bytes: Uint8Array
  /** The 32-byte topic secret this op introduced, when we know it. */
  secret: Uint8Array | undefined
}

export interface SenderKeyRow {
  /** Serialized SenderKeyRecord (core/group/record.ts), opaque here. */
  record: Uint8Array
  /** The chain id the topic validator accepts from this sender; undefined: none yet. */
  currentChain: number | undefined
  /** Chain ids this sender rotated away from (a stale distribution never becomes current). */
  retired: number[]
}

/** A group ciphertext kept for healing (retention, docs/groups.md §4). */
export interface GroupEnvelope {
  groupId: string
  sender: string
  seq: number
  data: Uint8Array
  receivedAt: number
}

/** A decrypted group message held back until the sender's earlier ones arrive. */
export interface HeldMessage {
  groupId: string
  sender: string
  seq: number
  /** The encoded ChatContent. */
  content: Uint8Array
  receivedAt: number
}

/** A pairwise control content (GroupUpdate) waiting to be sent and acked. */
export interface ControlEntry {
  messageId: string
  peer: string
  content: Uint8Array
  attempts: number
  nextAttemptAt: number
}

export interface GroupStore {
  /** Inserts or replaces by groupId. */
  putGroup(g: GroupRow): void
  /** By id first, else the newest active group of that name. */
  getGroup(idOrName: string): GroupRow | undefined
  /** Active groups, by name. */
  listGroups(): GroupRow[]
  /** Every group row, left and removed ones included (name uniqueness, name lookups). */
  allGroups(): GroupRow[]

  /** Adds an op (true if new). A known op without a secret takes `secret` if given. */
  addOp(groupId: string, op: GroupOpRow): boolean
  ops(groupId: string): GroupOpRow[]
  opCount(groupId: string): number

  getSenderKey(groupId: string, sender: string): SenderKeyRow | undefined
  putSenderKey(groupId: string, sender: string, row: SenderKeyRow): void
  deleteSenderKey(groupId: string, sender: string): void
  /** Every sender's row of a group: the validator's chain → member map. */
  senderKeys(groupId: string): Array<SenderKeyRow & { sender: string }>

  /** Keeps a ciphertext (idempotent: false when (group, sender, seq) is held already), then
   *  prunes the group to the retention limits. */
  retain(e: GroupEnvelope): boolean
  getEnvelope(groupId: string, sender: string, seq: number): GroupEnvelope | undefined
  /** Retained envelopes of the senders in `marks` with a seq above their mark, oldest seq first
   *  per sender, at most `maxItems` and `maxBytes`; `more` when some were left out. */
  envelopesAfter(
    groupId: string,
    marks: ReadonlyArray<{ sender: string; seq: number }>,
    maxItems: number,
    maxBytes: number,
  ): { envelopes: GroupEnvelope[]; more: boolean }
  /** Drops what is older than the retention time (the count is kept on every insert). */
  pruneEnvelopes(now: number): number

  mark(groupId: string, sender: string): number | undefined
  setMark(groupId: string, sender: string, seq: number): void
  marks(groupId: string): Array<{ sender: string; seq: number }>

  /** Holds a message back (false if that seq is held already). */
  hold(m: HeldMessage): boolean
  /** A sender's held messages, by seq. */
  held(groupId: string, sender: string): HeldMessage[]
  /** Every held message, oldest first (the gap timer). */
  allHeld(): HeldMessage[]
  unhold(groupId: string, sender: string, seq: number): void

  keySent(groupId: string, peer: string): number | undefined
  setKeySent(groupId: string, peer: string, chainId: number): void
  /** The peers our key of this group was queued for. */
  keysSentTo(groupId: string): string[]
  clearKeysSent(groupId: string): void

  enqueueControl(e: ControlEntry): void
  /** A peer's control entries, oldest first. */
  controlFor(peer: string): ControlEntry[]
  controlPeers(): string[]
  nextControlAttemptAt(peer: string): number | undefined
  rescheduleControl(messageId: string, attempts: number, nextAttemptAt: number): void
  /** Removes an acked entry; false if there was none. */
  dequeueControl(messageId: string): boolean
}

/** Everything one node persists, in one database. */
export interface NodeStore extends ChatStore {
  readonly protocol: ProtocolStore & SyncProtocolStore
  readonly groups: GroupStore
  readonly trust: TrustStore
  /** Edits, deletes, reactions, disappearing timers (migration 8, ./edits.ts). */
  readonly edits: EditStore
  /** Files sent and received (./files.ts). */
  readonly files: FileStore
  /** Full-text search of message text (./search.ts): ids, newest first. */
  readonly search: MessageSearch
  /** Our own display name (`kith init --name`, `kith profile --name`, `kith id`). */
  getIdentityName(): string
  setIdentityName(name: string): void
  close(): void
}

/** An edit, delete or reaction held until its target message arrives (./edits.ts). */
export interface HeldEdit {
  id: string
  target: string
  conversation: string
  actor: string
  /** The encoded ChatContent. */
  content: Uint8Array
  receivedAt: number
}

/** Replies' targets, edits, deletes, reactions and disappearing timers (./edits.ts). Synchronous:
 *  used inside the receive transaction. Policy (who may edit what) is the service's. */
export interface EditStore {
  /** Sets the text if (editedAt, editId) is newer than the last edit applied and the message is
   *  not deleted; false otherwise (a stale or replayed edit). */
  applyEdit(id: string, text: string, editedAt: number, editId: string): boolean
  /** Marks deleted, wipes its text and reactions, drops what is held for it. False if absent. */
  wipe(id: string): boolean
  /** Sets (emoji) or removes ('') `reactor`'s reaction if `at` is not older than its last. */
  react(id: string, reactor: string, emoji: string, at: number): boolean
  /** The conversation's timer (seconds, 0: off) and when it was set, if ever. */
  timer(conversation: string): { ttl: number; setAt: number } | undefined
  /** Sets the timer if `setAt` is not older than the current one's; false otherwise. */
  setTimer(conversation: string, ttl: number, setAt: number): boolean
  /** Ids of messages whose time is up (expires_at ≤ now), not yet deleted, at most `limit`. */
  expired(now: number, limit: number): string[]
  /** The earliest expires_at of a message not yet deleted. */
  nextExpiry(): number | undefined
  /** Holds an edit for a message not here yet; keeps the newest `keep` held. */
  hold(e: HeldEdit, keep: number): boolean
  /** Removes and returns what is held for `target`, oldest first. */
  release(target: string): HeldEdit[]
  heldCount(): number
}

/** Full-text search over message text (./search.ts). Throws RangeError for a query above
 *  MAX_SEARCH_QUERY_CHARS / MAX_SEARCH_TERMS or a limit out of range. */
export interface MessageSearch {
  search(
    query: string,
    opts?: { conversation?: string | undefined; limit?: number | undefined },
  ): string[]
}

/** Synchronous twins of the core's async store calls, for use inside `transaction()`. */
export interface SyncProtocolStore {
  loadSignedPrekeySync(id: number): EcPrekeyRecord | undefined
  loadOneTimePrekeySync(id: number): EcPrekeyRecord | undefined
  loadKemPrekeySync(id: number): KemPrekeyRecord | undefined
  loadSessionSync(peer: string): Uint8Array | undefined
  storeSessionSync(peer: string, record: Uint8Array): void
  removeOneTimePrekeySync(id: number): void
  markKemPrekeyUsedSync(id: number): void
}
