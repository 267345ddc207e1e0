// The node's persistent store beyond the protocol core's interfaces: contacts, messages, the
// outbox and the per-conversation sequence. Implemented on SQLite (./sqlite.ts) in one
// encrypted database together with the core's ProtocolStore. Synchronous on purpose: the
// service runs "decrypt → store message + ratchet state + consumed prekeys" in ONE SQLite
// transaction (`transaction(fn)`), which an async interface could not guarantee.
import type { EcPrekeyRecord, KemPrekeyRecord, ProtocolStore } from '../core/store/types.js'

export type MessageStatus = 'queued' | 'sent' | 'delivered'
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
}

export interface OutboxEntry {
  messageId: string
  peer: string
  attempts: number
  nextAttemptAt: number
}

export interface ChatStore {
  /** Runs fn in one SQLite transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T

  // Contacts
  getContact(nameOrPeerId: string): Contact | undefined
  listContacts(): Contact[]
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
  setStatus(id: string, status: MessageStatus): void
  /** Oldest first, ordered by (conversation, from, seq) for display in sequence order. */
  listMessages(opts: { conversation?: string; limit?: number }): StoredMessage[]

  // Outbox
  enqueue(entry: OutboxEntry): void
  /** Entries for a peer, in sequence order of their messages. */
  outboxFor(peer: string): OutboxEntry[]
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

/** Everything one node persists, in one database. */
export interface NodeStore extends ChatStore {
  readonly protocol: ProtocolStore & SyncProtocolStore
  close(): void
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
