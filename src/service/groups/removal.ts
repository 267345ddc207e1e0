// What a removal owes the removed member (docs/groups.md §2, docs/protocol.md §13.4): she is no
// longer a member, so nothing else reaches her (sync answers and group traffic are for members),
// yet she must learn of it. The removing admin queues her one farewell — the tail of the op log,
// her REMOVE last, no secrets — in the durable control outbox (retried until her receipt names
// it, like every control content), starts the pairwise session from its own side whatever the
// PeerId order (she may have started one that we, no longer counting her a co-member, refused),
// and watches her until the farewell is acked. On her side a farewell is accepted from its signer
// even when she does not know the signer as a member, but only when the replay then removes her
// (an admin's REMOVE); she drops what she still had queued for the group, and is told (the `group`
// event, and NotAMember on any later action). Other queued contents for former members are
// dropped. This module owns which control entries a membership change keeps; it knows no SQL, no
// sender keys (./keys.ts) and nothing of how the outbox sends (../direct/outbox.ts).
import debug from 'debug'
import { decodeChatContent, equalBytes, GroupOp, toHex } from '../../core/index.js'
import type { ChatContent, GroupOpRecord } from '../../core/index.js'
import type { GroupRow } from '../../store/types.js'
import { NotAMemberError } from '../errors.js'
import { OPS_PER_UPDATE, type GroupContext } from './context.js'
import { ensureSession } from './keys.js'
import { activeGroup, loadGroup, verifiedOp } from './membership.js'
import { queueUpdate } from './control.js'
import { findGroup } from './naming.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

/** The ops of a GroupUpdate that verify, are of `groupId`, and are signed by anyone. */
function opsOf(cx: GroupContext, groupId: Uint8Array, ops: readonly Uint8Array[]): GroupOpRecord[] {
  const out: GroupOpRecord[] = []
  for (const bytes of ops) {
    try {
      const rec = verifiedOp(cx, bytes)
      if (equalBytes(rec.groupId, groupId)) out.push(rec)
    } catch {
      // A bad op makes no farewell; ingestOps skips it too.
    }
  }
  return out
}

const removes = (rec: GroupOpRecord, peer: string): boolean =>
  rec.op === GroupOp.REMOVE && rec.members.includes(peer)

/** A stored control content: its group and whether it carries a REMOVE of `peer`. */
function describe(cx: GroupContext, content: Uint8Array, peer: string) {
  const c = decodeChatContent(content)
  const u = c.group
  if (u === undefined) return undefined
  const ops = opsOf(cx, u.groupId, u.ops)
  return {
    groupId: toHex(u.groupId),
    farewell: ops.some((r) => removes(r, peer)),
    ownLeave: ops.some((r) => r.op === GroupOp.LEAVE && r.actor === cx.me),
  }
}

/**
 * After we removed `peer` (inside the action's transaction, the REMOVE stored): her farewell is
 * the REMOVE after the OPS_PER_UPDATE − 1 ops of highest epoch before it, without secrets —
 * enough to place the REMOVE (epoch rule, protocol.md §13.2) even if ops before it have not
 * reached her. The REMOVE is last: her receive gate looks at the last op only (isFarewell).
 */
export function queueFarewell(
  cx: GroupContext,
  peer: string,
  groupId: string,
  remove: Uint8Array,
): void {
  const before: Array<{ bytes: Uint8Array; epoch: number }> = []
  for (const o of cx.store.groups.ops(groupId)) {
    if (equalBytes(o.bytes, remove)) continue
    try {
      before.push({ bytes: o.bytes, epoch: verifiedOp(cx, o.bytes).epoch })
    } catch {
      // A stored op always verified; skip one that does not rather than fail the removal.
    }
  }
  before.sort((a, b) => a.epoch - b.epoch)
  const tail = before.slice(-(OPS_PER_UPDATE - 1)).map((o) => o.bytes)
  queueUpdate(cx, peer, groupId, { ops: [...tail, remove] })
}

/**
 * After the action's commit: a session with the removed member started from our side if there
 * is none (whatever the PeerId order), and a watch on her until the farewell is acked
 * (farewellAcked), so the outbox can reach her although she is no longer a co-member.
 */
export function reachRemoved(cx: GroupContext, peer: string): void {
  try {
    cx.store.transaction(() => ensureSession(cx, peer, { eitherSide: true }))
  } catch (err) {
    log('no session with a removed member: %s', errorName(err))
  }
  const addrs = cx.cards.of(peer)?.addrs.filter((a) => a.endsWith(`/p2p/${peer}`)) ?? []
  if (addrs.length > 0) cx.node.watch(peer, addrs)
  cx.flush(peer)
}

/** At start: peers we still owe a farewell (a restart forgot the watch) are reached again. */
export function reachPendingFarewells(cx: GroupContext): void {
  for (const peer of cx.store.groups.controlPeers()) {
    if (isCoMember(cx, peer) || cx.store.getContact(peer) !== undefined) continue
    if (cx.store.groups.controlFor(peer).some((e) => describe(cx, e.content, peer)?.farewell))
      reachRemoved(cx, peer)
  }
}

