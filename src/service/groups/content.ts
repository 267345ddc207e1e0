// Edits, deletes, reactions and timer changes in a group (docs/protocol.md §4.8.2–4.8.5): sent like
// a group text through our sender key — the next seq of our sequence, kept for sync, published on
// the topic — but stored as no message row: receivers apply them (../edits.ts,
// ../disappearing.ts) when their seq comes up in our per-sender order (./messages.ts deliver), so
// an edit or delete never overtakes the message it names. A body that reached nobody reaches the
// others by sync (its seq leaves a gap they ask for). This module owns only that send; it knows
// nothing of what the bodies mean.
import debug from 'debug'
import type { EditBody } from '../edits.js'
import type { GroupContext } from './context.js'
import { sealOwn } from './keys.js'
import { memberGroup } from './removal.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

/**
 * Encrypts `body` as our next group content (inside the caller's transaction) and publishes it
 * once that transaction has committed. NotAMemberError / GroupNotFoundError if we cannot send.
 */
export function sendGroupBody(
  cx: GroupContext,
  groupId: string,
  id: string,
  at: number,
  body: EditBody,
): void {
  const g = memberGroup(cx, groupId)
  const { data } = cx.store.transaction(() => sealOwn(cx, g.groupId, id, at, body))
  if (g.topic === '') return
  // After the caller's transaction: a rolled-back body is never published.
  setImmediate(() => {
    if (cx.stopped()) return
    cx.node.pubsubPublish(g.topic, data).catch((err: unknown) => {
      log('publish failed: %s', errorName(err))
    })
  })
}
