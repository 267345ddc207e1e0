// The one compliance suite every ProtocolStore implementation runs (STYLE.md §9, after js-libp2p
// interface-compliance-tests). It registers node:test cases covering every method of
// src/core/store/types.ts through the public interface only: no assumption about how or where an
// implementation keeps its data, what subclass of Uint8Array it returns, or whether its records
// are the objects it was given. A persistent store also offers `reopen`, and then its data (and
// its deletions) must survive a reopen.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toHex } from '../../../src/core/bytes.js'
import { peerIdFromPublicKey, type IdentityKeyPair } from '../../../src/core/identity/identity.js'
import type {
  EcPrekeyRecord,
  KemPrekeyRecord,
  ProtocolStore,
  SenderKeyEntry,
  SenderKeyStore,
} from '../../../src/core/store/types.js'

export interface ProtocolStoreHarness {
  /** A fresh, empty store holding `identity`. */
  store: ProtocolStore
  identity: IdentityKeyPair
  /** Releases whatever the factory made (files, handles, a reopened store). Called once, after
   *  each test. */
  cleanup?: () => Promise<void>
  /** Closes `store` and opens the same storage again (persistent stores only). */
  reopen?: () => Promise<ProtocolStore>
}

export type ProtocolStoreFactory = () => Promise<ProtocolStoreHarness>

// Deterministic test data in the sizes the protocol uses: X25519 keys and Ed25519 signatures
// (32 and 64 bytes), ML-KEM-768 keys (FIPS 203 §8 table 3: ek 1184, dk 2400 bytes).
const KEM_PUBLIC_BYTES = 1184
const KEM_SECRET_BYTES = 2400
const T0 = 1_700_000_000_000

/** `len` bytes of a pattern determined by `seed`, so different seeds give different arrays. */
function bytes(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len)
  for (let i = 0; i < len; i++) out[i] = (i * 31 + seed * 131 + 7) & 0xff
  return out
}

function ecPrekey(id: number, signed: boolean, seed = id): EcPrekeyRecord {
  return {
    id,
    publicKey: bytes(32, seed),
    privateKey: bytes(32, seed + 1000),
    signature: signed ? bytes(64, seed + 2000) : new Uint8Array(0),
    createdAt: T0 + seed,
  }
}

function kemPrekey(id: number, lastResort: boolean, seed = id): KemPrekeyRecord {
  return {
    id,
    publicKey: bytes(KEM_PUBLIC_BYTES, seed),
    secretKey: bytes(KEM_SECRET_BYTES, seed + 1000),
    signature: bytes(64, seed + 2000),
    lastResort,
    createdAt: T0 + seed,
  }
}

/** A PeerId-shaped peer name (the stores key sessions and sender keys by PeerId strings). */
const peer = (n: number): string => peerIdFromPublicKey(bytes(32, 5000 + n))
/** A 16-byte distributionId (a UUID in Signal's group protocol). */
const group = (n: number): Uint8Array => bytes(16, 6000 + n)

