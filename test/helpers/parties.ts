// Two (or more) parties with in-memory stores, prekeys and the core's SessionCipher (the one
// session path the product runs too), for session tests, vectors and benchmarks. Deterministic
// for a given seed.
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import {
  buildPrekeyBundle,
  generateKemPrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
} from '../../src/core/handshake/prekeys.js'
import { SessionCipher, type Decrypted } from '../../src/core/session/cipher.js'
import { MemoryProtocolStore } from '../../src/core/store/memory.js'
import type { PrekeyBundle } from '../../src/core/wire/pb/wire.js'
import { testContext } from './context.js'

export interface Party {
  ctx: CoreContext
  identity: IdentityKeyPair
  peerId: string
  store: MemoryProtocolStore
  cipher: SessionCipher
  /** A fresh bundle; with one-time prekeys unless `lastResortOnly`. */
  bundle(lastResortOnly?: boolean): PrekeyBundle
  /** Decrypts and commits at once (what the product does once its checks pass). */
  receive(from: string | undefined, envelope: Uint8Array): Decrypted
}

export function makeParty(seed: string, ctx: CoreContext = testContext(seed)): Party {
  const identity = IdentityKeyPair.generate(ctx.crypto, ctx.rng)
  const store = new MemoryProtocolStore(identity)
  const spk = generateSignedPrekey(ctx, identity, 1)
  const kem = generateKemPrekey(ctx, identity, 1, true)
  store.storeSignedPrekey(spk)
  store.storeKemPrekey(kem)
  let nextId = 100
  const cipher = new SessionCipher(ctx, store)
  return {
    ctx,
    identity,
    peerId: identity.peerId,
    store,
    cipher,
    receive(from, envelope) {
      const d = cipher.decrypt(from, envelope)
      d.commit()
      return d
    },
    bundle(lastResortOnly = false) {
      if (lastResortOnly) return buildPrekeyBundle(identity, { signedPrekey: spk, kemPrekey: kem })
      const [opk] = generateOneTimePrekeys(ctx, nextId, 1)
      const okem = generateKemPrekey(ctx, identity, nextId, false)
      nextId++
      store.storeOneTimePrekey(opk!)
      store.storeKemPrekey(okem)
      return buildPrekeyBundle(identity, {
        signedPrekey: spk,
        kemPrekey: kem,
        oneTimePrekey: opk,
        oneTimeKemPrekey: okem,
      })
    },
  }
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s)
export const str = (b: Uint8Array): string => new TextDecoder().decode(b)
