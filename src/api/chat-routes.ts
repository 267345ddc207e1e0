// The API client's routes of the 1:1 chat (CLI.md "Contacts", "Messages", "Profile, requests,
// blocking", "Conversations, receipts, edits"): node status, invites, contacts, profile, message
// requests, safety numbers, messages, edits, search, conversations and settings, each a typed
// method over ApiTransport's request. Groups and files are ./client.ts's.
import type {
  ConnectionInfo,
  ContactView,
  ConversationView,
  MessageStatus,
  MessageView,
  NodeStatus,
  ProfileView,
  RequestView,
  SettingsView,
} from './contract.js'
import { ApiTransport, REQUEST_TIMEOUT_MS } from './transport.js'

/** Extra time a `send --wait` request gets beyond the wait itself. */
export const WAIT_GRACE_MS = 10_000

export abstract class ChatRoutes extends ApiTransport {
  status(): Promise<NodeStatus> {
    return this.request('GET', '/v1/status')
  }

  peers(): Promise<ConnectionInfo[]> {
    return this.request('GET', '/v1/peers')
  }

  /** A one-time login URL for the web app (`kith web`, CLI.md "Web"). */
  webLogin(): Promise<{ url: string; expiresAt: number }> {
    return this.request('POST', '/v1/web/codes', {})
  }

  /** `once`: a single-use invite (`kith invite --once`); `full`: with our prekey bundle
   *  (`kith invite --full`, ≈2,000 characters, works while we are offline). */
  invite(opts: { once?: boolean; full?: boolean } = {}): Promise<{ link: string; peerId: string }> {
    const q = new URLSearchParams()
    if (opts.once === true) q.set('once', '1')
    if (opts.full === true) q.set('full', '1')
    const qs = q.toString()
    return this.request('GET', qs === '' ? '/v1/invite' : `/v1/invite?${qs}`)
  }

  listContacts(): Promise<ContactView[]> {
    return this.request('GET', '/v1/contacts')
  }

  addContact(link: string, name?: string): Promise<{ name: string; peerId: string }> {
    return this.request('POST', '/v1/contacts', { link, ...(name !== undefined ? { name } : {}) })
  }

  removeContact(ref: string, purge = false): Promise<{ removed: boolean }> {
    const q = purge ? '?purge=1' : ''
    return this.request('DELETE', `/v1/contacts/${encodeURIComponent(ref)}${q}`)
  }

  renameContact(ref: string, name: string): Promise<{ name: string; peerId: string }> {
    return this.request('POST', `/v1/contacts/${encodeURIComponent(ref)}/rename`, { name })
  }

  /** `ref`: a contact's name or PeerId, or any PeerId. */
  blockContact(ref: string, blocked = true): Promise<{ peerId: string; blocked: boolean }> {
    const verb = blocked ? 'block' : 'unblock'
    return this.request('POST', `/v1/contacts/${encodeURIComponent(ref)}/${verb}`, {})
  }

  // ---- Profile, message requests (CLI.md "Profile, requests, blocking") ----

  profile(): Promise<ProfileView> {
    return this.request('GET', '/v1/profile')
  }

  setProfileName(name: string): Promise<ProfileView> {
    return this.request('POST', '/v1/profile', { name })
  }

  listRequests(): Promise<RequestView[]> {
    return this.request('GET', '/v1/requests')
  }

  acceptRequest(peerId: string, name?: string): Promise<{ peerId: string; accepted: boolean }> {
    const body = name !== undefined ? { name } : {}
    return this.request('POST', `/v1/requests/${encodeURIComponent(peerId)}/accept`, body)
  }

  blockRequest(peerId: string): Promise<{ peerId: string; accepted: boolean }> {
    return this.request('POST', `/v1/requests/${encodeURIComponent(peerId)}/block`, {})
  }

  safetyNumber(ref: string): Promise<{ contact: string; safetyNumber: string }> {
    return this.request('GET', `/v1/contacts/${encodeURIComponent(ref)}/verify`)
  }

  confirmSafetyNumber(ref: string, number: string): Promise<{ verified: boolean }> {
    return this.request('POST', `/v1/contacts/${encodeURIComponent(ref)}/verify`, { number })
  }