/** Byte equality by content; any Uint8Array (a Buffer too) is accepted. */
function assertBytes(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  assert.ok(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${String(actual)}`)
  assert.equal(actual.length, expected.length, `${what}: length`)
  assert.equal(toHex(actual), toHex(expected), `${what}: bytes`)
}

function assertEc(actual: EcPrekeyRecord | undefined, expected: EcPrekeyRecord): void {
  assert.ok(actual !== undefined, `EC prekey ${expected.id} missing`)
  assert.equal(actual.id, expected.id)
  assertBytes(actual.publicKey, expected.publicKey, 'publicKey')
  assertBytes(actual.privateKey, expected.privateKey, 'privateKey')
  assertBytes(actual.signature, expected.signature, 'signature')
  assert.equal(actual.createdAt, expected.createdAt)
}

function assertKem(actual: KemPrekeyRecord | undefined, expected: KemPrekeyRecord): void {
  assert.ok(actual !== undefined, `KEM prekey ${expected.id} missing`)
  assert.equal(actual.id, expected.id)
  assertBytes(actual.publicKey, expected.publicKey, 'publicKey')
  assertBytes(actual.secretKey, expected.secretKey, 'secretKey')
  assertBytes(actual.signature, expected.signature, 'signature')
  assert.equal(actual.lastResort, expected.lastResort)
  assert.equal(actual.createdAt, expected.createdAt)
}

export function runProtocolStoreCompliance(name: string, factory: ProtocolStoreFactory): void {
  /** Runs `body` against a fresh store and always releases it. */
  async function withStore(body: (h: ProtocolStoreHarness) => void | Promise<void>): Promise<void> {
    const h = await factory()
    try {
      await body(h)
    } finally {
      await h.cleanup?.()
    }
  }

  void describe(`${name}: ProtocolStore compliance`, () => {
    void describe('identity', () => {
      void it('returns the identity key pair it holds', () =>
        withStore(({ store, identity }) => {
          const got = store.getIdentityKeyPair()
          assertBytes(got.publicKey, identity.publicKey, 'publicKey')
          assertBytes(got.dhPublicKey, identity.dhPublicKey, 'dhPublicKey')
          assertBytes(got.exportSeed(), identity.exportSeed(), 'seed')
          assert.equal(got.peerId, identity.peerId)
        }))

      void it('returns the same identity on every call', () =>
        withStore(({ store }) => {
          const a = store.getIdentityKeyPair()
          const b = store.getIdentityKeyPair()
          assertBytes(b.publicKey, a.publicKey, 'publicKey')
          assertBytes(b.exportSeed(), a.exportSeed(), 'seed')
        }))
    })

    void describe('signed prekeys', () => {
      void it('loads undefined for an unknown id', () =>
        withStore(({ store }) => {
          assert.equal(store.loadSignedPrekey(1), undefined)
        }))

      void it('round-trips every field', () =>
        withStore(({ store }) => {
          const r = ecPrekey(1, true)
          store.storeSignedPrekey(r)
          assertEc(store.loadSignedPrekey(1), r)
        }))

      void it('replaces a record stored under the same id', () =>
        withStore(({ store }) => {
          store.storeSignedPrekey(ecPrekey(1, true, 10))
          const newer = ecPrekey(1, true, 11)
          store.storeSignedPrekey(newer)
          assertEc(store.loadSignedPrekey(1), newer)
        }))

      void it('keeps different ids apart', () =>
        withStore(({ store }) => {
          const a = ecPrekey(1, true)
          const b = ecPrekey(2, true)
          store.storeSignedPrekey(a)
          store.storeSignedPrekey(b)
          assertEc(store.loadSignedPrekey(1), a)
          assertEc(store.loadSignedPrekey(2), b)
          assert.equal(store.loadSignedPrekey(3), undefined)
        }))
    })

    void describe('one-time prekeys', () => {
      void it('starts empty: unknown ids load undefined, count is 0', () =>
        withStore(({ store }) => {
          assert.equal(store.loadOneTimePrekey(1), undefined)
          assert.equal(store.countOneTimePrekeys(), 0)
        }))

      void it('round-trips every field (empty signature included) and counts', () =>
        withStore(({ store }) => {
          const recs = [1, 2, 3].map((id) => ecPrekey(id, false))
          for (const r of recs) store.storeOneTimePrekey(r)
          for (const r of recs) assertEc(store.loadOneTimePrekey(r.id), r)
          assert.equal(store.countOneTimePrekeys(), 3)
        }))

      void it('removes exactly once: gone after removal, count drops by one, twice is a no-op', () =>
        withStore(({ store }) => {
          for (const id of [1, 2, 3]) store.storeOneTimePrekey(ecPrekey(id, false))
          store.removeOneTimePrekey(2)
          assert.equal(store.loadOneTimePrekey(2), undefined)
          assert.equal(store.countOneTimePrekeys(), 2)
          store.removeOneTimePrekey(2)
          assert.equal(store.loadOneTimePrekey(2), undefined)
          assert.equal(store.countOneTimePrekeys(), 2)
          assertEc(store.loadOneTimePrekey(1), ecPrekey(1, false))
          assertEc(store.loadOneTimePrekey(3), ecPrekey(3, false))
        }))

      void it('treats removing an unknown id as a no-op', () =>
        withStore(({ store }) => {
          store.removeOneTimePrekey(42)
          store.storeOneTimePrekey(ecPrekey(1, false))
          store.removeOneTimePrekey(42)
          assert.equal(store.countOneTimePrekeys(), 1)
          assertEc(store.loadOneTimePrekey(1), ecPrekey(1, false))
        }))

      void it('counts a re-stored id once and keeps the newer record', () =>
        withStore(({ store }) => {
          store.storeOneTimePrekey(ecPrekey(1, false, 10))
          const newer = ecPrekey(1, false, 11)
          store.storeOneTimePrekey(newer)
          assert.equal(store.countOneTimePrekeys(), 1)
          assertEc(store.loadOneTimePrekey(1), newer)
        }))

      void it('removes once when the same id is removed twice in a row', () =>
        withStore(({ store }) => {
          for (const id of [1, 2]) store.storeOneTimePrekey(ecPrekey(id, false))
          store.removeOneTimePrekey(1)
          store.removeOneTimePrekey(1)
          assert.equal(store.loadOneTimePrekey(1), undefined)
          assert.equal(store.countOneTimePrekeys(), 1)
        }))
    })

    void it('keeps signed, one-time and KEM prekeys with the same id apart', () =>
      withStore(({ store }) => {
        const signed = ecPrekey(7, true, 1)
        const oneTime = ecPrekey(7, false, 2)
        const kem = kemPrekey(7, false, 3)
        store.storeSignedPrekey(signed)
        store.storeOneTimePrekey(oneTime)
        store.storeKemPrekey(kem)
        assertEc(store.loadSignedPrekey(7), signed)
        assertEc(store.loadOneTimePrekey(7), oneTime)
        assertKem(store.loadKemPrekey(7), kem)

        store.removeOneTimePrekey(7)
        store.markKemPrekeyUsed(7)
        assertEc(store.loadSignedPrekey(7), signed)
        assert.equal(store.loadOneTimePrekey(7), undefined)
        assert.equal(store.loadKemPrekey(7), undefined)
      }))

    void describe('KEM prekeys', () => {
      void it('starts empty: unknown ids load undefined, marking one is a no-op, count is 0', () =>
        withStore(({ store }) => {
          assert.equal(store.loadKemPrekey(1), undefined)
          store.markKemPrekeyUsed(1)
          assert.equal(store.loadKemPrekey(1), undefined)
          assert.equal(store.countOneTimeKemPrekeys(), 0)
        }))

      void it('round-trips one-time and last-resort records, counting only one-time ones', () =>
        withStore(({ store }) => {
          const lastResort = kemPrekey(1, true)
          const oneTime = [2, 3].map((id) => kemPrekey(id, false))
          store.storeKemPrekey(lastResort)
          for (const r of oneTime) store.storeKemPrekey(r)
          assertKem(store.loadKemPrekey(1), lastResort)
          for (const r of oneTime) assertKem(store.loadKemPrekey(r.id), r)
          assert.equal(store.countOneTimeKemPrekeys(), 2)
        }))

      void it('deletes a one-time record when it is marked used, once', () =>
        withStore(({ store }) => {
          for (const id of [2, 3]) store.storeKemPrekey(kemPrekey(id, false))
          store.markKemPrekeyUsed(2)
          assert.equal(store.loadKemPrekey(2), undefined)
          assert.equal(store.countOneTimeKemPrekeys(), 1)
          store.markKemPrekeyUsed(2)
          assert.equal(store.countOneTimeKemPrekeys(), 1)
          assertKem(store.loadKemPrekey(3), kemPrekey(3, false))
        }))

      void it('keeps a last-resort record however often it is marked used', () =>
        withStore(({ store }) => {
          const lastResort = kemPrekey(1, true)
          store.storeKemPrekey(lastResort)
          store.storeKemPrekey(kemPrekey(2, false))
          store.markKemPrekeyUsed(1)
          store.markKemPrekeyUsed(1)
          assertKem(store.loadKemPrekey(1), lastResort)
          assert.equal(store.countOneTimeKemPrekeys(), 1)
        }))

      void it('replaces a record stored under the same id, flag included', () =>
        withStore(({ store }) => {
          store.storeKemPrekey(kemPrekey(1, false, 10))
          const newer = kemPrekey(1, true, 11)
          store.storeKemPrekey(newer)
          assertKem(store.loadKemPrekey(1), newer)
          assert.equal(store.countOneTimeKemPrekeys(), 0)
          store.markKemPrekeyUsed(1)
          assertKem(store.loadKemPrekey(1), newer)
        }))
    })

    void describe('sessions', () => {
      void it('loads undefined for an unknown peer', () =>
        withStore(({ store }) => {
          assert.equal(store.loadSession(peer(1)), undefined)
        }))

      void it('round-trips the exact bytes, every byte value and a large record', () =>
        withStore(({ store }) => {
          const all = Uint8Array.from({ length: 256 }, (_, i) => i)
          const large = bytes(64 * 1024, 9)
          store.storeSession(peer(1), all)
          store.storeSession(peer(2), large)
          assertBytes(store.loadSession(peer(1)), all, 'session 1')
          assertBytes(store.loadSession(peer(2)), large, 'session 2')
        }))

      void it('replaces the record on a second store, shorter or longer', () =>
        withStore(({ store }) => {
          store.storeSession(peer(1), bytes(100, 1))
          store.storeSession(peer(1), bytes(10, 2))
          assertBytes(store.loadSession(peer(1)), bytes(10, 2), 'shorter')
          store.storeSession(peer(1), bytes(1000, 3))
          assertBytes(store.loadSession(peer(1)), bytes(1000, 3), 'longer')
        }))

      void it('removes a session; removing again or an unknown peer is a no-op', () =>
        withStore(({ store }) => {
          store.storeSession(peer(1), bytes(50, 1))
          store.removeSession(peer(1))
          assert.equal(store.loadSession(peer(1)), undefined)
          store.removeSession(peer(1))
          store.removeSession(peer(9))
          assert.equal(store.loadSession(peer(1)), undefined)
        }))

      void it('keeps peers apart', () =>
        withStore(({ store }) => {
          store.storeSession(peer(1), bytes(50, 1))
          store.storeSession(peer(2), bytes(50, 2))
          store.storeSession(peer(1), bytes(50, 3))
          assertBytes(store.loadSession(peer(2)), bytes(50, 2), 'peer 2 after peer 1 overwrite')
          store.removeSession(peer(1))
          assertBytes(store.loadSession(peer(2)), bytes(50, 2), 'peer 2 after peer 1 removal')
          assert.equal(store.loadSession(peer(3)), undefined)
        }))
    })

    void describe('defensive copies', () => {
      void it('EC prekeys: mutating the stored or the loaded record changes nothing', () =>
        withStore(({ store }) => {
          const signed = ecPrekey(1, true)
          const oneTime = ecPrekey(2, false)
          store.storeSignedPrekey(signed)
          store.storeOneTimePrekey(oneTime)
          for (const r of [signed, oneTime]) {
            r.privateKey.fill(0)
            r.publicKey.fill(0)
            r.signature.fill(0)
            r.createdAt = 0
          }
          signed.id = 99
          assertEc(store.loadSignedPrekey(1), ecPrekey(1, true))
          assertEc(store.loadOneTimePrekey(2), ecPrekey(2, false))

          for (const loaded of [store.loadSignedPrekey(1), store.loadOneTimePrekey(2)]) {
            assert.ok(loaded)
            loaded.privateKey.fill(0xff)
            loaded.publicKey.fill(0xff)
            loaded.signature.fill(0xff)
            loaded.createdAt = 1
          }
          assertEc(store.loadSignedPrekey(1), ecPrekey(1, true))
          assertEc(store.loadOneTimePrekey(2), ecPrekey(2, false))
        }))

      void it('KEM prekeys: mutating the stored or the loaded record changes nothing', () =>
        withStore(({ store }) => {
          const oneTime = kemPrekey(1, false)
          store.storeKemPrekey(oneTime)
          oneTime.secretKey.fill(0)
          oneTime.publicKey.fill(0)
          oneTime.signature.fill(0)
          oneTime.lastResort = true
          assertKem(store.loadKemPrekey(1), kemPrekey(1, false))
          assert.equal(store.countOneTimeKemPrekeys(), 1)

          const loaded = store.loadKemPrekey(1)
          assert.ok(loaded)
          loaded.secretKey.fill(0xff)
          loaded.publicKey.fill(0xff)
          loaded.lastResort = true
          assertKem(store.loadKemPrekey(1), kemPrekey(1, false))
          store.markKemPrekeyUsed(1)
          assert.equal(store.loadKemPrekey(1), undefined)
        }))

      void it('sessions: mutating the stored or the loaded bytes changes nothing', () =>
        withStore(({ store }) => {
          const record = bytes(80, 1)
          store.storeSession(peer(1), record)
          record.fill(0)
          assertBytes(store.loadSession(peer(1)), bytes(80, 1), 'after mutating input')
          const loaded = store.loadSession(peer(1))
          assert.ok(loaded)
          loaded.fill(0xff)
          assertBytes(store.loadSession(peer(1)), bytes(80, 1), 'after mutating output')
        }))
    })

    void describe('persistence', () => {
      void it('keeps identity, prekeys and sessions across a reopen', (t) =>
        withStore(async ({ store, identity, reopen }) => {
          if (reopen === undefined) return t.skip('this store offers no reopen (not persistent)')
          store.storeSignedPrekey(ecPrekey(1, true))
          for (const id of [1, 2]) store.storeOneTimePrekey(ecPrekey(id, false))
          store.storeKemPrekey(kemPrekey(1, true))
          store.storeKemPrekey(kemPrekey(2, false))
          store.storeSession(peer(1), bytes(300, 1))

          const again = await reopen()
          const id = again.getIdentityKeyPair()
          assertBytes(id.publicKey, identity.publicKey, 'identity publicKey')
          assertBytes(id.exportSeed(), identity.exportSeed(), 'identity seed')
          assertEc(again.loadSignedPrekey(1), ecPrekey(1, true))
          for (const n of [1, 2]) assertEc(again.loadOneTimePrekey(n), ecPrekey(n, false))
          assert.equal(again.countOneTimePrekeys(), 2)
          assertKem(again.loadKemPrekey(1), kemPrekey(1, true))
          assertKem(again.loadKemPrekey(2), kemPrekey(2, false))
          assert.equal(again.countOneTimeKemPrekeys(), 1)
          assertBytes(again.loadSession(peer(1)), bytes(300, 1), 'session')
        }))

      void it('keeps removals, overwrites and used one-time KEM prekeys across a reopen', (t) =>
        withStore(async ({ store, reopen }) => {
          if (reopen === undefined) return t.skip('this store offers no reopen (not persistent)')
          for (const id of [1, 2]) store.storeOneTimePrekey(ecPrekey(id, false))
          store.storeKemPrekey(kemPrekey(1, true))
          store.storeKemPrekey(kemPrekey(2, false))
          store.storeSession(peer(1), bytes(40, 1))
          store.storeSession(peer(2), bytes(40, 2))

          store.removeOneTimePrekey(1)
          store.markKemPrekeyUsed(1)
          store.markKemPrekeyUsed(2)
          store.removeSession(peer(1))
          store.storeSession(peer(2), bytes(20, 5))

          const again = await reopen()
          assert.equal(again.loadOneTimePrekey(1), undefined)
          assert.equal(again.countOneTimePrekeys(), 1)
          assertKem(again.loadKemPrekey(1), kemPrekey(1, true))
          assert.equal(again.loadKemPrekey(2), undefined)
          assert.equal(again.countOneTimeKemPrekeys(), 0)
          assert.equal(again.loadSession(peer(1)), undefined)
          assertBytes(again.loadSession(peer(2)), bytes(20, 5), 'overwritten session')
        }))
    })
  })
}

/** A fresh, empty SenderKeyStore and what releases it; a persistent one offers `reopen`. */
export interface SenderKeyStoreHarness {
  store: SenderKeyStore
  cleanup?: () => Promise<void>
  reopen?: () => Promise<SenderKeyStore>
}

/** A stored entry: the record bytes and the chain bookkeeping. */
const entry = (len: number, seed: number, currentChain?: number, retired: number[] = []) => ({
  record: bytes(len, seed),
  currentChain,
  retired,
})

function assertEntry(
  actual: SenderKeyEntry | undefined,
  expected: SenderKeyEntry,
  what: string,
): void {
  assert.ok(actual !== undefined, `${what}: missing`)
  assertBytes(actual.record, expected.record, `${what} record`)
  assert.equal(actual.currentChain, expected.currentChain, `${what} currentChain`)
  assert.deepEqual(actual.retired, expected.retired, `${what} retired`)
}

/** The SenderKeyStore half of the suite: every store of sender-key entries runs it. */
export function runSenderKeyStoreCompliance(
  name: string,
  factory: () => Promise<SenderKeyStoreHarness>,
): void {
  async function withStore(
    body: (h: SenderKeyStoreHarness) => void | Promise<void>,
  ): Promise<void> {
    const h = await factory()
    try {
      await body(h)
    } finally {
      await h.cleanup?.()
    }
  }

  void describe(`${name}: SenderKeyStore compliance`, () => {
    void it('loads undefined for an unknown (sender, distributionId)', () =>
      withStore(({ store }) => {
        assert.equal(store.loadSenderKey(peer(1), group(1)), undefined)
      }))

    void it('round-trips every field, finding the distributionId by value, not by identity', () =>
      withStore(({ store }) => {
        const e = entry(200, 1, 7, [1, 2, 0x7fff_ffff])
        store.storeSenderKey(peer(1), group(1), e)
        assertEntry(store.loadSenderKey(peer(1), group(1)), e, 'fresh array')
        // The same 16 bytes as a view at a non-zero offset of a larger buffer.
        const wide = new Uint8Array(40)
        wide.set(group(1), 8)
        const view = wide.subarray(8, 24)
        assertEntry(store.loadSenderKey(peer(1), view), e, 'offset view')
        const none = entry(10, 2)
        store.storeSenderKey(peer(2), group(1), none)
        assertEntry(store.loadSenderKey(peer(2), group(1)), none, 'no current chain')
      }))

    void it('keeps senders apart within one group', () =>
      withStore(({ store }) => {
        store.storeSenderKey(peer(1), group(1), entry(60, 1, 1))
        store.storeSenderKey(peer(2), group(1), entry(60, 2, 2))
        assertEntry(store.loadSenderKey(peer(1), group(1)), entry(60, 1, 1), 'sender 1')
        assertEntry(store.loadSenderKey(peer(2), group(1)), entry(60, 2, 2), 'sender 2')
        assert.equal(store.loadSenderKey(peer(3), group(1)), undefined)
      }))

    void it('keeps distributionIds apart for one sender, even one byte apart', () =>
      withStore(({ store }) => {
        const a = group(1)
        const b = Uint8Array.from(a)
        b[15] = b[15]! ^ 1
        store.storeSenderKey(peer(1), a, entry(60, 1))
        store.storeSenderKey(peer(1), b, entry(60, 2))
        assertEntry(store.loadSenderKey(peer(1), a), entry(60, 1), 'group a')
        assertEntry(store.loadSenderKey(peer(1), b), entry(60, 2), 'group b')
        assert.equal(store.loadSenderKey(peer(1), group(2)), undefined)
      }))

    void it('replaces the entry on a second store', () =>
      withStore(({ store }) => {
        store.storeSenderKey(peer(1), group(1), entry(60, 1, 1))
        store.storeSenderKey(peer(1), group(1), entry(30, 2, 3, [1]))
        assertEntry(store.loadSenderKey(peer(1), group(1)), entry(30, 2, 3, [1]), 'replaced')
      }))

    void it('removes only that (sender, distributionId); unknown ones are a no-op', () =>
      withStore(({ store }) => {
        store.storeSenderKey(peer(1), group(1), entry(60, 1))
        store.storeSenderKey(peer(1), group(2), entry(60, 2))
        store.storeSenderKey(peer(2), group(1), entry(60, 3))
        store.removeSenderKey(peer(1), group(1))
        assert.equal(store.loadSenderKey(peer(1), group(1)), undefined)
        assertEntry(store.loadSenderKey(peer(1), group(2)), entry(60, 2), 'other group')
        assertEntry(store.loadSenderKey(peer(2), group(1)), entry(60, 3), 'other sender')
        store.removeSenderKey(peer(1), group(1))
        store.removeSenderKey(peer(9), group(9))
        assertEntry(store.loadSenderKey(peer(1), group(2)), entry(60, 2), 'after no-ops')
      }))

    void it('throws a TypeError for a distributionId or record that is not bytes', () =>
      withStore(({ store }) => {
        const notBytes = [1, 2, 3] as unknown as Uint8Array
        assert.throws(() => store.loadSenderKey(peer(1), notBytes), {
          name: 'TypeError',
          message: /distributionId/,
        })
        assert.throws(
          () => store.storeSenderKey(peer(1), group(1), { ...entry(4, 1), record: notBytes }),
          { name: 'TypeError', message: /record/ },
        )
        assert.equal(store.loadSenderKey(peer(1), group(1)), undefined)
      }))

    void it('mutating the entry, the loaded one or the distributionId changes nothing', () =>
      withStore(({ store }) => {
        const id = group(1)
        const e = entry(80, 1, 5, [4])
        store.storeSenderKey(peer(1), id, e)
        e.record.fill(0)
        e.retired.push(9)
        id.fill(0)
        assertEntry(store.loadSenderKey(peer(1), group(1)), entry(80, 1, 5, [4]), 'after input')
        assert.equal(store.loadSenderKey(peer(1), id), undefined)
        const loaded = store.loadSenderKey(peer(1), group(1))
        assert.ok(loaded)
        loaded.record.fill(0xff)
        loaded.retired.push(10)
        assertEntry(store.loadSenderKey(peer(1), group(1)), entry(80, 1, 5, [4]), 'after output')
      }))

    void it('keeps entries, overwrites and removals across a reopen', (t) =>
      withStore(async ({ store, reopen }) => {
        if (reopen === undefined) return t.skip('this store offers no reopen (not persistent)')
        store.storeSenderKey(peer(1), group(1), entry(40, 3, 1))
        store.storeSenderKey(peer(1), group(2), entry(40, 4, 2, [1]))
        store.storeSenderKey(peer(2), group(1), entry(300, 2, 3))
        store.removeSenderKey(peer(1), group(1))
        store.storeSenderKey(peer(2), group(1), entry(20, 5, 4, [3]))
        const again = await reopen()
        assert.equal(again.loadSenderKey(peer(1), group(1)), undefined)
        assertEntry(again.loadSenderKey(peer(1), group(2)), entry(40, 4, 2, [1]), 'kept')
        assertEntry(again.loadSenderKey(peer(2), group(1)), entry(20, 5, 4, [3]), 'overwritten')
      }))
  })
}
