// SessionCipher: the one store-driven entry point for 1:1 messages (libsignal's signalEncrypt /
// signalDecrypt), used by the product (src/service/direct/sessions.ts), the tests and the bench.
// It loads the record and prekeys through the synchronous SessionStore port (../store/types.ts),
// calls the pure functions of ./session.ts, and saves: an encrypted run of messages in one load
// and one save; a decrypt in two phases, so the caller can check the content first and commit
// the new record with the one-time prekeys the initial message consumed (PQXDH §3.4, each used
// exactly once) — or not at all.
//
// Serialization: every method is synchronous and holds no state between calls (only its store),
// so a caller that runs it inside one synchronous SQLite transaction (the service does) cannot
// interleave two loads and stores; no promise queue is needed. A pending decrypt must be committed
// before the next call for the same peer (inside the same transaction), else its record is stale.
// It knows nothing of contacts, message contents or the network.
import { equalBytes } from '../bytes.js'
import { UntrustedIdentityError } from '../errors.js'
import type { CoreContext } from '../crypto/provider.js'
import { peerIdFromPublicKey, publicKeyFromPeerId } from '../identity/identity.js'
import type { SessionRecordStore, SessionStore } from '../store/types.js'
import type { PrekeyBundle, PrekeyMessage } from '../wire/pb/wire.js'
import { SessionRecord } from './record.js'
import {
  decryptPrekeyMessage,
  decryptRatchetMessage,
  initiateSession,
  parseEnvelope,
  responderKeys,
  sessionEncrypt,
  type IncomingMessage,
} from './session.js'

/** The prekeys a PQXDH initial message consumed: deleted (or marked used) with the save. */
export interface ConsumedPrekeys {
  oneTimePrekeyId: number | undefined
  kemPrekeyId: number
}

/** A decrypted message, not yet saved: nothing is stored until `commit()` is called. */
export interface Decrypted {
  /** The sender's PeerId. */
  peer: string
  plaintext: Uint8Array
  /** True when this message started a new session (a first contact or a re-established one). */
  newSession: boolean
  /** True when we held no current session with `peer` before this message. */
  firstSession: boolean
  /** The session record to save (what `commit` stores). */
  record: SessionRecord
  /** The prekeys to delete with it (set when `newSession`). */
  consumed: ConsumedPrekeys | undefined
  /** Saves the record and deletes the consumed prekeys (call it inside the caller's
   *  transaction, after its checks of the content). */
  commit(): void
}

/**
 * Saves what a decrypt produced: the session record and, PQXDH §3.4, "Bob deletes … one-time
 * prekeys" (a one-time ML-KEM prekey too; the last-resort one is kept by the store).
 */
export function commitDecrypted(
  store: Pick<
    SessionStore,
    'storeSession' | 'storeSessionRecord' | 'removeOneTimePrekey' | 'markKemPrekeyUsed'
  >,
  peer: string,
  record: SessionRecord,
  consumed: ConsumedPrekeys | undefined,
): void {
  saveSessionRecord(store, peer, record)
  if (consumed !== undefined) {
    if (consumed.oneTimePrekeyId !== undefined) store.removeOneTimePrekey(consumed.oneTimePrekeyId)
    store.markKemPrekeyUsed(consumed.kemPrekeyId)
  }
}

const decodeRecord = (bytes: Uint8Array): SessionRecord => SessionRecord.deserialize(bytes)

/** The stored session record of `peer`, if any (decoded by the store when it keeps decoded
 *  records: SessionRecordStore.loadSessionRecord). */
export function loadSessionRecord(
  store: Pick<SessionRecordStore, 'loadSession' | 'loadSessionRecord'>,
  peer: string,
): SessionRecord | undefined {
  if (store.loadSessionRecord !== undefined) return store.loadSessionRecord(peer, decodeRecord)
  const bytes = store.loadSession(peer)
  return bytes === undefined ? undefined : SessionRecord.deserialize(bytes)
}

/** Stores `record` as `peer`'s (handed over decoded when the store keeps decoded records). */
export function saveSessionRecord(
  store: Pick<SessionRecordStore, 'storeSession' | 'storeSessionRecord'>,
  peer: string,
  record: SessionRecord,
): void {
  if (store.storeSessionRecord !== undefined) store.storeSessionRecord(peer, record)
  else store.storeSession(peer, record.serialize())
}

export class SessionCipher {
  constructor(
    private readonly ctx: CoreContext,
    private readonly store: SessionStore,
  ) {}

