// ChatService: contacts, conversations, the outbox and receipts for 1:1 chat (ARCHITECTURE.md
// "Delivery"). It turns user actions into encrypted /kith/dm frames and frames into stored
// messages. Guarantees:
//  - `send` returns once the message is durably in the outbox (status `queued`).
//  - Receiving is one synchronous SQLite transaction: decrypt, then store the message, the new
//    ratchet state and the consumed prekeys together, or nothing (then the frame is refused and
//    the stream closed). Being synchronous, it cannot interleave with an encryption for the same
//    peer, so the session record is never written from two places at once.
//  - Every message carries an id and a per-conversation sequence; the receiver drops duplicate
//    ids and acks (again) inside the encrypted channel; the sender retries unacked messages with
//    fresh encryptions, with backoff, whenever the peer is reachable, across restarts.
// The service knows no transport details (KithNode) and no SQL (NodeStore).
import debug from 'debug'
import { equalBytes, toHex } from '../core/bytes.js'
import type { CoreContext } from '../core/crypto/provider.js'
import { MalformedMessageError, NoSessionError, UntrustedIdentityError } from '../core/errors.js'
import {
  formatSafetyNumber,
  parseSafetyNumber,
  safetyNumber,
} from '../core/identity/fingerprint.js'
import {
  peerIdBytesFromPublicKey,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
  type IdentityKeyPair,
} from '../core/identity/identity.js'
import { SessionRecord } from '../core/session/record.js'
import {
  decryptPrekeyMessage,
  decryptRatchetMessage,
  initiateSession,
  parseEnvelope,
  responderKeys,
  sessionEncrypt,
} from '../core/session/session.js'
import { decodeChatContent, encodeChatContent, MESSAGE_ID_BYTES } from '../core/wire/content.js'
import { decodeInviteLink, encodeInviteLink } from '../core/wire/invite.js'
import { ReceiptKind, type PrekeyBundle, type PrekeyMessage } from '../core/wire/pb/wire.js'
import type { ConnectionInfo, KithNode } from '../node/types.js'
import type {
  Contact,
  MessageStatus,
  NodeStore,
  OutboxEntry,
  StoredMessage,
} from '../store/types.js'
import { MAX_ACK_BATCH, MAX_BATCH, nextAttemptDelay } from './delivery.js'
import {
  ContactNotFoundError,
  InvalidArgumentError,
  InvalidInviteError,
  MessageNotFoundError,
} from './errors.js'
import { Cards } from './cards.js'
import { Groups } from './groups/index.js'
import { MAILBOX_REDEPOSIT_MS, Mailboxes } from './mailboxes.js'
import { currentBundle, ensurePrekeys } from './prekeys.js'
import {
  toContactView,
  toMessageView,
  type ChatApi,
  type ContactView,
  type GroupView,
  type MessageView,
  type NodeStatus,
  type ServiceEvent,
} from './types.js'

const log = debug('kith:service')

export interface ChatServiceDeps {
  store: NodeStore
  node: KithNode
  identity: IdentityKeyPair
  ctx: CoreContext
  name: string
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  return new ChatService(deps)
}

export class ChatService implements ChatApi {
  readonly #store: NodeStore
  readonly #node: KithNode
  readonly #identity: IdentityKeyPair
  readonly #ctx: CoreContext
  readonly #name: string
  readonly #peerIdBytes: Uint8Array
  readonly #listeners = new Set<(e: ServiceEvent) => void>()
  readonly #flushing = new Set<string>()
  readonly #flushAgain = new Set<string>()
  readonly #flushAll = new Set<string>()
  readonly #timers = new Map<string, NodeJS.Timeout>()
  readonly #acks = new Map<string, Set<string>>()
  #bundle: PrekeyBundle | undefined
  readonly #cards: Cards
  #mailboxes: Mailboxes | undefined
  /** Groups (./groups/): membership, sender keys, group messages, sync. */
  #groups: Groups | undefined
  /** The card we last signed (pushed to contacts when they connect). */
  #stopped = false

