// Group history lines (issue 14; CLI.md "Conversations, receipts, edits": `"kind":"event"`): each
// applied membership or name op of a group becomes one `event` row in its conversation, stored in
// the transaction that applied it (refreshGroup in ./membership.ts), so every member sees "bob
// added carol", "carol left", "you were removed by alice" among the messages. This module owns
// the event's shape, its stored form (JSON in the message's text, id from the op hash: one row per
// op, however often the log is replayed) and its sentence; it knows no SQL and no transport. The
// sentence is built from whatever names it is given: callers that print to a terminal pass the
// names through their own escaping (the CLI's printable()).
import { GroupOp, toHex } from '../../core/index.js'
import type { GroupOpRecord, GroupState } from '../../core/index.js'
import type { StoredMessage } from '../../store/types.js'
import { toMessageView } from '../views.js'
import { eventSentence, type GroupEvent, type GroupEventType } from '../group-event.js'
import type { GroupContext } from './context.js'

const TYPE_OF: Partial<Record<GroupOp, GroupEventType>> = {
  [GroupOp.CREATE]: 'created',
  [GroupOp.ADD]: 'added',
  [GroupOp.REMOVE]: 'removed',
  [GroupOp.LEAVE]: 'left',
  [GroupOp.RENAME]: 'renamed',
}

/** The event of an op, or undefined for an op that is not shown. */
export function eventOf(rec: GroupOpRecord): GroupEvent | undefined {
  const type = TYPE_OF[rec.op]
  if (type === undefined) return undefined
  const withName = type === 'created' || type === 'renamed'
  return {
    type,
    by: rec.actor,
    members: type === 'added' || type === 'removed' ? [...rec.members] : [],
    ...(withName ? { name: rec.name } : {}),
  }
}

/** A message row's id for the event of op `hash`: one row per op, across replays. */
const eventId = (hash: Uint8Array): string => toHex(hash).slice(0, 32)

/**
 * Stores an event row for each applied op of `state` that has none yet (inside the caller's
 * transaction). seq = the op's epoch under sender '' (outside every member's seq order), so an
 * op that arrives late (by sync) is listed before the later ops' lines. The sentence stored for
 * `--json` readers uses the contacts' names of now; the CLI re-renders it with its name book.
 */
export function recordEvents(
  cx: GroupContext,
  groupId: string,
  records: readonly GroupOpRecord[],
  state: GroupState,
): void {
  const byHash = new Map(records.map((r) => [toHex(r.hash), r]))
  const now = cx.ctx.clock()
  for (const h of state.applied) {
    const id = eventId(h)
    if (cx.store.hasMessage(id)) continue
    const rec = byHash.get(toHex(h))
    const e = rec && eventOf(rec)
    if (rec === undefined || e === undefined) continue
    const name = (p: string): string => cx.store.getContact(p, { includeBlocked: true })?.name ?? p
    const mine = rec.actor === cx.me
    const m: StoredMessage = {
      id,
      conversation: groupId,
      from: '',
      direction: mine ? 'out' : 'in',
      seq: rec.epoch,
      text: JSON.stringify({ ...e, text: eventSentence(e, cx.me, name) }),
      sentAt: now,
      receivedAt: now,
      status: mine ? 'delivered' : 'read',
      kind: 'event',
    }
    if (!cx.store.insertMessage(m)) continue
    // Streamed (`--follow`) once the caller's transaction committed: a rolled-back row is gone.
    queueMicrotask(() => {
      const stored = cx.stopped() ? undefined : cx.store.getMessage(id)
      if (stored !== undefined) cx.emit({ event: 'message', message: toMessageView(stored) })
    })
  }
}
