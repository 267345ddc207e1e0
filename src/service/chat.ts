// ChatService: the façade of 1:1 chat (ARCHITECTURE.md "Delivery") that implements ChatApi and
// wires the modules that do the work, each handed a ChatContext (./context.ts):
//  - ./direct/contacts.ts  invites, the contact list, safety numbers, presence events;
//  - ./direct/outbox.ts    `send` (returns once the message is durably in the outbox, status `queued`),
//                   the flush in batches, mailbox deposit fallback, backoff and retry timers, and
//                   the group control outbox;
//  - ./direct/receive.ts   one synchronous SQLite transaction per frame: decrypt, store, dispatch;
//  - ./direct/receipts.ts  batched acks;   ./offline/own-card.ts  signing, publishing and pushing our card;
//  - ./profile.ts   our display name (`kith profile`) and the ones contacts send;
//  - ./conversations.ts  the conversation list, read marks (READ receipts) and settings;
//  - ./edits.ts, ./disappearing.ts  replies' checks, edits, deletes, reactions, timers (sent by
//                   ./edit-transport.ts);
//  - ./offline/mailboxes.ts, ./groups/ and ./files/ (created at start).
// Every message carries an id and a per-conversation sequence; the receiver drops duplicate ids
// and acks (again) inside the encrypted channel; the sender retries unacked messages with fresh
// encryptions, with backoff, whenever the peer is reachable, across restarts.
// The service knows no transport details (KithNode) and no SQL (NodeStore).
import debug from 'debug'
import { peerIdBytesFromPublicKey } from '../core/index.js'
import type { CoreContext, IdentityKeyPair, PrekeyBundle } from '../core/index.js'
import type { ConnectionInfo, KithNode } from '../node/index.js'
import type { MessageStatus, NodeStore } from '../store/types.js'
import { Cards } from './offline/cards.js'
import { Contacts } from './direct/contacts.js'
import { Conversations } from './conversations.js'
import { Disappearing } from './disappearing.js'
import { editTransport } from './edit-transport.js'
import { Edits } from './edits.js'
import type { ChatContext } from './context.js'
import { checkCursor } from './cursor.js'
import {
  ContactNotFoundError,
  InvalidArgumentError,
  MessageNotFoundError,
  NotImplementedError,
} from './errors.js'
import { Groups } from './groups/index.js'
import { findGroup } from './groups/naming.js'
import { Files, type FileListRow } from './files/index.js'
import type { FileInfo } from './files/info.js'
import { configuredMailboxes, Mailboxes } from './offline/mailboxes.js'
import { MAX_SEND_BATCH, Outbox } from './direct/outbox.js'
import { OwnCard } from './offline/own-card.js'
import { currentBundle, ensurePrekeys } from './offline/prekeys.js'
import { Profile } from './profile.js'
import { Receipts } from './direct/receipts.js'
import { InviteProofs } from './direct/proofs.js'
import { Receiver } from './direct/receive.js'
import { ReceiveBatcher } from './direct/receive-batch.js'
import { Requests } from './direct/requests.js'
import { startSessionFromDht } from './direct/restore.js'
import { searchMessages } from './search.js'
import {
  toMessageView,
  type ChatApi,
  type ContactView,
  type ConversationView,
  type GroupView,
  type MessageView,
  type NodeStatus,
  type ProfileView,
  type RequestView,
  type SendOptions,
  type SearchRequest,
  type ServiceEvent,
  type SettingsView,
} from './types.js'
import { checkText } from './text.js'

const log = debug('kith:service')

export interface ChatServiceDeps {
  store: NodeStore
  node: KithNode
  identity: IdentityKeyPair
  ctx: CoreContext
  name: string
  /** Mailboxes the user configured: `--bootstrap` relays and `--mailbox` multiaddrs (./offline/mailboxes.ts). */
  mailboxes?: { bootstrap: readonly string[]; explicit: readonly string[] }
  /** Where files live (./files/): sealed chunks, and finished downloads without --out. Without
   *  it the service has no files. */
  files?: { dir: string; downloads: string }
  /** How long a delivery receipt waits for more ids (default ACK_DELAY_MS, ./direct/delivery.ts);
   *  tests on a loaded machine widen it to see the coalescing. */
  ackDelayMs?: number
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  return new ChatService(deps)
}

