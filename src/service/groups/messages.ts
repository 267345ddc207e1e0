// Group messages arriving (docs/groups.md §3–4; sending is ./publish.ts): the synchronous topic
// validator, and receiving — decrypt, keep the ciphertext for others, show each message once in
// per-sender order, holding back what arrives after a gap. This module owns the delivery marks
// and the hold-back; it knows nothing of ops or of the sync protocol. A blocked member's messages
// are forwarded (the validator judges authenticity, not our wishes) but never decrypted, kept or
// shown here.
import debug from 'debug'
import { equalBytes, fromHex, toHex } from '../../core/index.js'
import {
  decodeSenderKeyMessage,
  groupDecryptPending,
  judgeSenderKeyMessage,
  SenderKeyRecord,
} from '../../core/index.js'
import { peerIdToBytes } from '../../core/index.js'
import { decodeChatContent, encodeChatContent } from '../../core/index.js'
import type { ChatContent } from '../../core/index.js'
import type { PubsubVerdict } from '../../node/index.js'
import type { StoredMessage } from '../../store/types.js'
import type { GroupRejected, ServiceEvent } from '../types.js'
import { toMessageView } from '../views.js'
import { GROUP_GAP_TIMEOUT_MS, type GroupContext } from './context.js'
import { chainMap } from './keys.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

/** Errors that mean "nothing new here" for an envelope (a duplicate, a key we no longer hold). */
const QUIET = new Set(['DuplicateMessageError', 'NoSenderKeyError'])

function reject(cx: GroupContext, reason: keyof GroupRejected): PubsubVerdict {
  cx.rejected[reason]++
  return 'reject'
}

/**
 * The topic validator (design §3), synchronous and without side effects on keys: a valid, correctly
 * signed, fresh message from a member's CURRENT sender key is accepted; everything else is
 * rejected and counted (nonMember, oldKey, badSignature, replay, malformed).
 */
export function validate(cx: GroupContext, groupId: string, data: Uint8Array): PubsubVerdict {
  try {
    return check(cx, groupId, data)
  } catch (err) {
    log('validator failed: %s', errorName(err))
    return reject(cx, 'malformed')
  }
}

function check(cx: GroupContext, groupId: string, data: Uint8Array): PubsubVerdict {
  // Decoded once here; the fields go on to receiveEnvelope with the verdict (cx.prevalidated).
  let fields
  try {
    fields = decodeSenderKeyMessage(data)
  } catch {
    return reject(cx, 'malformed')
  }
  if (!equalBytes(fields.distributionId, fromHex(groupId))) return reject(cx, 'malformed')
  const who = chainMap(cx, groupId).get(fields.chainId)
  if (who === undefined) {
    // Perhaps a member whose key has not reached us yet: what we missed comes by sync.
    cx.syncSoon(groupId)
    return reject(cx, 'nonMember')
  }
  if (!who.current) return reject(cx, 'oldKey')
  if (who.sender === cx.me) return reject(cx, 'replay')
  const row = cx.store.groups.getSenderKey(groupId, who.sender)
  if (row === undefined) return reject(cx, 'nonMember')
  const record = SenderKeyRecord.deserialize(row.record)
  const { verdict, verified } = judgeSenderKeyMessage(cx.ctx.crypto, record, fields)
  if (verdict !== 'ok' || verified === undefined) {
    return reject(cx, verdict === 'noKey' || verdict === 'ok' ? 'nonMember' : verdict)
  }
  cx.prevalidated.set(data, { verified, row: row.record, record })
  return 'accept'
}

/**
 * A group ciphertext from the topic (validated) or from a sync answer (older chains allowed,
 * signature still checked by the decryption). Decrypts with the sender's record, keeps the
 * ciphertext, and shows the message once, in per-sender order. Never throws.
 */
export function receiveEnvelope(cx: GroupContext, groupId: string, data: Uint8Array): void {
  const events: ServiceEvent[] = []
  let gap = false
  // What the validator found (a message from the topic), taken once.
  const pre = cx.prevalidated.get(data)
  cx.prevalidated.delete(data)
  try {
    cx.store.transaction(() => {
      const g = cx.store.groups.getGroup(groupId)
      if (g === undefined || !g.active) return
      const fields = pre?.verified.fields ?? decodeSenderKeyMessage(data)
      if (!equalBytes(fields.distributionId, fromHex(groupId))) return
      let sender: string | undefined
      let record: SenderKeyRecord | undefined
      // The chain map names the sender of a current or rotated chain; else every record is tried.
      const hint = chainMap(cx, groupId).get(fields.chainId)
      const hinted = hint && cx.store.groups.getSenderKey(groupId, hint.sender)
      const rows = hinted
        ? [{ ...hinted, sender: hint.sender }]
        : cx.store.groups.senderKeys(groupId)
      for (const row of rows) {
        // The validator's record, unless the stored row changed since (decoded once, else twice).
        const r =
          pre !== undefined && equalBytes(pre.row, row.record)
            ? pre.record
            : SenderKeyRecord.deserialize(row.record)
        if (r.stateForChainId(fields.chainId) !== undefined) {
          sender = row.sender
          record = r
          break
        }
      }
      if (sender === undefined || record === undefined || sender === cx.me) return
      // A member we blocked (CLI.md "blocking"): dropped before decryption, nothing retained or
      // shown, its mark left alone. The validator accepted it all the same, so gossipsub still
      // forwards it to the other members, and our sync requests no longer name its sender.
      if (cx.store.trust.isBlocked(sender)) {
        cx.rejected.blocked++
        return
      }
      // The signature is verified once: by the validator (its proof names these fields and the
      // key it used; the core's decryption checks both), else here. Nothing is saved until
      // commit(), after the checks below (the core's one sender-key path).
      const pending = groupDecryptPending(cx.ctx, cx.store.groups, sender, fields, {
        record,
        verified: pre?.verified,
      })
      const plaintext = pending.plaintext
      const content = decodeChatContent(plaintext)
      const from = sender
      const body =
        content.text ??
        content.file ??
        content.edit ??
        content.delete ??
        content.reaction ??
        content.disappearing
      if (
        body === undefined ||
        !equalBytes(content.conversation, fromHex(groupId)) ||
        !equalBytes(content.sender, peerIdToBytes(from))
      )
        return // authentic but not a group text (or edit…) of this sender: nothing to show
      pending.commit()
      const seq = Number(content.seq)
      const now = cx.ctx.clock()
      cx.store.groups.retain({ groupId, sender: from, seq, data, receivedAt: now })
      gap = deliver(cx, groupId, from, content, plaintext, events)
    })
  } catch (err) {
    if (!QUIET.has(errorName(err))) log('group envelope dropped: %s', errorName(err))
  }
  for (const e of events) cx.emit(e)
  if (gap) cx.syncSoon(groupId)
}

