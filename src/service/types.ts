// The ChatService's public surface: what the local API (and only the API) calls. Everything
// here is plain data, safe to serialize as JSON for the CLI contract (docs/cli.md): no keys,
// and message text only where the user asked for messages.
import type { MessageStatus } from '../store/types.js'
import type {
  ConnectionInfo,
  NatStatus,
  NodeMetrics,
  ReservationInfo,
  UpnpInfo,
} from '../node/index.js'
import type { GroupEvent } from './group-event.js'
import type { FileRow } from '../store/files.js'
import type { FileInfo } from './files/info.js'

/** `kith search` (./search.ts). */
export interface SearchRequest {
  query: string
  /** A contact's name or PeerId, or a group's name or id. */
  conversation?: string | undefined
  limit?: number | undefined
}

export interface NodeStatus {
  peerId: string
  name: string
  addrs: string[]
  connections: number
  nat: NatStatus
  mailboxes: string[]
  // The four below: a daemon always sets them (ChatService.status); `kith relay`'s status not yet.
  /** `offline`: no usable address or route at all; `unreachable`: a network, but not one peer
   *  connected although there is somewhere to go (bootstrap relays or contacts); else `online`
   *  (docs/connectivity.md "Network loss and sleep"). */
  network?: 'online' | 'offline' | 'unreachable'
  /** When the host's network last went up or down (ms since epoch; the start if never). */
  networkSince?: number
  /** Circuit relay reservations held now: relay PeerId, its address, since (ms since epoch). */
  reservations?: ReservationInfo[]
  /** The TCP port mapping held on the home router through UPnP IGD (gateway, externalAddr,
   *  since), or null (none, or `--no-upnp`; docs/connectivity.md "Port mapping"). */
  upnp?: UpnpInfo | null
  /** Contacts connected now: `direct` (TCP or hole-punched WebRTC), `relayed` (only through a
   *  relay). */
  contactsConnected?: { direct: number; relayed: number }
  metrics: NodeMetrics & {
    /** Group messages the topic validators rejected, by reason (docs/groups.md §3). */
    groupRejected?: GroupRejected
    /** Downloads (./files/): started, completed, chunks refused for a bad hash or length, and
     *  deposits (files/send.ts FileMetrics). */
    files?: FileMetrics
    /** Message requests and blocking (requests.ts RequestMetrics) and requests pending now. */
    requests?: RequestMetrics & { pending: number }
    /** Edits, deletes and reactions refused, stale, held now (edits.ts EditMetrics). */
    edits?: EditMetrics
  }
}

/** Validator rejections by reason ('noKey' counts as nonMember), and group messages dropped. */
export interface GroupRejected {
  nonMember: number
  badSignature: number
  replay: number
  oldKey: number
  malformed: number
  /** Group ops refused, not stored: epoch beyond the highest known + 1 (protocol.md §13.2). */
  opEpoch: number
  /** Group messages from a member we blocked: dropped before decryption, never stored or shown
   *  (the validator still accepts them, so gossipsub forwards them to the other members). */
  blocked: number
}

/** A group as `kith group list` shows it (CLI.md "Groups"). */
export interface GroupView {
  groupId: string
  name: string
  /** Sorted PeerIds. */
  members: string[]
  admins: string[]
  /** The current gossipsub topic (not secret from a member; tests publish on it). */
  topic: string
  /** PeerId → profile name of members who are not contacts and sent one (chosen by them). */
  memberNames?: Record<string, string>
}

export interface ContactView {
  name: string
  peerId: string
  /** What the contact calls itself (its invite's name, if clean); '' if unknown. */
  profileName: string
  /** Blocked: its frames are dropped and nothing is sent to it. */
  blocked: boolean
  verified: boolean
  online: boolean
  keyChanged: boolean
  /** The mailboxes the contact's latest card names (where we deposit when it is away). */
  mailboxes: string[]
}

/** What `kith profile` shows: our PeerId and the display name we send to contacts. */
export interface ProfileView {
  peerId: string
  name: string
}

/** A message request: a stranger (no invite proof) that wrote first (CLI.md "Profile, requests, blocking"). */
export interface RequestView {
  peerId: string
  profileName: string
  /** Messages held for it. */
  messages: number
  /** When its first held message arrived (ms since the epoch). */
  firstAt: number
}