  /** The stored record of `peer`, if any. */
  load(peer: string): SessionRecord | undefined {
    return loadSessionRecord(this.store, peer)
  }

  hasSession(peer: string): boolean {
    return this.load(peer)?.current !== undefined
  }

  /**
   * Starts a session with `peer` as initiator from its prekey bundle (e.g. from an invite or
   * contact card) and saves it; an existing state is kept as a previous one. PQXDH §3.3: the
   * bundle's signatures are verified first; a bad bundle, or one of another identity than
   * `peer`, throws and nothing is saved.
   */
  initiate(peer: string, bundle: PrekeyBundle): void {
    if (!equalBytes(publicKeyFromPeerId(peer), bundle.identityKey)) {
      throw new UntrustedIdentityError('prekey bundle identity does not match the PeerId')
    }
    const record = initiateSession(
      this.ctx,
      this.store.getIdentityKeyPair(),
      bundle,
      this.load(peer),
    )
    saveSessionRecord(this.store, peer, record)
  }

  /** As `initiate`, unless a session with `peer` is current; true when one was started. */
  startSession(peer: string, bundle: PrekeyBundle): boolean {
    if (this.hasSession(peer)) return false
    this.initiate(peer, bundle)
    return true
  }

  /** Encrypts one message to `peer`; returns the envelope bytes to send. */
  encrypt(peer: string, plaintext: Uint8Array): Uint8Array {
    return this.encryptAll(peer, [plaintext])[0]!
  }

  /** Encrypts a run of messages to `peer` with one load and one save (NoSessionError without a
   *  session: nothing saved). Returns their envelopes, in order. */
  encryptAll(peer: string, plaintexts: readonly Uint8Array[]): Uint8Array[] {
    let record = this.load(peer) ?? new SessionRecord(undefined)
    const envelopes: Uint8Array[] = []
    for (const p of plaintexts) {
      const r = sessionEncrypt(this.ctx, record, p)
      record = r.record
      envelopes.push(r.envelope)
    }
    saveSessionRecord(this.store, peer, record)
    return envelopes
  }

  /**
   * Decrypts an envelope (its bytes, or already parsed by parseEnvelope). `from` is the sender's
   * PeerId when the transport authenticated it (a libp2p connection); a prekey message names its
   * sender itself and must agree with `from`. Nothing is saved: see `Decrypted.commit`.
   */
  decrypt(from: string | undefined, envelope: Uint8Array | IncomingMessage): Decrypted {
    const incoming = envelope instanceof Uint8Array ? parseEnvelope(envelope) : envelope
    if (incoming.type === 'ratchet') {
      if (from === undefined)
        throw new UntrustedIdentityError('sender unknown for a ratchet message')
      const record = this.load(from)
      const r = decryptRatchetMessage(this.ctx, record, incoming.message)
      return this.#pending(from, r.plaintext, r.record, undefined, record)
    }
    const msg = incoming.message
    const peer = peerIdFromPublicKey(msg.identityKey)
    if (from !== undefined && from !== peer)
      throw new UntrustedIdentityError('initial message from another identity')
    const record = this.load(peer)
    const r = decryptPrekeyMessage(this.ctx, this.store.getIdentityKeyPair(), record, msg, () =>
      this.#prekeysFor(msg),
    )
    return this.#pending(peer, r.plaintext, r.record, r.consumed, record)
  }

  #pending(
    peer: string,
    plaintext: Uint8Array,
    record: SessionRecord,
    consumed: ConsumedPrekeys | undefined,
    before: SessionRecord | undefined,
  ): Decrypted {
    const store = this.store
    return {
      peer,
      plaintext,
      newSession: consumed !== undefined,
      firstSession: before?.current === undefined,
      record,
      consumed,
      commit: () => commitDecrypted(store, peer, record, consumed),
    }
  }

  /** Our private prekeys an initial message names (PQXDH §3.4: the responder's side). */
  #prekeysFor(msg: PrekeyMessage): ReturnType<typeof responderKeys> {
    const s = this.store
    return responderKeys(msg, {
      signedPrekey: s.loadSignedPrekey(msg.signedPrekeyId),
      kemPrekey: s.loadKemPrekey(msg.kemPrekeyId),
      oneTimePrekey:
        msg.oneTimePrekeyId === undefined ? undefined : s.loadOneTimePrekey(msg.oneTimePrekeyId),
    })
  }
}
