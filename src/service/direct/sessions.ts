// The 1:1 session path of the service (issue 13 "one session path"): loading a pairwise session
// record from the store, and encrypting a run of contents for a peer in one transaction (load →
// core sessionEncrypt → save, all or nothing), shared by the outbox, receipts and the card push.
// It owns no state and knows nothing of what the contents are, of the outbox or of receive.
import { sessionEncrypt, SessionRecord } from '../../core/index.js'
import type { NodeStore } from '../../store/types.js'
import type { ChatContext } from '../context.js'

/** What encryptAll needs of the service context (a narrow port). */
export type SessionContext = Pick<ChatContext, 'ctx' | 'store' | 'outgoing'>

export function loadRecord(store: NodeStore, peer: string): SessionRecord | undefined {
  const bytes = store.protocol.loadSessionSync(peer)
  return bytes === undefined ? undefined : SessionRecord.deserialize(bytes)
}

/** Encrypts `contents` for `peer` in one transaction: one session update, all or nothing. */
export function encryptAll(
  cx: SessionContext,
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
export function canDeposit(cx: Pick<ChatContext, 'cards'>, peer: string): boolean {
  return (cx.cards.of(peer)?.mailboxes.length ?? 0) > 0
}
