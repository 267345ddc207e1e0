// Groups in the ChatService (docs/groups.md): the user's group actions (create, add, remove,
// leave, send, list, history), the GroupUpdate bodies that arrive over pairwise sessions, and
// what follows any membership change — topic subscription, key rotation and distribution,
// sessions with members, sync. This module owns the Groups object's life cycle (timers, sync
// debouncing); the rules live in ./actions.ts, ./membership.ts, ./keys.ts, ./messages.ts,
// ./sync.ts, ./updates.ts (pairwise GroupUpdates) and ./topics.ts (reconcile, subscriptions).
// It knows no SQL and no transport details.
import { checkCursor } from '../cursor.js'
import debug from 'debug'
import { peerIdBytesFromPublicKey } from '../../core/index.js'
import type { ChatContent, FileManifest } from '../../core/index.js'
import type { GroupRow, MessageStatus } from '../../store/types.js'
import { GroupNotFoundError } from '../errors.js'
import { ServiceNotStartedError } from '../lifecycle-errors.js'
import type { EditBody } from '../edits.js'
import type { GroupRejected, GroupView, MessageView, SendOptions } from '../types.js'
import { toMessageView } from '../views.js'
import { sendGroupBody } from './content.js'
import {
  GROUP_SYNC_INTERVAL_MS,
  noRejections,
  type GroupContext,
  type GroupsContext,
} from './context.js'
import { addMember, createGroup, leaveGroup, removeMember, renameGroup } from './actions.js'
import { skipStaleGaps } from './messages.js'
import { republishQueued, sendGroupMessage } from './publish.js'
import { farewellAcked, farewellApplied, isFarewell, reachPendingFarewells } from './removal.js'
import { findGroup } from './naming.js'
import { GroupTopics } from './topics.js'
import { forwardOwedCard, receiveUpdate } from './updates.js'
import { randomIndex } from '../random.js'
import { maySync, serveSync, syncWith } from './sync.js'
import { errorName } from '../../core/errors.js'

export {
  GROUP_GAP_TIMEOUT_MS,
  GROUP_OLD_TOPIC_GRACE_MS,
  GROUP_SYNC_INTERVAL_MS,
  type GroupsContext,
} from './context.js'

const log = debug('kith:service:groups')

/** How often held-back messages are checked against GROUP_GAP_TIMEOUT_MS. */
export const GAP_CHECK_INTERVAL_MS = 5_000
/** Sync requests for one group within this window are folded into one. */
export const SYNC_DEBOUNCE_MS = 300
/** After a member connects, wait this long (its subscriptions arrive) before republishing. */
export const REPUBLISH_DELAY_MS = 1_000

export class Groups {
  readonly #cx: GroupContext
  readonly #topics: GroupTopics
  readonly #syncTimers = new Map<string, NodeJS.Timeout>()
  readonly #timers: NodeJS.Timeout[] = []
  /** Members we added without having their card: peer → groups to forward it to. */
  readonly #cardOwed = new Map<string, Set<string>>()
  #started = false
  #stopped = false

