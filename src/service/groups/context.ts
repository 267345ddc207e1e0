// What every groups module is handed (docs/groups.md): the service's dependencies, this node's
// identity, the group-message counters and a few callbacks into the ChatService (the pairwise
// outbox) and into ./index.ts (reconcile after a membership change). Plain data and functions:
// no module here owns state of its own beyond what this object carries.
import type { CoreContext } from '../../core/index.js'
import type { GroupOpRecord, SenderKeyRecord, VerifiedSenderKeyMessage } from '../../core/index.js'
import type { IdentityKeyPair } from '../../core/index.js'
import type { KithNode } from '../../node/index.js'
import type { ChatContent, FileManifest } from '../../core/index.js'
import type { NodeStore, StoredMessage } from '../../store/types.js'
import type { Cards } from '../offline/cards.js'
import type { GroupRejected, ServiceEvent } from '../types.js'

/** How long a sender's gap may stay open before the held messages are shown anyway (§4). */
export const GROUP_GAP_TIMEOUT_MS = 30_000
/** Anti-entropy with one random online member of each group, this often (§4). */
export const GROUP_SYNC_INTERVAL_MS = 30_000
/** A replaced topic stays subscribed this long, for messages published before the change. */
export const GROUP_OLD_TOPIC_GRACE_MS = 60_000
/** Most sync rounds (`more`) in one exchange with one peer. */
export const MAX_SYNC_ROUNDS = 16
/** Cards per GroupUpdate: a card is ≈3 KiB, a ChatContent at most 64 KiB. */
export const CARDS_PER_UPDATE = 12
/** Ops per GroupUpdate when a whole op log is sent (≈150 B per op). */
export const OPS_PER_UPDATE = 256

/** The slice of the node the groups use (a narrow port, js-libp2p *Components style): the
 *  topic, sync and card lookups, and peer events. */
export type GroupNode = Pick<
  KithNode,
  | 'findCard'
  | 'isConnected'
  | 'on'
  | 'onSyncRequest'
  | 'pubsubPublish'
  | 'pubsubSubscribe'
  | 'pubsubUnsubscribe'
  | 'syncFetch'
  | 'unwatch'
  | 'watch'
>

/** The Groups' port (./index.ts): the service's dependencies and what the groups call of the
 *  modules around them (the outbox's flush, our card, edits' bodies, files). */
export interface GroupsContext {
  ctx: CoreContext
  store: NodeStore
  node: GroupNode
  identity: IdentityKeyPair
  cards: Cards
  emit(e: ServiceEvent): void
  /** Sends what is in the pairwise outboxes of `peer` soon (ChatService flush). */
  flush(peer: string): void
  /** Our card as pushed to contacts (addresses, prekeys, mailboxes), freshly signed. */
  ownCard(): Uint8Array
  /** OwnCard.push: our card and profile name to `peer` over its session, if connected. */
  pushCard?(peer: string): Promise<void>
  /** Replies' timers, edits, deletes, reactions, timer changes (../edits.ts, ../disappearing.ts). */
  bodies?: GroupBodyHooks
  /** Group files (../files/): a queued file message's manifest, and a member's manifest shown. */
  files?: GroupFileHooks
}

/** What ./messages.ts hands on about contents other than texts, inside its transaction. */
export interface GroupBodyHooks {
  /** An edit, delete, reaction or timer change from `from`, in its sender's order. */
  receive(
    groupId: string,
    from: string,
    content: ChatContent,
    raw: Uint8Array,
    events: ServiceEvent[],
  ): void
  /** A message was stored: what was held for it applies now. */
  inserted(id: string, events: ServiceEvent[]): void
  /** The group's disappearing timer (seconds), undefined when off. */
  ttl(groupId: string): number | undefined
}

export interface GroupFileHooks {
  manifestFor(m: StoredMessage): FileManifest | undefined
  /** Stores a member's manifest (inside the receive transaction); the message to show, if any. */
  received(
    groupId: string,
    from: string,
    content: ChatContent,
    now: number,
  ): StoredMessage | undefined
}

/**
 * What the topic validator learnt about a message it accepted, for the delivery callback that
 * follows (gossipsub hands both the same `data` object): the decoded, signature-checked fields,
 * and the sender's record as deserialized from the stored row `row` (reused only while the stored
 * row is still byte-equal to it: another message may have advanced it in between).
 */
export interface Prevalidated {
  verified: VerifiedSenderKeyMessage
  row: Uint8Array
  record: SenderKeyRecord
}

/** What every step in groups/ is handed: the Groups' port with its shared state (counters,
 *  caches) and the two calls back into ./index.ts. */
export interface GroupContext extends GroupsContext {
  /** Our PeerId and its bytes. */
  me: string
  meBytes: Uint8Array
  rejected: GroupRejected
  /** Verified ops by hex hash (verifying is an Ed25519 check per op: done once per process). */
  opCache: Map<string, GroupOpRecord>
  /** Messages the topic validator accepted, by the identity of their data (messages.ts). */
  prevalidated: WeakMap<Uint8Array, Prevalidated>
  stopped: () => boolean
  /** Runs after a transaction that changed a group's ops: topic, keys, sessions, sync. */
  reconcile(groupId: string): void
  /** Asks a member for what we miss of a group (debounced per group). */
  syncSoon(groupId: string, peer?: string): void
}

/** Every GroupRejected counter at zero (a new group service starts with these). */
export function noRejections(): GroupRejected {
  return {
    nonMember: 0,
    badSignature: 0,
    replay: 0,
    oldKey: 0,
    malformed: 0,
    opEpoch: 0,
    blocked: 0,
  }
}
