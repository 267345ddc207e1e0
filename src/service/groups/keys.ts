// Sender keys of groups (docs/groups.md §2–3): our own record per group, rotation when a member
// we gave our key to is gone, the distributions we owe each member (over the pairwise sessions,
// starting a session from a member's card when needed), the distributions we receive, and the
// chain id → sender map the topic validator reads. This module owns which chain of each sender
// is current; it encrypts nothing (./messages.ts does) and knows nothing of ops (./membership.ts).
import debug from 'debug'
import {
  decodeDistribution,
  encodeChatContent,
  encodeDistribution,
  equalBytes,
  fromHex,
  groupEncrypt,
  MAX_RETIRED_CHAINS,
  ownSenderKeyRecord,
  processSenderKeyDistribution,
  rotateSenderKey,
  SenderKeyRecord,
  storeSenderKeyRecord,
} from '../../core/index.js'
import type { ContentIn } from '../../core/index.js'
import type { GroupRow } from '../../store/types.js'
import { OPS_PER_UPDATE, type GroupContext } from './context.js'
import { queueUpdate } from './control.js'
import { errorName } from '../../core/errors.js'
import { loadRecord, startSession } from '../direct/sessions.js'

const log = debug('kith:service:groups')

/** How many replaced chain ids of a sender we remember (the core's limit, re-exported). */
export { MAX_RETIRED_CHAINS }

/** chain id → (sender, current?) per group, rebuilt after any key change. */
export type ChainMap = Map<number, { sender: string; current: boolean }>
const chainMaps = new WeakMap<GroupContext, Map<string, ChainMap>>()

export function chainMap(cx: GroupContext, groupId: string): ChainMap {
  let perGroup = chainMaps.get(cx)
  if (perGroup === undefined) chainMaps.set(cx, (perGroup = new Map<string, ChainMap>()))
  let map = perGroup.get(groupId)
  if (map === undefined) {
    map = new Map()
    for (const row of cx.store.groups.senderKeys(groupId)) {
      for (const c of row.retired) map.set(c, { sender: row.sender, current: false })
      if (row.currentChain !== undefined)
        map.set(row.currentChain, { sender: row.sender, current: true })
    }
    perGroup.set(groupId, map)
  }
  return map
}

function keysChanged(cx: GroupContext, groupId: string): void {
  chainMaps.get(cx)?.delete(groupId)
}

/** Our own record of a group, created on first use (inside a transaction): the core's
 *  store-driven sender keys over the group store (core/group/sender-keys.ts). */
export function ownRecord(cx: GroupContext, groupId: string): SenderKeyRecord {
  const { record, created } = ownSenderKeyRecord(cx.ctx, cx.store.groups, cx.me, fromHex(groupId))
  if (created) keysChanged(cx, groupId)
  return record
}

export function storeOwnRecord(cx: GroupContext, groupId: string, record: SenderKeyRecord): void {
  storeSenderKeyRecord(cx.store.groups, cx.me, fromHex(groupId), record)
}

/** Design §3: a fresh own chain; whoever held the old one reads nothing sent after. */
export function rotateOwn(cx: GroupContext, groupId: string): void {
  rotateSenderKey(cx.ctx, cx.store.groups, cx.me, fromHex(groupId))
  cx.store.groups.clearKeysSent(groupId)
  keysChanged(cx, groupId)
}

/**
 * A distribution received over the pairwise session with `from` (which authenticates it). A
 * chain already held or retired changes nothing (a retried old distribution never replaces a
 * newer one); a new chain becomes `from`'s current one. `baseline` (the sender's last seq when
 * it sent the key) starts our delivery mark for `from` if we have none.
 */
export function acceptDistribution(
  cx: GroupContext,
  groupId: string,
  from: string,
  bytes: Uint8Array,
  baseline: number,
): void {
  const { distributionId, state } = decodeDistribution(bytes)
  if (!equalBytes(distributionId, fromHex(groupId))) {
    log('distribution for another group ignored')
    return
  }
  const row = cx.store.groups.getSenderKey(groupId, from)
  if (row?.retired.includes(state.chainId) === true) return
  if (processSenderKeyDistribution(cx.ctx, cx.store.groups, from, bytes)) keysChanged(cx, groupId)
  if (cx.store.groups.mark(groupId, from) === undefined)
    cx.store.groups.setMark(groupId, from, baseline)
}

/**
 * After a membership change (design §3): records of senders who are no longer members are
 * deleted; if our current key went to anyone no longer a member, we rotate. Inside a transaction.
 */
export function dropFormerMembers(cx: GroupContext, g: GroupRow): void {
  for (const row of cx.store.groups.senderKeys(g.groupId)) {
    if (row.sender !== cx.me && !g.members.includes(row.sender)) {
      cx.store.groups.deleteSenderKey(g.groupId, row.sender)
      keysChanged(cx, g.groupId)
    }
  }
  if (cx.store.groups.keysSentTo(g.groupId).some((p) => !g.members.includes(p)))
    rotateOwn(cx, g.groupId)
}

