// Group membership as a deterministic replay of signed ops (docs/protocol.md "Groups", design
// §1), and the names derived from its result: the gossipsub topic and the LEAVE topic secret.
// Every member that holds the same set of ops computes the same state, whatever order the ops
// arrived in: convergence by construction. This module owns the replay order and rules; ops are
// built and verified by ./op.ts (re-exported here). It knows nothing of sender keys, stores,
// transport or who sends what (the service does).
import { abytes, concat, equalBytes, toHex, utf8 } from '../bytes.js'
import type { CryptoProvider } from '../crypto/provider.js'
import { defineError } from '../errors.js'
import { peerIdBytesFromPublicKey, publicKeyFromPeerId } from '../identity/identity.js'
import { GROUP_SECRET_BYTES, MAX_GROUP_MEMBERS, MAX_GROUP_OPS } from '../wire/limits.js'
import { MAX_EPOCH_STEP } from './limits.js'
import { GroupOp, type GroupOpRecord } from './op.js'

export { GroupOp, signGroupOp, verifyGroupOp } from './op.js'
export type { GroupOpInit, GroupOpRecord } from './op.js'

/** No valid CREATE among the ops, or more than MAX_GROUP_OPS of them. */
export class GroupStateError extends defineError('GroupStateError') {}
/** An op whose epoch is more than MAX_EPOCH_STEP above the highest known (protocol.md §13.2). */
export class GroupEpochError extends defineError('GroupEpochError') {}

/** The result of a replay (design §1). */
export interface GroupState {
  groupId: Uint8Array
  name: string
  /** PeerId strings, sorted by PeerId bytes (comparePeerIds). */
  members: string[]
  /** PeerId strings, sorted by PeerId bytes; always a subset of members. */
  admins: string[]
  /** The highest epoch among the applied ops (the Lamport clock a member signs from + 1). */
  epoch: number
  /**
   * The highest epoch among the ops of the group within the epoch rule, applied or not (≥ epoch):
   * a new op may carry at most known + MAX_EPOCH_STEP (checkOpEpoch).
   */
  known: number
  /** Hashes of the ops skipped by the epoch rule, in replay order (a modified client's). */
  refused: Uint8Array[]
  /** SHA-256 of the applied op hashes, concatenated in replay order. */
  digest: Uint8Array
  /** Hashes of the applied ops, in replay order. */
  applied: Uint8Array[]
  /** Hash of the last applied op that introduces a topic secret (CREATE, REMOVE or LEAVE). */
  secretOp: Uint8Array | undefined
}

export interface ReplayOptions {
  /** Ignore ops of any other group (default: the group of the first CREATE in replay order). */
  groupId?: Uint8Array
  /**
   * Honour only the CREATE with this op hash. Anyone who knows the group id can sign another
   * CREATE with epoch 0 and a lower actor key, which would sort first: a member pins the CREATE
   * it first accepted so such a forgery is ignored like any other second CREATE.
   */
  create?: Uint8Array
}

const TOPIC_PREFIX = '/kith/group/1/'
const TOPIC_DOMAIN = utf8('kith-group-topic-v1')
const LEAVE_SECRET_INFO = utf8('kith-group-leave-secret-v1')

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

const peerIdBytes = (id: string): Uint8Array => peerIdBytesFromPublicKey(publicKeyFromPeerId(id))

/** Orders PeerId strings by their bytes: the order of members, admins and replay (design §1). */
export function comparePeerIds(a: string, b: string): number {
  return compareBytes(peerIdBytes(a), peerIdBytes(b))
}

/** The mutable membership during a replay. */
class Members {
  readonly members = new Set<string>()
  readonly admins = new Set<string>()
  readonly #bytes = new Map<string, Uint8Array>()

  bytes(id: string): Uint8Array {
    let b = this.#bytes.get(id)
    if (b === undefined) this.#bytes.set(id, (b = peerIdBytes(id)))
    return b
  }

  sorted(set: Set<string>): string[] {
    return [...set].sort((a, b) => compareBytes(this.bytes(a), this.bytes(b)))
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      this.members.delete(id)
      this.admins.delete(id)
    }
    // design §1: "The last admin leaving promotes the lowest remaining member (deterministic)."
    const lowest = this.sorted(this.members)[0]
    if (this.admins.size === 0 && lowest !== undefined) this.admins.add(lowest)
  }
}

/**
 * Applies one op after the honoured CREATE; false when it does not apply (design §1: ADD,
 * REMOVE and RENAME only by an admin at that point of the replay, LEAVE only by a member; an ADD
 * past MAX_GROUP_MEMBERS and any second CREATE do not apply either).
 */
function apply(m: Members, op: GroupOpRecord, state: { name: string }): boolean {
  const admin = m.admins.has(op.actor)
  switch (op.op) {
    case GroupOp.ADD: {
      if (!admin) return false
      const grown = new Set([...m.members, ...op.members])
      if (grown.size > MAX_GROUP_MEMBERS) return false
      for (const id of op.members) m.members.add(id)
      for (const id of op.admins) m.admins.add(id)
      return true
    }
    case GroupOp.REMOVE:
      if (!admin) return false
      m.remove(op.members)
      return true
    case GroupOp.LEAVE:
      if (!m.members.has(op.actor)) return false
      m.remove([op.actor])
      return true
    case GroupOp.RENAME:
      if (!admin) return false
      state.name = op.name
      return true
    default:
      return false
  }
}

/**
 * The epoch rule (docs/protocol.md §13.2): an op's epoch is at most the highest epoch known from
 * the ops that sort before it + MAX_EPOCH_STEP. `known` is GroupState.known of the log the op
 * joins. GroupEpochError otherwise; the caller does not store the op.
 */
