// An in-memory ProtocolStore and SenderKeyStore for tests and browsers (libsignal's
// InMemSignalProtocolStore), synchronous like the ports (./types.ts). This module owns five keyed maps — signed prekeys, one-time prekeys, KEM prekeys, sessions and
// sender keys — plus the identity key pair it is given. Every byte array and record is copied on
// the way in and on the way out, so no caller can reach stored state through a buffer it passed
// or was handed. It never interprets the records it keeps (./types.ts) and knows nothing of
// sessions, ratchets or the network. It holds private keys, so it prints no bytes (STYLE.md §7).
import { abytes, toHex, wipe } from '../bytes.js'
import { Redacted } from '../secret.js'
import type { IdentityKeyPair } from '../identity/identity.js'
import type {
  EcPrekeyRecord,
  KemPrekeyRecord,
  ProtocolStore,
  SenderKeyEntry,
  SenderKeyStore,
} from './types.js'

function copyBytes(field: string, value: Uint8Array): Uint8Array {
  return Uint8Array.from(abytes(field, value))
}

function copyEc(r: EcPrekeyRecord): EcPrekeyRecord {
  return {
    id: r.id,
    publicKey: copyBytes('publicKey', r.publicKey),
    privateKey: copyBytes('privateKey', r.privateKey),
    signature: copyBytes('signature', r.signature),
    createdAt: r.createdAt,
  }
}

function copyKem(r: KemPrekeyRecord): KemPrekeyRecord {
  return {
    id: r.id,
    publicKey: copyBytes('publicKey', r.publicKey),
    secretKey: copyBytes('secretKey', r.secretKey),
    signature: copyBytes('signature', r.signature),
    lastResort: r.lastResort,
    createdAt: r.createdAt,
  }
}

/** Sets `map[key] = value`, zeroing the private half of whatever it replaces (STYLE.md §7). */
function replace<K, V>(map: Map<K, V>, key: K, value: V, secretOf: (v: V) => Uint8Array): void {
  const old = map.get(key)
  if (old !== undefined) wipe(secretOf(old))
  map.set(key, value)
}

/** Deletes `map[key]` if present, zeroing its private half. Missing keys are a no-op. */
function remove<K, V>(map: Map<K, V>, key: K, secretOf: (v: V) => Uint8Array): void {
  const old = map.get(key)
  if (old === undefined) return
  wipe(secretOf(old))
  map.delete(key)
}

const ecSecret = (r: EcPrekeyRecord): Uint8Array => r.privateKey
const kemSecret = (r: KemPrekeyRecord): Uint8Array => r.secretKey
const itself = (b: Uint8Array): Uint8Array => b
/** Sender keys are found by the distributionId's value, never by the array's identity. */
const groupKey = (distributionId: Uint8Array): string =>
  toHex(abytes('distributionId', distributionId))

function copyEntry(e: SenderKeyEntry): SenderKeyEntry {
  return {
    record: copyBytes('record', e.record),
    currentChain: e.currentChain,
    retired: [...e.retired],
  }
}
const entrySecret = (e: SenderKeyEntry): Uint8Array => e.record

export class MemoryProtocolStore extends Redacted implements ProtocolStore, SenderKeyStore {
  protected readonly redactedKind = 'MemoryProtocolStore'
  readonly #identity: IdentityKeyPair
  readonly #signedPrekeys = new Map<number, EcPrekeyRecord>()
  readonly #oneTimePrekeys = new Map<number, EcPrekeyRecord>()
  readonly #kemPrekeys = new Map<number, KemPrekeyRecord>()
  /** Serialized session records by peer (PeerId string). */
  readonly #sessions = new Map<string, Uint8Array>()
  /** Sender-key entries by sender (PeerId string), then by hex(distributionId). */
  readonly #senderKeys = new Map<string, Map<string, SenderKeyEntry>>()

  constructor(identity: IdentityKeyPair) {
    super()
    this.#identity = identity
  }

  // IdentityKeyPair is immutable and itself redacted, so it is shared rather than copied.
  getIdentityKeyPair(): IdentityKeyPair {
    return this.#identity
  }

  loadSignedPrekey(id: number): EcPrekeyRecord | undefined {
    const r = this.#signedPrekeys.get(id)
    return r && copyEc(r)
  }

  storeSignedPrekey(record: EcPrekeyRecord): void {
    const r = copyEc(record)
    replace(this.#signedPrekeys, r.id, r, ecSecret)
  }

  loadOneTimePrekey(id: number): EcPrekeyRecord | undefined {
    const r = this.#oneTimePrekeys.get(id)
    return r && copyEc(r)
  }

  storeOneTimePrekey(record: EcPrekeyRecord): void {
    const r = copyEc(record)
    replace(this.#oneTimePrekeys, r.id, r, ecSecret)
  }

  removeOneTimePrekey(id: number): void {
    remove(this.#oneTimePrekeys, id, ecSecret)
  }

  countOneTimePrekeys(): number {
    return this.#oneTimePrekeys.size
  }

  loadKemPrekey(id: number): KemPrekeyRecord | undefined {
    const r = this.#kemPrekeys.get(id)
    return r && copyKem(r)
  }

  storeKemPrekey(record: KemPrekeyRecord): void {
    const r = copyKem(record)
    replace(this.#kemPrekeys, r.id, r, kemSecret)
  }

  markKemPrekeyUsed(id: number): void {
    // PQXDH §3.4: a used one-time PQOPK_B is deleted; the last-resort PQSPK_B is kept.
    if (this.#kemPrekeys.get(id)?.lastResort === false) remove(this.#kemPrekeys, id, kemSecret)
  }

  countOneTimeKemPrekeys(): number {
    let n = 0
    for (const r of this.#kemPrekeys.values()) if (!r.lastResort) n++
    return n
  }

  loadSession(peer: string): Uint8Array | undefined {
    const r = this.#sessions.get(peer)
    return r && Uint8Array.from(r)
  }

  storeSession(peer: string, record: Uint8Array): void {
    replace(this.#sessions, peer, copyBytes('record', record), itself)
  }

  removeSession(peer: string): void {
    remove(this.#sessions, peer, itself)
  }

  loadSenderKey(sender: string, distributionId: Uint8Array): SenderKeyEntry | undefined {
    const key = groupKey(distributionId) // validated even when the sender is unknown
    const e = this.#senderKeys.get(sender)?.get(key)
    return e && copyEntry(e)
  }

  storeSenderKey(sender: string, distributionId: Uint8Array, entry: SenderKeyEntry): void {
    const key = groupKey(distributionId)
    const copy = copyEntry(entry)
    let groups = this.#senderKeys.get(sender)
    if (groups === undefined)
      this.#senderKeys.set(sender, (groups = new Map<string, SenderKeyEntry>()))
    replace(groups, key, copy, entrySecret)
  }

  removeSenderKey(sender: string, distributionId: Uint8Array): void {
    const key = groupKey(distributionId)
    const groups = this.#senderKeys.get(sender)
    if (groups === undefined) return
    remove(groups, key, entrySecret)
    if (groups.size === 0) this.#senderKeys.delete(sender)
  }
}