/** Shows `content` now or holds it back (design §4). Returns whether a gap is still open. */
function deliver(
  cx: GroupContext,
  groupId: string,
  sender: string,
  content: ChatContent,
  bytes: Uint8Array,
  events: ServiceEvent[],
): boolean {
  const seq = Number(content.seq)
  // The first message we can read from a sender we hold no mark for starts its sequence.
  const mark = cx.store.groups.mark(groupId, sender) ?? seq - 1
  if (seq <= mark) return false
  if (seq > mark + 1) {
    cx.store.groups.setMark(groupId, sender, mark)
    cx.store.groups.hold({ groupId, sender, seq, content: bytes, receivedAt: cx.ctx.clock() })
    return true
  }
  show(cx, groupId, sender, content, events)
  cx.store.groups.setMark(groupId, sender, seq)
  return release(cx, groupId, sender, events)
}

/** Shows the held messages that now follow the mark. Returns whether some are still held. */
function release(
  cx: GroupContext,
  groupId: string,
  sender: string,
  events: ServiceEvent[],
): boolean {
  let mark = cx.store.groups.mark(groupId, sender) ?? 0
  const held = cx.store.groups.held(groupId, sender)
  let left = held.length
  for (const h of held) {
    if (h.seq > mark + 1) break
    cx.store.groups.unhold(groupId, sender, h.seq)
    left--
    if (h.seq <= mark) continue
    show(cx, groupId, sender, decodeChatContent(h.content), events)
    mark = h.seq
  }
  cx.store.groups.setMark(groupId, sender, mark)
  return left > 0
}

function show(
  cx: GroupContext,
  groupId: string,
  sender: string,
  content: ChatContent,
  events: ServiceEvent[],
): void {
  // Held back before we blocked its sender: dropped like the rest of its messages.
  if (cx.store.trust.isBlocked(sender)) {
    cx.rejected.blocked++
    return
  }
  if (content.file !== undefined) {
    // A member's file manifest (../files/): stored there with its message, or dropped.
    const f = cx.files?.received(groupId, sender, content, cx.ctx.clock())
    if (f !== undefined) {
      events.push({ event: 'message', message: toMessageView(cx.store.getMessage(f.id) ?? f) })
      cx.bodies?.inserted(f.id, events)
    }
    return
  }
  if (content.text === undefined) {
    // An edit, delete, reaction or timer change (./content.ts), in its sender's order.
    cx.bodies?.receive(groupId, sender, content, encodeChatContent(content), events)
    return
  }
  const ttlSeconds = cx.bodies?.ttl(groupId)
  const m: StoredMessage = {
    id: toHex(content.messageId),
    conversation: groupId,
    from: sender,
    direction: 'in',
    seq: Number(content.seq),
    text: content.text?.text ?? '',
    sentAt: Number(content.sentAt),
    receivedAt: cx.ctx.clock(),
    status: 'delivered',
    ...(content.replyTo.length > 0 ? { replyTo: toHex(content.replyTo) } : {}),
    ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
  }
  if (cx.store.insertMessage(m)) {
    events.push({ event: 'message', message: toMessageView(cx.store.getMessage(m.id) ?? m) })
    cx.bodies?.inserted(m.id, events)
  }
}

/**
 * Design §4: a gap open for GROUP_GAP_TIMEOUT_MS is skipped — the mark jumps to just before the
 * oldest held message and what follows is shown. A message of the gap arriving later is dropped.
 */
export function skipStaleGaps(cx: GroupContext): void {
  const now = cx.ctx.clock()
  const events: ServiceEvent[] = []
  const seen = new Set<string>()
  cx.store.transaction(() => {
    for (const h of cx.store.groups.allHeld()) {
      const key = `${h.groupId} ${h.sender}`
      if (seen.has(key) || now - h.receivedAt < GROUP_GAP_TIMEOUT_MS) continue
      seen.add(key)
      const first = cx.store.groups.held(h.groupId, h.sender)[0]
      if (first === undefined) continue
      cx.store.groups.setMark(h.groupId, h.sender, first.seq - 1)
      release(cx, h.groupId, h.sender, events)
    }
  })
  for (const e of events) cx.emit(e)
}