/** `peer`'s receipt emptied our control outbox for it: a removed member is no longer watched. */
export function farewellAcked(cx: GroupContext, peer: string): void {
  if (cx.store.groups.nextControlAttemptAt(peer) !== undefined) return
  if (isCoMember(cx, peer) || cx.store.getContact(peer, { includeBlocked: true }) !== undefined)
    return
  cx.node.unwatch(peer)
}

function isCoMember(cx: GroupContext, peer: string): boolean {
  return cx.store.groups.listGroups().some((g) => g.members.includes(peer))
}

/**
 * After a membership change of an active group (inside a transaction): contents still queued for
 * peers who are no longer members are dropped — all but a farewell (a REMOVE of that peer).
 */
export function dropFormerControl(cx: GroupContext, g: GroupRow): void {
  for (const peer of cx.store.groups.controlPeers()) {
    if (peer === cx.me || g.members.includes(peer)) continue
    for (const e of cx.store.groups.controlFor(peer)) {
      const d = describe(cx, e.content, peer)
      if (d?.groupId === g.groupId && !d.farewell) cx.store.groups.dequeueControl(e.messageId)
    }
  }
}

/**
 * We are no longer a member (inside a transaction): what we still had queued for the group goes,
 * except our own LEAVE (the others must learn it) and a farewell we owe someone we removed.
 */
export function dropOwnControl(cx: GroupContext, groupId: string): void {
  for (const peer of cx.store.groups.controlPeers()) {
    for (const e of cx.store.groups.controlFor(peer)) {
      const d = describe(cx, e.content, peer)
      if (d?.groupId === groupId && !d.ownLeave && !d.farewell)
        cx.store.groups.dequeueControl(e.messageId)
    }
  }
}

/**
 * The receive gate (../direct/receive.ts): a GroupUpdate from a peer who is neither a contact nor a
 * co-member is let in only when its last op is a REMOVE of us signed by that peer for a group we know
 * (still active, or already left by that removal: a farewell sent again because our receipt was
 * lost is acked again). The caller then checks, after the update is applied, that the replay
 * applied that very REMOVE (farewellApplied): one by a non-admin applies nowhere, and the whole
 * frame is refused with nothing stored.
 */
export function isFarewell(cx: GroupContext, from: string, content: ChatContent): boolean {
  const u = content.group
  if (u === undefined || cx.store.groups.getGroup(toHex(u.groupId)) === undefined) return false
  // Only the last op is looked at (queueFarewell puts the REMOVE last): a stranger's update costs
  // one signature check here, however many ops it carries.
  const last = u.ops.at(-1)
  if (last === undefined) return false
  return opsOf(cx, u.groupId, [last]).some((r) => r.actor === from && removes(r, cx.me))
}

/** After the update was applied: we are out of its group, and by its REMOVE signed by `from`. */
export function farewellApplied(cx: GroupContext, from: string, content: ChatContent): boolean {
  const u = content.group
  if (u === undefined) return false
  const groupId = toHex(u.groupId)
  if (cx.store.groups.getGroup(groupId)?.active !== false) return false
  const applied = new Set(loadGroup(cx, groupId).state.applied.map(toHex))
  return opsOf(cx, u.groupId, u.ops).some(
    (r) => r.actor === from && removes(r, cx.me) && applied.has(toHex(r.hash)),
  )
}

/** Who removed us from `groupId` (the last applied REMOVE of us), if we were removed. */
export function removedBy(cx: GroupContext, groupId: string): string | undefined {
  const g = loadGroup(cx, groupId)
  if (g.state.members.includes(cx.me)) return undefined
  const byHash = new Map(g.records.map((r) => [toHex(r.hash), r]))
  let by: string | undefined
  for (const h of g.state.applied) {
    const r = byHash.get(toHex(h))
    if (r === undefined) continue
    if (removes(r, cx.me)) by = r.actor
    else if (r.op === GroupOp.ADD && r.members.includes(cx.me)) by = undefined
    else if (r.op === GroupOp.LEAVE && r.actor === cx.me) by = undefined
  }
  return by
}

/**
 * A group we are a member of, by name or id, for a user's action: GroupNotFoundError if unknown
 * (membership.ts activeGroup); NotAMemberError, naming who removed us, if we were removed or left
 * (issue 14: a removed member's next `group send` said GroupNotFound and nothing more).
 */
export function memberGroup(cx: GroupContext, ref: string): GroupRow {
  const g = findGroup(cx, ref)
  if (g !== undefined && !g.active) throw notAMember(cx, g)
  return activeGroup(cx, ref)
}

function notAMember(cx: GroupContext, g: GroupRow): NotAMemberError {
  let by: string | undefined
  try {
    by = removedBy(cx, g.groupId)
  } catch {
    by = undefined
  }
  return new NotAMemberError(
    by === undefined
      ? 'you are no longer a member of this group (its history stays readable)'
      : `you were removed from this group by ${by} (its history stays readable)`,
  )
}