  /** Queues a message. With `wait`, resolves once delivered; throws DeliveryTimeoutError after
   *  `timeoutMs` otherwise. */
  send(
    contact: string,
    text: string,
    opts: { wait?: boolean; timeoutMs?: number; replyTo?: string } = {},
  ): Promise<{ id: string; status: MessageStatus }> {
    const wait = opts.wait === true
    return this.request(
      'POST',
      '/v1/messages',
      {
        contact,
        text,
        ...(opts.replyTo !== undefined ? { replyTo: opts.replyTo } : {}),
        ...(wait ? { wait, timeoutMs: opts.timeoutMs } : {}),
      },
      wait ? (opts.timeoutMs ?? REQUEST_TIMEOUT_MS) + WAIT_GRACE_MS : undefined,
    )
  }

  /** A batch send (issue 17): `texts` queued in order in one transaction (at most
   *  MAX_SEND_BATCH); resolves with their ids once durable. */
  sendMany(
    contact: string,
    texts: readonly string[],
  ): Promise<{ ids: string[]; status: 'queued' }> {
    return this.request('POST', '/v1/messages', { contact, texts })
  }

  /** History, oldest first; `before` (a message id) pages back from that message. */
  messages(
    opts: { contact?: string; limit?: number; before?: string } = {},
  ): Promise<MessageView[]> {
    const q = new URLSearchParams()
    if (opts.contact !== undefined) q.set('contact', opts.contact)
    if (opts.limit !== undefined) q.set('limit', String(opts.limit))
    if (opts.before !== undefined) q.set('before', opts.before)
    const qs = q.toString()
    return this.request('GET', `/v1/messages${qs === '' ? '' : `?${qs}`}`)
  }

  // ---- Edits, deletes, reactions, disappearing (CLI.md "Conversations, receipts, edits") ----

  editMessage(id: string, text: string): Promise<{ id: string; edited: true }> {
    return this.request('POST', `/v1/messages/${encodeURIComponent(id)}/edit`, { text })
  }

  deleteMessage(id: string, forEveryone = false): Promise<{ id: string; deleted: true }> {
    return this.request('POST', `/v1/messages/${encodeURIComponent(id)}/delete`, {
      forEveryone,
    })
  }

  reactMessage(
    id: string,
    emoji: string,
    remove = false,
  ): Promise<{ id: string; reactions: Record<string, string[]> }> {
    return this.request('POST', `/v1/messages/${encodeURIComponent(id)}/react`, {
      emoji,
      remove,
    })
  }

  /** `ttlSeconds` 0 turns the timer off. */
  setDisappearing(
    ref: string,
    ttlSeconds: number,
  ): Promise<{ conversation: string; ttlSeconds: number }> {
    return this.request('POST', `/v1/conversations/${encodeURIComponent(ref)}/disappearing`, {
      ttlSeconds,
    })
  }

  /** Messages matching every word of `query`, newest first (GET /v1/search). */
  search(
    query: string,
    opts: { conversation?: string; limit?: number } = {},
  ): Promise<MessageView[]> {
    const q = new URLSearchParams({ q: query })
    if (opts.conversation !== undefined) q.set('conversation', opts.conversation)
    if (opts.limit !== undefined) q.set('limit', String(opts.limit))
    return this.request('GET', `/v1/search?${q.toString()}`)
  }

  // ---- Conversations, read marks, settings (CLI.md "Conversations, receipts, edits") ----

  conversations(): Promise<ConversationView[]> {
    return this.request('GET', '/v1/conversations')
  }

  /** `ref`: a contact's name or PeerId, or a group's name or id. */
  readConversation(ref: string): Promise<{ conversation: string; read: number }> {
    return this.request('POST', `/v1/conversations/${encodeURIComponent(ref)}/read`, {})
  }

  settings(): Promise<SettingsView> {
    return this.request('GET', '/v1/settings')
  }

  setSettings(s: Partial<SettingsView>): Promise<SettingsView> {
    return this.request('POST', '/v1/settings', s)
  }
}