export class ChatService implements ChatApi {
  readonly #store: NodeStore
  readonly #node: KithNode
  readonly #identity: IdentityKeyPair
  readonly #ctx: CoreContext
  readonly #configuredMailboxes: ChatServiceDeps['mailboxes']
  readonly #listeners = new Set<(e: ServiceEvent) => void>()
  #bundle: PrekeyBundle | undefined
  readonly #cards: Cards
  readonly #cx: ChatContext
  readonly #contacts: Contacts
  readonly #outbox: Outbox
  readonly #receipts: Receipts
  readonly #ownCard: OwnCard
  readonly #receiver: Receiver
  readonly #batcher: ReceiveBatcher
  readonly #requests: Requests
  readonly #proofs: InviteProofs
  readonly #profile: Profile
  readonly #conversations: Conversations
  readonly #edits: Edits
  readonly #disappearing: Disappearing
  #mailboxes: Mailboxes | undefined
  /** Groups (./groups/): membership, sender keys, group messages, sync. */
  #groups: Groups | undefined
  #files: Files | undefined
  readonly #filesDirs: ChatServiceDeps['files']
  #stopped = false

  constructor(deps: ChatServiceDeps) {
    this.#store = deps.store
    this.#node = deps.node
    this.#identity = deps.identity
    this.#ctx = deps.ctx
    this.#configuredMailboxes = deps.mailboxes
    this.#filesDirs = deps.files
    this.#cards = new Cards(deps.ctx, deps.store, deps.identity)
    this.#cx = {
      ctx: deps.ctx,
      store: deps.store,
      node: deps.node,
      identity: deps.identity,
      cards: this.#cards,
      meBytes: peerIdBytesFromPublicKey(deps.identity.publicKey),
      stopped: () => this.#stopped,
      emit: (e) => this.#emit(e),
      mailboxes: () => this.#mailboxes,
      groups: () => this.#groups,
      files: () => this.#files,
    }
    this.#proofs = new InviteProofs(deps.ctx, deps.store)
    // Every content for a peer passes here before encryption (context.ts encryptAll): nothing
    // is sent to a blocked peer; a contact we added gets our invite proof until it answers.
    this.#cx.outgoing = (peer, content) => {
      this.#requests.refuseOutgoing(peer)
      return this.#proofs.decorate(peer, content, this.#profile.name)
    }
    this.#outbox = new Outbox(this.#cx)
    this.#receipts = new Receipts(this.#cx, deps.ackDelayMs)
    const flushSoon = (peer: string, all?: boolean) => this.#outbox.flushSoon(peer, all)
    this.#profile = new Profile(
      this.#cx,
      {
        signCard: () => this.#ownCard.sign(true),
        flushSoon,
        isCoMember: (peer) => this.#requests.isCoMember(peer),
      },
      deps.name,
    )
    this.#ownCard = new OwnCard(
      this.#cx,
      () => this.#bundle,
      (card) => this.#profile.content(card),
    )
    this.#conversations = new Conversations(this.#cx, {
      queueRead: (peer, ids) => this.#receipts.queueRead(peer, ids),
    })
    const bodies = editTransport(this.#cx, flushSoon)
    this.#edits = new Edits(this.#cx, bodies)
    this.#disappearing = new Disappearing(this.#cx, bodies)
    const pushCard = (peer: string) => this.#ownCard.push(peer)
    const queueAck = (peer: string, id: string) => this.#receipts.queueAck(peer, id)
    this.#requests = new Requests(this.#cx, { queueAck, pushCard, flushSoon })
    this.#contacts = new Contacts(this.#cx, {
      bundle: () => this.#bundle,
      name: () => this.#profile.name,
      flushSoon,
      pushCard,
      queueAck,
      proofs: this.#proofs,
      signCard: () => this.#ownCard.sign(false),
      requests: this.#requests,
      startSession: (peer) => startSessionFromDht(this.#cx, peer),
    })
    this.#receiver = new Receiver(this.#cx, {
      queueAck,
      flushSoon,
      pushCard,
      requests: this.#requests,
      proofs: this.#proofs,
      profile: this.#profile,
      edits: this.#edits,
      disappearing: this.#disappearing,
    })
    this.#batcher = new ReceiveBatcher(this.#cx, this.#receiver)
  }

  async start(): Promise<void> {
    await ensurePrekeys(this.#ctx, this.#store, this.#identity)
    this.#bundle = await currentBundle(this.#store, this.#identity)
    // Frames arriving together are stored in one transaction (./direct/receive-batch.ts).
    this.#node.onDm((from, frame) => this.#batcher.handle(from, frame))
    this.#node.onCardRequest((from, secret) => this.#contacts.serveCard(from, secret))
    const configured = configuredMailboxes(
      this.#configuredMailboxes?.bootstrap ?? [],
      this.#configuredMailboxes?.explicit ?? [],
    )
    // Accepted contacts and the mailboxes the user configured keep connection slots whatever
    // strangers do (node/resources.ts; the node protects its --bootstrap relays by itself).
    const chosen = new Set(configured.map((c) => c.peerId))
    this.#node.setProtectedPeers?.(
      (peer) => chosen.has(peer) || this.#store.getContact(peer) !== undefined,
    )
    this.#node.on('peer:connect', (peer) => this.#contacts.onConnect(peer))
    this.#node.on('peer:disconnect', (peer) => this.#contacts.emitPresence(peer, false))
    this.#node.on('peer:identify', (peer, addrs) => this.#contacts.onIdentify(peer, addrs))
    this.#mailboxes = new Mailboxes({
      ctx: this.#ctx,
      store: this.#store,
      node: this.#node,
      identity: this.#identity,
      cards: this.#cards,
      configured,
      receive: (frame) => this.#receiver.receiveFromMailbox(frame),
      onChange: () => this.#ownCard.changed(),
    })
    // The node publishes our card in the DHT (at start, hourly, on address changes).
    this.#ownCard.publish()
    this.#mailboxes.start()
    this.#groups = new Groups({
      ctx: this.#ctx,
      store: this.#store,
      node: this.#node,
      identity: this.#identity,
      cards: this.#cards,
      emit: (e) => this.#emit(e),
      flush: (peer) => this.#outbox.flushSoon(peer),
      ownCard: () => this.#ownCard.sign(true),
      bodies: {
        receive: (groupId, from, content, raw, events) =>
          content.disappearing !== undefined
            ? this.#disappearing.receive(groupId, from, content, events)
            : this.#edits.receive(groupId, from, content, raw, events),
        inserted: (id, events) => this.#edits.inserted(id, events),
        ttl: (groupId) => this.#disappearing.ttl(groupId),
      },
      files: {
        manifestFor: (m) => this.#files?.manifestFor(m),
        received: (groupId, from, content, now) =>
          this.#files?.receivedGroup(groupId, from, content, now),
      },
      pushCard: (peer) => this.#ownCard.push(peer),
    })
    this.#groups.start()
    this.#disappearing.start()
    if (this.#filesDirs !== undefined) {
      this.#files = new Files({
        cx: this.#cx,
        ...this.#filesDirs,
        contact: (ref) => this.#contacts.get(ref).peerId,
        queue: (peer, text, id) => this.#outbox.send(peer, text, { file: { id } }),
        queueGroup: (ref, text, file) => this.#groupsOrThrow().sendFile(ref, text, file),
        mailboxesOf: (peer) => this.#mailboxes?.mailboxesOf(peer) ?? Promise.resolve([]),
        ownMailboxes: () => this.#mailboxes?.own() ?? [],
      })
      this.#files.start()
    }
    for (const peer of this.#store.groups.controlPeers()) this.#outbox.flushSoon(peer)
    for (const c of this.#store.listContacts()) this.#node.watch(c.peerId, c.addrs)
    this.#requests.watchCoMembers()
    for (const peer of this.#store.outboxPeers()) this.#outbox.flushSoon(peer)
  }

  stop(): Promise<void> {
    this.#batcher.drain() // frames already handled are committed before the store closes
    this.#stopped = true
    this.#mailboxes?.stop()
    this.#groups?.stop()
    this.#disappearing.stop()
    this.#files?.stop()
    this.#node.setCardSource(undefined)
    this.#outbox.stop()
    return Promise.resolve()
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
        log('event listener failed: %s', (err as Error).name)
      }
    }
  }

  // ---- Node and contacts (./direct/contacts.ts) ----------------------------------------------------

  status(): NodeStatus {
    const conns = this.#node.connections()
    const net = this.#node.network?.() ?? { state: 'online', since: 0 }
    const contacts = this.#store.listContacts()
    const direct = new Set(conns.filter((c) => c.direct).map((c) => c.peerId))
    const any = new Set(conns.map((c) => c.peerId))
    const contactsConnected = { direct: 0, relayed: 0 }
    for (const c of contacts) {
      if (direct.has(c.peerId)) contactsConnected.direct++
      else if (any.has(c.peerId)) contactsConnected.relayed++
    }
    const somewhereToGo =
      contacts.length > 0 || (this.#configuredMailboxes?.bootstrap.length ?? 0) > 0
    return {
      peerId: this.#node.peerId,
      name: this.#profile.name,
      addrs: this.#node.addrs(),
      connections: conns.length,
      nat: this.#node.nat(),
      mailboxes: this.#mailboxes?.chosen() ?? [],
      network:
        net.state === 'offline'
          ? 'offline'
          : conns.length === 0 && somewhereToGo
            ? 'unreachable'
            : 'online',
      networkSince: net.since,
      reservations: this.#node.reservations?.() ?? [],
      contactsConnected,
      metrics: {
        ...(this.#mailboxes?.addMetrics(this.#node.metrics()) ?? this.#node.metrics()),
        groupRejected: this.#groups?.metrics(),
        files: this.#files?.metrics(),
        requests: {
          ...this.#requests.metrics,
          pending: this.#store.trust.requestTotals().requests,
        },
        edits: { ...this.#edits.metrics, held: this.#store.edits.heldCount() },
      },
    }
  }

  peers(): ConnectionInfo[] {
    return this.#node.connections()
  }

  // ---- Our profile (./profile.ts) -------------------------------------------------------------

  profile(): ProfileView {
    return this.#profile.view()
  }

  /** InvalidNameError; tells every accepted contact. */
  setProfileName(name: string): ProfileView {
    return this.#profile.setName(name)
  }

  invite(opts?: { once?: boolean; full?: boolean }): { link: string; peerId: string } {
    return this.#contacts.invite(opts)
  }

  renameContact(ref: string, name: string): { name: string; peerId: string } {
    return this.#contacts.rename(ref, name)
  }

  blockContact(ref: string): { peerId: string; blocked: boolean } {
    return this.#requests.block(ref)
  }

  unblockContact(ref: string): { peerId: string; blocked: boolean } {
    return this.#requests.unblock(ref)
  }

  // ---- Message requests (./direct/requests.ts) ------------------------------------------------------

  listRequests(): RequestView[] {
    return this.#requests.list()
  }

  acceptRequest(peerId: string, name?: string): { peerId: string; accepted: boolean } {
    return this.#requests.accept(peerId, name)
  }

  blockRequest(peerId: string): { peerId: string; accepted: boolean } {
    return this.#requests.blockRequest(peerId)
  }

  addContact(link: string, name?: string): Promise<{ name: string; peerId: string }> {
    return this.#contacts.add(link, name)
  }

  listContacts(): ContactView[] {
    return this.#contacts.list()
  }

  removeContact(ref: string, purge: boolean): { removed: boolean } {
    return this.#contacts.remove(ref, purge)
  }

  safetyNumber(ref: string): { contact: string; safetyNumber: string } {
    return this.#contacts.safetyNumber(ref)
  }

  confirmSafetyNumber(ref: string, number: string): { verified: boolean } {
    return this.#contacts.confirmSafetyNumber(ref, number)
  }

  // ---- Messages (./direct/outbox.ts, ./direct/receive.ts) -------------------------------------------------

  send(ref: string, text: string, opts: SendOptions = {}): { id: string; status: MessageStatus } {
    checkText(text) // blank or over MAX_TEXT_BYTES: refused here, for CLI and API alike
    const peer = this.#contacts.get(ref).peerId
    const { replyTo } = opts
    if (replyTo !== undefined && this.#store.getMessage(replyTo)?.conversation !== peer)
      throw new MessageNotFoundError(`no message ${replyTo} in this conversation`)
    const ttlSeconds = this.#disappearing.ttl(peer)
    return this.#outbox.send(peer, text, {
      ...(replyTo !== undefined ? { replyTo } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    })
  }

  /** A batch send (issue 17): every text checked first, then all queued in one transaction. */
  sendMany(ref: string, texts: readonly string[]): { ids: string[]; status: MessageStatus } {
    if (texts.length === 0 || texts.length > MAX_SEND_BATCH)
      throw new InvalidArgumentError(`texts: expected 1 to ${MAX_SEND_BATCH} texts`)
    for (const text of texts) checkText(text)
    const peer = this.#contacts.get(ref).peerId
    const ttlSeconds = this.#disappearing.ttl(peer)
    const ids = this.#outbox.sendMany(peer, texts, ttlSeconds !== undefined ? { ttlSeconds } : {})
    return { ids, status: 'queued' }
  }

  // ---- Edits, deletes, reactions, disappearing (./edits.ts, ./disappearing.ts) ---------------

  editMessage(id: string, text: string): { id: string; edited: true } {
    return this.#edits.edit(id, text)
  }

  deleteMessage(id: string, forEveryone: boolean): { id: string; deleted: true } {
    return this.#edits.delete(id, forEveryone)
  }

  reactMessage(id: string, emoji: string, remove: boolean) {
    return this.#edits.react(id, emoji, remove)
  }

  /** `ref`: a contact's name or PeerId, else a group's name or id (ContactNotFoundError). */
  setDisappearing(ref: string, ttlSeconds: number): { conversation: string; ttlSeconds: number } {
    const conversation = this.#store.getContact(ref)?.peerId ?? findGroup(this.#cx, ref)?.groupId
    if (conversation === undefined) throw new ContactNotFoundError(`no contact or group "${ref}"`)
    return this.#disappearing.set(conversation, ttlSeconds)
  }

  /** Resolves `delivered` (or `read`, which implies it) once the peer acked the message. */
  async waitDelivered(id: string, timeoutMs: number): Promise<MessageStatus> {
    const m = this.#store.getMessage(id)
    if (m === undefined) throw new MessageNotFoundError(`no message ${id}`)
    if (m.status === 'delivered' || m.status === 'read') return m.status
    return new Promise((resolve) => {
      const done = (status: MessageStatus) => {
        clearTimeout(timer)
        off()
        resolve(status)
      }
      const timer = setTimeout(
        () => done(this.#store.getMessage(id)?.status ?? m.status),
        timeoutMs,
      )
      const off = this.on((e) => {
        if (
          e.event === 'status' &&
          e.id === id &&
          (e.status === 'delivered' || e.status === 'read')
        )
          done(e.status)
      })
    })
  }

  messages(opts: { contact?: string; limit?: number; before?: string }): MessageView[] {
    const conversation =
      opts.contact === undefined ? undefined : this.#contacts.get(opts.contact).peerId
    if (opts.before !== undefined) checkCursor(this.#store, opts.before, conversation)
    return this.#store
      .listMessages({
        ...(conversation === undefined ? {} : { conversation }),
        ...(opts.limit === undefined ? {} : { limit: opts.limit }),
        ...(opts.before === undefined ? {} : { before: opts.before }),
      })
      .map(toMessageView)
  }

  // ---- Conversations, read marks, settings (./conversations.ts) -----------------------------

  conversations(): ConversationView[] {
    return this.#conversations.list()
  }

  readConversation(ref: string): { conversation: string; read: number } {
    return this.#conversations.read(ref)
  }

  settings(): SettingsView {
    return this.#conversations.settings()
  }

  setSettings(s: Partial<SettingsView>): SettingsView {
    return this.#conversations.setSettings(s)
  }

  // ---- Files (./files/, docs/files.md) ------------------------------------------------------

  #filesOrThrow(): Files {
    if (this.#files === undefined) throw new NotImplementedError('this node has no files')
    return this.#files
  }

  sendFile(ref: string, path: string): Promise<FileInfo> {
    return this.#filesOrThrow().send(ref, path)
  }

  listFiles(): Promise<FileListRow[]> {
    return this.#filesOrThrow().list()
  }

  getFile(fileId: string, out?: string): Promise<FileInfo & { path: string }> {
    return this.#filesOrThrow().get(fileId, out)
  }

  cancelFile(fileId: string): Promise<{ fileId: string; cancelled: boolean }> {
    return this.#filesOrThrow().cancel(fileId)
  }

  search(req: SearchRequest): MessageView[] {
    return searchMessages(this.#cx, req)
  }

  // ---- Groups (./groups/, docs/groups.md) ---------------------------------------------------

  #groupsOrThrow(): Groups {
    if (this.#groups === undefined) throw new Error('service not started')
    return this.#groups
  }

  createGroup(name: string): { groupId: string; name: string } {
    return this.#groupsOrThrow().create(name)
  }

  addGroupMember(
    group: string,
    contact: string,
    admin?: boolean,
  ): { groupId: string; members: string[] } {
    return this.#groupsOrThrow().add(group, contact, admin)
  }

  removeGroupMember(group: string, contact: string): { groupId: string; members: string[] } {
    return this.#groupsOrThrow().remove(group, contact)
  }

  leaveGroup(group: string): { groupId: string; members: string[] } {
    return this.#groupsOrThrow().leave(group)
  }

  renameGroup(group: string, name: string): { groupId: string; name: string } {
    return this.#groupsOrThrow().rename(group, name)
  }

  listGroups(): GroupView[] {
    // Members who are not contacts by the name they gave themselves (issue 14).
    return this.#groupsOrThrow()
      .list()
      .map((g) => {
        const memberNames = this.#profile.memberNames(g.members)
        return Object.keys(memberNames).length === 0 ? g : { ...g, memberNames }
      })
  }

  sendGroup(
    group: string,
    text: string,
    opts?: SendOptions,
  ): Promise<{ id: string; status: MessageStatus }> {
    checkText(text)
    return this.#groupsOrThrow().send(group, text, opts)
  }

  groupMessages(group: string, opts: { limit?: number; before?: string }): MessageView[] {
    return this.#groupsOrThrow().messages(group, opts)
  }
}
