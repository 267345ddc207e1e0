// libsignal-client (Node binding of Signal's Rust library) as the speed baseline: two parties
// with in-memory stores, a PQXDH session from a prekey bundle with a Kyber prekey, and
// signalEncrypt / signalDecrypt(PreKey) as Signal's clients call them. A devDependency used only
// here (AGPL): never a dependency of the product (NOTES.md "Crypto").
//
// The session store keeps serialized records and deserializes on every load, as libsignal's own
// Node test stores do and as Kith's MemoryProtocolStore does, so both pay for a store round trip.
import {
  CiphertextMessageType,
  Direction,
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  KEMKeyPair,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PreKeyStore,
  PrivateKey,
  ProtocolAddress,
  PublicKey,
  SessionRecord,
  SessionStore,
  SignalMessage,
  SignedPreKeyRecord,
  SignedPreKeyStore,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} from '@signalapp/libsignal-client'
import { randomInt, randomUUID } from 'node:crypto'
import { checkRoundTrip, type Channel, type Side } from './channel.js'

const key = (a: ProtocolAddress): string => `${a.name()}.${a.deviceId()}`

class MemSessionStore extends SessionStore {
  readonly #records = new Map<string, Uint8Array<ArrayBuffer>>()
  saveSession(name: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.#records.set(key(name), record.serialize())
    return Promise.resolve()
  }
  getSession(name: ProtocolAddress): Promise<SessionRecord | null> {
    const bytes = this.#records.get(key(name))
    return Promise.resolve(bytes === undefined ? null : SessionRecord.deserialize(bytes))
  }
  async getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    const out: SessionRecord[] = []
    for (const a of addresses) {
      const r = await this.getSession(a)
      if (r === null) throw new Error(`no session for ${key(a)}`)
      out.push(r)
    }
    return out
  }
}

class MemIdentityStore extends IdentityKeyStore {
  readonly #known = new Map<string, PublicKey>()
  constructor(
    private readonly identity: IdentityKeyPair,
    private readonly registrationId: number,
  ) {
    super()
  }
  getIdentityKey(): Promise<PrivateKey> {
    return Promise.resolve(this.identity.privateKey)
  }
  getLocalRegistrationId(): Promise<number> {
    return Promise.resolve(this.registrationId)
  }
  saveIdentity(name: ProtocolAddress, k: PublicKey): Promise<IdentityChange> {
    const old = this.#known.get(key(name))
    this.#known.set(key(name), k)
    return Promise.resolve(
      old === undefined || old.equals(k)
        ? IdentityChange.NewOrUnchanged
        : IdentityChange.ReplacedExisting,
    )
  }
  isTrustedIdentity(name: ProtocolAddress, k: PublicKey, _direction: Direction): Promise<boolean> {
    // Trust on first use, as Kith's PeerId check does.
    const old = this.#known.get(key(name))
    return Promise.resolve(old === undefined || old.equals(k))
  }
  getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    return Promise.resolve(this.#known.get(key(name)) ?? null)
  }
}

function missing(what: string, id: number): Error {
  return new Error(`no ${what} ${id}`)
}

class MemPreKeyStore extends PreKeyStore {
  readonly #keys = new Map<number, Uint8Array<ArrayBuffer>>()
  savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    this.#keys.set(id, record.serialize())
    return Promise.resolve()
  }
  getPreKey(id: number): Promise<PreKeyRecord> {
    const b = this.#keys.get(id)
    return b === undefined
      ? Promise.reject(missing('prekey', id))
      : Promise.resolve(PreKeyRecord.deserialize(b))
  }
  removePreKey(id: number): Promise<void> {
    this.#keys.delete(id)
    return Promise.resolve()
  }
}

class MemSignedPreKeyStore extends SignedPreKeyStore {
  readonly #keys = new Map<number, Uint8Array<ArrayBuffer>>()
  saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    this.#keys.set(id, record.serialize())
    return Promise.resolve()
  }
  getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    const b = this.#keys.get(id)
    return b === undefined
      ? Promise.reject(missing('signed prekey', id))
      : Promise.resolve(SignedPreKeyRecord.deserialize(b))
  }
}

