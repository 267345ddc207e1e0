// The plaintext of every 1:1 and group message (wire.proto ChatContent) and the bodies it can
// carry: text, receipt, group control, file manifest, contact card, group update, edit, delete,
// reaction, disappearing timer. Encoded before padding
// (./padding.ts) and encryption; decoded after decryption and unpadding.
//
// This module owns their layout and bounds. It knows nothing of conversations, delivery or
// group rules: it checks that a GroupControl carries a 64-byte signature, not that it verifies
// (group/ does), that a GroupUpdate's ops are bounded byte strings, not that they are signed
// ops (group/control.ts verifyGroupOp does), and that a manifest's hashes are 32 bytes, not that they match (node/file/ does).
import { reader as protonsReader } from 'protons-runtime'
import { MalformedMessageError } from '../errors.js'
import { PEER_ID_BYTES } from '../identity/identity.js'
import { decodeLimited } from './decode.js'
import { INVITE_SECRET_BYTES } from './invite.js'
import {
  MAX_CHAT_CONTENT_BYTES,
  MAX_CONTACT_CARD_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_UPDATE_CARDS,
  MAX_GROUP_UPDATE_OPS,
  MAX_ID_BYTES,
  MAX_NAME_BYTES,
  MAX_PLAINTEXT_BYTES,
  MAX_RECEIPT_IDS,
} from './limits.js'
import * as pb from './pb/wire.js'
import {
  bytesUpTo,
  decodeRules,
  encodeRules,
  fits,
  u64,
  utf8UpTo,
  wire,
  type Rules,
  type WireInput,
} from './rules.js'

import {
  disappearing,
  edit,
  fileManifest,
  groupControl,
  groupUpdate,
  MAX_CHUNK_HASHES,
  MESSAGE_ID_BYTES,
  reaction,
  receipt,
} from './content-bodies.js'
export { GroupOp, ReceiptKind } from './pb/wire.js'

export { MESSAGE_ID_BYTES } from './content-bodies.js'

export type {
  ChatContent,
  Delete,
  Disappearing,
  Edit,
  FileManifest,
  GroupControl,
  GroupUpdate,
  Reaction,
  Receipt,
  SenderKeyDistribution,
  Text,
} from './pb/wire.js'

/** What encodeChatContent takes: the invite proof, profile name and reply optional (most
 *  contents carry none). */
export type ContentIn = Omit<
  WireInput<pb.ChatContent>,
  'inviteProof' | 'profileName' | 'replyTo'
> & {
  inviteProof?: Uint8Array
  profileName?: string
  replyTo?: Uint8Array
}
function chatContent(r: Rules, c: ContentIn): WireInput<pb.ChatContent> {
  const bodies = [
    c.text,
    c.receipt,
    c.groupControl,
    c.file,
    c.card,
    c.group,
    c.edit,
    c.delete,
    c.reaction,
    c.disappearing,
  ]
  const set = bodies.filter((b) => b != null).length
  if (set !== 1) r.bad(`ChatContent: ${set} bodies set, expected exactly one`)
  const { conversation } = c
  if (!(conversation instanceof Uint8Array)) r.bad('ChatContent.conversation: expected bytes')
  r.max('ChatContent.conversation bytes', conversation.length, MAX_ID_BYTES)
  const out: WireInput<pb.ChatContent> = {
    messageId: r.len('ChatContent.messageId', c.messageId, MESSAGE_ID_BYTES),
    sender: r.len('ChatContent.sender', c.sender, 0, PEER_ID_BYTES),
    seq: u64(r, 'ChatContent.seq', c.seq),
    sentAt: u64(r, 'ChatContent.sentAt', c.sentAt),
    conversation,
    // Outside the body oneof: a 1:1 content's proof that its sender holds our invite secret
    // (service/direct/proofs.ts), and the sender's own name beside it. Empty when absent.
    inviteProof: r.len(
      'ChatContent.inviteProof',
      c.inviteProof ?? new Uint8Array(0),
      0,
      INVITE_SECRET_BYTES,
    ),
    profileName: utf8UpTo(r, 'ChatContent.profileName', c.profileName ?? '', MAX_NAME_BYTES),
    // A reply names the quoted message's id; only a text replies (Signal: DataMessage.quote).
    replyTo: r.len('ChatContent.replyTo', c.replyTo ?? new Uint8Array(0), 0, MESSAGE_ID_BYTES),
  }
  if (out.replyTo.length > 0 && c.text == null) r.bad('ChatContent.replyTo: only a text replies')
  if (c.text != null) {
    out.text = { text: utf8UpTo(r, 'ChatContent.text.text', c.text.text, MAX_PLAINTEXT_BYTES) }
  }
  if (c.receipt != null) out.receipt = receipt(r, 'ChatContent.receipt', c.receipt)
  if (c.groupControl != null) {
    out.groupControl = groupControl(r, 'ChatContent.groupControl', c.groupControl)
  }
  if (c.file != null) out.file = fileManifest(r, 'ChatContent.file', c.file)
  if (c.card != null) out.card = bytesUpTo(r, 'ChatContent.card', c.card, MAX_CONTACT_CARD_BYTES)
  if (c.group != null) out.group = groupUpdate(r, 'ChatContent.group', c.group)
  if (c.edit != null) out.edit = edit(r, 'ChatContent.edit', c.edit)
  if (c.delete != null) {
    out.delete = {
      targetId: r.len('ChatContent.delete.targetId', c.delete.targetId, MESSAGE_ID_BYTES),
    }
  }
  if (c.reaction != null) out.reaction = reaction(r, 'ChatContent.reaction', c.reaction)
  if (c.disappearing != null) {
    out.disappearing = disappearing(r, 'ChatContent.disappearing', c.disappearing)
  }
  return out
}

