// Group membership (docs/groups.md §1–2): the signed op log, its deterministic replay into the
// group row (members, admins, topic), the ops a user's action signs, and which GroupUpdate goes to
// whom. This module owns the op log's meaning for the service; it knows nothing of sender keys
// (./keys.ts), group messages (./messages.ts) or the sync protocol (./sync.ts).
import debug from 'debug'
import {
  checkOpEpoch,
  equalBytes,
  fromHex,
  GroupEpochError,
  GroupOp,
  groupTopic,
  knownEpoch,
  leaveSecret,
  replayGroup,
  signGroupOp,
  toHex,
  verifyGroupOp,
} from '../../core/index.js'
import type { GroupOpRecord, GroupState } from '../../core/index.js'
import { GROUP_SECRET_BYTES, MAX_GROUP_OPS } from '../../core/wire/limits.js'
import type { GroupRow } from '../../store/types.js'
import { ContactNotFoundError, GroupNotFoundError, NotAnAdminError } from '../errors.js'
import type { GroupContext } from './context.js'
import { recordEvents } from './events.js'
import { findGroup } from './naming.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

/** Verifies an op once per process (cache by hash). Throws the core's typed errors. */
export function verifiedOp(cx: GroupContext, bytes: Uint8Array): GroupOpRecord {
  const hash = toHex(cx.ctx.crypto.sha256(bytes))
  let rec = cx.opCache.get(hash)
  if (rec === undefined) {
    rec = verifyGroupOp(cx.ctx.crypto, bytes)
    cx.opCache.set(hash, rec)
  }
  return rec
}

interface Loaded {
  records: GroupOpRecord[]
  secrets: Map<string, Uint8Array>
  state: GroupState
}

/** The stored op log of a group, verified (cached) and with each op's topic secret. */
function storedOps(cx: GroupContext, groupId: string): Omit<Loaded, 'state'> {
  const records: GroupOpRecord[] = []
  const secrets = new Map<string, Uint8Array>()
  for (const op of cx.store.groups.ops(groupId)) {
    records.push(verifiedOp(cx, op.bytes))
    if (op.secret !== undefined) secrets.set(toHex(op.hash), op.secret)
  }
  return { records, secrets }
}

/**
 * Replays a group's ops (design §1) from the CREATE we first accepted, which is pinned (a
 * setting): anyone who knows the group id, a removed member included, can sign another CREATE at
 * epoch 0 that might sort first (docs/protocol.md §13). Unpinned (our own new group, or a row from
 * before pinning) → pins what the replay honours. Throws GroupStateError without a CREATE.
 */
function replayPinned(cx: GroupContext, groupId: string, records: GroupOpRecord[]): GroupState {
  const pinned = cx.store.getSetting(createPinKey(groupId))
  const state = replayGroup(cx.ctx.crypto, records, {
    groupId: fromHex(groupId),
    ...(pinned !== undefined ? { create: fromHex(pinned) } : {}),
  })
  const create = state.applied[0]
  if (pinned === undefined && create !== undefined) {
    cx.store.setSetting(createPinKey(groupId), toHex(create))
  }
  return state
}

/** The stored op log of a group, replayed (design §1). Throws GroupStateError without a CREATE. */
export function loadGroup(cx: GroupContext, groupId: string): Loaded {
  const stored = storedOps(cx, groupId)
  return { ...stored, state: replayPinned(cx, groupId, stored.records) }
}

const createPinKey = (groupId: string): string => `group.create.${groupId}`

/**
 * Everyone who was ever a member in this replay: actors and members of the applied CREATE and
 * ADD ops. Ops signed by anyone else are not stored, so a stranger cannot fill a group's op log
 * (MAX_GROUP_OPS) with signed ops that never apply.
 */
