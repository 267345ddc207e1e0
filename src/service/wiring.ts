// The service's module graph and lifecycle (issue 13 "one house with clear rooms"): builds every
// module of ChatService from its deps (constructor injection: each module gets what it uses and
// the hooks into its neighbours), then starts and stops them in order — the node's handlers, the
// mailboxes, groups and files created at start. It owns the wiring and nothing of what a user
// call does: ChatService (./chat.ts) is the façade that turns ChatApi calls into module calls.
import { peerIdBytesFromPublicKey } from '../core/index.js'
import type { CoreContext, IdentityKeyPair, PrekeyBundle } from '../core/index.js'
import type { KithNode } from '../node/index.js'
import type { NodeStore } from '../store/types.js'
import { Conversations } from './conversations.js'
import type { ChatContext } from './context.js'
import { Contacts } from './direct/contacts.js'
import { Outbox } from './direct/outbox.js'
import { InviteProofs } from './direct/proofs.js'
import { Receipts } from './direct/receipts.js'
import { Receiver } from './direct/receive.js'
import { ReceiveBatcher } from './direct/receive-batch.js'
import { Requests } from './direct/requests.js'
import { startSessionFromDht } from './direct/restore.js'
import { Disappearing } from './disappearing.js'
import { editTransport } from './edit-transport.js'
import { Edits } from './edits.js'
import { NotImplementedError } from './errors.js'
import { Files } from './files/index.js'
import { Groups } from './groups/index.js'
import { ServiceNotStartedError } from './lifecycle-errors.js'
import { Cards } from './offline/cards.js'
import { configuredMailboxes } from './offline/configured.js'
import { Mailboxes } from './offline/mailboxes.js'
import { OwnCard } from './offline/own-card.js'
import { currentBundle, ensurePrekeys } from './offline/prekeys.js'
import { Profile } from './profile.js'
import type { ServiceEvent } from './types.js'

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

export class ServiceModules {
  readonly #store: NodeStore
  readonly #node: KithNode
  readonly #identity: IdentityKeyPair
  readonly #ctx: CoreContext
  readonly configuredMailboxes: ChatServiceDeps['mailboxes']
  #bundle: PrekeyBundle | undefined
  readonly cards: Cards
  readonly cx: ChatContext
  readonly contacts: Contacts
  readonly outbox: Outbox
  readonly receipts: Receipts
  readonly ownCard: OwnCard
  readonly receiver: Receiver
  readonly batcher: ReceiveBatcher
  readonly requests: Requests
  readonly proofs: InviteProofs
  readonly profile: Profile
  readonly conversations: Conversations
  readonly edits: Edits
  readonly disappearing: Disappearing
  #mailboxes: Mailboxes | undefined
  /** Groups (./groups/): membership, sender keys, group messages, sync. */
  #groups: Groups | undefined
  #files: Files | undefined
  readonly #filesDirs: ChatServiceDeps['files']
  #stopped = false
  readonly #emit: (e: ServiceEvent) => void

  constructor(deps: ChatServiceDeps, emit: (e: ServiceEvent) => void) {
    this.#emit = emit
    this.#store = deps.store
    this.#node = deps.node
    this.#identity = deps.identity
    this.#ctx = deps.ctx
    this.configuredMailboxes = deps.mailboxes
    this.#filesDirs = deps.files
    this.cards = new Cards(deps.ctx, deps.store, deps.identity)
    this.cx = {
      ctx: deps.ctx,
      store: deps.store,
      node: deps.node,
      identity: deps.identity,
      cards: this.cards,
      meBytes: peerIdBytesFromPublicKey(deps.identity.publicKey),
      stopped: () => this.#stopped,
      emit,
      mailboxes: () => this.#mailboxes,
      groups: () => this.#groups,
      files: () => this.#files,
    }
    this.proofs = new InviteProofs(deps.ctx, deps.store)
    // Every content for a peer passes here before encryption (context.ts encryptAll): nothing
    // is sent to a blocked peer; a contact we added gets our invite proof until it answers.
    this.cx.outgoing = (peer, content) => {
      this.requests.refuseOutgoing(peer)
      return this.proofs.decorate(peer, content, this.profile.name)
    }
    this.outbox = new Outbox(this.cx)
    this.receipts = new Receipts(this.cx, deps.ackDelayMs)
    const flushSoon = (peer: string, all?: boolean) => this.outbox.flushSoon(peer, all)
    this.profile = new Profile(
      this.cx,
      {
        signCard: () => this.ownCard.sign(true),
        flushSoon,
        isCoMember: (peer) => this.requests.isCoMember(peer),
      },
      deps.name,
    )
    this.ownCard = new OwnCard(
      this.cx,
      () => this.#bundle,
      (card) => this.profile.content(card),
    )
    this.conversations = new Conversations(this.cx, {
      queueRead: (peer, ids) => this.receipts.queueRead(peer, ids),
    })
    const bodies = editTransport(this.cx, flushSoon)
    this.edits = new Edits(this.cx, bodies)
    this.disappearing = new Disappearing(this.cx, bodies)
    const pushCard = (peer: string) => this.ownCard.push(peer)
    const queueAck = (peer: string, id: string) => this.receipts.queueAck(peer, id)
    this.requests = new Requests(this.cx, { queueAck, pushCard, flushSoon })
    this.contacts = new Contacts(this.cx, {
      bundle: () => this.#bundle,
      name: () => this.profile.name,
      flushSoon,
      pushCard,
      queueAck,
      proofs: this.proofs,
      signCard: () => this.ownCard.sign(false),
      requests: this.requests,
      startSession: (peer) => startSessionFromDht(this.cx, peer),
    })
    this.receiver = new Receiver(this.cx, {
      queueAck,
      flushSoon,
      pushCard,
      requests: this.requests,
      proofs: this.proofs,
      profile: this.profile,
      edits: this.edits,
      disappearing: this.disappearing,
    })
    this.batcher = new ReceiveBatcher(this.cx, this.receiver)
  }

