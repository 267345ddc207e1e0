// The service's module graph and lifecycle (issue 13 "one house with clear rooms"): builds every
// module of ChatService in dependency order, each handed its collaborators in its constructor
// (narrow ports it declares), then starts and stops them in order. Where two modules need each
// other, the lower one declares the narrow port it calls up through (the mailboxes' `receive`,
// the groups' `bodies`/`files`, the own card's `content`, the session gate `outgoing`), and the
// port here forwards to the module built further down this constructor; nothing runs before the
// constructor returns. It owns the wiring and nothing of what a user call does: ChatService
// (./chat.ts) is the façade that turns ChatApi calls into module calls.
import { peerIdBytesFromPublicKey } from '../core/index.js'
import type { ChatContent, CoreContext, IdentityKeyPair } from '../core/index.js'
import type { KithNode } from '../node/index.js'
import type { NodeStore, StoredMessage } from '../store/types.js'
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
import { controlQueue } from './direct/control-outbox.js'
import { manifestFor } from './files/manifests.js'
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
import { Profile } from './profile.js'
import { SearchIndexer } from './search-index.js'
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
  readonly configuredMailboxes: ChatServiceDeps['mailboxes']
  readonly cards: Cards
  readonly cx: ChatContext
  readonly proofs: InviteProofs
  readonly #mailboxes: Mailboxes
  readonly ownCard: OwnCard
  readonly receipts: Receipts
  readonly outbox: Outbox
  readonly requests: Requests
  readonly profile: Profile
  readonly conversations: Conversations
  /** Groups (./groups/): membership, sender keys, group messages, sync. */
  readonly #groups: Groups
  readonly edits: Edits
  readonly disappearing: Disappearing
  readonly contacts: Contacts
  /** Files (./files/): only with a files directory. */
  readonly #files: Files | undefined
  readonly receiver: Receiver
  readonly batcher: ReceiveBatcher
  /** The search index's background catch-up (./search-index.ts). */
  readonly searchIndex: SearchIndexer
  readonly #protectedMailboxes: ReadonlySet<string>
  #started = false
  #stopped = false

  constructor(deps: ChatServiceDeps, emit: (e: ServiceEvent) => void) {
    const { store, node, identity, ctx } = deps
    this.#store = store
    this.#node = node
    this.configuredMailboxes = deps.mailboxes
    const cards = (this.cards = new Cards({ ctx, store, identity }))
    const proofs = (this.proofs = new InviteProofs({ ctx, store }))
    const cx: ChatContext = (this.cx = {
      ctx,
      store,
      node,
      identity,
      cards,
      meBytes: peerIdBytesFromPublicKey(identity.publicKey),
      stopped: () => this.#stopped,
      // A stored message (ours or received) wakes the search index's catch-up
      // (./search-index.ts), which otherwise sleeps.
      emit: (e) => {
        if (e.event === 'message') this.searchIndex.noteStored()
        emit(e)
      },
      // Every content for a peer passes here before encryption (./direct/sessions.ts encryptAll):
      // nothing is sent to a blocked peer; a contact we added gets our invite proof until it
      // answers. Up-port: forwards to the requests and profile built below.
      outgoing: (peer, content) => {
        this.requests.refuseOutgoing(peer)
        return proofs.decorate(peer, content, this.profile.name)
      },
    })
    // Offline delivery (./offline/). Up-ports: a fetched frame goes to the receiver, a change of
    // our mailboxes to our card (both built below).
    const configured = configuredMailboxes(
      deps.mailboxes?.bootstrap ?? [],
      deps.mailboxes?.explicit ?? [],
    )
    // The configured mailboxes keep connection slots (start): their PeerIds.
    this.#protectedMailboxes = new Set(configured.map((c) => c.peerId))
    const mailboxes = (this.#mailboxes = new Mailboxes({
      ctx,
      store,
      node,
      identity,
      cards,
      configured,
      receive: (frame) => this.receiver.receiveFromMailbox(frame),
      onChange: () => this.ownCard.changed(),
    }))
    // Up-port: the ChatContent a pushed card travels in carries our profile name (built below).
    const ownCard = (this.ownCard = new OwnCard({
      ...cx,
      mailboxes,
      content: (card) => this.profile.content(card),
    }))
    // The 1:1 transport (./direct/): receipts, the control outbox, the outbox.
    const receipts = (this.receipts = new Receipts({ ...cx, mailboxes }, deps.ackDelayMs))
    const control = controlQueue({ ...cx, mailboxes })
    const outbox = (this.outbox = new Outbox({
      ...cx,
      mailboxes,
      control,
      ...(deps.files !== undefined
        ? { manifestFor: (m: StoredMessage) => manifestFor(cx, m) }
        : {}),
    }))
    const flushSoon = (peer: string, all?: boolean) => outbox.flushSoon(peer, all)
    const queueAck = (peer: string, id: string) => receipts.queueAck(peer, id)
    const pushCard = (peer: string) => ownCard.push(peer)
    const requests = (this.requests = new Requests({ ...cx, queueAck, pushCard, flushSoon }))
    const profile = (this.profile = new Profile(
      {
        ...cx,
        signCard: () => ownCard.sign(true),
        flushSoon,
        isCoMember: (peer) => requests.isCoMember(peer),
      },
      deps.name,
    ))
    this.conversations = new Conversations({
      ...cx,
      queueRead: (peer, ids) => receipts.queueRead(peer, ids),
    })
    // Up-ports: group bodies go to edits and timers, group files to the files (built below).
    const groups = (this.#groups = new Groups({
      ctx,
      store,
      node,
      identity,
      cards,
      emit,
      flush: (peer) => outbox.flushSoon(peer),
      ownCard: () => ownCard.sign(true),
      pushCard,
      bodies: {
        receive: (groupId, from, content, raw, events) =>
          content.disappearing !== undefined
            ? this.disappearing.receive(groupId, from, content, events)
            : this.edits.receive(groupId, from, content, raw, events),
        inserted: (id, events) => this.edits.inserted(id, events),
        ttl: (groupId) => this.disappearing.ttl(groupId),
      },
      ...(deps.files !== undefined
        ? {
            files: {
              manifestFor: (m: StoredMessage) => manifestFor(cx, m),
              received: (groupId: string, from: string, content: ChatContent, now: number) =>
                this.#files?.receivedGroup(groupId, from, content, now),
            },
          }
        : {}),
    }))
    const bodies = editTransport({ ...cx, groups, flushSoon })
    const edits = (this.edits = new Edits({ ...cx, ...bodies }))
    const disappearing = (this.disappearing = new Disappearing({ ...cx, ...bodies }))
    const contacts = (this.contacts = new Contacts({
      ...cx,
      ownCard,
      profile,
      flushSoon,
      pushCard,
      queueAck,
      proofs,
      requests,
      startSession: (peer) => startSessionFromDht(cx, peer),
    }))
    const files = (this.#files =
      deps.files === undefined
        ? undefined
        : new Files({
            ...cx,
            ...deps.files,
            contact: (ref) => contacts.get(ref).peerId,
            queue: (peer, text, id) => outbox.send(peer, text, { file: { id } }),
            queueGroup: (ref, text, file) => groups.sendFile(ref, text, file),
            mailboxesOf: (peer) => mailboxes.mailboxesOf(peer),
            ownMailboxes: () => mailboxes.own(),
          }))
    this.receiver = new Receiver({
      ...cx,
      groups,
      ...(files !== undefined ? { files } : {}),
      control,
      queueAck,
      flushSoon,
      pushCard,
      requests,
      proofs,
      profile,
      edits,
      disappearing,
    })
    this.batcher = new ReceiveBatcher(cx, this.receiver)
    this.searchIndex = new SearchIndexer(cx)
  }

  async start(): Promise<void> {
    await this.ownCard.start() // our prekeys, made at first start, and the bundle cards name
    this.#started = true
    const node = this.#node
    const store = this.#store
    // Frames arriving together are stored in one transaction (./direct/receive-batch.ts).
    node.onDm((from, frame) => this.batcher.handle(from, frame))
    node.onCardRequest((from, secret) => this.contacts.serveCard(from, secret))
    // Accepted contacts and the mailboxes the user configured keep connection slots whatever
    // strangers do (node/libp2p/resources.ts; the node protects its --bootstrap relays by itself).
    const chosen = this.#protectedMailboxes
    node.setProtectedPeers?.((peer) => chosen.has(peer) || store.getContact(peer) !== undefined)
    node.on('peer:connect', (peer) => this.contacts.presence.onConnect(peer))
    node.on('peer:disconnect', (peer) => this.contacts.presence.emitPresence(peer, false))
    node.on('peer:identify', (peer, addrs) => this.contacts.presence.onIdentify(peer, addrs))
    // The node publishes our card in the DHT (at start, hourly, on address changes).
    this.ownCard.publish()
    this.#mailboxes.start()
    this.#groups.start()
    this.disappearing.start()
    this.searchIndex.start()
    this.#files?.start()
    for (const peer of store.groups.controlPeers()) this.outbox.flushSoon(peer)
    for (const c of store.listContacts()) node.watch(c.peerId, c.addrs)
    this.requests.watchCoMembers()
    for (const peer of store.outboxPeers()) this.outbox.flushSoon(peer)
  }

  stop(): Promise<void> {
    this.batcher.drain() // frames already handled are committed before the store closes
    this.#stopped = true
    if (this.#started) {
      this.#mailboxes.stop()
      this.#groups.stop()
      this.#files?.stop()
    }
    this.disappearing.stop()
    this.searchIndex.stop()
    this.#node.setCardSource(undefined)
    this.outbox.stop()
    return Promise.resolve()
  }

  /** Undefined before start. */
  get mailboxes(): Mailboxes | undefined {
    return this.#started ? this.#mailboxes : undefined
  }

  /** Undefined before start. */
  get groups(): Groups | undefined {
    return this.#started ? this.#groups : undefined
  }

  /** Undefined before start, or without a files directory. */
  get files(): Files | undefined {
    return this.#started ? this.#files : undefined
  }

  groupsOrThrow(): Groups {
    if (!this.#started) throw new ServiceNotStartedError('groups start with the service')
    return this.#groups
  }

  filesOrThrow(): Files {
    const files = this.files
    if (files === undefined) throw new NotImplementedError('this node has no files')
    return files
  }
}
