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
  readonly #G: GroupContext
  /** The topic we are subscribed to, by group id. */
  readonly #byGroup = new Map<string, string>()

  constructor(G: GroupContext) {
    this.#G = G
  }

  /** After a membership change: keys and control dropped or shared, topics (un)subscribed. */
  reconcile(groupId: string): void {
    const G = this.#G
    if (G.stopped()) return
    const g = G.store.groups.getGroup(groupId)
    if (g?.groupId !== groupId) return
    try {
      if (!g.active) {
        // Removed or left: keys go, topics go, and what we still had queued for it; the
        // history stays.
        G.store.transaction(() => {
          dropAllKeys(G, groupId)
          dropOwnControl(G, groupId)
        })
        const topic = this.#byGroup.get(groupId)
        if (topic !== undefined) G.node.pubsubUnsubscribe(topic)
        this.#byGroup.delete(groupId)
        return
      }
      G.store.transaction(() => {
        dropFormerMembers(G, g)
        dropFormerControl(G, g)
        shareKeys(G, g)
      })
      this.#subscribe(g)
    } catch (err) {
      log('group reconcile failed: %s', errorName(err))
    }
  }

  #subscribe(g: GroupRow): void {
    const G = this.#G
    const old = this.#byGroup.get(g.groupId)
    if (g.topic === '' || old === g.topic) return
    const groupId = g.groupId
    G.node.pubsubSubscribe(
      g.topic,
      (data) => validate(G, groupId, data),
      (data) => receiveEnvelope(G, groupId, data),
    )
    this.#byGroup.set(groupId, g.topic)
    if (old !== undefined) {
      // Messages published before others saw the change still arrive there for a while.
      const t = setTimeout(() => {
        if (this.#byGroup.get(groupId) !== old) G.node.pubsubUnsubscribe(old)
      }, GROUP_OLD_TOPIC_GRACE_MS)
      t.unref()
    }
  }
}
