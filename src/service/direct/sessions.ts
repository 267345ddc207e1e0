// The 1:1 session path of the service (issue 13 "one session path"): loading a pairwise session
// record from the store; encrypting a run of contents for a peer in one transaction (load → core
// sessionEncrypt → save, all or nothing), shared by the outbox, receipts and the card push; and
// the receiving side split in two around the caller's checks (decryptFrame: load → core decrypt;
// saveDecrypted: save with the consumed prekeys). It owns no state and knows nothing of what the
// contents are, of the outbox or of receive's dispatch.
import {
  decryptPrekeyMessage,
  decryptRatchetMessage,
  initiateSession,
  peerIdFromPublicKey,
  responderKeys,
  sessionEncrypt,
  SessionRecord,
  UntrustedIdentityError,
} from '../../core/index.js'
import type {
  CoreContext,
  IdentityKeyPair,
  parseEnvelope,
  PrekeyBundle,
  PrekeyMessage,
} from '../../core/index.js'
import type { NodeStore } from '../../store/types.js'
import type { ChatContext } from '../context.js'

/** What encryptAll needs of the service context (a narrow port). */
export type SessionContext = Pick<ChatContext, 'ctx' | 'store' | 'outgoing'>

export function loadRecord(store: NodeStore, peer: string): SessionRecord | undefined {
  const bytes = store.protocol.loadSessionSync(peer)
  return bytes === undefined ? undefined : SessionRecord.deserialize(bytes)
}

/** What startSession needs (a narrow port; the group context has it too). */
export interface StartSessionContext {
  ctx: CoreContext
  store: NodeStore
  identity: IdentityKeyPair
}

/**
 * Starts a session with `peer` as initiator from its prekey bundle (PQXDH §3.3: the bundle's
 * signatures are verified first; a bad bundle throws and nothing is saved) unless one is running,
 * and saves it: the one place the service starts a session (invite, restore, DHT card, group
 * co-member). Call it inside the caller's transaction when its checks and this save must be one.
 * True when a session was started.
 */
export function startSession(cx: StartSessionContext, peer: string, bundle: PrekeyBundle): boolean {
  const record = loadRecord(cx.store, peer)
  if (record?.current !== undefined) return false
  const fresh = initiateSession(cx.ctx, cx.identity, bundle, record)
  cx.store.protocol.storeSessionSync(peer, fresh.serialize())
  return true
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

/** What decryptFrame uses of the service context (a narrow port). */
export type DecryptContext = Pick<ChatContext, 'ctx' | 'store' | 'identity'>

/** The prekeys a PQXDH initial message consumed: removed or marked used with the session save. */
export interface ConsumedPrekeys {
  oneTimePrekeyId: number | undefined
  kemPrekeyId: number
}

/**
 * The load → core half of receiving (inside the caller's transaction): `from`'s session loaded,
 * the envelope decrypted by the core (a ratchet message, or a PQXDH initial message whose
 * identity must be `from`'s). Nothing is saved: the caller checks the content, then calls
 * saveDecrypted in the same transaction, or throws and nothing is stored.
 */
export function decryptFrame(
  cx: DecryptContext,
  from: string,
  incoming: ReturnType<typeof parseEnvelope>,
): {
  result: { plaintext: Uint8Array; record: SessionRecord }
  consumed: ConsumedPrekeys | undefined
  firstSession: boolean
} {
  const record = loadRecord(cx.store, from)
  const firstSession = record?.current === undefined
  if (incoming.type === 'ratchet') {
    const result = decryptRatchetMessage(cx.ctx, record, incoming.message)
    return { result, consumed: undefined, firstSession }
  }
  const msg = incoming.message
  if (peerIdFromPublicKey(msg.identityKey) !== from)
    throw new UntrustedIdentityError('initial message from another identity')
  const p = decryptPrekeyMessage(cx.ctx, cx.identity, record, msg, () => prekeysFor(cx.store, msg))
  return { result: p, consumed: p.consumed, firstSession }
}

/** The save half: the new session state and the consumed prekeys, in the caller's transaction. */
export function saveDecrypted(
  store: NodeStore,
  from: string,
  record: SessionRecord,
  consumed: ConsumedPrekeys | undefined,
): void {
  store.protocol.storeSessionSync(from, record.serialize())
  if (consumed !== undefined) {
    if (consumed.oneTimePrekeyId !== undefined)
      store.protocol.removeOneTimePrekeySync(consumed.oneTimePrekeyId)
    store.protocol.markKemPrekeyUsedSync(consumed.kemPrekeyId)
  }
}

/** Our prekeys an initial message names (PQXDH §3.3: the responder's side). */
function prekeysFor(store: NodeStore, msg: PrekeyMessage) {
  const p = store.protocol
  return responderKeys(msg, {
    signedPrekey: p.loadSignedPrekeySync(msg.signedPrekeyId),
    kemPrekey: p.loadKemPrekeySync(msg.kemPrekeyId),
    oneTimePrekey:
      msg.oneTimePrekeyId === undefined ? undefined : p.loadOneTimePrekeySync(msg.oneTimePrekeyId),
  })
}
