// Two (or more) parties with in-memory stores, prekeys and SessionCipher, for session tests,
// vectors and benchmarks. Deterministic for a given seed.
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import {
  buildPrekeyBundle,
  generateKemPrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
} from '../../src/core/handshake/prekeys.js'
import { SessionCipher } from '../../src/core/session/cipher.js'
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
  bundle(lastResortOnly?: boolean): Promise<PrekeyBundle>
}

export async function makeParty(
  seed: string,
  ctx: CoreContext = testContext(seed),
): Promise<Party> {
  const identity = IdentityKeyPair.generate(ctx.crypto, ctx.rng)
  const store = new MemoryProtocolStore(identity)
  const spk = generateSignedPrekey(ctx, identity, 1)
  const kem = generateKemPrekey(ctx, identity, 1, true)
  await store.storeSignedPrekey(spk)
  await store.storeKemPrekey(kem)
  let nextId = 100
  return {
    ctx,
    identity,
    peerId: identity.peerId,
    store,
    cipher: new SessionCipher(ctx, store),
    async bundle(lastResortOnly = false) {
      if (lastResortOnly) return buildPrekeyBundle(identity, { signedPrekey: spk, kemPrekey: kem })
      const [opk] = generateOneTimePrekeys(ctx, nextId, 1)
      const okem = generateKemPrekey(ctx, identity, nextId, false)
      nextId++
      await store.storeOneTimePrekey(opk!)
      await store.storeKemPrekey(okem)
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