export interface MessageView {
  id: string
  conversation: string
  from: string
  direction: 'in' | 'out'
  text: string
  sentAt: number
  receivedAt: number
  status: MessageStatus
  /** Always set by toMessageView (optional for older callers). `event`: a group history line
   *  (issue 14); `text` is then its sentence, `from` its actor. */
  kind?: 'text' | 'file' | 'event'
  /** Set when the conversation is one of our groups (issue 14: group messages are marked). */
  group?: { id: string; name: string }
  /** What an `event` line says: type, actor, members added/removed, the name set. */
  event?: GroupEvent
  // Replies, edits, deletes, reactions, disappearing (CLI.md "Conversations, receipts, edits";
  // ./edits.ts). Always set by toMessageView.
  /** The id of the message this one replies to, or null (it may be unknown here). */
  replyTo?: string | null
  /** The sender's clock (ms) of the latest edit, or null if never edited. */
  editedAt?: number | null
  /** Deleted: its text is "" and gone from the store. */
  deleted?: boolean
  /** Emoji → the reactors' PeerIds ('me' for ours), emoji and reactors sorted; {} if none. */
  reactions?: Record<string, string[]>
  /** Only for a disappearing message: its timer (seconds)… */
  ttlSeconds?: number
  /** …and when it disappears (ms; an incoming one gets it when read). */
  expiresAt?: number
  /** A `file` line (issue 15): the file's id, name, size and SHA-256; `text` is its name. */
  file?: FileInfo
}

/** A row of `kith conversations` (CLI.md "Conversations, receipts, edits"). */
export interface ConversationView {
  /** The contact's PeerId or the group id. */
  conversation: string
  kind: 'direct' | 'group'
  /** The contact's or group's name. */
  name: string
  /** Incoming messages not yet marked read (`kith read`). */
  unread: number
  /** The newest message in display order, or null. */
  last: MessageView | null
}

/** `kith settings`: persisted in the store; read receipts default on. */
export interface SettingsView {
  readReceipts: boolean
}

export type ServiceEvent =
  | { event: 'message'; message: MessageView }
  | { event: 'status'; id: string; conversation: string; status: MessageStatus }
  | { event: 'contact'; peerId: string; name: string; online: boolean }
  /** We were removed from a group (`by`: the admin's PeerId); its history stays readable. */
  | { event: 'group'; groupId: string; name: string; change: 'removed'; by: string }
  /** A message already shown changed: edited, deleted, disappeared, or its reactions. */
  | { event: 'update'; message: MessageView }
  /** A file's progress (issue 15; files/): verified bytes held (or sealed, while `sealing`: then
   *  `path` is the sent path, for the CLI's progress bar), of size, and its state. */
  | {
      event: 'file'
      fileId: string
      have: number
      size: number
      state: 'sealing' | 'pending' | 'fetching' | 'done' | 'cancelled'
      path?: string
    }

