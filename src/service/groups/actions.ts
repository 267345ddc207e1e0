// The user's group actions (docs/groups.md §1–2): create, add, remove, leave. Each signs its op,
// stores it with its topic secret, replays, and queues the GroupUpdates design §2 names for each
// member in the same transaction; the caller's reconcile (./index.ts) then rotates, distributes
// keys and moves the subscription. This module owns who is sent which op, secret and card.
// Every refusal is a typed service error (4xx at the API), checked before anything is signed.
import { GroupOp, toHex } from '../../core/index.js'
import {
  GROUP_ID_BYTES,
  GROUP_SECRET_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_OPS,
} from '../../core/wire/limits.js'
import { ContactNotFoundError, GroupLogFullError, InvalidArgumentError } from '../errors.js'
import type { GroupContext } from './context.js'
import { memberRef, putNewGroup, refreshGroup, requireAdmin, signOwnOp } from './membership.js'
import { queueUpdate, sendCards, sendHistory } from './control.js'
import { requireFreeName } from './naming.js'
import { memberGroup, queueFarewell, reachRemoved } from './removal.js'

type Result = { groupId: string; members: string[] }

/** MAX_GROUP_OPS: our op would not be stored (replay refuses a longer log), so refuse it first. */
function requireRoom(cx: GroupContext, groupId: string): void {
  if (cx.store.groups.opCount(groupId) >= MAX_GROUP_OPS)
    throw new GroupLogFullError(`the group's log holds ${MAX_GROUP_OPS} ops`)
}

export function createGroup(cx: GroupContext, name: string): { groupId: string; name: string } {
  if (name.length === 0) throw new InvalidArgumentError('a group needs a name')
  requireFreeName(cx, name)
  const groupId = toHex(cx.ctx.rng(GROUP_ID_BYTES))
  // Design §2: CREATE carries a fresh random topic secret.
  const secret = cx.ctx.rng(GROUP_SECRET_BYTES)
  cx.store.transaction(() => {
    const op = signOwnOp(cx, undefined, { groupId, op: GroupOp.CREATE, name })
    putNewGroup(cx, groupId, name)
    cx.store.groups.addOp(groupId, { hash: op.hash, bytes: op.bytes, secret })
    refreshGroup(cx, groupId)
  })
  cx.reconcile(groupId)
  return { groupId, name }
}

/** Adds a contact (as an admin too with `admin`). Design §1: ADD.admins names new admins. */
export function addMember(
  cx: GroupContext,
  cardOwed: Map<string, Set<string>>,
  ref: string,
  contact: string,
  admin: boolean,
): Result {
  const g = memberGroup(cx, ref)
  requireAdmin(cx, g)
  const c = cx.store.getContact(contact)
  if (c === undefined) throw new ContactNotFoundError(`no contact "${contact}"`)
  if (g.members.includes(c.peerId) && (!admin || g.admins.includes(c.peerId)))
    return { groupId: g.groupId, members: g.members }
  if (g.members.length >= MAX_GROUP_MEMBERS)
    throw new InvalidArgumentError(`a group has at most ${MAX_GROUP_MEMBERS} members`)
  requireRoom(cx, g.groupId)
  const after = cx.store.transaction(() => {
    const op = signOwnOp(cx, g, {
      groupId: g.groupId,
      op: GroupOp.ADD,
      members: [c.peerId],
      admins: admin ? [c.peerId] : [],
    })
    cx.store.groups.addOp(g.groupId, { hash: op.hash, bytes: op.bytes, secret: undefined })
    const after = refreshGroup(cx, g.groupId)
    // Design §2: the op (and the new member's card) to every member; the whole op log with
    // secrets and every member's card to the new one.
    const card = cx.cards.of(c.peerId)?.signed
    if (card === undefined) {
      const owed = cardOwed.get(c.peerId) ?? new Set<string>()
      cardOwed.set(c.peerId, owed.add(g.groupId))
    }
    for (const m of after.members) {
      if (m === cx.me || m === c.peerId) continue
      queueUpdate(cx, m, g.groupId, { ops: [op.bytes], cards: card ? [card] : [] })
    }
    sendHistory(cx, c.peerId, g.groupId)
    sendCards(cx, c.peerId, g.groupId, after.members)
    return after
  })
  cx.reconcile(g.groupId)
  return { groupId: g.groupId, members: after.members }
}

export function removeMember(cx: GroupContext, ref: string, contact: string): Result {
  const g = memberGroup(cx, ref)
  const peer = memberRef(cx, g, contact)
  if (peer === cx.me) return leaveGroup(cx, ref)
  requireAdmin(cx, g)
  if (!g.members.includes(peer)) throw new InvalidArgumentError('not a member of this group')
  requireRoom(cx, g.groupId)
  // Design §2: REMOVE carries a fresh secret, sent to everyone but the removed member.
  const secret = cx.ctx.rng(GROUP_SECRET_BYTES)
  const after = cx.store.transaction(() => {
    const op = signOwnOp(cx, g, { groupId: g.groupId, op: GroupOp.REMOVE, members: [peer] })
    cx.store.groups.addOp(g.groupId, { hash: op.hash, bytes: op.bytes, secret })
    const after = refreshGroup(cx, g.groupId)
    for (const m of after.members) {
      if (m !== cx.me) queueUpdate(cx, m, g.groupId, { ops: [op.bytes], secrets: [secret] })
    }
    // The removed member is told too, through the same outbox (./removal.ts): her farewell.
    queueFarewell(cx, peer, g.groupId, op.bytes)
    return after
  })
  cx.reconcile(g.groupId)
  reachRemoved(cx, peer)
  return { groupId: g.groupId, members: after.members }
}

/** RENAME (docs/groups.md "Names"): an admin renames the group for every member; the name must
 *  be free on this node as at creation. Each member replays the signed op (protocol.md §13.2:
 *  RENAME applies only if its actor is an admin there) and shows a `renamed` history line. */
export function renameGroup(
  cx: GroupContext,
  ref: string,
  name: string,
): { groupId: string; name: string } {
  const g = memberGroup(cx, ref)
  requireAdmin(cx, g)
  if (name.length === 0) throw new InvalidArgumentError('a group needs a name')
  if (name === g.name) return { groupId: g.groupId, name }
  requireFreeName(cx, name)
  requireRoom(cx, g.groupId)
  const after = cx.store.transaction(() => {
    const op = signOwnOp(cx, g, { groupId: g.groupId, op: GroupOp.RENAME, name })
    cx.store.groups.addOp(g.groupId, { hash: op.hash, bytes: op.bytes, secret: undefined })
    for (const m of g.members) if (m !== cx.me) queueUpdate(cx, m, g.groupId, { ops: [op.bytes] })
    return refreshGroup(cx, g.groupId)
  })
  cx.reconcile(g.groupId)
  return { groupId: g.groupId, name: after.name }
}

export function leaveGroup(cx: GroupContext, ref: string): Result {
  const g = memberGroup(cx, ref)
  requireRoom(cx, g.groupId)
  const after = cx.store.transaction(() => {
    // LEAVE's secret is derived by the others (design §2: HKDF(previous secret, opHash)).
    const op = signOwnOp(cx, g, { groupId: g.groupId, op: GroupOp.LEAVE })
    cx.store.groups.addOp(g.groupId, { hash: op.hash, bytes: op.bytes, secret: undefined })
    for (const m of g.members) if (m !== cx.me) queueUpdate(cx, m, g.groupId, { ops: [op.bytes] })
    return refreshGroup(cx, g.groupId)
  })
  cx.reconcile(g.groupId)
  return { groupId: g.groupId, members: after.members }
}