function everMembers(records: readonly GroupOpRecord[], state: GroupState): Set<string> {
  const applied = new Set(state.applied.map(toHex))
  const out = new Set<string>()
  for (const r of records) {
    if (!applied.has(toHex(r.hash))) continue
    if (r.op === GroupOp.CREATE) out.add(r.actor)
    if (r.op === GroupOp.CREATE || r.op === GroupOp.ADD) for (const m of r.members) out.add(m)
  }
  return out
}

/**
 * The current topic secret (design §2): the secret of the last applied op that introduces one —
 * CREATE and REMOVE carry a random one; LEAVE derives HKDF(previous secret, opHash). undefined
 * while we lack a secret on that path.
 */
export function currentSecret(cx: GroupContext, g: Loaded): Uint8Array | undefined {
  const byHash = new Map(g.records.map((r) => [toHex(r.hash), r]))
  let secret: Uint8Array | undefined
  for (const h of g.state.applied) {
    const hex = toHex(h)
    const op = byHash.get(hex)?.op
    if (op === GroupOp.CREATE || op === GroupOp.REMOVE) secret = g.secrets.get(hex)
    else if (op === GroupOp.LEAVE && secret !== undefined)
      secret = leaveSecret(cx.ctx.crypto, secret, h)
  }
  return secret
}

/** The row of a group we just joined or created, before its ops are stored and replayed. */
export function putNewGroup(cx: GroupContext, groupId: string, name: string): void {
  cx.store.groups.putGroup({
    groupId,
    name,
    members: [],
    admins: [],
    epoch: 0,
    topic: '',
    active: true,
    createdAt: cx.ctx.clock(),
  })
}

/** Replays a group's ops into its row and stores the history lines of newly applied ops
 *  (./events.ts), inside the caller's transaction. */
export function refreshGroup(cx: GroupContext, groupId: string): GroupRow {
  const before = cx.store.groups.getGroup(groupId)
  const g = loadGroup(cx, groupId)
  const secret = currentSecret(cx, g)
  const row: GroupRow = {
    groupId,
    name: g.state.name,
    members: g.state.members,
    admins: g.state.admins,
    epoch: g.state.epoch,
    topic: secret === undefined ? '' : groupTopic(cx.ctx.crypto, secret, g.state),
    active: g.state.members.includes(cx.me),
    createdAt: before?.groupId === groupId ? before.createdAt : cx.ctx.clock(),
  }
  cx.store.groups.putGroup(row)
  recordEvents(cx, groupId, g.records, g.state)
  return row
}

/**
 * Stores the valid ops of a GroupUpdate or sync answer (design §2) and replays. An unknown group
 * is taken only when the ops make us a member. Returns the group id when the row changed.
 * Runs inside the caller's transaction; a bad op is skipped, not fatal.
 */
