// A group's topics and keys after any membership change (docs/groups.md §2): reconcile drops a
// left group's keys, topic and queued control, or drops former members, shares our key and
// subscribes to the (new) topic — keeping the old one for GROUP_OLD_TOPIC_GRACE_MS. It owns the
// subscriptions; it knows nothing of why the membership changed.
import debug from 'debug'
import type { GroupRow } from '../../store/types.js'
import { GROUP_OLD_TOPIC_GRACE_MS, type GroupContext } from './context.js'
import { dropAllKeys, dropFormerMembers, shareKeys } from './keys.js'
import { receiveEnvelope, validate } from './messages.js'
import { dropFormerControl, dropOwnControl } from './removal.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

export class GroupTopics {
  readonly #cx: GroupContext
  /** The topic we are subscribed to, by group id. */
  readonly #byGroup = new Map<string, string>()

  constructor(cx: GroupContext) {
    this.#cx = cx
  }

  /** After a membership change: keys and control dropped or shared, topics (un)subscribed. */
  reconcile(groupId: string): void {
    const cx = this.#cx
    if (cx.stopped()) return
    const g = cx.store.groups.getGroup(groupId)
    if (g?.groupId !== groupId) return
    try {
      if (!g.active) {
        // Removed or left: keys go, topics go, and what we still had queued for it; the
        // history stays.
        cx.store.transaction(() => {
          dropAllKeys(cx, groupId)
          dropOwnControl(cx, groupId)
        })
        const topic = this.#byGroup.get(groupId)
        if (topic !== undefined) cx.node.pubsubUnsubscribe(topic)
        this.#byGroup.delete(groupId)
        return
      }
      cx.store.transaction(() => {
        dropFormerMembers(cx, g)
        dropFormerControl(cx, g)
        shareKeys(cx, g)
      })
      this.#subscribe(g)
    } catch (err) {
      log('group reconcile failed: %s', errorName(err))
    }
  }

  #subscribe(g: GroupRow): void {
    const cx = this.#cx
    const old = this.#byGroup.get(g.groupId)
    if (g.topic === '' || old === g.topic) return
    const groupId = g.groupId
    cx.node.pubsubSubscribe(
      g.topic,
      (data) => validate(cx, groupId, data),
      (data) => receiveEnvelope(cx, groupId, data),
    )
    this.#byGroup.set(groupId, g.topic)
    if (old !== undefined) {
      // Messages published before others saw the change still arrive there for a while.
      const t = setTimeout(() => {
        if (this.#byGroup.get(groupId) !== old) cx.node.pubsubUnsubscribe(old)
      }, GROUP_OLD_TOPIC_GRACE_MS)
      t.unref()
    }
  }
}
