// The types and the port of what a node stores about its groups (implemented by ./groups.ts and
// ./group-log.ts): the replayed state, the op log, Sender Key records, retained ciphertexts, marks,
// held-back messages, which own key went to whom and the pairwise control outbox. Knows no SQL.
import type { SenderKeyStore } from '../core/store/types.js'

/** A group as this node holds it: the replayed state of its op log (docs/groups.md §1). */
export interface GroupRow {
  /** 16 random bytes, 32 lowercase hex chars. */
  groupId: string
  name: string
  /** Sorted PeerIds. */
  members: string[]
  admins: string[]
  epoch: number
  /** The current gossipsub topic; '' while its secret is unknown. */
  topic: string
  /** False once we were removed or left: kept for its history, not listed. */
  active: boolean
  createdAt: number
}

export interface GroupOpRow {
  /** SHA-256 of `bytes`. */
  hash: Uint8Array
  /** Encoded signed GroupControl. */
  bytes: Uint8Array
  /** The 32-byte topic secret this op introduced, when we know it. */
  secret: Uint8Array | undefined
}

export interface SenderKeyRow {
  /** Serialized SenderKeyRecord (core/group/record.ts), opaque here. */
  record: Uint8Array
  /** The chain id the topic validator accepts from this sender; undefined: none yet. */
  currentChain: number | undefined
  /** Chain ids this sender rotated away from (a stale distribution never becomes current). */
  retired: number[]
}

/** A group ciphertext kept for healing (retention, docs/groups.md §4). */
export interface GroupEnvelope {
  groupId: string
  sender: string
  seq: number
  data: Uint8Array
  receivedAt: number
}

/** A decrypted group message held back until the sender's earlier ones arrive. */
export interface HeldMessage {
  groupId: string
  sender: string
  seq: number
  /** The encoded ChatContent. */
  content: Uint8Array
  receivedAt: number
}

/** A pairwise control content (GroupUpdate) waiting to be sent and acked. */
export interface ControlEntry {
  messageId: string
  peer: string
  content: Uint8Array
  attempts: number
  nextAttemptAt: number
}

export interface GroupStore extends SenderKeyStore {
  /** Inserts or replaces by groupId. */
  putGroup(g: GroupRow): void
  /** By id first, else the newest active group of that name. */
  getGroup(idOrName: string): GroupRow | undefined
  /** Active groups, by name. */
  listGroups(): GroupRow[]
  /** Every group row, left and removed ones included (name uniqueness, name lookups). */
  allGroups(): GroupRow[]

  /** Adds an op (true if new). A known op without a secret takes `secret` if given. */
  addOp(groupId: string, op: GroupOpRow): boolean
  ops(groupId: string): GroupOpRow[]
  opCount(groupId: string): number

  getSenderKey(groupId: string, sender: string): SenderKeyRow | undefined
  putSenderKey(groupId: string, sender: string, row: SenderKeyRow): void
  deleteSenderKey(groupId: string, sender: string): void
  /** Every sender's row of a group: the validator's chain → member map. */
  senderKeys(groupId: string): Array<SenderKeyRow & { sender: string }>

  /** Keeps a ciphertext (idempotent: false when (group, sender, seq) is held already), then
   *  prunes the group to the retention limits. */
  retain(e: GroupEnvelope): boolean
  getEnvelope(groupId: string, sender: string, seq: number): GroupEnvelope | undefined
  /** Retained envelopes of the senders in `marks` with a seq above their mark, oldest seq first
   *  per sender, at most `maxItems` and `maxBytes`; `more` when some were left out. */
  envelopesAfter(
    groupId: string,
    marks: ReadonlyArray<{ sender: string; seq: number }>,
    maxItems: number,
    maxBytes: number,
  ): { envelopes: GroupEnvelope[]; more: boolean }
  /** Drops what is older than the retention time (the count is kept on every insert). */
  pruneEnvelopes(now: number): number

  mark(groupId: string, sender: string): number | undefined
  setMark(groupId: string, sender: string, seq: number): void
  marks(groupId: string): Array<{ sender: string; seq: number }>

  /** Holds a message back (false if that seq is held already). */
  hold(m: HeldMessage): boolean
  /** A sender's held messages, by seq. */
  held(groupId: string, sender: string): HeldMessage[]
  /** Every held message, oldest first (the gap timer). */
  allHeld(): HeldMessage[]
  unhold(groupId: string, sender: string, seq: number): void

  keySent(groupId: string, peer: string): number | undefined
  setKeySent(groupId: string, peer: string, chainId: number): void
  /** The peers our key of this group was queued for. */
  keysSentTo(groupId: string): string[]
  clearKeysSent(groupId: string): void

  enqueueControl(e: ControlEntry): void
  /** A peer's control entries, oldest first. */
  controlFor(peer: string): ControlEntry[]
  controlPeers(): string[]
  nextControlAttemptAt(peer: string): number | undefined
  rescheduleControl(messageId: string, attempts: number, nextAttemptAt: number): void
  /** Removes an acked entry; false if there was none. */
  dequeueControl(messageId: string): boolean
}
