// The store interfaces the core is given (libsignal's IdentityKeyStore, PreKeyStore,
// KyberPreKeyStore, SessionStore, SenderKeyStore). Session and sender-key state cross this
// boundary as versioned serialized records (core/session/record.ts, core/group/record.ts), so a
// store never interprets protocol state. Implementations: ./memory.ts (tests, browsers) and the
// SQLite store (src/store/). All pass one compliance suite (test/core/store/compliance.ts).
//
// Synchronous on purpose (unlike libsignal's async stores): the product runs "decrypt → check the
// content → store the message, the new session state and the consumed prekeys" inside ONE
// synchronous SQLite transaction, which an await in the middle could not keep. A browser store
// keeps its working set in memory (./memory.ts) and persists it behind this interface.
import type { IdentityKeyPair } from '../identity/identity.js'

/** A signed X25519 prekey (PQXDH §2.5 SPK_B) or a one-time X25519 prekey (OPK_B). */
export interface EcPrekeyRecord {
  id: number
  publicKey: Uint8Array
  privateKey: Uint8Array
  /** Ed25519 signature by the identity key; empty for one-time prekeys. */
  signature: Uint8Array
  createdAt: number
}

/** A signed ML-KEM-768 prekey (PQSPK_B, last resort) or one-time one (PQOPK_B). */
export interface KemPrekeyRecord {
  id: number
  publicKey: Uint8Array
  secretKey: Uint8Array
  signature: Uint8Array
  lastResort: boolean
  createdAt: number
}

export interface IdentityStore {
  /** This device's identity key pair. */
  getIdentityKeyPair(): IdentityKeyPair
}

export interface PrekeyStore {
  loadSignedPrekey(id: number): EcPrekeyRecord | undefined
  storeSignedPrekey(record: EcPrekeyRecord): void
  loadOneTimePrekey(id: number): EcPrekeyRecord | undefined
  storeOneTimePrekey(record: EcPrekeyRecord): void
  /** PQXDH §3.4: "Bob deletes DH private keys and one-time prekeys" once used. */
  removeOneTimePrekey(id: number): void
  countOneTimePrekeys(): number
  loadKemPrekey(id: number): KemPrekeyRecord | undefined
  storeKemPrekey(record: KemPrekeyRecord): void
  /** Deletes a one-time KEM prekey; a last-resort one is kept (PQXDH §3.4). */
  markKemPrekeyUsed(id: number): void
  countOneTimeKemPrekeys(): number
}

/** A decoded record that encodes itself (the core's SessionRecord). */
export interface SerializableRecord {
  serialize(): Uint8Array
}

/** The serialized session records, by peer (its PeerId string). */
export interface SessionRecordStore {
  loadSession(peer: string): Uint8Array | undefined
  storeSession(peer: string, record: Uint8Array): void
  /**
   * Optional, for a store that keeps decoded records for a while (the SQLite store, inside a
   * transaction: src/store/session-cache.ts): the record of `peer`, decoded by `decode` when it
   * is read from storage. The object returned may be the one last stored: callers never mutate a
   * record (core/session/record.ts is immutable, ratchet states are cloned before a step).
   */
  loadSessionRecord?<T extends SerializableRecord>(
    peer: string,
    decode: (bytes: Uint8Array) => T,
  ): T | undefined
  /** Optional, with loadSessionRecord: stores `record`, serialized when the store writes it. */
  storeSessionRecord?(peer: string, record: SerializableRecord): void
}

/**
 * Exactly what the session cipher (core/session/cipher.ts) uses: the identity, the prekeys an
 * initial message names and their consumption (PQXDH §3.4), and the session records.
 */
export interface SessionStore
  extends
    IdentityStore,
    SessionRecordStore,
    Pick<
      PrekeyStore,
      | 'loadSignedPrekey'
      | 'loadOneTimePrekey'
      | 'loadKemPrekey'
      | 'removeOneTimePrekey'
      | 'markKemPrekeyUsed'
    > {}

/**
 * One sender's sender-key state in one group, as stored: the serialized SenderKeyRecord (opaque
 * to a store), the chain id of the sender's current chain, and the chain ids it replaced (newest
 * last, at most MAX_RETIRED_CHAINS: core/group/limits.ts), so a stale distribution stays stale.
 */
export interface SenderKeyEntry {
  record: Uint8Array
  currentChain: number | undefined
  retired: number[]
}

export interface SenderKeyStore {
  /** The sender-key entry of `sender` (PeerId) in group `distributionId`. */
  loadSenderKey(sender: string, distributionId: Uint8Array): SenderKeyEntry | undefined
  storeSenderKey(sender: string, distributionId: Uint8Array, entry: SenderKeyEntry): void
  removeSenderKey(sender: string, distributionId: Uint8Array): void
}

/** Everything 1:1 sessions persist, as one object (the SQLite ProtocolStore, the memory one). */
export interface ProtocolStore extends SessionStore, PrekeyStore {
  removeSession(peer: string): void
}
