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
import { ED25519_KEY_BYTES, SIGNATURE_BYTES } from './codec.js'
import { decodeLimited } from './decode.js'
import { isOneEmoji } from './emoji.js'
import { INVITE_SECRET_BYTES } from './invite.js'
import {
  MAX_CHAT_CONTENT_BYTES,
  GROUP_ID_BYTES,
  GROUP_SECRET_BYTES,
  MAX_CONTACT_CARD_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_OP_BYTES,
  MAX_GROUP_UPDATE_CARDS,
  MAX_GROUP_UPDATE_OPS,
  MAX_ID_BYTES,
  MAX_NAME_BYTES,
  MAX_PLAINTEXT_BYTES,
  MAX_REACTION_BYTES,
  MAX_RECEIPT_IDS,
  MAX_TTL_SECONDS,
  MIN_TTL_SECONDS,
} from './limits.js'
import * as pb from './pb/wire.js'
import {
  bytesUpTo,
  decodeRules,
  encodeRules,
  fits,
  listUpTo,
  u32,
  u64,
  utf8UpTo,
  wire,
  type Rules,
  type WireInput,
} from './rules.js'

export { GroupOp, ReceiptKind } from './pb/wire.js'

/** A message id: 16 random bytes, unique per sender. */
export const MESSAGE_ID_BYTES = 16
/** SHA-256 digests (chunk hashes, whole-file hash) and 256-bit keys (file key, chain key). */
const HASH_BYTES = 32
const KEY_BYTES = 32
/** Chunk hashes a manifest can hold: implied by MAX_CHAT_CONTENT_BYTES (2 B framing each). */
const MAX_CHUNK_HASHES = Math.floor(MAX_CHAT_CONTENT_BYTES / (HASH_BYTES + 2))

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
type ReceiptIn = WireInput<pb.Receipt>
type GroupControlIn = WireInput<pb.GroupControl>
type SenderKeyIn = WireInput<pb.SenderKeyDistribution>
type GroupUpdateIn = WireInput<pb.GroupUpdate>
type FileIn = WireInput<pb.FileManifest>

// The generated enums are string enums merged with a `codec` function: keep the strings.
const RECEIPT_KINDS: ReadonlySet<unknown> = new Set(
  Object.values(pb.ReceiptKind).filter((v) => typeof v === 'string'),
)
const GROUP_OPS: ReadonlySet<unknown> = new Set(
  Object.values(pb.GroupOp).filter((v) => typeof v === 'string'),
)

function receipt(r: Rules, what: string, x: ReceiptIn): ReceiptIn {
  if (!RECEIPT_KINDS.has(x.kind)) r.bad(`${what}.kind: unknown`)
  const messageIds = listUpTo(r, `${what}.messageIds`, x.messageIds, MAX_RECEIPT_IDS, (w, id) =>
    r.len(w, id, MESSAGE_ID_BYTES),
  )
  r.min(`${what}.messageIds count`, messageIds.length, 1)
  return { kind: x.kind, messageIds }
}

function senderKey(r: Rules, what: string, x: SenderKeyIn): SenderKeyIn {
  return {
    distributionId: bytesUpTo(r, `${what}.distributionId`, x.distributionId, MAX_ID_BYTES),
    chainId: u32(r, `${what}.chainId`, x.chainId),
    iteration: u32(r, `${what}.iteration`, x.iteration),
    chainKey: r.len(`${what}.chainKey`, x.chainKey, KEY_BYTES),
    signingKey: r.len(`${what}.signingKey`, x.signingKey, ED25519_KEY_BYTES),
  }
}

function groupControl(r: Rules, what: string, x: GroupControlIn): GroupControlIn {
  if (!GROUP_OPS.has(x.op)) r.bad(`${what}.op: unknown`)
  const peer = (w: string, id: Uint8Array): Uint8Array => r.len(w, id, PEER_ID_BYTES)
  const out: GroupControlIn = {
    groupId: bytesUpTo(r, `${what}.groupId`, x.groupId, MAX_ID_BYTES),
    op: x.op,
    members: listUpTo(r, `${what}.members`, x.members, MAX_GROUP_MEMBERS, peer),
    admins: listUpTo(r, `${what}.admins`, x.admins, MAX_GROUP_MEMBERS, peer),
    name: utf8UpTo(r, `${what}.name`, x.name, MAX_NAME_BYTES),
    epoch: u64(r, `${what}.epoch`, x.epoch),
    actor: peer(`${what}.actor`, x.actor),
    signature: r.len(`${what}.signature`, x.signature, SIGNATURE_BYTES),
  }
  if (x.senderKey != null) out.senderKey = senderKey(r, `${what}.senderKey`, x.senderKey)
  return out
}

