// GroupUpdate bodies that arrive over pairwise sessions (docs/groups.md §2–3): the ops, member
// cards, secrets and the sender's key they carry, applied inside the receive transaction as one
// savepoint (dropped whole if unusable), and the follow-up (reconcile, sync) returned to run
// after the commit; and a member's card forwarded to the groups we owed it to. It knows nothing
// of topics, timers or how the after-commit work is done (GroupContext.reconcile / syncSoon).
import debug from 'debug'
import { SenderKeyDistribution, toHex, verifyContactCard } from '../../core/index.js'
import type { ChatContent, GroupUpdate } from '../../core/index.js'
import type { GroupContext } from './context.js'
import { acceptDistribution } from './keys.js'
import { ingestOps } from './membership.js'
import { queueUpdate } from './control.js'
import { removedBy } from './removal.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

/**
 * A GroupUpdate from the authenticated `from`, inside the ChatService's receive transaction:
 * ops, secrets, member cards and `from`'s sender key are stored here; the returned function
 * runs after the commit (subscriptions, rotation, distributions, sync).
 */
export function receiveUpdate(cx: GroupContext, from: string, content: ChatContent): () => void {
  const u = content.group
  if (u === undefined) return () => undefined
  try {
    // A savepoint: an update we cannot use is dropped whole (and acked: resending it would not
    // help), never half applied, and never fails the pairwise message around it.
    return cx.store.transaction(() => applyUpdate(cx, from, content, u))
  } catch (err) {
    log('group update dropped: %s', errorName(err))
    return () => undefined
  }
}

function applyUpdate(
  cx: GroupContext,
  from: string,
  content: ChatContent,
  u: GroupUpdate,
): () => void {
  const groupId = toHex(u.groupId)
  const wasActive = cx.store.groups.getGroup(groupId)?.active === true
  const changed = ingestOps(cx, u.groupId, u.ops, u.secrets)
  const g = cx.store.groups.getGroup(groupId)
  if (g?.groupId !== groupId) return () => undefined
  if (!g.active) {
    const by = wasActive ? removedBy(cx, groupId) : undefined
    if (by === undefined) return () => undefined
    // Removed (issue 14): keys and topics go (reconcile); the user is told.
    return () => {
      cx.reconcile(groupId)
      cx.emit({ event: 'group', groupId, name: g.name, change: 'removed', by })
    }
  }
  let cards = false
  for (const bytes of u.cards) {
    try {
      const card = verifyContactCard(cx.ctx.crypto, bytes, cx.ctx.clock())
      if (card.peerId === cx.me || !g.members.includes(card.peerId)) continue
      cx.cards.accept(card.peerId, bytes)
      cards = true
    } catch (err) {
      log('member card ignored: %s', errorName(err))
    }
  }
  let keyed = false
  if (u.senderKey !== undefined && g.members.includes(from) && from !== cx.me) {
    acceptDistribution(
      cx,
      groupId,
      from,
      SenderKeyDistribution.encode(u.senderKey),
      Number(content.seq),
    )
    keyed = true
  }
  return () => {
    if (changed !== undefined || cards) cx.reconcile(groupId)
    // What was published before the key reached us comes by sync.
    if (keyed) cx.syncSoon(groupId, from)
  }
}

/**
 * A member's card just reached us (pushed over its session). If we added it while we had no
 * card of it, the other members get it now, so they can start sessions with it (design §2).
 */
export function forwardOwedCard(
  cx: GroupContext,
  cardOwed: Map<string, Set<string>>,
  peer: string,
): void {
  const card = cx.cards.of(peer)?.signed
  const groups = cardOwed.get(peer)
  if (card === undefined || groups === undefined) return
  cardOwed.delete(peer)
  cx.store.transaction(() => {
    for (const groupId of groups) {
      const g = cx.store.groups.getGroup(groupId)
      if (g?.groupId !== groupId || !g.active || !g.members.includes(peer)) continue
      for (const m of g.members)
        if (m !== cx.me && m !== peer) queueUpdate(cx, m, groupId, { cards: [card] })
    }
  })
}
