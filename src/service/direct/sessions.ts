// The 1:1 session path of the service (issue 13 "one session path"): the core's SessionCipher
// (core/session/cipher.ts) over the store's synchronous SessionStore, called inside the caller's
// SQLite transaction. Encrypting a run of contents for a peer in one transaction (one load → core
// → one save, all or nothing), shared by the outbox, receipts and the card push; and the receiving
// side in the core's two phases around the caller's checks (decryptFrame: load → core decrypt;
// saveDecrypted: the core's commit with the consumed prekeys). It owns no state and knows nothing
// of what the contents are, of the outbox or of receive's dispatch.
import { commitDecrypted, loadSessionRecord, SessionCipher } from '../../core/index.js'
import type {
  ConsumedPrekeys,
  CoreContext,
  IdentityKeyPair,
  parseEnvelope,
  PrekeyBundle,
  SessionRecord,
} from '../../core/index.js'
import type { NodeStore } from '../../store/types.js'
import type { ChatContext } from '../context.js'

export type { ConsumedPrekeys }

/** What encryptAll needs of the service context (a narrow port). */
export type SessionContext = Pick<ChatContext, 'ctx' | 'store' | 'outgoing'>

const cipher = (ctx: CoreContext, store: NodeStore): SessionCipher =>
  new SessionCipher(ctx, store.protocol)

export function loadRecord(store: NodeStore, peer: string): SessionRecord | undefined {
  return loadSessionRecord(store.protocol, peer)
}

/** What startSession needs (a narrow port; the group context has it too). */
export interface StartSessionContext {
  ctx: CoreContext
  store: NodeStore
  /** Unused since the cipher reads the identity from `store.protocol`; kept so callers' ports
   *  stay as they are (the same holds for DecryptContext's). */
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
  return cipher(cx.ctx, cx.store).startSession(peer, bundle)
}

/** Encrypts `contents` for `peer` in one transaction: one session update, all or nothing. */
export function encryptAll(
  cx: SessionContext,
  peer: string,
  contents: Uint8Array[],
  onCommit?: () => void,
): Uint8Array[] {
  return cx.store.transaction(() => {
    const frames = cipher(cx.ctx, cx.store).encryptAll(
      peer,
      contents.map((c) => cx.outgoing?.(peer, c) ?? c),
    )
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
  const d = cipher(cx.ctx, cx.store).decrypt(from, incoming)
  return { result: d, consumed: d.consumed, firstSession: d.firstSession }
}

/** The save half (the core's commit): the new session state and the consumed prekeys, in the
 *  caller's transaction. */
export function saveDecrypted(
  store: NodeStore,
  from: string,
  record: SessionRecord,
  consumed: ConsumedPrekeys | undefined,
): void {
  commitDecrypted(store.protocol, from, record, consumed)
}