export function ingestOps(
  cx: GroupContext,
  groupIdBytes: Uint8Array,
  ops: readonly Uint8Array[],
  secrets: readonly Uint8Array[],
): string | undefined {
  const groupId = toHex(groupIdBytes)
  const fresh: Array<{ rec: GroupOpRecord; secret: Uint8Array | undefined }> = []
  ops.forEach((bytes, i) => {
    try {
      const rec = verifiedOp(cx, bytes)
      if (!equalBytes(rec.groupId, groupIdBytes)) return
      const s = secrets[i]
      fresh.push({ rec, secret: s?.length === GROUP_SECRET_BYTES ? s : undefined })
    } catch (err) {
      log('op skipped: %s', errorName(err))
    }
  })
  if (fresh.length === 0) return undefined
  const before = cx.store.groups.getGroup(groupId)
  const known = before?.groupId === groupId
  if (!known) {
    let state: GroupState
    try {
      state = replayGroup(
        cx.ctx.crypto,
        fresh.map((f) => f.rec),
      )
    } catch {
      return undefined
    }
    if (!state.members.includes(cx.me)) return undefined
    putNewGroup(cx, groupId, state.name)
  }
  let room = MAX_GROUP_OPS - cx.store.groups.opCount(groupId)
  // Only ops of someone who was ever a member are stored, judged on the log with the fresh ops in
  // it. Without a stored log (a group we are just joining) the fresh ops alone made us a member.
  const stored = storedOps(cx, groupId).records
  let members: Set<string> | undefined
  let highest = knownEpoch(stored)
  if (stored.length > 0) {
    const all = [...stored, ...fresh.map((f) => f.rec)]
    try {
      // Pin from the stored log, never from fresh ops (a row from before pinning).
      if (cx.store.getSetting(createPinKey(groupId)) === undefined)
        replayPinned(cx, groupId, stored)
      members = everMembers(all, replayPinned(cx, groupId, all))
    } catch {
      members = undefined // a stored log without its CREATE: the fresh ops decide, as on joining
    }
  }
  // The epoch rule (protocol.md §13.2) in epoch order, against the log and the fresh ops taken
  // before, so a batch (a new member's history) that fills its own gaps is taken whole.
  fresh.sort((a, b) => a.rec.epoch - b.rec.epoch)
  for (const f of fresh) {
    if (members !== undefined && !members.has(f.rec.actor)) continue
    try {
      checkOpEpoch(f.rec, highest)
    } catch (err) {
      if (!GroupEpochError.is(err)) throw err
      cx.rejected.opEpoch++
      log('op refused: %s', errorName(err))
      // An honest op past a gap (we missed the ops below it) comes again by sync, with them.
      cx.syncSoon(groupId)
      continue
    }
    // MAX_GROUP_OPS (design §1 bounds): a full log takes nothing more.
    if (room <= 0) break
    if (cx.store.groups.addOp(groupId, { hash: f.rec.hash, bytes: f.rec.bytes, secret: f.secret }))
      room--
    highest = Math.max(highest, f.rec.epoch)
  }
  const after = refreshGroup(cx, groupId)
  const same =
    known &&
    before.topic === after.topic &&
    before.active === after.active &&
    before.name === after.name &&
    before.members.join() === after.members.join() &&
    before.admins.join() === after.admins.join()
  return same ? undefined : groupId
}

/** An active group by name or id (./naming.ts), else GroupNotFoundError. */
export function activeGroup(cx: GroupContext, ref: string): GroupRow {
  const g = findGroup(cx, ref)
  if (g === undefined || !g.active) throw new GroupNotFoundError(`no group "${ref}"`)
  return g
}

/** A member to add or remove: a contact's name or PeerId, or a member's PeerId. */
export function memberRef(cx: GroupContext, g: GroupRow, ref: string): string {
  const c = cx.store.getContact(ref)
  if (c !== undefined) return c.peerId
  if (g.members.includes(ref)) return ref
  throw new ContactNotFoundError(`no contact "${ref}"`)
}

export function requireAdmin(cx: GroupContext, g: GroupRow): void {
  if (!g.admins.includes(cx.me)) throw new NotAnAdminError('only an admin of the group can do this')
}

/**
 * Signs an op of ours: epoch = 1 + the highest applied (design §1, Lamport clock), from the
 * replayed log rather than the cached row: a row written before the epoch rule may still hold a
 * hostile 2⁵³ − 1 that the replay now refuses (protocol.md §13.2).
 */
export function signOwnOp(
  cx: GroupContext,
  g: GroupRow | undefined,
  init: { groupId: string; op: GroupOp; members?: string[]; admins?: string[]; name?: string },
): GroupOpRecord {
  const rec = signGroupOp(cx.ctx.crypto, cx.identity, {
    groupId: fromHex(init.groupId),
    op: init.op,
    members: init.members ?? [],
    admins: init.admins ?? [],
    ...(init.name !== undefined ? { name: init.name } : {}),
    epoch: g === undefined ? 0 : loadGroup(cx, g.groupId).state.epoch + 1,
  })
  cx.opCache.set(toHex(rec.hash), rec)
  return rec
}