/** We left or were removed: every key of the group goes. */
export function dropAllKeys(cx: GroupContext, groupId: string): void {
  for (const row of cx.store.groups.senderKeys(groupId))
    cx.store.groups.deleteSenderKey(groupId, row.sender)
  cx.store.groups.clearKeysSent(groupId)
  keysChanged(cx, groupId)
}

/**
 * Queues our current distribution for every member that lacks it (design §2), with the group's
 * op log (so a member who learns of the group from us first can place it) and our last seq.
 */
export function shareKeys(cx: GroupContext, g: GroupRow): void {
  const record = ownRecord(cx, g.groupId)
  const own = record.newest()
  if (own === undefined) return
  const ops = cx.store.groups.ops(g.groupId)
  const recent = ops.length <= OPS_PER_UPDATE ? ops : []
  for (const m of g.members) {
    if (m === cx.me || cx.store.groups.keySent(g.groupId, m) === own.chainId) continue
    ensureSession(cx, m)
    queueUpdate(cx, m, g.groupId, {
      ops: recent.map((o) => o.bytes),
      secrets: recent.map((o) => o.secret ?? new Uint8Array(0)),
      senderKey: encodeDistribution(fromHex(g.groupId), own),
      seq: cx.store.groups.mark(g.groupId, cx.me) ?? 0,
    })
    cx.store.groups.setKeySent(g.groupId, m, own.chainId)
  }
}

/**
 * A pairwise session with a member who may not be a contact (design §2): the member with the
 * lower PeerId starts it from the other's card (from a GroupUpdate, else the DHT); the other waits
 * for it. Such a peer stays a co-member, not a contact (service/direct/requests.ts). `eitherSide`: we
 * start it whatever the order — a member we removed (./removal.ts) waits for nobody, and the
 * session she may have started is one we refused once she was no longer a co-member.
 */
export function ensureSession(
  cx: GroupContext,
  peer: string,
  opts: { eitherSide?: boolean } = {},
): void {
  if (loadRecord(cx.store, peer)?.current !== undefined) return
  if (cx.me > peer && opts.eitherSide !== true) return
  const card = cx.cards.of(peer)
  if (card === undefined) {
    void lookUpAndStart(cx, peer, opts)
    return
  }
  startSession(cx, peer, card.prekeys)
  const addrs = card.addrs.filter((a) => a.endsWith(`/p2p/${peer}`))
  // A co-member, not a contact (issue 11 "Message requests"): its texts would be requests.
  cx.node.watch(peer, addrs)
  cx.flush(peer)
  // Our card and profile name too (the member answers with its own when the session starts:
  // service/direct/receive.ts), so each side can show the other by name (issue 14).
  if (cx.pushCard !== undefined) setImmediate(() => void cx.pushCard?.(peer))
}

/** A member's card is looked up in the DHT at most this often. */
export const CARD_LOOKUP_MIN_INTERVAL_MS = 30_000
const lookedUp = new Map<string, number>()

async function lookUpAndStart(
  cx: GroupContext,
  peer: string,
  opts: { eitherSide?: boolean },
): Promise<void> {
  const now = cx.ctx.clock()
  if (now - (lookedUp.get(peer) ?? -Infinity) < CARD_LOOKUP_MIN_INTERVAL_MS) return
  lookedUp.set(peer, now)
  try {
    const bytes = await cx.node.findCard(peer)
    if (bytes === undefined || cx.stopped()) return
    cx.store.transaction(() => {
      cx.cards.accept(peer, bytes)
      ensureSession(cx, peer, opts)
    })
  } catch (err) {
    log('no session with a member: %s', errorName(err))
  }
}

/**
 * Our next group content of `groupId` (inside the caller's transaction): the next seq of our
 * sequence, `body` encrypted with our current sender key (design §3: ChatContent{conversation =
 * groupId, seq = per-sender per-group sequence}), kept for sync and marked as ours up to it.
 * Texts and files (./messages.ts) and edits, deletes, reactions, timers (./content.ts) alike.
 */
export function sealOwn(
  cx: GroupContext,
  groupId: string,
  id: string,
  at: number,
  body: Omit<ContentIn, 'messageId' | 'sender' | 'seq' | 'sentAt' | 'conversation'>,
): { seq: number; data: Uint8Array } {
  const gid = fromHex(groupId)
  ownRecord(cx, groupId)
  const seq = cx.store.nextSeq(groupId)
  const content = encodeChatContent({
    messageId: fromHex(id),
    sender: cx.meBytes,
    seq: BigInt(seq),
    sentAt: BigInt(at),
    conversation: gid,
    ...body,
  })
  const data = groupEncrypt(cx.ctx, cx.store.groups, cx.me, gid, content)
  cx.store.groups.retain({ groupId, sender: cx.me, seq, data, receivedAt: at })
  cx.store.groups.setMark(groupId, cx.me, seq)
  return { seq, data }
}
