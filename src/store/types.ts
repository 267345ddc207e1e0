// The node's persistent store beyond the protocol core's interfaces: NodeStore, the one object that
// holds them all, and the smaller stores it carries (trust, edits, search). The 1:1 chat types
// and ports are ./chat-types.ts's, the groups' are ./group-types.ts's; they are re-exported here, where the service imports them from. Implemented on
// SQLite (./sqlite.ts) in one encrypted database together with the core's ProtocolStore.
// Synchronous on purpose: the service runs "decrypt → store message + ratchet state + consumed
// prekeys" in ONE SQLite transaction (`transaction(fn)`), which an async interface could not
// guarantee.
import type { FileStore } from './files.js'
import type { ProtocolStore } from '../core/store/types.js'
import type { ChatStore } from './chat-types.js'
import type { GroupStore } from './group-types.js'

export type {
  ChatStore,
  Contact,
  ContactsStore,
  Direction,
  MessageStatus,
  MessagesStore,
  OutboxDue,
  OutboxEntry,
  OutboxStore,
  SettingsStore,
  StoredMessage,
  StoreTransactions,
} from './chat-types.js'
export type {
  ControlEntry,
  GroupEnvelope,
  GroupOpRow,
  GroupRow,
  GroupStore,
  HeldMessage,
  SenderKeyRow,
} from './group-types.js'

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
}

/** Everything one node persists, in one database. */
export interface NodeStore extends ChatStore {
  /** The core's ProtocolStore (./protocol.ts), synchronous: used inside `transaction()`. */
  readonly protocol: ProtocolStore
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
  /** Indexes up to `limit` messages stored since the last catch-up (all without a limit); returns
   *  how many it looked at (fewer than `limit`: none left). */
  catchUp(limit?: number): number
  /** Messages waiting to be indexed (counted up to `cap`) and the newest message's rowid. */
  backlog(cap: number): { rows: number; newest: number }
}
