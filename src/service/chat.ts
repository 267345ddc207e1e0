// ChatService: the façade of the service (ARCHITECTURE.md "Delivery") that implements ChatApi.
// Each call checks its arguments and hands the work to a module; the modules and their wiring,
// start and stop are ./wiring.ts:
//  - ./direct/   1:1 chat: contacts, the outbox (durable `send`, batches, retry with backoff, the
//                mailbox fallback), receive (one SQLite transaction per frame), receipts, message
//                requests and invite proofs, history (./direct/history.ts), the session path;
//  - ./offline/  mailboxes, contact cards, our own card, prekeys;
//  - ./groups/   groups (docs/groups.md);   ./files/  files (docs/files.md);
//  - ./profile.ts, ./conversations.ts, ./edits.ts, ./disappearing.ts, ./search.ts, ./status.ts.
// The façade knows no transport details (KithNode) and no SQL (NodeStore), nor how modules are wired.
import debug from 'debug'
import type { ConnectionInfo, KithNode } from '../node/index.js'
import type { MessageStatus, NodeStore } from '../store/types.js'
import { directHistory, waitDelivered } from './direct/history.js'
import { MAX_SEND_BATCH } from './direct/outbox.js'
import { ContactNotFoundError, InvalidArgumentError, MessageNotFoundError } from './errors.js'
import type { FileListRow } from './types.js'
import type { FileInfo } from './files/info.js'
import { findGroup } from './groups/naming.js'
import { searchMessages } from './search.js'
import { nodeStatus } from './status.js'
import { checkText } from './text.js'
import type {
  ChatApi,
  ContactView,
  ConversationView,
  GroupView,
  MessageView,
  NodeStatus,
  ProfileView,
  RequestView,
  SendOptions,
  SearchRequest,
  ServiceEvent,
  SettingsView,
} from './types.js'
import { ServiceModules, type ChatServiceDeps } from './wiring.js'
import { errorName } from '../core/errors.js'

export type { ChatServiceDeps } from './wiring.js'

const log = debug('kith:service')

export function createChatService(deps: ChatServiceDeps): ChatService {
  return new ChatService(deps)
}

export class ChatService implements ChatApi {
  readonly #store: NodeStore
  readonly #node: KithNode
  readonly #listeners = new Set<(e: ServiceEvent) => void>()
  /** Every module, wired (./wiring.ts). */
  readonly #m: ServiceModules

  constructor(deps: ChatServiceDeps) {
    this.#store = deps.store
    this.#node = deps.node
    this.#m = new ServiceModules(deps, (e) => this.#emit(e))
  }

  start(): Promise<void> {
    return this.#m.start()
  }

  stop(): Promise<void> {
    return this.#m.stop()
  }