class MemKyberPreKeyStore extends KyberPreKeyStore {
  readonly #keys = new Map<number, Uint8Array<ArrayBuffer>>()
  readonly #lastResort = new Set<number>()
  saveKyberPreKey(id: number, record: KyberPreKeyRecord, lastResort = false): Promise<void> {
    this.#keys.set(id, record.serialize())
    if (lastResort) this.#lastResort.add(id)
    return Promise.resolve()
  }
  getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    const b = this.#keys.get(id)
    return b === undefined
      ? Promise.reject(missing('Kyber prekey', id))
      : Promise.resolve(KyberPreKeyRecord.deserialize(b))
  }
  markKyberPreKeyUsed(id: number, _signedPreKeyId: number, _baseKey: PublicKey): Promise<void> {
    // One-time Kyber prekeys are used once; the last-resort one stays (as in Kith).
    if (!this.#lastResort.has(id)) this.#keys.delete(id)
    return Promise.resolve()
  }
}

interface SignalParty {
  address: ProtocolAddress
  sessions: MemSessionStore
  identities: MemIdentityStore
  prekeys: MemPreKeyStore
  signedPrekeys: MemSignedPreKeyStore
  kyberPrekeys: MemKyberPreKeyStore
  bundle(): Promise<PreKeyBundle>
}

const DEVICE_ID = 1

async function makeSignalParty(): Promise<SignalParty> {
  const identity = IdentityKeyPair.generate()
  const registrationId = randomInt(1, 16380)
  const address = ProtocolAddress.new(randomUUID(), DEVICE_ID)
  const p: SignalParty = {
    address,
    sessions: new MemSessionStore(),
    identities: new MemIdentityStore(identity, registrationId),
    prekeys: new MemPreKeyStore(),
    signedPrekeys: new MemSignedPreKeyStore(),
    kyberPrekeys: new MemKyberPreKeyStore(),
    bundle: () => Promise.reject(new Error('unset')),
  }
  // Signed X25519 prekey and last-resort Kyber prekey, as Kith's SPK_B and PQSPK_B.
  const now = Date.now()
  const spkPriv = PrivateKey.generate()
  const spkSig = identity.privateKey.sign(spkPriv.getPublicKey().serialize())
  await p.signedPrekeys.saveSignedPreKey(
    1,
    SignedPreKeyRecord.new(1, now, spkPriv.getPublicKey(), spkPriv, spkSig),
  )
  const lastResort = KEMKeyPair.generate()
  const lrSig = identity.privateKey.sign(lastResort.getPublicKey().serialize())
  await p.kyberPrekeys.saveKyberPreKey(1, KyberPreKeyRecord.new(1, now, lastResort, lrSig), true)
  let nextId = 100
  p.bundle = async () => {
    // One-time X25519 and one-time Kyber prekey, as Kith's bundle() hands out.
    const id = nextId++
    const opk = PrivateKey.generate()
    await p.prekeys.savePreKey(id, PreKeyRecord.new(id, opk.getPublicKey(), opk))
    const kem = KEMKeyPair.generate()
    const kemSig = identity.privateKey.sign(kem.getPublicKey().serialize())
    await p.kyberPrekeys.saveKyberPreKey(id, KyberPreKeyRecord.new(id, now, kem, kemSig))
    return PreKeyBundle.new(
      registrationId,
      DEVICE_ID,
      id,
      opk.getPublicKey(),
      1,
      spkPriv.getPublicKey(),
      spkSig,
      identity.publicKey,
      id,
      kem.getPublicKey(),
      kemSig,
    )
  }
  return p
}

/** Two libsignal parties; A has processed B's prekey bundle (no message sent yet). */
export async function libsignalChannel(): Promise<Channel> {
  const a = await makeSignalParty()
  const b = await makeSignalParty()
  await processPreKeyBundle(
    await b.bundle(),
    b.address,
    a.address,
    a.sessions,
    a.identities,
    new Date(),
  )
  return {
    name: 'libsignal',
    async send(from: Side, plaintext: Uint8Array<ArrayBuffer>): Promise<number> {
      const [s, r] = from === 'a' ? [a, b] : [b, a]
      const ct = await signalEncrypt(
        plaintext,
        r.address,
        s.address,
        s.sessions,
        s.identities,
        new Date(),
      )
      const wire = ct.serialize()
      const out =
        ct.type() === (CiphertextMessageType.PreKey as number)
          ? await signalDecryptPreKey(
              PreKeySignalMessage.deserialize(wire),
              s.address,
              r.address,
              r.sessions,
              r.identities,
              r.prekeys,
              r.signedPrekeys,
              r.kyberPrekeys,
            )
          : await signalDecrypt(
              SignalMessage.deserialize(wire),
              s.address,
              r.address,
              r.sessions,
              r.identities,
            )
      checkRoundTrip('libsignal', plaintext, out)
      return wire.length
    },
  }
}
