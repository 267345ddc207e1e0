// The types and ports of what a node stores about its 1:1 chats: contacts, messages, the outbox,
// settings, and the transactions they share (implemented by ./chat.ts and the classes it extends:
// ./transactions.ts, ./contacts.ts, ./messages.ts). ChatStore is their intersection; a caller that
// needs one job may declare the narrow port (ContactsStore, MessagesStore, OutboxStore …).
// Synchronous on purpose (see ./types.ts). Knows no SQL.

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

export interface StoredMessage {
  /** 16 bytes, hex: a 48-bit time and 80 random bits (core/wire/message-id.ts). */
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

/** One SQLite transaction, or a group commit (./transactions.ts). */
export interface StoreTransactions {
  /** Runs fn in one SQLite transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T
  /** Group commit (issue 17): runs fn as a savepoint of one open batch transaction, opening it
   *  (BEGIN IMMEDIATE) if needed; nothing is durable until commitBatch(). Any other
   *  `transaction()` commits the batch first. `onCommit` (of the call that opened it) runs after
   *  the COMMIT. */
  batched<T>(fn: () => T, onCommit: () => void): T
  /** Commits the open batch, if any, then runs its onCommit. */
  commitBatch(): void
}

/** Contacts (./contacts.ts). A `ref` that parses as a PeerId matches only that PeerId, never a
 *  name. Blocked peers are left out unless `includeBlocked`. */
export interface ContactsStore {
  getContact(ref: string, opts?: { includeBlocked?: boolean }): Contact | undefined
  /** Whether `peerId` (a PeerId, not a name) is a contact that is not blocked: getContact's
   *  answer without parsing the ref or building the Contact (the receive path asks per frame). */
  isContact(peerId: string): boolean
  listContacts(opts?: { includeBlocked?: boolean }): Contact[]
  /** Inserts or replaces by peerId. Throws ContactExistsError if `name` belongs to another peer. */
  putContact(contact: Contact): void
  removeContact(peerId: string, purge: boolean): boolean
  setVerified(peerId: string, verified: boolean): void
  touchContact(peerId: string, lastSeen: number, addrs?: string[]): void
}

/** Messages and their per-conversation sequence numbers (./messages.ts). */
export interface MessagesStore {
  /** Next outgoing sequence number for a conversation (persisted, starts at 1). */
  nextSeq(conversation: string): number
  /** Inserts a message; returns false (and changes nothing) if its id is already stored. */
  insertMessage(m: StoredMessage): boolean
  getMessage(id: string): StoredMessage | undefined
  hasMessage(id: string): boolean
  /** A message's status alone (getMessage without the row's other columns and joins), if stored. */
  messageStatus(id: string): MessageStatus | undefined
  /** Who a message is with, its direction and status (getMessage's, without the text, the
   *  group name and the reactions): what applying a receipt checks, per acked id. */
  messageHead(id: string): Pick<StoredMessage, 'conversation' | 'direction' | 'status'> | undefined
  /** Moves the status forward only; `read` also records `at` (ms) as the time it was read. */
  setStatus(id: string, status: MessageStatus, at?: number): void
  /** Puts `sent` messages back to `queued` (their write failed after the status was stored with
   *  the encryption, service/direct/outbox.ts); any other status is left alone. */
  unsend(ids: readonly string[]): void
  /** Marks the conversation's unread incoming messages read; returns their ids. */
  markRead(conversation: string, at: number): string[]
  /** Incoming messages of the conversation not yet marked read (an index range count). */
  unreadCount(conversation: string): number
  /** The newest message of the conversation in display order. */
  lastMessage(conversation: string): StoredMessage | undefined
  /** Oldest first, ordered by (conversation, from, seq) for display in sequence order. */
  listMessages(opts: { conversation?: string; limit?: number; before?: string }): StoredMessage[]
}

/** The 1:1 outbox (./chat.ts). */
export interface OutboxStore {
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
}

/** Small key-value settings: listen ports, next prekey ids, … (./chat.ts). */
export interface SettingsStore {
  getSetting(key: string): string | undefined
  setSetting(key: string, value: string): void
}

/** Everything of the 1:1 chats, in one object: the ports above together. */
export type ChatStore = StoreTransactions &
  ContactsStore &
  MessagesStore &
  OutboxStore &
  SettingsStore