// Design §2: ops are encoded signed GroupControls (checked by group/control.ts when applied);
// secrets run parallel to ops, each empty or one 32-byte topic secret; cards are
// SignedContactCards (checked by identity/card.ts when used).
function groupUpdate(r: Rules, what: string, x: GroupUpdateIn): GroupUpdateIn {
  const ops = listUpTo(r, `${what}.ops`, x.ops, MAX_GROUP_UPDATE_OPS, (w, op) =>
    bytesUpTo(r, w, op, MAX_GROUP_OP_BYTES),
  )
  const secrets = listUpTo(r, `${what}.secrets`, x.secrets, MAX_GROUP_UPDATE_OPS, (w, s) =>
    r.len(w, s, 0, GROUP_SECRET_BYTES),
  )
  if (secrets.length !== ops.length) {
    r.bad(`${what}: ${secrets.length} secrets for ${ops.length} ops`)
  }
  const out: GroupUpdateIn = {
    groupId: r.len(`${what}.groupId`, x.groupId, GROUP_ID_BYTES),
    ops,
    secrets,
    cards: listUpTo(r, `${what}.cards`, x.cards, MAX_GROUP_UPDATE_CARDS, (w, c) =>
      bytesUpTo(r, w, c, MAX_CONTACT_CARD_BYTES),
    ),
  }
  if (x.senderKey != null) out.senderKey = senderKey(r, `${what}.senderKey`, x.senderKey)
  return out
}

function fileManifest(r: Rules, what: string, x: FileIn): FileIn {
  const chunkSize = u32(r, `${what}.chunkSize`, x.chunkSize)
  r.min(`${what}.chunkSize`, chunkSize, 1)
  return {
    fileId: bytesUpTo(r, `${what}.fileId`, x.fileId, MAX_ID_BYTES),
    name: utf8UpTo(r, `${what}.name`, x.name, MAX_NAME_BYTES),
    size: u64(r, `${what}.size`, x.size),
    chunkSize,
    chunkHashes: listUpTo(r, `${what}.chunkHashes`, x.chunkHashes, MAX_CHUNK_HASHES, (w, h) =>
      r.len(w, h, HASH_BYTES),
    ),
    key: r.len(`${what}.key`, x.key, KEY_BYTES),
    sha256: r.len(`${what}.sha256`, x.sha256, HASH_BYTES),
    mime: utf8UpTo(r, `${what}.mime`, x.mime, MAX_NAME_BYTES),
    // Empty, or the root of a hash list fetched separately (docs/files.md "Hash list").
    chunkHashRoot: r.len(`${what}.chunkHashRoot`, x.chunkHashRoot, 0, HASH_BYTES),
  }
}

// Edit, Delete, Reaction, Disappearing (docs/protocol.md §4.8.2–4.8.5): the target is a message id;
// who may edit or delete it (its sender only) is the service's rule (service/edits.ts).
function edit(r: Rules, what: string, x: WireInput<pb.Edit>): WireInput<pb.Edit> {
  const text = utf8UpTo(r, `${what}.text`, x.text, MAX_PLAINTEXT_BYTES)
  r.min(`${what}.text length`, text.length, 1)
  return { targetId: r.len(`${what}.targetId`, x.targetId, MESSAGE_ID_BYTES), text }
}

function reaction(r: Rules, what: string, x: WireInput<pb.Reaction>): WireInput<pb.Reaction> {
  const emoji = utf8UpTo(r, `${what}.emoji`, x.emoji, MAX_REACTION_BYTES)
  if (!isOneEmoji(emoji)) r.bad(`${what}.emoji: not one emoji`)
  if (typeof x.remove !== 'boolean') r.bad(`${what}.remove: expected a boolean`)
  return {
    targetId: r.len(`${what}.targetId`, x.targetId, MESSAGE_ID_BYTES),
    emoji,
    remove: x.remove,
  }
}

function disappearing(r: Rules, what: string, x: WireInput<pb.Disappearing>) {
  const ttlSeconds = u32(r, `${what}.ttlSeconds`, x.ttlSeconds)
  if (ttlSeconds !== 0) {
    r.min(`${what}.ttlSeconds`, ttlSeconds, MIN_TTL_SECONDS)
    r.max(`${what}.ttlSeconds`, ttlSeconds, MAX_TTL_SECONDS)
  }
  return { ttlSeconds }
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
  const bytes = pb.ChatContent.encode(wire<pb.ChatContent>(chatContent(encodeRules, c)))
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
  encode: (value: pb.ChatContent): Uint8Array => pb.ChatContent.encode(value),
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