  on(fn: (e: ServiceEvent) => void): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  #emit(e: ServiceEvent): void {
    for (const fn of this.#listeners) {
      try {
        fn(e)
      } catch (err) {
        log('event listener failed: %s', errorName(err))
      }
    }
  }

  // ---- Node (./status.ts) and contacts (./direct/contacts.ts) ----------------------------------

  status(): NodeStatus {
    return nodeStatus(this.#node, this.#store, this.#m)
  }

  peers(): ConnectionInfo[] {
    return this.#node.connections()
  }

  // ---- Our profile (./profile.ts) --------------------------------------------------------------

  profile(): ProfileView {
    return this.#m.profile.view()
  }

  /** InvalidNameError; tells every accepted contact. */
  setProfileName(name: string): ProfileView {
    return this.#m.profile.setName(name)
  }

  invite(opts?: { once?: boolean; full?: boolean }): { link: string; peerId: string } {
    return this.#m.contacts.invite(opts)
  }

  renameContact(ref: string, name: string): { name: string; peerId: string } {
    return this.#m.contacts.rename(ref, name)
  }

  blockContact(ref: string): { peerId: string; blocked: boolean } {
    return this.#m.requests.block(ref)
  }

  unblockContact(ref: string): { peerId: string; blocked: boolean } {
    return this.#m.requests.unblock(ref)
  }

  // ---- Message requests (./direct/requests.ts) -------------------------------------------------

  listRequests(): RequestView[] {
    return this.#m.requests.list()
  }

  acceptRequest(peerId: string, name?: string): { peerId: string; accepted: boolean } {
    return this.#m.requests.accept(peerId, name)
  }

  blockRequest(peerId: string): { peerId: string; accepted: boolean } {
    return this.#m.requests.blockRequest(peerId)
  }

  addContact(link: string, name?: string): Promise<{ name: string; peerId: string }> {
    return this.#m.contacts.add(link, name)
  }

  listContacts(): ContactView[] {
    return this.#m.contacts.list()
  }

  removeContact(ref: string, purge: boolean): { removed: boolean } {
    return this.#m.contacts.remove(ref, purge)
  }

  safetyNumber(ref: string): { contact: string; safetyNumber: string } {
    return this.#m.contacts.safetyNumber(ref)
  }

  confirmSafetyNumber(ref: string, number: string): { verified: boolean } {
    return this.#m.contacts.confirmSafetyNumber(ref, number)
  }

  // ---- Messages (./direct/outbox.ts, ./direct/receive.ts) --------------------------------------

  send(ref: string, text: string, opts: SendOptions = {}): { id: string; status: MessageStatus } {
    checkText(text) // blank or over MAX_TEXT_BYTES: refused here, for CLI and API alike
    const peer = this.#m.contacts.get(ref).peerId
    const { replyTo } = opts
    if (replyTo !== undefined && this.#store.getMessage(replyTo)?.conversation !== peer)
      throw new MessageNotFoundError(`no message ${replyTo} in this conversation`)
    const ttlSeconds = this.#m.disappearing.ttl(peer)
    return this.#m.outbox.send(peer, text, {
      ...(replyTo !== undefined ? { replyTo } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    })
  }

  /** A batch send (issue 17): every text checked first, then all queued in one transaction. */
  sendMany(ref: string, texts: readonly string[]): { ids: string[]; status: MessageStatus } {
    if (texts.length === 0 || texts.length > MAX_SEND_BATCH)
      throw new InvalidArgumentError(`texts: expected 1 to ${MAX_SEND_BATCH} texts`)
    for (const text of texts) checkText(text)
    const peer = this.#m.contacts.get(ref).peerId
    const ttlSeconds = this.#m.disappearing.ttl(peer)
    const ids = this.#m.outbox.sendMany(peer, texts, ttlSeconds !== undefined ? { ttlSeconds } : {})
    return { ids, status: 'queued' }
  }

  // ---- Edits, deletes, reactions, disappearing (./edits.ts, ./disappearing.ts) -----------------

  editMessage(id: string, text: string): { id: string; edited: true } {
    return this.#m.edits.edit(id, text)
  }

  deleteMessage(id: string, forEveryone: boolean): { id: string; deleted: true } {
    return this.#m.edits.delete(id, forEveryone)
  }

  reactMessage(id: string, emoji: string, remove: boolean) {
    return this.#m.edits.react(id, emoji, remove)
  }

  /** `ref`: a contact's name or PeerId, else a group's name or id (ContactNotFoundError). */
  setDisappearing(ref: string, ttlSeconds: number): { conversation: string; ttlSeconds: number } {
    const conversation = this.#store.getContact(ref)?.peerId ?? findGroup(this.#m.cx, ref)?.groupId
    if (conversation === undefined) throw new ContactNotFoundError(`no contact or group "${ref}"`)
    return this.#m.disappearing.set(conversation, ttlSeconds)
  }

  /** Resolves `delivered` (or `read`, which implies it) once the peer acked the message. */
  waitDelivered(id: string, timeoutMs: number): Promise<MessageStatus> {
    return waitDelivered(this.#store, (fn) => this.on(fn), id, timeoutMs)
  }

  messages(opts: { contact?: string; limit?: number; before?: string }): MessageView[] {
    const conversation =
      opts.contact === undefined ? undefined : this.#m.contacts.get(opts.contact).peerId
    return directHistory(this.#store, conversation, opts)
  }

  // ---- Conversations, read marks, settings (./conversations.ts) --------------------------------

  conversations(): ConversationView[] {
    return this.#m.conversations.list()
  }

  readConversation(ref: string): { conversation: string; read: number } {
    return this.#m.conversations.read(ref)
  }

  settings(): SettingsView {
    return this.#m.conversations.settings()
  }

  setSettings(s: Partial<SettingsView>): SettingsView {
    return this.#m.conversations.setSettings(s)
  }

  // ---- Files (./files/, docs/files.md) ---------------------------------------------------------

  sendFile(ref: string, path: string): Promise<FileInfo> {
    return this.#m.filesOrThrow().send(ref, path)
  }

  listFiles(): Promise<FileListRow[]> {
    return this.#m.filesOrThrow().list()
  }

  getFile(fileId: string, out?: string): Promise<FileInfo & { path: string }> {
    return this.#m.filesOrThrow().get(fileId, out)
  }

  cancelFile(fileId: string): Promise<{ fileId: string; cancelled: boolean }> {
    return this.#m.filesOrThrow().cancel(fileId)
  }

  search(req: SearchRequest): MessageView[] {
    return searchMessages(this.#m.cx, req)
  }

  // ---- Groups (./groups/, docs/groups.md) ------------------------------------------------------

  createGroup(name: string): { groupId: string; name: string } {
    return this.#m.groupsOrThrow().create(name)
  }

  addGroupMember(
    group: string,
    contact: string,
    admin?: boolean,
  ): { groupId: string; members: string[] } {
    return this.#m.groupsOrThrow().add(group, contact, admin)
  }

  removeGroupMember(group: string, contact: string): { groupId: string; members: string[] } {
    return this.#m.groupsOrThrow().remove(group, contact)
  }

  leaveGroup(group: string): { groupId: string; members: string[] } {
    return this.#m.groupsOrThrow().leave(group)
  }

  renameGroup(group: string, name: string): { groupId: string; name: string } {
    return this.#m.groupsOrThrow().rename(group, name)
  }

  listGroups(): GroupView[] {
    // Members who are not contacts by the name they gave themselves (issue 14).
    const named = (g: GroupView): GroupView => {
      const memberNames = this.#m.profile.memberNames(g.members)
      return Object.keys(memberNames).length === 0 ? g : { ...g, memberNames }
    }
    return this.#m.groupsOrThrow().list().map(named)
  }

  sendGroup(
    group: string,
    text: string,
    opts?: SendOptions,
  ): Promise<{ id: string; status: MessageStatus }> {
    checkText(text)
    return this.#m.groupsOrThrow().send(group, text, opts)
  }

  groupMessages(group: string, opts: { limit?: number; before?: string }): MessageView[] {
    return this.#m.groupsOrThrow().messages(group, opts)
  }
}