  constructor(deps: ChatServiceDeps) {
    this.#store = deps.store
    this.#node = deps.node
    this.#identity = deps.identity
    this.#ctx = deps.ctx
    this.#name = deps.name
    this.#peerIdBytes = peerIdBytesFromPublicKey(deps.identity.publicKey)
    this.#cards = new Cards(deps.ctx, deps.store, deps.identity)
  }

  async start(): Promise<void> {
    await ensurePrekeys(this.#ctx, this.#store, this.#identity)
    this.#bundle = await currentBundle(this.#store, this.#identity)
    this.#node.onDm((from, frame) => Promise.resolve(this.#receive(from, frame)))
    this.#node.on('peer:connect', (peer) => this.#onConnect(peer))
    this.#node.on('peer:disconnect', (peer) => this.#emitContact(peer, false))
    this.#node.on('peer:identify', (peer, addrs) => this.#onIdentify(peer, addrs))
    this.#mailboxes = new Mailboxes({
      ctx: this.#ctx,
      store: this.#store,
      node: this.#node,
      identity: this.#identity,
      cards: this.#cards,
      receive: (frame) => this.#receiveFromMailbox(frame),
      onChange: () => this.#cardChanged(),
    })
    // The node publishes our card in the DHT (at start, hourly, on address changes).
    this.#node.setCardSource(() => Promise.resolve(this.#signCard()))
    this.#mailboxes.start()
    this.#groups = new Groups({
      ctx: this.#ctx,
      store: this.#store,
      node: this.#node,
      identity: this.#identity,
      cards: this.#cards,
      emit: (e) => this.#emit(e),
      flush: (peer) => this.#flushSoon(peer),
      ownCard: () => this.#signCard(true),
    })
    this.#groups.start()
    for (const peer of this.#store.groups.controlPeers()) this.#flushSoon(peer)
    for (const c of this.#store.listContacts()) this.#node.watch(c.peerId, c.addrs)
    for (const peer of this.#store.outboxPeers()) this.#flushSoon(peer)
  }

  /**
   * Signs a new card with our current addresses, prekeys and mailboxes. The card for the public
   * DHT names only relays: contacts serving as our mailboxes would reveal who we talk to ("a
   * card lists no contacts"). The card pushed to contacts over their sessions names both.
   */
  #signCard(forContacts = false): Uint8Array {
    if (this.#bundle === undefined) throw new Error('service not started')
    const all = this.#mailboxes?.chosen() ?? []
    const mailboxes = forContacts ? all : all.filter((p) => this.#store.getContact(p) === undefined)
    const card = this.#cards.makeOwn(this.#node.addrs(), this.#bundle, mailboxes)
    return card
  }

  /** Our mailboxes changed: a new card to the DHT and to every connected contact. */
  #cardChanged(): void {
    this.#node.setCardSource(() => Promise.resolve(this.#signCard()))
    for (const c of this.#store.listContacts()) {
      if (this.#node.isConnected(c.peerId)) setImmediate(() => void this.#pushCard(c.peerId))
    }
  }

  stop(): Promise<void> {
    this.#stopped = true
    this.#mailboxes?.stop()
    this.#groups?.stop()
    this.#node.setCardSource(undefined)
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
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

  // ---- Node and contacts ------------------------------------------------------------------

  status(): NodeStatus {
    return {
      peerId: this.#node.peerId,
      name: this.#name,
      addrs: this.#node.addrs(),
      connections: this.#node.connections().length,
      nat: this.#node.nat(),
      mailboxes: this.#mailboxes?.chosen() ?? [],
      metrics: { ...this.#node.metrics(), groupRejected: this.#groups?.metrics() },
    }
  }

  peers(): ConnectionInfo[] {
    return this.#node.connections()
  }

  invite(): { link: string; peerId: string } {
    if (this.#bundle === undefined) throw new Error('service not started')
    const link = encodeInviteLink({
      peerId: this.#node.peerId,
      addrs: this.#node.addrs(),
      bundle: this.#bundle,
      name: this.#name,
    })
    return { link, peerId: this.#node.peerId }
  }

  async addContact(link: string, name?: string): Promise<{ name: string; peerId: string }> {
    let invite
    try {
      invite = decodeInviteLink(link)
    } catch (err) {
      throw new InvalidInviteError(`not a valid invite link (${(err as Error).name})`)
    }
    if (invite.peerId === this.#node.peerId) throw new InvalidInviteError('this is your own invite')
    const existing = this.#store.getContact(invite.peerId)
    const contact: Contact = {
      peerId: invite.peerId,
      name: name ?? existing?.name ?? (invite.name !== '' ? invite.name : invite.peerId),
      verified: existing?.verified ?? false,
      keyChanged: false,
      addrs: invite.addrs,
      addedAt: existing?.addedAt ?? this.#ctx.clock(),
      lastSeen: existing?.lastSeen,
    }
    // Verifies the bundle's signatures (PQXDH §3.3) before anything is stored.
    const record = this.#loadRecord(invite.peerId)
    const fresh =
      record?.current === undefined
        ? initiateSession(this.#ctx, this.#identity, invite.bundle, record)
        : undefined
    this.#store.transaction(() => {
      this.#store.putContact(contact)
      if (fresh !== undefined)
        this.#store.protocol.storeSessionSync(invite.peerId, fresh.serialize())
    })
    this.#node.watch(contact.peerId, contact.addrs)
    return Promise.resolve({ name: contact.name, peerId: contact.peerId })
  }

  #contact(ref: string): Contact {
    const c = this.#store.getContact(ref)
    if (c === undefined) throw new ContactNotFoundError(`no contact "${ref}"`)
    return c
  }

  listContacts(): ContactView[] {
    return this.#store
      .listContacts()
      .map((c) =>
        toContactView(
          c,
          this.#node.isConnected(c.peerId),
          this.#cards.of(c.peerId)?.mailboxes ?? [],
        ),
      )
  }

  removeContact(ref: string, purge: boolean): { removed: boolean } {
    const c = this.#contact(ref)
    this.#node.unwatch(c.peerId)
    return { removed: this.#store.removeContact(c.peerId, purge) }
  }

  safetyNumber(ref: string): { contact: string; safetyNumber: string } {
    const c = this.#contact(ref)
    const digits = safetyNumber(
      this.#ctx.crypto,
      this.#identity.publicKey,
      publicKeyFromPeerId(c.peerId),
    )
    return { contact: c.name, safetyNumber: formatSafetyNumber(digits) }
  }

  confirmSafetyNumber(ref: string, number: string): { verified: boolean } {
    const c = this.#contact(ref)
    let given: string
    try {
      given = parseSafetyNumber(number)
    } catch {
      throw new InvalidArgumentError('a safety number is 60 digits')
    }
    const expected = safetyNumber(
      this.#ctx.crypto,
      this.#identity.publicKey,
      publicKeyFromPeerId(c.peerId),
    )
    const verified = given === expected
    if (verified) this.#store.setVerified(c.peerId, true)
    return { verified }
  }

  // ---- Sending ------------------------------------------------------------------------------

  send(ref: string, text: string): { id: string; status: MessageStatus } {
    if (text.length === 0) throw new InvalidArgumentError('empty message')
    const c = this.#contact(ref)
    const now = this.#ctx.clock()
    const id = toHex(this.#ctx.rng(MESSAGE_ID_BYTES))
    // Refuse what could never be encoded now, not at delivery time.
    encodeChatContent({
      messageId: new Uint8Array(16),
      sender: this.#peerIdBytes,
      seq: 1n,
      sentAt: 0n,
      conversation: new Uint8Array(0),
      text: { text },
    })
    const message = this.#store.transaction(() => {
      const m: StoredMessage = {
        id,
        conversation: c.peerId,
        from: this.#node.peerId,
        direction: 'out',
        seq: this.#store.nextSeq(c.peerId),
        text,
        sentAt: now,
        receivedAt: now,
        status: 'queued',
      }
      this.#store.insertMessage(m)
      this.#store.enqueue({ messageId: id, peer: c.peerId, attempts: 0, nextAttemptAt: now })
      return m
    })
    this.#emit({ event: 'message', message: toMessageView(message) })
    this.#flushSoon(c.peerId)
    return { id, status: 'queued' }
  }

  async waitDelivered(id: string, timeoutMs: number): Promise<MessageStatus> {
    const m = this.#store.getMessage(id)
    if (m === undefined) throw new MessageNotFoundError(`no message ${id}`)
    if (m.status === 'delivered') return 'delivered'
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
        if (e.event === 'status' && e.id === id && e.status === 'delivered') done('delivered')
      })
    })
  }

  messages(opts: { contact?: string; limit?: number }): MessageView[] {
    const conversation = opts.contact === undefined ? undefined : this.#contact(opts.contact).peerId
    return this.#store
      .listMessages({
        ...(conversation === undefined ? {} : { conversation }),
        ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      })
      .map(toMessageView)
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

  listGroups(): GroupView[] {
    return this.#groupsOrThrow().list()
  }

  sendGroup(group: string, text: string): Promise<{ id: string; status: MessageStatus }> {
    return this.#groupsOrThrow().send(group, text)
  }

  groupMessages(group: string, opts: { limit?: number }): MessageView[] {
    return this.#groupsOrThrow().messages(group, opts)
  }

  #onConnect(peer: string): void {
    const c = this.#store.getContact(peer)
    if (c === undefined) return
    this.#store.touchContact(peer, this.#ctx.clock())
    this.#emitContact(peer, true)
    // Whatever is unacked goes out again now that the peer is reachable; our card goes too, so
    // the contact learns our current addresses and mailboxes.
    this.#flushSoon(peer, true)
    setImmediate(() => void this.#pushCard(peer))
  }

  /** Remember a contact's current addresses, so either side can dial the other after restarts. */
  #onIdentify(peer: string, addrs: string[]): void {
    const c = this.#store.getContact(peer)
    const usable = addrs.filter((a) => !a.includes('/p2p-circuit'))
    if (c === undefined || usable.length === 0) return
    if (usable.join() !== c.addrs.join()) this.#store.touchContact(peer, this.#ctx.clock(), usable)
    this.#node.watch(peer, usable)
  }

  #emitContact(peer: string, online: boolean): void {
    const c = this.#store.getContact(peer)
    if (c !== undefined) this.#emit({ event: 'contact', peerId: peer, name: c.name, online })
  }

  #flushSoon(peer: string, all = false): void {
    if (this.#stopped) return
    setImmediate(() => void this.#flush(peer, all))
  }

  #loadRecord(peer: string): SessionRecord | undefined {
    const bytes = this.#store.protocol.loadSessionSync(peer)
    return bytes === undefined ? undefined : SessionRecord.deserialize(bytes)
  }

  /** Encrypts `contents` for `peer` in one transaction: one session update, all or nothing. */
  #encryptAll(peer: string, contents: Uint8Array[], onCommit?: () => void): Uint8Array[] {
    return this.#store.transaction(() => {
      let record = this.#loadRecord(peer) ?? new SessionRecord(undefined)
      const frames: Uint8Array[] = []
      for (const c of contents) {
        const r = sessionEncrypt(this.#ctx, record, c)
        record = r.record
        frames.push(r.envelope)
      }
      this.#store.protocol.storeSessionSync(peer, record.serialize())
      onCommit?.()
      return frames
    })
  }

  /**
   * Sends what is due in the outbox to `peer` (`all`: everything unacked, as when the peer just
   * came back), in batches of MAX_BATCH, each batch one ratchet transaction. One flush per peer
   * runs at a time; calls meanwhile are folded into one more round.
   */
  async #flush(peer: string, all: boolean): Promise<void> {
    if (all) this.#flushAll.add(peer)
    if (this.#flushing.has(peer)) {
      this.#flushAgain.add(peer)
      return
    }
    this.#flushing.add(peer)
    try {
      do {
        this.#flushAgain.delete(peer)
        const everything = this.#flushAll.delete(peer)
        const now = this.#ctx.clock()
        const pending = this.#store
          .outboxFor(peer)
          .filter((e) => everything || e.nextAttemptAt <= now)
        for (let i = 0; i < pending.length; i += MAX_BATCH) {
          // Encrypt only for a reachable peer: every encryption advances the ratchet, and
          // frames that never leave would make the receiver skip keys (bounded by MAX_SKIP).
          if (this.#stopped) return
          if (!(await this.#reachableSomehow(peer))) {
            // Nowhere to send: back off (a connection or a new card flushes everything at once),
            // else the retry timer would fire again at once for entries already due.
            this.#backOff(pending.slice(i), now)
            return
          }
          await this.#sendBatch(peer, pending.slice(i, i + MAX_BATCH), now)
        }
        await this.#flushControl(peer, everything, now)
      } while (this.#flushAgain.has(peer))
    } catch (err) {
      log('flush to %s failed: %s', peer, (err as Error).name)
    } finally {
      this.#flushing.delete(peer)
      this.#scheduleRetry(peer)
    }
  }

  /**
   * Group control contents (GroupUpdate) in the same outbox discipline: encrypted afresh per
   * attempt, retried with backoff until the peer's receipt names their id. Only over an existing
   * session: with a member who is not a contact, the lower PeerId starts it (groups/keys.ts).
   */
  async #flushControl(peer: string, everything: boolean, now: number): Promise<void> {
    const due = this.#store.groups
      .controlFor(peer)
      .filter((e) => everything || e.nextAttemptAt <= now)
    if (due.length === 0) return
    // No session yet (the member with the lower PeerId starts it) or nowhere to send: wait with
    // backoff rather than retry at once; the session's first message flushes everything.
    const wait = () =>
      this.#store.transaction(() => {
        for (const e of due) {
          const next = now + nextAttemptDelay(e.attempts)
          this.#store.groups.rescheduleControl(e.messageId, e.attempts + 1, next)
        }
      })
    if (this.#loadRecord(peer)?.current === undefined) return wait()
    for (let i = 0; i < due.length; i += MAX_BATCH) {
      if (this.#stopped) return
      if (!(await this.#reachableSomehow(peer))) return wait()
      const batch = due.slice(i, i + MAX_BATCH)
      const frames = this.#encryptAll(
        peer,
        batch.map((e) => e.content),
        () => {
          for (const e of batch) {
            const next = now + nextAttemptDelay(e.attempts)
            this.#store.groups.rescheduleControl(e.messageId, e.attempts + 1, next)
          }
        },
      )
      try {
        await this.#node.sendDm(peer, frames)
      } catch (err) {
        if (((await this.#mailboxes?.deposit(peer, frames)) ?? 0) === 0) throw err
      }
    }
  }

  #backOff(entries: OutboxEntry[], now: number): void {
    this.#store.transaction(() => {
      for (const e of entries) {
        this.#store.reschedule(e.messageId, e.attempts + 1, now + nextAttemptDelay(e.attempts))
      }
    })
  }

  async #sendBatch(peer: string, batch: OutboxEntry[], now: number): Promise<void> {
    // Skip what was acked since the batch was listed.
    const messages = batch
      .map((e) => this.#store.getMessage(e.messageId))
      .filter((m): m is StoredMessage => m !== undefined && m.status !== 'delivered')
    if (messages.length === 0) return
    const frames = this.#encryptAll(
      peer,
      messages.map((m) => this.#content(m)),
      () => {
        for (const e of batch) {
          this.#store.reschedule(e.messageId, e.attempts + 1, now + nextAttemptDelay(e.attempts))
        }
      },
    )
    try {
      await this.#node.sendDm(peer, frames)
    } catch (err) {
      // Unreachable: hand the same sealed frames to the recipient's mailboxes (status `sent`
      // once one accepted them). A direct send still follows when the peer is back.
      const accepted = (await this.#mailboxes?.deposit(peer, frames)) ?? 0
      if (accepted === 0) throw err
      const later = this.#ctx.clock() + MAILBOX_REDEPOSIT_MS
      this.#store.transaction(() => {
        for (const m of messages.slice(0, accepted)) {
          const e = batch.find((x) => x.messageId === m.id)
          if (e !== undefined) this.#store.reschedule(m.id, e.attempts + 1, later)
        }
      })
      messages.splice(accepted)
    }
    const sent = this.#store.transaction(() =>
      messages.filter((m) => {
        if (this.#store.getMessage(m.id)?.status !== 'queued') return false
        this.#store.setStatus(m.id, 'sent')
        return true
      }),
    )
    for (const m of sent)
      this.#emit({ event: 'status', id: m.id, conversation: peer, status: 'sent' })
  }

  /** The peer's card names mailboxes we could deposit with. */
  #canDeposit(peer: string): boolean {
    return (this.#cards.of(peer)?.mailboxes.length ?? 0) > 0
  }

  /**
   * Before encrypting for a peer we are not connected to: is there anywhere for the frames to go?
   * Without a card we look it up in the DHT first (rate-limited), so frames are not sealed for
   * nowhere (each would make the receiver skip a key).
   */
  async #reachableSomehow(peer: string): Promise<boolean> {
    if (this.#node.isConnected(peer) || this.#canDeposit(peer)) return true
    if (this.#cards.of(peer) === undefined) await this.#mailboxes?.lookUpCard(peer)
    return this.#canDeposit(peer)
  }

  /**
   * An envelope fetched from one of our mailboxes: its sender is not named outside the
   * encryption. A PQXDH initial message names its identity; a ratchet message is tried against
   * each contact's session (header trial decryption: two AES-GCM attempts per state).
   */
  #receiveFromMailbox(frame: Uint8Array): void {
    const incoming = parseEnvelope(frame)
    if (incoming.type === 'prekey') {
      this.#receive(peerIdFromPublicKey(incoming.message.identityKey), frame)
      return
    }
    let last: unknown = new NoSessionError('no session decrypts this envelope')
    for (const c of this.#store.listContacts()) {
      try {
        this.#receive(c.peerId, frame)
        return
      } catch (err) {
        if (!(err instanceof Error) || !['DecryptionError', 'NoSessionError'].includes(err.name))
          throw err
        last = err
      }
    }
    throw last
  }

  #content(m: StoredMessage): Uint8Array {
    return encodeChatContent({
      messageId: fromHexId(m.id),
      sender: this.#peerIdBytes,
      seq: BigInt(m.seq),
      sentAt: BigInt(m.sentAt),
      conversation: new Uint8Array(0),
      text: { text: m.text },
    })
  }

  #scheduleRetry(peer: string): void {
    clearTimeout(this.#timers.get(peer))
    this.#timers.delete(peer)
    if (this.#stopped) return
    const times = [this.#store.nextAttemptAt(peer), this.#store.groups.nextControlAttemptAt(peer)]
    const next = times.reduce<number | undefined>(
      (a, b) => (b === undefined ? a : a === undefined ? b : Math.min(a, b)),
      undefined,
    )
    if (next === undefined) return
    const t = setTimeout(
      () => {
        this.#timers.delete(peer)
        void this.#flush(peer, false)
      },
      Math.max(0, next - this.#ctx.clock()),
    )
    t.unref()
    this.#timers.set(peer, t)
  }

  // ---- Receiving ----------------------------------------------------------------------------

  /**
   * One /kith/dm frame from the authenticated peer `from`. Throws a typed error for anything that
   * is not a fresh, authentic message from `from` — the node then closes the stream and counts it —
   * and in that case nothing is stored.
   */
  #receive(from: string, frame: Uint8Array): void {
    const incoming = parseEnvelope(frame)
    const events: ServiceEvent[] = []
    let ack: string | undefined
    let watch: string[] | undefined
    let newContact = false
    let afterGroup: (() => void) | undefined
    this.#store.transaction(() => {
      const record = this.#loadRecord(from)
      let result
      let consumed: { oneTimePrekeyId: number | undefined; kemPrekeyId: number } | undefined
      if (incoming.type === 'ratchet') {
        result = decryptRatchetMessage(this.#ctx, record, incoming.message)
      } else {
        const msg = incoming.message
        if (peerIdFromPublicKey(msg.identityKey) !== from)
          throw new UntrustedIdentityError('initial message from another identity')
        const p = decryptPrekeyMessage(this.#ctx, this.#identity, record, msg, () =>
          this.#responderKeys(msg),
        )
        result = p
        consumed = p.consumed
      }
      const content = decodeChatContent(result.plaintext)
      if (!equalBytes(content.sender, publicKeyToPeerIdBytes(from)))
        throw new MalformedMessageError('sender does not match the session')
      this.#store.protocol.storeSessionSync(from, result.record.serialize())
      if (consumed !== undefined) {
        if (consumed.oneTimePrekeyId !== undefined)
          this.#store.protocol.removeOneTimePrekeySync(consumed.oneTimePrekeyId)
        this.#store.protocol.markKemPrekeyUsedSync(consumed.kemPrekeyId)
      }
      const now = this.#ctx.clock()
      if (this.#store.getContact(from) === undefined) {
        // A peer that writes first appears as an unverified contact named by its PeerId.
        this.#store.putContact({
          peerId: from,
          name: from,
          verified: false,
          keyChanged: false,
          addrs: [],
          addedAt: now,
          lastSeen: now,
        })
        events.push({ event: 'contact', peerId: from, name: from, online: true })
        newContact = true
      }
      if (content.text !== undefined) {
        const m: StoredMessage = {
          id: toHex(content.messageId),
          conversation: from,
          from,
          direction: 'in',
          seq: Number(content.seq),
          text: content.text.text,
          sentAt: Number(content.sentAt),
          receivedAt: now,
          status: 'delivered',
        }
        if (this.#store.insertMessage(m))
          events.push({ event: 'message', message: toMessageView(m) })
        ack = m.id // acked again even when a duplicate: the earlier ack may have been lost
      } else if (content.card !== undefined) {
        // An authentic message whose card is stale or bad: ignore the card, keep the session step.
        let card
        try {
          card = this.#cards.accept(from, content.card)
        } catch (err) {
          log('card from %s ignored: %s', from, (err as Error).name)
        }
        if (card !== undefined) afterGroup = () => this.#groups?.cardArrived(from)
        const usable = card?.addrs.filter((a) => a.endsWith(`/p2p/${from}`)) ?? []
        if (usable.length > 0) {
          this.#store.touchContact(from, now, usable)
          watch = usable
        }
      } else if (content.group !== undefined) {
        // A group's ops, secrets, member cards or sender key (groups/index.ts), same transaction.
        afterGroup = this.#groups?.receiveUpdate(from, content)
        ack = toHex(content.messageId)
      } else if (content.receipt?.kind === ReceiptKind.DELIVERED) {
        for (const raw of content.receipt.messageIds) {
          const id = toHex(raw)
          const m = this.#store.getMessage(id)
          if (m === undefined && this.#groups?.acked(id) === true) continue
          if (m === undefined || m.direction !== 'out' || m.conversation !== from) continue
          this.#store.dequeue(id)
          if (m.status !== 'delivered') {
            this.#store.setStatus(id, 'delivered')
            events.push({ event: 'status', id, conversation: from, status: 'delivered' })
          }
        }
      }
    })
    for (const e of events) this.#emit(e)
    afterGroup?.()
    // A member's session just started (an initial message): our group control contents, held
    // back until there was a session, can go now.
    if (incoming.type === 'prekey' && this.#store.groups.nextControlAttemptAt(from) !== undefined)
      this.#flushSoon(from, true)
    if (ack !== undefined) this.#queueAck(from, ack)
    if (watch !== undefined) this.#node.watch(from, watch)
    // A new contact learns our card (addresses, mailboxes) right away.
    if (newContact) setImmediate(() => void this.#pushCard(from))
  }

  #responderKeys(msg: PrekeyMessage) {
    const p = this.#store.protocol
    return responderKeys(msg, {
      signedPrekey: p.loadSignedPrekeySync(msg.signedPrekeyId),
      kemPrekey: p.loadKemPrekeySync(msg.kemPrekeyId),
      oneTimePrekey:
        msg.oneTimePrekeyId === undefined
          ? undefined
          : p.loadOneTimePrekeySync(msg.oneTimePrekeyId),
    })
  }

  async #pushCard(peer: string): Promise<void> {
    if (
      this.#stopped ||
      !this.#node.isConnected(peer) ||
      this.#loadRecord(peer)?.current === undefined
    )
      return
    try {
      // Signed afresh for each push: current addresses, never an expired card.
      const card = this.#signCard(true)
      const content = encodeChatContent({
        messageId: this.#ctx.rng(MESSAGE_ID_BYTES),
        sender: this.#peerIdBytes,
        seq: 0n,
        sentAt: BigInt(this.#ctx.clock()),
        conversation: new Uint8Array(0),
        card,
      })
      await this.#node.sendDm(peer, this.#encryptAll(peer, [content]))
    } catch (err) {
      log('card push to %s failed: %s', peer, (err as Error).name)
    }
  }

  /** Acks are batched per peer: a burst of 1,000 messages is acked in a few receipts. */
  #queueAck(peer: string, id: string): void {
    let set = this.#acks.get(peer)
    if (set === undefined) {
      set = new Set()
      this.#acks.set(peer, set)
      setImmediate(() => void this.#sendAcks(peer))
    }
    set.add(id)
  }

  async #sendAcks(peer: string): Promise<void> {
    const ids = [...(this.#acks.get(peer) ?? [])]
    this.#acks.delete(peer)
    if (ids.length === 0 || this.#stopped) return
    const contents: Uint8Array[] = []
    for (let i = 0; i < ids.length; i += MAX_ACK_BATCH) {
      contents.push(
        encodeChatContent({
          messageId: this.#ctx.rng(MESSAGE_ID_BYTES),
          sender: this.#peerIdBytes,
          seq: 0n,
          sentAt: BigInt(this.#ctx.clock()),
          conversation: new Uint8Array(0),
          receipt: {
            kind: ReceiptKind.DELIVERED,
            messageIds: ids.slice(i, i + MAX_ACK_BATCH).map(fromHexId),
          },
        }),
      )
    }
    try {
      // A lost ack is not fatal: the sender retries and we ack the duplicate again.
      if (!this.#node.isConnected(peer) && !this.#canDeposit(peer)) return
      const frames = this.#encryptAll(peer, contents)
      try {
        await this.#node.sendDm(peer, frames)
      } catch {
        await this.#mailboxes?.deposit(peer, frames)
      }
    } catch (err) {
      log('ack to %s failed: %s', peer, (err as Error).name)
    }
  }
}

function fromHexId(id: string): Uint8Array {
  return Uint8Array.from(Buffer.from(id, 'hex'))
}

function publicKeyToPeerIdBytes(peerId: string): Uint8Array {
  return peerIdBytesFromPublicKey(publicKeyFromPeerId(peerId))
}