  constructor(cx: GroupsContext) {
    this.#cx = {
      ...cx,
      me: cx.identity.peerId,
      meBytes: peerIdBytesFromPublicKey(cx.identity.publicKey),
      rejected: noRejections(),
      opCache: new Map(),
      prevalidated: new WeakMap(),
      stopped: () => this.#stopped,
      reconcile: (groupId) => this.#topics.reconcile(groupId),
      syncSoon: (groupId, peer) => this.#syncSoon(groupId, peer),
    }
    this.#topics = new GroupTopics(this.#cx)
  }

  start(): void {
    this.#started = true
    const cx = this.#cx
    cx.node.onSyncRequest(
      (from, req) => serveSync(cx, from, req),
      (from) => maySync(cx, from),
    )
    cx.node.on('peer:connect', (peer) => this.#onConnect(peer))
    for (const g of cx.store.groups.listGroups()) this.#topics.reconcile(g.groupId)
    reachPendingFarewells(cx)
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn()
        } catch (err) {
          log('group timer failed: %s', errorName(err))
        }
      }, ms)
      t.unref()
      this.#timers.push(t)
    }
    every(GAP_CHECK_INTERVAL_MS, () => skipStaleGaps(cx))
    every(GROUP_SYNC_INTERVAL_MS, () => {
      cx.store.groups.pruneEnvelopes(cx.ctx.clock())
      for (const g of cx.store.groups.listGroups()) {
        this.#syncSoon(g.groupId)
        void republishQueued(cx, g.groupId)
      }
    })
  }

  stop(): void {
    this.#stopped = true
    for (const t of this.#timers) clearInterval(t)
    for (const t of this.#syncTimers.values()) clearTimeout(t)
    this.#syncTimers.clear()
  }

  metrics(): GroupRejected {
    return { ...this.#cx.rejected }
  }

  // ---- User actions (./actions.ts) ------------------------------------------------------------

  create(name: string): { groupId: string; name: string } {
    return createGroup(this.#cx, name)
  }

  add(ref: string, contact: string, admin = false): { groupId: string; members: string[] } {
    return addMember(this.#cx, this.#cardOwed, ref, contact, admin)
  }

  remove(ref: string, contact: string): { groupId: string; members: string[] } {
    return removeMember(this.#cx, ref, contact)
  }

  leave(ref: string): { groupId: string; members: string[] } {
    return leaveGroup(this.#cx, ref)
  }

  rename(ref: string, name: string): { groupId: string; name: string } {
    return renameGroup(this.#cx, ref, name)
  }

  list(): GroupView[] {
    return this.#cx.store.groups.listGroups().map(toGroupView)
  }

  send(
    ref: string,
    text: string,
    opts?: SendOptions,
  ): Promise<{ id: string; status: MessageStatus }> {
    return sendGroupMessage(this.#cx, ref, text, opts)
  }

  /** An edit, delete, reaction or timer change through our sender key (./content.ts). */
  sendBody(groupId: string, id: string, at: number, body: EditBody): void {
    if (!this.#started) throw new ServiceNotStartedError('the service has not started')
    sendGroupBody(this.#cx, groupId, id, at, body)
  }

  /** A file message (../files/): `text` its JSON line, `manifest` what members receive. */
  sendFile(
    ref: string,
    text: string,
    file: { id: string; manifest: FileManifest; onStored: (groupId: string) => void },
  ): Promise<{ id: string; status: MessageStatus }> {
    return sendGroupMessage(this.#cx, ref, text, {}, file)
  }

  /** History of a group, also after we left it (by id or name). */
  messages(ref: string, opts: { limit?: number; before?: string }): MessageView[] {
    const g = findGroup(this.#cx, ref)
    if (g === undefined) throw new GroupNotFoundError(`no group "${ref}"`)
    if (opts.before !== undefined) checkCursor(this.#cx.store, opts.before, g.groupId)
    return this.#cx.store
      .listMessages({
        conversation: g.groupId,
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        ...(opts.before !== undefined ? { before: opts.before } : {}),
      })
      .map(toMessageView)
  }

  // ---- Pairwise bodies ------------------------------------------------------------------------

  /**
   * A GroupUpdate from the authenticated `from`, inside the ChatService's receive transaction
   * (./updates.ts); the returned function runs after the commit.
   */
  receiveUpdate(from: string, content: ChatContent): () => void {
    return receiveUpdate(this.#cx, from, content)
  }

  /** A member's card just reached us: forwarded to the groups we owe it to (./updates.ts). */
  cardArrived(peer: string): void {
    forwardOwedCard(this.#cx, this.#cardOwed, peer)
  }

  /** Whether a receipt's id (from `peer`) is one of our control contents: dequeued then. */
  acked(id: string, peer: string): boolean {
    if (!this.#cx.store.groups.dequeueControl(id)) return false
    farewellAcked(this.#cx, peer)
    return true
  }

  /**
   * The receive gate's one exception for a peer who is neither a contact nor a co-member: a
   * GroupUpdate carrying its REMOVE of us (./removal.ts). The caller refuses the frame unless
   * `removedFrom` then names the group.
   */
  isFarewell(from: string, content: ChatContent): boolean {
    return isFarewell(this.#cx, from, content)
  }

  /** After a farewell's update was applied: its REMOVE of us (signed by `from`) applied. */
  farewellApplied(from: string, content: ChatContent): boolean {
    try {
      return farewellApplied(this.#cx, from, content)
    } catch (err) {
      log('farewell not applied: %s', errorName(err))
      return false
    }
  }

  // ---- After a change (./topics.ts) ----------------------------------------------------------

  #onConnect(peer: string): void {
    const cx = this.#cx
    for (const g of cx.store.groups.listGroups()) {
      if (!g.members.includes(peer)) continue
      this.#syncSoon(g.groupId, peer)
      // Not after stop(): the store may be closed by then.
      const t = setTimeout(() => {
        if (!this.#stopped) void republishQueued(cx, g.groupId).catch(() => undefined)
      }, REPUBLISH_DELAY_MS)
      t.unref()
    }
  }

  #syncSoon(groupId: string, peer?: string): void {
    if (this.#stopped || this.#syncTimers.has(groupId)) return
    const t = setTimeout(() => {
      this.#syncTimers.delete(groupId)
      const cx = this.#cx
      const g = cx.store.groups.getGroup(groupId)
      if (g?.groupId !== groupId || !g.active) return
      const online = g.members.filter((m) => m !== cx.me && cx.node.isConnected(m))
      const target =
        peer !== undefined && online.includes(peer)
          ? peer
          : online[randomIndex(cx.ctx.rng, online.length)]
      if (target !== undefined) void syncWith(cx, target, groupId)
    }, SYNC_DEBOUNCE_MS)
    t.unref()
    this.#syncTimers.set(groupId, t)
  }
}

function toGroupView(g: GroupRow): GroupView {
  return {
    groupId: g.groupId,
    name: g.name,
    members: g.members,
    admins: g.admins,
    topic: g.topic,
  }
}
