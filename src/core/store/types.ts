// The store interfaces the core is given (libsignal's IdentityKeyStore, PreKeyStore,
// KyberPreKeyStore, SessionStore, SenderKeyStore). Session and sender-key state cross this
// boundary as versioned serialized records (core/session/record.ts, core/group/record.ts), so a
// store never interprets protocol state. Implementations: ./memory.ts (tests, browsers) and the
// SQLite store (src/store/). All pass one compliance suite (test/core/store/compliance.ts).
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
  getIdentityKeyPair(): Promise<IdentityKeyPair>
}

export interface PrekeyStore {
  loadSignedPrekey(id: number): Promise<EcPrekeyRecord | undefined>
  storeSignedPrekey(record: EcPrekeyRecord): Promise<void>
  loadOneTimePrekey(id: number): Promise<EcPrekeyRecord | undefined>
  storeOneTimePrekey(record: EcPrekeyRecord): Promise<void>
  /** PQXDH §3.4: "Bob deletes DH private keys and one-time prekeys" once used. */
  removeOneTimePrekey(id: number): Promise<void>
  countOneTimePrekeys(): Promise<number>
  loadKemPrekey(id: number): Promise<KemPrekeyRecord | undefined>
  storeKemPrekey(record: KemPrekeyRecord): Promise<void>
  /** Deletes a one-time KEM prekey; a last-resort one is kept (PQXDH §3.4). */
  markKemPrekeyUsed(id: number): Promise<void>
  countOneTimeKemPrekeys(): Promise<number>
}

export interface SessionStore {
  /** The serialized session record for a peer (its PeerId string), if any. */
  loadSession(peer: string): Promise<Uint8Array | undefined>
  storeSession(peer: string, record: Uint8Array): Promise<void>
  removeSession(peer: string): Promise<void>
}

export interface SenderKeyStore {
  /** The serialized sender-key record of `sender` (PeerId) in group `distributionId`. */
  loadSenderKey(sender: string, distributionId: Uint8Array): Promise<Uint8Array | undefined>
  storeSenderKey(sender: string, distributionId: Uint8Array, record: Uint8Array): Promise<void>
  removeSenderKey(sender: string, distributionId: Uint8Array): Promise<void>
}

/** Everything the core needs to persist, as one object. */
export interface ProtocolStore extends IdentityStore, PrekeyStore, SessionStore, SenderKeyStore {}
