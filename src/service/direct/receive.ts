// Receiving /kith/dm frames (ARCHITECTURE.md "Delivery"). Each frame is one synchronous SQLite
// transaction (a savepoint of a group-commit batch when ./receive-batch.ts runs it): decrypt
// (./sessions.ts decryptFrame), then store the message, the new ratchet state and the consumed
// prekeys together (saveDecrypted), or nothing (then the frame is refused and the stream
// closed). Being synchronous, it cannot interleave with an encryption for the same peer, so the session record is never written
// from two places at once. Inside, the content is dispatched by body: text (stored, acked, also
// when a duplicate), card (with the sender's profile name, ../profile.ts), group update
// (groups/index.ts, same transaction) or receipt (./receipts-in.ts: DELIVERED; READ from an
// accepted contact only, moving our own messages to `read`). Who may send what (issue 11 "Message
// requests"): a blocked peer's frames are refused before parsing; a contact, or a peer proving
// one of our invite secrets (it becomes a contact), is served as before; a co-member (a member
// of one of our groups) as before for group traffic and cards; a stranger's texts become a
// request (./requests.ts: held, not acked) and anything else from it is refused
// (StrangerFrameError) with nothing stored, so its card's addresses are never dialled — except
// an admin's farewell telling us we were removed (groups/removal.ts), kept only if it removed
// us. Frames fetched from our mailboxes are tried against each contact's session. It owns no
// state; acks, flushes and card pushes go out through the ports in its context.
import debug from 'debug'
import {
  decodeChatContent,
  equalBytes,
  MalformedMessageError,
  NoSessionError,
  parseEnvelope,
  peerIdFromPublicKey,
  peerIdToBytes,
  prepareRecordForSending,
  toHex,
} from '../../core/index.js'
import type { StoredMessage } from '../../store/types.js'
import { decryptFrame, saveDecrypted } from './sessions.js'
import { applyReceipt } from './receipts-in.js'
import type { ReceiveContext } from './receive-ports.js'
import { StrangerFrameError } from '../errors.js'
import { isCleanName } from './names.js'
import { findSender } from '../offline/mailbox-trial.js'
import type { ServiceEvent } from '../types.js'
import { toMessageView } from '../views.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service')

export type {
  FileInbox,
  GroupInbox,
  ReceiveContext,
  ReceiveHooks,
  ReceiveNode,
} from './receive-ports.js'

export class Receiver {
  readonly #cx: ReceiveContext

  constructor(cx: ReceiveContext) {
    this.#cx = cx
  }

  /**
   * One /kith/dm frame from the authenticated peer `from`. Throws a typed error for anything that
   * is not a fresh, authentic message from `from` — the node then closes the stream and counts it —
   * and in that case nothing is stored.
   */
  receive(from: string, frame: Uint8Array): void {
    this.apply(from, frame)()
  }