/**
 * Encodes a ChatContent with exactly one body. MessageTooLargeError when the text exceeds
 * MAX_PLAINTEXT_BYTES or the whole exceeds MAX_CHAT_CONTENT_BYTES.
 */
export function encodeChatContent(c: ContentIn): Uint8Array {
  const bytes = encodeShaped(wire<pb.ChatContent>(chatContent(encodeRules, c)))
  return fits('ChatContent', bytes, MAX_CHAT_CONTENT_BYTES)
}

const limitedChatContent = {
  decode: (bytes: Uint8Array): pb.ChatContent =>
    pb.ChatContent.decode(bytes, {
      limits: {
        receipt: { messageIds: MAX_RECEIPT_IDS },
        groupControl: { members: MAX_GROUP_MEMBERS, admins: MAX_GROUP_MEMBERS },
        file: { chunkHashes: MAX_CHUNK_HASHES },
        group: {
          ops: MAX_GROUP_UPDATE_OPS,
          secrets: MAX_GROUP_UPDATE_OPS,
          cards: MAX_GROUP_UPDATE_CARDS,
        },
      },
    }),
  encode: (value: pb.ChatContent): Uint8Array => encodeShaped(value),
}

/**
 * pb.ChatContent.encode on an object that already has every key, bodies included. protons' oneof
 * encoder (pb/wire.ts ChatContent.codec) copies its input and assigns `undefined` to the nine
 * bodies not set: on an object without those keys that adds nine properties to the copy, a new
 * hidden class each time, and cost ≈ 13 µs per encode here against ≈ 1.5 µs when the keys are
 * there (2026-12-06; a message is encoded once by its sender and again by its receiver, for the
 * canonical check). One object literal, so one hidden class (a spread of a defaults object was
 * ≈ 5 µs itself). The bytes are the same (test/core/wire/content.test.ts). No upstream issue
 * found for protons 9 (runtime 7); the test there also tells when the generated encoder stops
 * copying.
 */
function encodeShaped(c: pb.ChatContent): Uint8Array {
  const shaped: { [K in keyof Required<pb.ChatContent>]: pb.ChatContent[K] } = {
    messageId: c.messageId,
    sender: c.sender,
    seq: c.seq,
    sentAt: c.sentAt,
    conversation: c.conversation,
    inviteProof: c.inviteProof,
    profileName: c.profileName,
    replyTo: c.replyTo,
    text: c.text,
    receipt: c.receipt,
    groupControl: c.groupControl,
    file: c.file,
    card: c.card,
    group: c.group,
    edit: c.edit,
    delete: c.delete,
    reaction: c.reaction,
    disappearing: c.disappearing,
  }
  return pb.ChatContent.encode(shaped)
}

/** Decodes the plaintext of a message (after unpadding); exactly one body is set. */
export function decodeChatContent(bytes: Uint8Array): pb.ChatContent {
  const m = decodeLimited(limitedChatContent, bytes, MAX_CHAT_CONTENT_BYTES, 'ChatContent')
  // protons keeps one of several bodies (or repeats of one) silently, and another parser may keep
  // another: a sender could show different clients different messages. Refuse such encodings.
  if (bodyFields(bytes) > 1) throw new MalformedMessageError('ChatContent: more than one body')
  return wire<pb.ChatContent>(chatContent(decodeRules, m))
}

/** Counts the top-level occurrences of the oneof body fields (10–19). */
function bodyFields(bytes: Uint8Array): number {
  try {
    const rd = protonsReader(bytes)
    let n = 0
    while (rd.pos < rd.len) {
      const tag = rd.uint32()
      const field = tag >>> 3
      if (field >= 10 && field <= 19) n++
      rd.skipType(tag & 7)
    }
    return n
  } catch {
    throw new MalformedMessageError('ChatContent: does not parse')
  }
}
