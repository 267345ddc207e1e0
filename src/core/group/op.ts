// Signed group membership ops (wire.proto GroupControl; docs/protocol.md "Groups", design §1).
// This module owns the op's shape rules, its signature ("kith-group-op-v1" ‖ the op with
// signature and sender_key empty, Ed25519 by the actor's identity key = its PeerId) and its hash.
// It knows nothing of replay order or topics (./control.ts), sender keys, stores or the network.
import { abytes, concat, equalBytes, utf8 } from '../bytes.js'
import type { CryptoProvider } from '../crypto/provider.js'
import { InvalidKeyError, InvalidSignatureError, MalformedMessageError } from '../errors.js'
import {
  PEER_ID_BYTES,
  peerIdBytesFromPublicKey,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
  type IdentityKeyPair,
} from '../identity/identity.js'
import { SIGNATURE_BYTES } from '../wire/codec.js'
import { decodeLimited } from '../wire/decode.js'
import {
  GROUP_ID_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_OP_BYTES,
  MAX_NAME_BYTES,
} from '../wire/limits.js'
import * as pb from '../wire/pb/wire.js'
import { GroupOp } from '../wire/pb/wire.js'
import {
  decodeRules,
  encodeRules,
  fits,
  listUpTo,
  u64,
  utf8UpTo,
  wire,
  type Rules,
  type WireInput,
} from '../wire/rules.js'

export { GroupOp }

/** Signature domain of a group op (design §1). */
const OP_DOMAIN = utf8('kith-group-op-v1')

export interface GroupOpInit {
  groupId: Uint8Array
  op: GroupOp
  /** CREATE: initial members besides the actor; ADD/REMOVE: the targets. PeerId strings. */
  members?: string[]
  /** CREATE: initial admins besides the actor; ADD: which of the added become admins. */
  admins?: string[]
  /** CREATE and RENAME only. */
  name?: string
  /** Lamport clock: 0 for CREATE, else 1 + the highest epoch the actor has applied. */
  epoch: number
}

/** A verified op: its fields as PeerId strings, its actor, hash and exact bytes. */
export interface GroupOpRecord {
  groupId: Uint8Array
  op: GroupOp
  members: string[]
  admins: string[]
  name: string
  epoch: number
  /** PeerId string of the signer. */
  actor: string
  /** SHA-256 of `bytes` (the op hash of design §1). */
  hash: Uint8Array
  /** The encoded signed GroupControl. */
  bytes: Uint8Array
}

type OpIn = WireInput<pb.GroupControl>

const OPS: ReadonlySet<unknown> = new Set(
  Object.values(pb.GroupOp).filter((v) => typeof v === 'string'),
)

/** A PeerId of an Ed25519 key (the only kind whose key a PeerId carries). */
function peer(r: Rules, what: string, id: Uint8Array): Uint8Array {
  r.len(what, id, PEER_ID_BYTES)
  try {
    publicKeyFromPeerId(id)
  } catch {
    r.bad(`${what}: not an Ed25519 PeerId`)
  }
  return id
}

function distinct(r: Rules, what: string, ids: readonly Uint8Array[]): void {
  const seen = new Set<string>()
  for (const id of ids) {
    const k = String.fromCharCode(...id)
    if (seen.has(k)) r.bad(`${what}: listed twice`)
    seen.add(k)
  }
}

function within(ids: readonly Uint8Array[], of: readonly Uint8Array[]): boolean {
  return ids.every((a) => of.some((b) => equalBytes(a, b)))
}

/**
 * The shape rules of an op (design §1), for both directions: which fields each op may set,
 * distinct PeerIds, admins among the listed members, epoch 0 exactly for CREATE, no sender key.
 * The signature is checked for length only here.
 */
function checkOp(r: Rules, x: OpIn): OpIn {
  const what = 'GroupControl'
  if (!OPS.has(x.op)) r.bad(`${what}.op: unknown`)
  const out: OpIn = {
    groupId: r.len(`${what}.groupId`, x.groupId, GROUP_ID_BYTES),
    op: x.op,
    members: listUpTo(r, `${what}.members`, x.members, MAX_GROUP_MEMBERS, (w, id) =>
      peer(r, w, id),
    ),
    admins: listUpTo(r, `${what}.admins`, x.admins, MAX_GROUP_MEMBERS, (w, id) => peer(r, w, id)),
    name: utf8UpTo(r, `${what}.name`, x.name, MAX_NAME_BYTES),
    epoch: u64(r, `${what}.epoch`, x.epoch),
    actor: peer(r, `${what}.actor`, x.actor),
    signature: x.signature,
  }
  // design §1: "sender_key (field 9) must be empty in an op".
  if (x.senderKey != null) r.bad(`${what}.senderKey: must be empty in an op`)
  if (out.epoch > BigInt(Number.MAX_SAFE_INTEGER)) r.bad(`${what}.epoch: out of range`)
  distinct(r, `${what}.members`, out.members)
  distinct(r, `${what}.admins`, out.admins)
  const { op, members, admins, name } = out
  const none = (field: string, n: number): void => {
    if (n > 0) r.bad(`${what}.${field}: not allowed in ${op}`)
  }
  if (op === pb.GroupOp.CREATE) {
    if (out.epoch !== 0n) r.bad(`${what}.epoch: CREATE has epoch 0`)
    if (members.some((m) => equalBytes(m, out.actor))) r.bad(`${what}.members: lists the actor`)
  } else if (out.epoch === 0n) {
    r.bad(`${what}.epoch: only CREATE has epoch 0`)
  }
  if (op === pb.GroupOp.ADD || op === pb.GroupOp.REMOVE) r.min(`${what}.members`, members.length, 1)
  if (op === pb.GroupOp.CREATE || op === pb.GroupOp.ADD) {
    if (!within(admins, members)) r.bad(`${what}.admins: not among the members`)
  } else {
    none('admins', admins.length)
  }
  if (op === pb.GroupOp.LEAVE || op === pb.GroupOp.RENAME) none('members', members.length)
  if (op !== pb.GroupOp.CREATE && op !== pb.GroupOp.RENAME) none('name', utf8(name).length)
  return out
}

