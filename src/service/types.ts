// The ChatService's public surface: what the local API (and only the API) calls. Everything
// here is plain data, safe to serialize as JSON for the CLI contract (docs/cli.md): no keys,
// and message text only where the user asked for messages.
import type { Contact, MessageStatus, StoredMessage } from '../store/types.js'
import type { ConnectionInfo, NatStatus, NodeMetrics, ReservationInfo } from '../node/types.js'
import { parseEvent, type GroupEvent } from './group-event.js'
import type { RequestMetrics } from './requests.js'

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
  /** Contacts connected now: `direct` (TCP or hole-punched WebRTC), `relayed` (only through a
   *  relay). */
  contactsConnected?: { direct: number; relayed: number }
  metrics: NodeMetrics & {
    /** Group messages the topic validators rejected, by reason (docs/groups.md §3). */
    groupRejected?: GroupRejected
    /** Message requests and blocking (requests.ts RequestMetrics) and requests pending now. */
    requests?: RequestMetrics & { pending: number }
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

export interface ChatApi {
  status(): NodeStatus
  peers(): ConnectionInfo[]
  /** `once`: a single-use invite, consumed by the first peer that proves it. */
  invite(opts?: { once?: boolean }): { link: string; peerId: string }
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
  /** Queues a message; resolves once it is durably in the outbox. */
  send(ref: string, text: string): { id: string; status: MessageStatus }
  /** Resolves with the status once `delivered`, or the current status after timeoutMs. */
  waitDelivered(id: string, timeoutMs: number): Promise<MessageStatus>
  messages(opts: { contact?: string; limit?: number }): MessageView[]
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
  sendGroup?(group: string, text: string): Promise<{ id: string; status: MessageStatus }>
  groupMessages?(group: string, opts: { limit?: number }): MessageView[]
  // Conversations and read marks (./conversations.ts); optional like groups (`kith relay`).
  /** One row per accepted contact and active group, most recent first. */
  conversations?(): ConversationView[]
  /** Marks a contact's or group's conversation read (ContactNotFoundError, 404); a direct one
   *  sends a READ receipt for the newly read messages unless read receipts are off. */
  readConversation?(ref: string): { conversation: string; read: number }
  settings?(): SettingsView
  setSettings?(s: Partial<SettingsView>): SettingsView
  /** Full-text search, newest first (./search.ts); optional like groups (`kith relay`). */
  search?(req: SearchRequest): MessageView[]
  /** Our display name (`kith profile`); optional: `kith relay` has none to send. */
  profile?(): ProfileView
  /** Sets it and tells every accepted contact. Throws InvalidNameError (400). */
  setProfileName?(name: string): ProfileView
  on(fn: (e: ServiceEvent) => void): () => void
}

export function toMessageView(m: StoredMessage): MessageView {
  const ev = m.kind === 'event' ? parseEvent(m.text) : undefined
  const event: GroupEvent | undefined = ev && {
    type: ev.type,
    by: ev.by,
    members: ev.members,
    ...(ev.name !== undefined ? { name: ev.name } : {}),
  }
  return {
    id: m.id,
    conversation: m.conversation,
    from: event?.by ?? m.from,
    direction: m.direction,
    text: ev?.text ?? m.text,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
    status: m.status,
    kind: m.kind ?? 'text',
    ...(m.groupName !== undefined ? { group: { id: m.conversation, name: m.groupName } } : {}),
    ...(event !== undefined ? { event } : {}),
  }
}

export function toContactView(c: Contact, online: boolean, mailboxes: string[] = []): ContactView {
  return {
    name: c.name,
    peerId: c.peerId,
    profileName: c.profileName ?? '',
    blocked: c.blocked ?? false,
    verified: c.verified,
    online,
    keyChanged: c.keyChanged,
    mailboxes,
  }
}
