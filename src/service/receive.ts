// Receiving /kith/dm frames (ARCHITECTURE.md "Delivery"). Each frame is one synchronous SQLite
// transaction: decrypt, then store the message, the new ratchet state and the consumed prekeys
// together, or nothing (then the frame is refused and the stream closed). Being synchronous, it
// cannot interleave with an encryption for the same peer, so the session record is never written
// from two places at once. Inside, the content is dispatched by body: text (stored, acked, also
// when a duplicate), card, group update (groups/index.ts, same transaction) or receipt. Frames
// fetched from our mailboxes are tried against each contact's session. It owns no state; acks,
// flushes and card pushes go out through the hooks it is handed.
import debug from 'debug'
import { equalBytes, toHex } from '../core/bytes.js'
import { MalformedMessageError, NoSessionError, UntrustedIdentityError } from '../core/errors.js'
import { peerIdFromPublicKey, peerIdToBytes } from '../core/identity/identity.js'
import {
  decryptPrekeyMessage,
  decryptRatchetMessage,
  parseEnvelope,
  responderKeys,
} from '../core/session/session.js'
import { decodeChatContent } from '../core/wire/content.js'
import { ReceiptKind, type PrekeyMessage } from '../core/wire/pb/wire.js'
import type { StoredMessage } from '../store/types.js'
import { loadRecord, type ChatContext } from './context.js'
import { findSender } from './mailbox-trial.js'
import { toMessageView, type ServiceEvent } from './types.js'

const log = debug('kith:service')

export interface ReceiveHooks {
  /** Receipts.queueAck */
  queueAck(peer: string, id: string): void
  /** Outbox.flushSoon */
  flushSoon(peer: string, all?: boolean): void
  /** OwnCard.push */
  pushCard(peer: string): Promise<void>
}

export class Receiver {
  readonly #cx: ChatContext
  readonly #hooks: ReceiveHooks

  constructor(cx: ChatContext, hooks: ReceiveHooks) {
    this.#cx = cx
    this.#hooks = hooks
  }

  /**
   * One /kith/dm frame from the authenticated peer `from`. Throws a typed error for anything that
   * is not a fresh, authentic message from `from` — the node then closes the stream and counts it —
   * and in that case nothing is stored.
   */
  receive(from: string, frame: Uint8Array): void {
    const cx = this.#cx
    const incoming = parseEnvelope(frame)
    const events: ServiceEvent[] = []
    let ack: string | undefined
    let watch: string[] | undefined
    let newContact = false
    let afterGroup: (() => void) | undefined
    cx.store.transaction(() => {
      const record = loadRecord(cx.store, from)
      let result
      let consumed: { oneTimePrekeyId: number | undefined; kemPrekeyId: number } | undefined
      if (incoming.type === 'ratchet') {
        result = decryptRatchetMessage(cx.ctx, record, incoming.message)
      } else {
        const msg = incoming.message
        if (peerIdFromPublicKey(msg.identityKey) !== from)
          throw new UntrustedIdentityError('initial message from another identity')
        const p = decryptPrekeyMessage(cx.ctx, cx.identity, record, msg, () =>
          this.#responderKeys(msg),
        )
        result = p
        consumed = p.consumed
      }
      const content = decodeChatContent(result.plaintext)
      if (!equalBytes(content.sender, peerIdToBytes(from)))
        throw new MalformedMessageError('sender does not match the session')
      cx.store.protocol.storeSessionSync(from, result.record.serialize())
      if (consumed !== undefined) {
        if (consumed.oneTimePrekeyId !== undefined)
          cx.store.protocol.removeOneTimePrekeySync(consumed.oneTimePrekeyId)
        cx.store.protocol.markKemPrekeyUsedSync(consumed.kemPrekeyId)
      }
      const now = cx.ctx.clock()
      if (cx.store.getContact(from) === undefined) {
        // A peer that writes first appears as an unverified contact named by its PeerId.
        cx.store.putContact({
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
        if (cx.store.insertMessage(m)) events.push({ event: 'message', message: toMessageView(m) })
        ack = m.id // acked again even when a duplicate: the earlier ack may have been lost
      } else if (content.card !== undefined) {
        // An authentic message whose card is stale or bad: ignore the card, keep the session step.
        let card
        try {
          card = cx.cards.accept(from, content.card)
        } catch (err) {
          log('card from %s ignored: %s', from, (err as Error).name)
        }
        if (card !== undefined) afterGroup = () => cx.groups()?.cardArrived(from)
        const usable = card?.addrs.filter((a) => a.endsWith(`/p2p/${from}`)) ?? []
        if (usable.length > 0) {
          cx.store.touchContact(from, now, usable)
          watch = usable
        }
      } else if (content.group !== undefined) {
        // A group's ops, secrets, member cards or sender key (groups/index.ts), same transaction.
        afterGroup = cx.groups()?.receiveUpdate(from, content)
        ack = toHex(content.messageId)
      } else if (content.receipt?.kind === ReceiptKind.DELIVERED) {
        for (const raw of content.receipt.messageIds) {
          const id = toHex(raw)
          const m = cx.store.getMessage(id)
          if (m === undefined && cx.groups()?.acked(id) === true) continue
          if (m === undefined || m.direction !== 'out' || m.conversation !== from) continue
          cx.store.dequeue(id)
          if (m.status !== 'delivered') {
            cx.store.setStatus(id, 'delivered')
            events.push({ event: 'status', id, conversation: from, status: 'delivered' })
          }
        }
      }
    })
    for (const e of events) cx.emit(e)
    afterGroup?.()
    // A member's session just started (an initial message): our group control contents, held
    // back until there was a session, can go now.
    if (incoming.type === 'prekey' && cx.store.groups.nextControlAttemptAt(from) !== undefined)
      this.#hooks.flushSoon(from, true)
    if (ack !== undefined) this.#hooks.queueAck(from, ack)
    if (watch !== undefined) cx.node.watch(from, watch)
    // A new contact learns our card (addresses, mailboxes) right away.
    if (newContact) setImmediate(() => void this.#hooks.pushCard(from))
  }

  /**
   * An envelope fetched from one of our mailboxes: its sender is not named outside the
   * encryption. A PQXDH initial message names its identity; for a ratchet message the sender is
   * found first by header trial decryption against every contact's session, read-only, in one
   * transaction and bounded (./mailbox-trial.ts: two AES-GCM attempts per state, plus skipped
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

  #responderKeys(msg: PrekeyMessage) {
    const p = this.#cx.store.protocol
    return responderKeys(msg, {
      signedPrekey: p.loadSignedPrekeySync(msg.signedPrekeyId),
      kemPrekey: p.loadKemPrekeySync(msg.kemPrekeyId),
      oneTimePrekey:
        msg.oneTimePrekeyId === undefined
          ? undefined
          : p.loadOneTimePrekeySync(msg.oneTimePrekeyId),
    })
  }
}