  /**
   * receive()'s transaction alone: decrypts and stores `frame` in one transaction (a savepoint
   * when called inside another) and returns what must follow the commit (events, acks, flushes,
   * card pushes). Throws as receive(). `inTransaction` runs the frame's work: by default the
   * store's `transaction`; ./receive-batch.ts passes the batch's savepoint (`batched`), so a frame
   * opens one savepoint of its own, not two (issue 17).
   */
  apply(
    from: string,
    frame: Uint8Array,
    inTransaction: (fn: () => void) => void = (fn) => this.#cx.store.transaction(fn),
  ): () => void {
    const cx = this.#cx
    const requests = this.#cx.requests
    // Blocked: dropped before any parsing or decryption (counted).
    requests.refuseBlocked(from)
    const incoming = parseEnvelope(frame)
    const events: ServiceEvent[] = []
    const acks: string[] = []
    let watch: string[] | undefined
    let newContact = false
    let firstSession = false
    let afterGroup: (() => void) | undefined
    inTransaction(() => {
      const { result, consumed, firstSession: first } = decryptFrame(cx, from, incoming)
      firstSession = first
      const content = decodeChatContent(result.plaintext)
      if (!equalBytes(content.sender, this.#peerIdBytes(from)))
        throw new MalformedMessageError('sender does not match the session')
      const now = cx.ctx.clock()
      // Who is writing (issue 11 "Message requests"): a contact; a peer proving one of our
      // invite secrets (it becomes a contact, named by its PeerId, as before); a member of one of
      // our groups (group traffic as before); or a stranger, whose texts become a request and
      // whose other frames are refused before anything is stored.
      let trusted = cx.store.isContact(from)
      if (
        !trusted &&
        content.inviteProof.length > 0 &&
        this.#cx.proofs.redeem(from, content.inviteProof)
      ) {
        cx.store.putContact({
          peerId: from,
          name: from,
          verified: false,
          keyChanged: false,
          addrs: [],
          addedAt: now,
          lastSeen: now,
          profileName: isCleanName(content.profileName) ? content.profileName : '',
        })
        events.push({ event: 'contact', peerId: from, name: from, online: true })
        // Texts it sent before proving (held as a request) join the history.
        requests.promote(from, undefined, events, acks)
        newContact = trusted = true
      }
      const coMember = !trusted && requests.isCoMember(from)
      // A receipt on a session we already hold is let through: a member we just removed acks
      // the removal (it only ever dequeues what we sent that peer); one that would start a
      // session is refused like the rest, so fresh identities leave nothing stored.
      const receiptOnSession = content.receipt !== undefined && !firstSession
      // A farewell (groups/removal.ts): an admin we may not know as a member tells us we were
      // removed. Let in, and refused below after all unless its REMOVE did remove us.
      const farewell = !trusted && !coMember && this.#cx.groups.isFarewell(from, content)
      if (!trusted && !coMember && !farewell && content.text === undefined && !receiptOnSession) {
        requests.metrics.strangerFrames++
        throw new StrangerFrameError("a stranger's card, receipt or group update is refused")
      }
      // A text is answered by a receipt ACK_DELAY_MS later, whose encryption derives the DH
      // ratchet step's deferred sending half off the message's path (core ratchet.ts
      // dhRatchetStep). A receipt is not answered: derive it now, so that our next message, a
      // POST on the user's latency path, does not pay it.
      const record =
        content.receipt !== undefined
          ? prepareRecordForSending(cx.ctx, result.record)
          : result.record
      saveDecrypted(cx.store, from, record, consumed)
      // An authenticated message from a contact we added: our invite proof has done its job.
      if (trusted) this.#cx.proofs.heard(from)
      if (content.text !== undefined) {
        const ttlSeconds = trusted ? this.#cx.disappearing.ttl(from) : undefined
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
          // Stored as sent, even when we do not have the quoted message.
          ...(content.replyTo.length > 0 ? { replyTo: toHex(content.replyTo) } : {}),
          ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
        }
        if (!trusted) {
          // A request: held, bounded, not acked (no receipt reveals we read it).
          requests.hold(from, m, content.profileName)
        } else {
          if (cx.store.insertMessage(m)) {
            // The row just inserted is `m` (no reaction or edit can precede it: held edits
            // are applied next, with events of their own), so it is not read back.
            events.push({ event: 'message', message: toMessageView(m) })
            this.#cx.edits.inserted(m.id, events)
          }
          acks.push(m.id) // acked again even when a duplicate: the earlier ack may have been lost
        }
      } else if (content.file !== undefined) {
        // A file manifest (./files/): only an accepted contact's is kept (a stranger's was
        // refused above; a co-member's 1:1 manifest is acked and dropped).
        const m = trusted ? this.#cx.files?.received(from, content, now) : undefined
        if (m !== undefined) events.push({ event: 'message', message: toMessageView(m) })
        acks.push(toHex(content.messageId))
      } else if (content.card !== undefined) {
        // An authentic message whose card is stale or bad: ignore the card, keep the session step.
        let card
        try {
          card = cx.cards.accept(from, content.card)
        } catch (err) {
          log('card from %s ignored: %s', from, errorName(err))
        }
        if (card !== undefined) afterGroup = () => this.#cx.groups.cardArrived(from)
        // Beside it, the sender's profile name (../profile.ts), kept whether or not the card was
        // usable (the session authenticated it) and acked: a name change is retried until then.
        if (content.profileName !== '') {
          this.#cx.profile.received(from, content)
          acks.push(toHex(content.messageId))
        }
        const usable = card?.addrs.filter((a) => a.endsWith(`/p2p/${from}`)) ?? []
        if (usable.length > 0) {
          cx.store.touchContact(from, now, usable)
          watch = usable
        }
      } else if (content.group !== undefined) {
        // A group's ops, secrets, member cards or sender key (groups/index.ts), same transaction.
        afterGroup = this.#cx.groups.receiveUpdate(from, content)
        if (farewell && !this.#cx.groups.farewellApplied(from, content)) {
          requests.metrics.strangerFrames++
          throw new StrangerFrameError('a REMOVE that did not remove us is refused')
        }
        acks.push(toHex(content.messageId))
      } else if (
        content.edit !== undefined ||
        content.delete !== undefined ||
        content.reaction !== undefined ||
        content.disappearing !== undefined
      ) {
        // An edit, delete, reaction or timer change of our 1:1 conversation (../edits.ts,
        // ../disappearing.ts): from a contact only (a co-member's is acked and dropped); acked
        // also when refused or stale, so its sender stops retrying.
        if (trusted && content.disappearing !== undefined)
          this.#cx.disappearing.receive(from, from, content, events)
        else if (trusted) this.#cx.edits.receive(from, from, content, result.plaintext, events)
        acks.push(toHex(content.messageId))
      } else if (content.receipt !== undefined) {
        // DELIVERED, or READ from an accepted contact (./receipts-in.ts).
        applyReceipt(cx, from, content.receipt, trusted, now, events)
      }
    })
    return () =>
      this.#after(from, incoming.type, events, acks, afterGroup, watch, newContact, firstSession)
  }

  /** `peerIdToBytes(from)`, remembered for the last sender (a burst comes from one peer). */
  #lastSender: { peer: string; bytes: Uint8Array } | undefined

  #peerIdBytes(peer: string): Uint8Array {
    if (this.#lastSender?.peer !== peer) this.#lastSender = { peer, bytes: peerIdToBytes(peer) }
    return this.#lastSender.bytes
  }

  #after(
    from: string,
    type: 'prekey' | 'ratchet',
    events: ServiceEvent[],
    acks: string[],
    afterGroup: (() => void) | undefined,
    watch: string[] | undefined,
    newContact: boolean,
    firstSession: boolean,
  ): void {
    const cx = this.#cx
    const requests = this.#cx.requests
    for (const e of events) cx.emit(e)
    afterGroup?.()
    // A member's session just started (an initial message): our group control contents, held
    // back until there was a session, can go now.
    if (type === 'prekey' && this.#cx.control.nextAttemptAt(from) !== undefined)
      this.#cx.flushSoon(from, true)
    for (const id of acks) this.#cx.queueAck(from, id)
    if (watch !== undefined) cx.node.watch(from, watch)
    // A new contact (or a co-member's first session) learns our card (addresses, mailboxes).
    if (
      newContact ||
      (firstSession && cx.store.getContact(from) === undefined && requests.isCoMember(from))
    )
      setImmediate(() => void this.#cx.pushCard(from))
  }

  /**
   * An envelope fetched from one of our mailboxes: its sender is not named outside the
   * encryption. A PQXDH initial message names its identity; for a ratchet message the sender is
   * found first by header trial decryption against every contact's session, read-only, in one
   * transaction and bounded (../offline/mailbox-trial.ts: two AES-GCM attempts per state, plus skipped
   * chains), and only that contact's normal receive runs. Throws NoSessionError when no contact's
   * header key authenticates it, MailboxTrialBudgetError past the bound.
   */
  receiveFromMailbox(frame: Uint8Array): void {
    const incoming = parseEnvelope(frame)
    if (incoming.type === 'prekey') {
      this.receive(peerIdFromPublicKey(incoming.message.identityKey), frame)
      return
    }
    const sender = findSender(this.#cx.ctx, this.#cx.store, incoming.message.header)
    if (sender === undefined) throw new NoSessionError('no session decrypts this envelope')
    this.receive(sender, frame)
  }
}