export function checkOpEpoch(op: GroupOpRecord, known: number): void {
  if (!withinEpochStep(op.epoch, known)) {
    throw new GroupEpochError(`epoch ${op.epoch} is beyond ${known} + ${MAX_EPOCH_STEP}`)
  }
}

const withinEpochStep = (epoch: number, known: number): boolean => epoch <= known + MAX_EPOCH_STEP

/**
 * GroupState.known of the ops of one group without replaying them: the highest epoch reached
 * from 0 in steps of at most MAX_EPOCH_STEP. For a log that only ever took ops passing
 * checkOpEpoch this is its highest epoch.
 */
export function knownEpoch(ops: readonly GroupOpRecord[]): number {
  let known = 0
  for (const epoch of ops.map((o) => o.epoch).sort((a, b) => a - b)) {
    if (!withinEpochStep(epoch, known)) break
    known = Math.max(known, epoch)
  }
  return known
}

const introducesSecret = (op: GroupOp): boolean =>
  op === GroupOp.CREATE || op === GroupOp.REMOVE || op === GroupOp.LEAVE

/**
 * Replays ops (each from verifyGroupOp or signGroupOp; duplicates count once) in the order
 * (epoch, actor PeerId bytes, op hash) — design §1. The first CREATE in that order (of
 * `options.groupId`, with hash `options.create` when given) makes the group: its actor is member
 * and admin, its members and admins join. Ops before it, other CREATEs, ops of another group and
 * ops that do not apply are kept out of the state and the digest; so is an op more than
 * MAX_EPOCH_STEP above the highest epoch of the group's ops before it (in `refused`). Every
 * rule reads only ops that sort before, so the state is a function of the set. GroupStateError
 * when no CREATE is honoured or more than MAX_GROUP_OPS distinct ops are given.
 */
export function replayGroup(
  crypto: CryptoProvider,
  ops: readonly GroupOpRecord[],
  options: ReplayOptions = {},
): GroupState {
  const unique = new Map<string, GroupOpRecord>()
  for (const op of ops) unique.set(toHex(op.hash), op)
  if (unique.size > MAX_GROUP_OPS) {
    throw new GroupStateError(`${unique.size} ops exceed the limit of ${MAX_GROUP_OPS}`)
  }
  const m = new Members()
  const order = [...unique.values()].sort(
    (a, b) =>
      a.epoch - b.epoch ||
      compareBytes(m.bytes(a.actor), m.bytes(b.actor)) ||
      compareBytes(a.hash, b.hash),
  )
  let groupId = options.groupId
  let created = false
  const state = { name: '' }
  let epoch = 0
  let known = 0
  let secretOp: Uint8Array | undefined
  const applied: Uint8Array[] = []
  const refused: Uint8Array[] = []
  for (const op of order) {
    if (groupId !== undefined && !equalBytes(op.groupId, groupId)) continue
    // protocol.md §13.2, the epoch rule. Sorted by epoch, so once an op is refused every later
    // one is too until the missing epochs arrive: honest epochs have no gaps (MAX_EPOCH_STEP).
    if (!withinEpochStep(op.epoch, known)) {
      refused.push(op.hash)
      continue
    }
    known = Math.max(known, op.epoch)
    if (created) {
      if (!apply(m, op, state)) continue
    } else {
      if (op.op !== GroupOp.CREATE) continue
      if (options.create !== undefined && !equalBytes(op.hash, options.create)) continue
      const initial = new Set([op.actor, ...op.members])
      if (initial.size > MAX_GROUP_MEMBERS) continue
      created = true
      groupId = op.groupId
      for (const id of initial) m.members.add(id)
      for (const id of [op.actor, ...op.admins]) m.admins.add(id)
      state.name = op.name
    }
    applied.push(op.hash)
    epoch = Math.max(epoch, op.epoch)
    if (introducesSecret(op.op)) secretOp = op.hash
  }
  if (!created || groupId === undefined) throw new GroupStateError('no valid CREATE op')
  return {
    groupId: Uint8Array.from(groupId),
    name: state.name,
    members: m.sorted(m.members),
    admins: m.sorted(m.admins),
    epoch,
    known,
    refused,
    digest: crypto.sha256(concat(...applied)),
    applied,
    secretOp,
  }
}

/**
 * The gossipsub topic of a group state (design §2): "/kith/group/1/" + hex(SHA-256(
 * "kith-group-topic-v1" ‖ secret ‖ digest)). It changes with every applied op and reveals neither
 * the group's name nor its id.
 */
export function groupTopic(crypto: CryptoProvider, secret: Uint8Array, state: GroupState): string {
  abytes('secret', secret, GROUP_SECRET_BYTES)
  return TOPIC_PREFIX + toHex(crypto.sha256(concat(TOPIC_DOMAIN, secret, state.digest)))
}

/**
 * The topic secret a LEAVE introduces (design §2): HKDF-SHA256(ikm = previous secret, salt =
 * the LEAVE's op hash, info = "kith-group-leave-secret-v1", 32 bytes). The departed member can
 * derive it (it knew the previous secret) and so find the topic, but cannot read it: every
 * remaining member rotates its sender key.
 */
export function leaveSecret(
  crypto: CryptoProvider,
  previousSecret: Uint8Array,
  leaveOpHash: Uint8Array,
): Uint8Array {
  abytes('previousSecret', previousSecret, GROUP_SECRET_BYTES)
  abytes('leaveOpHash', leaveOpHash, 32)
  return crypto.hkdfSha256(previousSecret, leaveOpHash, LEAVE_SECRET_INFO, GROUP_SECRET_BYTES)
}