/** The signed bytes: "kith-group-op-v1" ‖ encode(op with signature and sender_key empty). */
function signedPayload(op: OpIn): Uint8Array {
  const unsigned = wire<pb.GroupControl>({ ...op, signature: new Uint8Array(0) })
  delete unsigned.senderKey
  return concat(OP_DOMAIN, pb.GroupControl.encode(unsigned))
}

function peerBytes(r: Rules, what: string, id: unknown): Uint8Array {
  if (typeof id !== 'string') r.bad(`${what}: expected a PeerId string`)
  try {
    return peerIdBytesFromPublicKey(publicKeyFromPeerId(id))
  } catch (err) {
    if (InvalidKeyError.is(err)) r.bad(`${what}: not an Ed25519 PeerId`)
    throw err
  }
}

const peerString = (id: Uint8Array): string => peerIdFromPublicKey(publicKeyFromPeerId(id))

function toRecord(crypto: CryptoProvider, op: OpIn, bytes: Uint8Array): GroupOpRecord {
  return {
    groupId: Uint8Array.from(op.groupId),
    op: op.op,
    members: op.members.map(peerString),
    admins: op.admins.map(peerString),
    name: op.name,
    epoch: Number(op.epoch),
    actor: peerString(op.actor),
    hash: crypto.sha256(bytes),
    bytes,
  }
}

/**
 * Builds and signs an op as `identity` (the actor). TypeError/RangeError for a field that breaks
 * the shape rules, MessageTooLargeError for a list or name over its limit or an op over
 * MAX_GROUP_OP_BYTES.
 */
export function signGroupOp(
  crypto: CryptoProvider,
  identity: IdentityKeyPair,
  init: GroupOpInit,
): GroupOpRecord {
  const r = encodeRules
  if (!Number.isSafeInteger(init.epoch) || init.epoch < 0) {
    throw new RangeError(`epoch: expected a non-negative safe integer, got ${init.epoch}`)
  }
  const ids = (what: string, list: readonly string[] = []): Uint8Array[] =>
    listUpTo(r, what, list, MAX_GROUP_MEMBERS, (w, id) => peerBytes(r, w, id))
  const op = checkOp(r, {
    groupId: abytes('groupId', init.groupId),
    op: init.op,
    members: ids('members', init.members),
    admins: ids('admins', init.admins),
    name: init.name ?? '',
    epoch: BigInt(init.epoch),
    actor: peerIdBytesFromPublicKey(identity.publicKey),
    signature: new Uint8Array(0),
  })
  op.signature = identity.sign(crypto, signedPayload(op))
  const bytes = fits(
    'GroupControl',
    pb.GroupControl.encode(wire<pb.GroupControl>(op)),
    MAX_GROUP_OP_BYTES,
  )
  return toRecord(crypto, op, bytes)
}

const limitedOp = {
  decode: (bytes: Uint8Array): pb.GroupControl =>
    pb.GroupControl.decode(bytes, {
      limits: { members: MAX_GROUP_MEMBERS, admins: MAX_GROUP_MEMBERS },
    }),
  encode: (value: pb.GroupControl): Uint8Array => pb.GroupControl.encode(value),
}

/**
 * Decodes (canonical encoding, MAX_GROUP_OP_BYTES) and verifies a signed op alone: the actor's
 * PeerId is its Ed25519 key. MessageTooLargeError, MalformedMessageError (bad shape),
 * InvalidSignatureError. Says nothing of whether the op applies (that is replay's business).
 */
export function verifyGroupOp(crypto: CryptoProvider, bytes: Uint8Array): GroupOpRecord {
  const m = decodeLimited(limitedOp, bytes, MAX_GROUP_OP_BYTES, 'GroupControl')
  const op = checkOp(decodeRules, m)
  if (op.signature.length !== SIGNATURE_BYTES) {
    throw new MalformedMessageError(`GroupControl.signature: expected ${SIGNATURE_BYTES} bytes`)
  }
  const key = publicKeyFromPeerId(op.actor)
  if (!crypto.ed25519Verify(key, signedPayload(op), op.signature)) {
    throw new InvalidSignatureError('group op signature does not verify')
  }
  return toRecord(crypto, op, Uint8Array.from(bytes))
}
