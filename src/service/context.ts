// What every module of the 1:1 chat service is handed (chat.ts wires it): the service's
// dependencies, our PeerId bytes, the event sink and late-bound access to the mailboxes and groups
// (both created in ChatService.start). Also the session helpers shared by the outbox, receipts and
// card push: loading a session record and encrypting a run of contents in one transaction.
// Plain data and functions: this module owns no state and knows nothing of the outbox or receive.
import { sessionEncrypt, SessionRecord } from '../core/index.js'
import type { CoreContext, IdentityKeyPair } from '../core/index.js'
import type { KithNode } from '../node/index.js'
import type { NodeStore } from '../store/types.js'
import type { Cards } from './cards.js'
import type { Files } from './files/index.js'
import type { Groups } from './groups/index.js'
import type { Mailboxes } from './mailboxes.js'
import type { ServiceEvent } from './types.js'

export interface ChatContext {
  ctx: CoreContext
  store: NodeStore
  node: KithNode
  identity: IdentityKeyPair
  cards: Cards
  /** Our PeerId as bytes (ChatContent.sender). */
  meBytes: Uint8Array
  /** True once ChatService.stop ran. */
  stopped(): boolean
  emit(e: ServiceEvent): void
  /** Undefined before start. */
  mailboxes(): Mailboxes | undefined
  /** Undefined before start. */
  groups(): Groups | undefined
  /** Files (./files/): undefined before start, or without a files directory. */
  files?: () => Files | undefined
  /** Checks and completes each content for `peer` before it is encrypted (chat.ts: refuses a
   *  blocked peer, adds our invite proof). */
  outgoing?: (peer: string, content: Uint8Array) => Uint8Array
}

export function loadRecord(store: NodeStore, peer: string): SessionRecord | undefined {
  const bytes = store.protocol.loadSessionSync(peer)
  return bytes === undefined ? undefined : SessionRecord.deserialize(bytes)
}

/** Encrypts `contents` for `peer` in one transaction: one session update, all or nothing. */
export function encryptAll(
  cx: ChatContext,
  peer: string,
  contents: Uint8Array[],
  onCommit?: () => void,
): Uint8Array[] {
  return cx.store.transaction(() => {
    let record = loadRecord(cx.store, peer) ?? new SessionRecord(undefined)
    const frames: Uint8Array[] = []
    for (const c of contents) {
      const r = sessionEncrypt(cx.ctx, record, cx.outgoing?.(peer, c) ?? c)
      record = r.record
      frames.push(r.envelope)
    }
    cx.store.protocol.storeSessionSync(peer, record.serialize())
    onCommit?.()
    return frames
  })
}

/** The peer's card names mailboxes we could deposit with. */
export function canDeposit(cx: ChatContext, peer: string): boolean {
  return (cx.cards.of(peer)?.mailboxes.length ?? 0) > 0
}
