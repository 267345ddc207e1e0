// Group healing over /kith/sync/1.0.0 (docs/groups.md §4), the content side: answering a
// member's request (the ops it lacks, with their secrets, and the retained ciphertexts above its
// marks) and asking a member for what we lack. The node carries the frames and enforces the
// wire limits; this module decides who is served and what is taken.
import debug from 'debug'
import { fromHex, toHex } from '../../core/index.js'
import type { SyncRequest, SyncResponse } from '../../node/index.js'
import { MAX_SYNC_ENVELOPES, MAX_SYNC_OPS, MAX_SYNC_RESPONSE_BYTES } from '../../node/index.js'
import type { GroupRow } from '../../store/types.js'
import { NotAMemberError } from '../errors.js'
import { MAX_SYNC_ROUNDS, type GroupContext } from './context.js'
import { ingestOps } from './membership.js'
import { receiveEnvelope } from './messages.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

/** Envelope bytes per answer: half the response limit, the rest is room for ops and framing. */
export const SYNC_ENVELOPE_BUDGET_BYTES = MAX_SYNC_RESPONSE_BYTES / 2

/**
 * Answers a sync request from the authenticated `from` (design §4): only a current member of the
 * group in our state is served (NotAMemberError otherwise: the node resets and counts it).
 */
export function serveSync(cx: GroupContext, from: string, req: SyncRequest): SyncResponse {
  const groupId = toHex(req.groupId)
  const g = cx.store.groups.getGroup(groupId)
  if (g?.groupId !== groupId || !g.active || !g.members.includes(from))
    throw new NotAMemberError('not a member of this group')
  const have = new Set(req.opHashes.map((h) => toHex(h)))
  const missing = cx.store.groups.ops(groupId).filter((o) => !have.has(toHex(o.hash)))
  const ops = missing.slice(0, MAX_SYNC_OPS)
  // Only senders the requester names: a member that joined later could not decrypt the rest.
  const marks = req.marks.filter((m) => g.members.includes(m.sender) || m.sender === cx.me)
  const { envelopes, more } = cx.store.groups.envelopesAfter(
    groupId,
    marks,
    MAX_SYNC_ENVELOPES,
    SYNC_ENVELOPE_BUDGET_BYTES,
  )
  return {
    ops: ops.map((o) => o.bytes),
    secrets: ops.map((o) => o.secret ?? new Uint8Array(0)),
    envelopes: envelopes.map((e) => ({ sender: e.sender, seq: e.seq, data: e.data })),
    more: more || missing.length > ops.length,
  }
}

/**
 * Whether `from` may ask us at all (checked before its request is read: issue 11 finding 15): a
 * current member of some active group of ours. serveSync then checks the group it names.
 */
export function maySync(cx: GroupContext, from: string): boolean {
  return cx.store.groups.listGroups().some((g) => g.active && g.members.includes(from))
}

/** What we ask a member for: all our op hashes and our mark for every sender we can read,
 *  except senders we blocked (their messages would be dropped, and asked for again each time:
 *  a sender not named is not served, see serveSync). */
export function syncRequest(cx: GroupContext, g: GroupRow): SyncRequest {
  const marks: Array<{ sender: string; seq: number }> = []
  for (const m of g.members) {
    if (m === cx.me || cx.store.trust.isBlocked(m)) continue
    const seq = cx.store.groups.mark(g.groupId, m)
    if (seq !== undefined) marks.push({ sender: m, seq })
  }
  return {
    groupId: fromHex(g.groupId),
    opHashes: cx.store.groups.ops(g.groupId).map((o) => o.hash),
    marks,
  }
}

/**
 * Fetches from `peer` what we lack of a group, page by page (`more`), at most MAX_SYNC_ROUNDS.
 * Ops go through the same checks as a GroupUpdate's; envelopes are decrypted with the sender's
 * record (older chains allowed, signature checked) and shown once.
 */
export async function syncWith(cx: GroupContext, peer: string, groupId: string): Promise<void> {
  for (let round = 0; round < MAX_SYNC_ROUNDS && !cx.stopped(); round++) {
    const g = cx.store.groups.getGroup(groupId)
    if (g?.groupId !== groupId || !g.active || !g.members.includes(peer)) return
    let res: SyncResponse
    try {
      res = await cx.node.syncFetch(peer, syncRequest(cx, g))
    } catch (err) {
      log('sync with a member failed: %s', errorName(err))
      return
    }
    const changed = cx.store.transaction(() =>
      ingestOps(cx, fromHex(groupId), res.ops, res.secrets),
    )
    if (changed !== undefined) cx.reconcile(groupId)
    for (const e of res.envelopes) receiveEnvelope(cx, groupId, e.data)
    if (!res.more) return
  }
}