  async start(): Promise<void> {
    await ensurePrekeys(this.#ctx, this.#store, this.#identity)
    this.#bundle = await currentBundle(this.#store, this.#identity)
    // Frames arriving together are stored in one transaction (./direct/receive-batch.ts).
    this.#node.onDm((from, frame) => this.batcher.handle(from, frame))
    this.#node.onCardRequest((from, secret) => this.contacts.serveCard(from, secret))
    const configured = configuredMailboxes(
      this.configuredMailboxes?.bootstrap ?? [],
      this.configuredMailboxes?.explicit ?? [],
    )
    // Accepted contacts and the mailboxes the user configured keep connection slots whatever
    // strangers do (node/libp2p/resources.ts; the node protects its --bootstrap relays by itself).
    const chosen = new Set(configured.map((c) => c.peerId))
    this.#node.setProtectedPeers?.(
      (peer) => chosen.has(peer) || this.#store.getContact(peer) !== undefined,
    )
    this.#node.on('peer:connect', (peer) => this.contacts.presence.onConnect(peer))
    this.#node.on('peer:disconnect', (peer) => this.contacts.presence.emitPresence(peer, false))
    this.#node.on('peer:identify', (peer, addrs) => this.contacts.presence.onIdentify(peer, addrs))
    this.#mailboxes = new Mailboxes({
      ctx: this.#ctx,
      store: this.#store,
      node: this.#node,
      identity: this.#identity,
      cards: this.cards,
      configured,
      receive: (frame) => this.receiver.receiveFromMailbox(frame),
      onChange: () => this.ownCard.changed(),
    })
    // The node publishes our card in the DHT (at start, hourly, on address changes).
    this.ownCard.publish()
    this.#mailboxes.start()
    this.#groups = new Groups({
      ctx: this.#ctx,
      store: this.#store,
      node: this.#node,
      identity: this.#identity,
      cards: this.cards,
      emit: this.#emit,
      flush: (peer) => this.outbox.flushSoon(peer),
      ownCard: () => this.ownCard.sign(true),
      bodies: {
        receive: (groupId, from, content, raw, events) =>
          content.disappearing !== undefined
            ? this.disappearing.receive(groupId, from, content, events)
            : this.edits.receive(groupId, from, content, raw, events),
        inserted: (id, events) => this.edits.inserted(id, events),
        ttl: (groupId) => this.disappearing.ttl(groupId),
      },
      files: {
        manifestFor: (m) => this.#files?.manifestFor(m),
        received: (groupId, from, content, now) =>
          this.#files?.receivedGroup(groupId, from, content, now),
      },
      pushCard: (peer) => this.ownCard.push(peer),
    })
    this.#groups.start()
    this.disappearing.start()
    if (this.#filesDirs !== undefined) {
      this.#files = new Files({
        cx: this.cx,
        ...this.#filesDirs,
        contact: (ref) => this.contacts.get(ref).peerId,
        queue: (peer, text, id) => this.outbox.send(peer, text, { file: { id } }),
        queueGroup: (ref, text, file) => this.groupsOrThrow().sendFile(ref, text, file),
        mailboxesOf: (peer) => this.#mailboxes?.mailboxesOf(peer) ?? Promise.resolve([]),
        ownMailboxes: () => this.#mailboxes?.own() ?? [],
      })
      this.#files.start()
    }
    for (const peer of this.#store.groups.controlPeers()) this.outbox.flushSoon(peer)
    for (const c of this.#store.listContacts()) this.#node.watch(c.peerId, c.addrs)
    this.requests.watchCoMembers()
    for (const peer of this.#store.outboxPeers()) this.outbox.flushSoon(peer)
  }

  stop(): Promise<void> {
    this.batcher.drain() // frames already handled are committed before the store closes
    this.#stopped = true
    this.#mailboxes?.stop()
    this.#groups?.stop()
    this.disappearing.stop()
    this.#files?.stop()
    this.#node.setCardSource(undefined)
    this.outbox.stop()
    return Promise.resolve()
  }

  /** Undefined before start. */
  get mailboxes(): Mailboxes | undefined {
    return this.#mailboxes
  }

  /** Undefined before start. */
  get groups(): Groups | undefined {
    return this.#groups
  }

  /** Undefined before start, or without a files directory. */
  get files(): Files | undefined {
    return this.#files
  }

  groupsOrThrow(): Groups {
    if (this.#groups === undefined)
      throw new ServiceNotStartedError('groups start with the service')
    return this.#groups
  }

  filesOrThrow(): Files {
    if (this.#files === undefined) throw new NotImplementedError('this node has no files')
    return this.#files
  }
}