export interface ChatApi {
  status(): NodeStatus
  peers(): ConnectionInfo[]
  /** `once`: a single-use invite, consumed by the first peer that proves it. */
  /** Our invite link: short (≤ 400 characters; the adder fetches our card over the network) or,
   *  with `full`, carrying our prekey bundle (works while we are offline). */
  invite(opts?: { once?: boolean; full?: boolean }): { link: string; peerId: string }
  /** Throws InvalidInviteError, ContactExistsError, InvalidSignatureError… */
  addContact(link: string, name?: string): Promise<{ name: string; peerId: string }>
  listContacts(): ContactView[]
  /** Throws ContactNotFoundError. */
  removeContact(ref: string, purge: boolean): { removed: boolean }
  /** Throws ContactNotFoundError, InvalidNameError (400), NameTakenError (409). */
  renameContact(ref: string, name: string): { name: string; peerId: string }
  /** `ref`: a contact's name or PeerId, or any PeerId. */
  blockContact(ref: string): { peerId: string; blocked: boolean }
  unblockContact(ref: string): { peerId: string; blocked: boolean }
  listRequests(): RequestView[]
  /** Makes the stranger a contact; its held messages move into history. Throws RequestNotFoundError (404). */
  acceptRequest(peerId: string, name?: string): { peerId: string; accepted: boolean }
  /** Drops the request and blocks the peer. Throws RequestNotFoundError (404). */
  blockRequest(peerId: string): { peerId: string; accepted: boolean }
  safetyNumber(ref: string): { contact: string; safetyNumber: string }
  confirmSafetyNumber(ref: string, number: string): { verified: boolean }
  /** Queues a message; resolves once it is durably in the outbox. `replyTo`: a message of the
   *  same conversation (MessageNotFoundError otherwise). */
  send(ref: string, text: string, opts?: SendOptions): { id: string; status: MessageStatus }
  /** A batch send (issue 17): `texts` queued in order for one contact in ONE transaction; at most
   *  MAX_SEND_BATCH (./direct/outbox.ts) texts, each checked as by `send` (nothing is queued if one is
   *  refused). Optional: an API without chat answers 404. */
  sendMany?(ref: string, texts: readonly string[]): { ids: string[]; status: MessageStatus }
  /** Resolves with the status once `delivered`, or the current status after timeoutMs. */
  waitDelivered(id: string, timeoutMs: number): Promise<MessageStatus>
  /** History, oldest first; `before` (a message id) pages back from that message. */
  messages(opts: { contact?: string; limit?: number; before?: string }): MessageView[]
  // Groups (docs/groups.md): optional, so an API without chat (`kith relay`) need not stub them;
  // the server answers 404 NotAvailable for a missing one. `group` is a name or id
  // (GroupNotFoundError); only admins add or remove (NotAnAdminError).
  createGroup?(name: string): { groupId: string; name: string }
  addGroupMember?(
    group: string,
    contact: string,
    admin?: boolean,
  ): { groupId: string; members: string[] }
  removeGroupMember?(group: string, contact: string): { groupId: string; members: string[] }
  leaveGroup?(group: string): { groupId: string; members: string[] }
  /** Admins only (NotAnAdminError); GroupExistsError if another group has the name here. */
  renameGroup?(group: string, name: string): { groupId: string; name: string }
  listGroups?(): GroupView[]
  /** Encrypts once and publishes: `sent` if it reached a peer, else `queued`. */
  sendGroup?(
    group: string,
    text: string,
    opts?: SendOptions,
  ): Promise<{ id: string; status: MessageStatus }>
  groupMessages?(group: string, opts: { limit?: number; before?: string }): MessageView[]
  // Conversations and read marks (./conversations.ts); optional like groups (`kith relay`).
  /** One row per accepted contact and active group, most recent first. */
  conversations?(): ConversationView[]
  /** Marks a contact's or group's conversation read (ContactNotFoundError, 404); a direct one
   *  sends a READ receipt for the newly read messages unless read receipts are off. */
  readConversation?(ref: string): { conversation: string; read: number }
  settings?(): SettingsView
  setSettings?(s: Partial<SettingsView>): SettingsView
  // Edits, deletes, reactions, disappearing (./edits.ts, ./disappearing.ts); optional like groups.
  /** Own text messages only (NotYourMessageError), within EDIT_WINDOW_MS (EditWindowClosedError). */
  editMessage?(id: string, text: string): { id: string; edited: true }
  /** Locally; `forEveryone` also on the other side(s), own messages only (NotYourMessageError). */
  deleteMessage?(id: string, forEveryone: boolean): { id: string; deleted: true }
  /** Adds (or removes) our one reaction; `emoji` one emoji grapheme (InvalidArgumentError). */
  reactMessage?(
    id: string,
    emoji: string,
    remove: boolean,
  ): { id: string; reactions: Record<string, string[]> }
  /** A contact's or group's timer (seconds, 0: off), told to the other side(s). */
  setDisappearing?(ref: string, ttlSeconds: number): { conversation: string; ttlSeconds: number }
  /** Full-text search, newest first (./search.ts); optional like groups (`kith relay`). */
  search?(req: SearchRequest): MessageView[]
  /** Our display name (`kith profile`); optional: `kith relay` has none to send. */
  profile?(): ProfileView
  /** Sets it and tells every accepted contact. Throws InvalidNameError (400). */
  setProfileName?(name: string): ProfileView
  // Files (issue 15; ./files/, docs/files.md); optional like groups (`kith relay` has none).
  /** Seals the file once and sends its manifest to a contact (FileTooLarge 413, FileUnreadable). */
  sendFile?(ref: string, path: string): Promise<FileInfo>
  listFiles?(): Promise<FileListRow[]>
  /** Fetches what is missing (resuming) and writes it out (FileUnavailable 503, FileWrite 507). */
  getFile?(fileId: string, out?: string): Promise<FileInfo & { path: string }>
  cancelFile?(fileId: string): Promise<{ fileId: string; cancelled: boolean }>
  on(fn: (e: ServiceEvent) => void): () => void
}

export interface SendOptions {
  /** The id of a message of the same conversation this one replies to. */
  replyTo?: string
}

export interface EditMetrics {
  /** Edits or deletes of someone else's message (or of a history line): dropped. */
  refused: number
  /** Held for a message not here yet. */
  held: number
  /** Edits older than the one applied, or past the edit window. */
  stale: number
}

/** The file service's counters (`kith status` metrics.files). */
export interface FileMetrics {
  badChunks: number
  downloads: number
  completed: number
  /** 1:1 files whose chunks a mailbox of the recipient holds (./deposit.ts). */
  deposited: number
  /** 1:1 files a mailbox took part of (its quota reached): the rest comes from the sender. */
  depositPartial: number
  /** 1:1 files no mailbox of the recipient took. */
  depositFailed: number
}

/** Counters that reach `kith status --json` under metrics.requests. */
export interface RequestMetrics {
  /** Stranger texts held (new ones, not duplicates). */
  held: number
  /** Stranger texts dropped: over MAX_REQUEST_MESSAGES or MAX_REQUEST_BYTES. */
  dropped: number
  /** Requests dropped (oldest first) to make room under MAX_REQUESTS / MAX_REQUEST_BYTES. */
  evicted: number
  /** Frames from strangers refused: cards, receipts, group updates of non-members. */
  strangerFrames: number
  /** Frames from blocked peers dropped before decryption. */
  blockedFrames: number
}

/** A `kith file list` row: `from` is the sender's PeerId, `have` the verified bytes held. */
export interface FileListRow extends FileInfo {
  from: string
  have: number
  direction: 'in' | 'out'
  conversation: string
  state: FileRow['state']
}
