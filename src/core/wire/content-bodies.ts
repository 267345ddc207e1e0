// The bodies a ChatContent carries (./content.ts): receipt, sender key distribution, group
// control, group update, file manifest, edit, reaction, disappearing timer — each one's layout
// checks and bounds, for encoding and decoding alike (./rules.ts). Like ./content.ts it checks
// shapes and sizes, never signatures or group rules.
import { PEER_ID_BYTES } from '../identity/identity.js'
import { ED25519_KEY_BYTES, SIGNATURE_BYTES } from './codec.js'
import { isOneEmoji } from './emoji.js'
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
import { bytesUpTo, listUpTo, u32, u64, utf8UpTo, type Rules, type WireInput } from './rules.js'

/** A message id: 16 bytes, a 48-bit time and 80 random bits (./message-id.ts). */
export const MESSAGE_ID_BYTES = 16
/** SHA-256 digests (chunk hashes, whole-file hash) and 256-bit keys (file key, chain key). */
const HASH_BYTES = 32
const KEY_BYTES = 32
/** Chunk hashes a manifest can hold: implied by MAX_CHAT_CONTENT_BYTES (2 B framing each). */
export const MAX_CHUNK_HASHES = Math.floor(MAX_CHAT_CONTENT_BYTES / (HASH_BYTES + 2))

export type ReceiptIn = WireInput<pb.Receipt>
export type GroupControlIn = WireInput<pb.GroupControl>
export type SenderKeyIn = WireInput<pb.SenderKeyDistribution>
export type GroupUpdateIn = WireInput<pb.GroupUpdate>
export type FileIn = WireInput<pb.FileManifest>

// The generated enums are string enums merged with a `codec` function: keep the strings.
const RECEIPT_KINDS: ReadonlySet<unknown> = new Set(
  Object.values(pb.ReceiptKind).filter((v) => typeof v === 'string'),
)
const GROUP_OPS: ReadonlySet<unknown> = new Set(
  Object.values(pb.GroupOp).filter((v) => typeof v === 'string'),
)

export function receipt(r: Rules, what: string, x: ReceiptIn): ReceiptIn {
  if (!RECEIPT_KINDS.has(x.kind)) r.bad(`${what}.kind: unknown`)
  const messageIds = listUpTo(r, `${what}.messageIds`, x.messageIds, MAX_RECEIPT_IDS, (w, id) =>
    r.len(w, id, MESSAGE_ID_BYTES),
  )
  r.min(`${what}.messageIds count`, messageIds.length, 1)
  return { kind: x.kind, messageIds }
}

export function senderKey(r: Rules, what: string, x: SenderKeyIn): SenderKeyIn {
  return {
    distributionId: bytesUpTo(r, `${what}.distributionId`, x.distributionId, MAX_ID_BYTES),
    chainId: u32(r, `${what}.chainId`, x.chainId),
    iteration: u32(r, `${what}.iteration`, x.iteration),
    chainKey: r.len(`${what}.chainKey`, x.chainKey, KEY_BYTES),
    signingKey: r.len(`${what}.signingKey`, x.signingKey, ED25519_KEY_BYTES),
  }
}

export function groupControl(r: Rules, what: string, x: GroupControlIn): GroupControlIn {
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
export function groupUpdate(r: Rules, what: string, x: GroupUpdateIn): GroupUpdateIn {
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

export function fileManifest(r: Rules, what: string, x: FileIn): FileIn {
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
export function edit(r: Rules, what: string, x: WireInput<pb.Edit>): WireInput<pb.Edit> {
  const text = utf8UpTo(r, `${what}.text`, x.text, MAX_PLAINTEXT_BYTES)
  r.min(`${what}.text length`, text.length, 1)
  return { targetId: r.len(`${what}.targetId`, x.targetId, MESSAGE_ID_BYTES), text }
}

export function reaction(
  r: Rules,
  what: string,
  x: WireInput<pb.Reaction>,
): WireInput<pb.Reaction> {
  const emoji = utf8UpTo(r, `${what}.emoji`, x.emoji, MAX_REACTION_BYTES)
  if (!isOneEmoji(emoji)) r.bad(`${what}.emoji: not one emoji`)
  if (typeof x.remove !== 'boolean') r.bad(`${what}.remove: expected a boolean`)
  return {
    targetId: r.len(`${what}.targetId`, x.targetId, MESSAGE_ID_BYTES),
    emoji,
    remove: x.remove,
  }
}

export function disappearing(r: Rules, what: string, x: WireInput<pb.Disappearing>) {
  const ttlSeconds = u32(r, `${what}.ttlSeconds`, x.ttlSeconds)
  if (ttlSeconds !== 0) {
    r.min(`${what}.ttlSeconds`, ttlSeconds, MIN_TTL_SECONDS)
    r.max(`${what}.ttlSeconds`, ttlSeconds, MAX_TTL_SECONDS)
  }
  return { ttlSeconds }
}
