// The ports the 1:1 receiver is handed (./receive.ts; ../wiring.ts builds them): the slice of the
// node it calls, and the modules a decrypted content is dispatched to — groups, files, receipts,
// the outbox, requests, proofs, profile, edits and timers. Declared here, on the receiving side,
// so the groups and files are seen only through what receive needs of them. Types only.
import type { ChatContent } from '../../core/index.js'
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import type { StoredMessage } from '../../store/types.js'
import type { Disappearing } from '../disappearing.js'
import type { Edits } from '../edits.js'
import type { Profile } from '../profile.js'
import type { ControlQueue } from './control-outbox.js'
import type { InviteProofs } from './proofs.js'
import type { ControlAcks } from './receipts-in.js'
import type { Requests } from './requests.js'

/** The slice of the node receive uses (a narrow port: ../context.ts WithNode). */
export type ReceiveNode = Pick<KithNode, 'watch'>

/** What receive hands to the groups (../groups/index.ts Groups), inside its transaction. */
export interface GroupInbox extends ControlAcks {
  /** A GroupUpdate from `from`; the returned function runs after the commit. */
  receiveUpdate(from: string, content: ChatContent): () => void
  /** A non-member's GroupUpdate carrying its REMOVE of us (../groups/removal.ts). */
  isFarewell(from: string, content: ChatContent): boolean
  /** After a farewell's update was applied: its REMOVE of us applied. */
  farewellApplied(from: string, content: ChatContent): boolean
  /** A member's card just reached us (after the commit). */
  cardArrived(peer: string): void
}

/** What receive hands to the files (../files/index.ts Files): a contact's manifest, stored
 *  inside the transaction; the message to show, if any. */
export interface FileInbox {
  received(from: string, content: ChatContent, now: number): StoredMessage | undefined
}

/** The collaborators receive calls (narrow ports; ../wiring.ts hands the modules themselves). */
export interface ReceiveHooks {
  /** Group updates, farewells, control acks (../groups/). */
  groups: GroupInbox
  /** Contacts' file manifests (../files/); absent without files. */
  files?: FileInbox
  /** When a peer's next control content is due (./control-outbox.ts). */
  control: Pick<ControlQueue, 'nextAttemptAt'>
  /** Receipts.queueAck */
  queueAck(peer: string, id: string): void
  /** Outbox.flushSoon */
  flushSoon(peer: string, all?: boolean): void
  /** OwnCard.push */
  pushCard(peer: string): Promise<void>
  /** Message requests, blocking, co-members (./requests.ts). */
  requests: Requests
  /** Our invite secrets and their proofs (./proofs.ts). */
  proofs: InviteProofs
  /** Profile names contacts send (../profile.ts). */
  profile: Profile
  /** Edits, deletes, reactions (../edits.ts). */
  edits: Edits
  /** Disappearing timers (../disappearing.ts). */
  disappearing: Disappearing
}

/** The receiver's port: the service context with its node slice, and its collaborators. */
export type ReceiveContext = WithNode<ReceiveNode> & ReceiveHooks
