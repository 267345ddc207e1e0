// Kith parties for benchmarks, set up as the product sets them up: an identity, a signed X25519
// prekey, a last-resort ML-KEM-768 prekey and one-time prekeys in a MemoryProtocolStore, and the
// core's SessionCipher (the one session path the product runs) as the only entry point for
// encrypt/decrypt, each decrypt committed at once. (The idea of test/helpers/parties.ts,
// but with the OS CSPRNG and the real clock: a bench must not import from test/.)
import type { CoreContext } from '../../src/core/crypto/provider.js'
import {
  buildPrekeyBundle,
  generateKemPrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
} from '../../src/core/handshake/prekeys.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { SessionCipher } from '../../src/core/session/cipher.js'
import { MemoryProtocolStore } from '../../src/core/store/memory.js'
import type { PrekeyBundle } from '../../src/core/wire/pb/wire.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { checkRoundTrip, type Channel, type Side } from './channel.js'

/** The context the product runs with on Node. */
export const nativeContext = (): CoreContext => ({
  crypto: nodeCrypto,
  rng: nodeRng,
  clock: () => Date.now(),
})

export interface KithParty {
  peerId: string
  store: MemoryProtocolStore
  cipher: SessionCipher
  /** A fresh bundle with a one-time X25519 and a one-time ML-KEM prekey, as a server hands out. */
  bundle(): PrekeyBundle
}

export function makeKithParty(
  ctx: CoreContext,
  newStore: (identity: IdentityKeyPair) => MemoryProtocolStore = (id) =>
    new MemoryProtocolStore(id),
): KithParty {
  const identity = IdentityKeyPair.generate(ctx.crypto, ctx.rng)
  const store = newStore(identity)
  const spk = generateSignedPrekey(ctx, identity, 1)
  const kem = generateKemPrekey(ctx, identity, 1, true)
  store.storeSignedPrekey(spk)
  store.storeKemPrekey(kem)
  let nextId = 100
  return {
    peerId: identity.peerId,
    store,
    cipher: new SessionCipher(ctx, store),
    bundle() {
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

/** Two Kith parties; A has run PQXDH against B's bundle (no message sent yet). */
export function kithChannel(
  ctx: CoreContext = nativeContext(),
  newStore?: (identity: IdentityKeyPair) => MemoryProtocolStore,
): Channel & { a: KithParty; b: KithParty } {
  const a = makeKithParty(ctx, newStore)
  const b = makeKithParty(ctx, newStore)
  a.cipher.initiate(b.peerId, b.bundle())
  return {
    name: 'kith',
    a,
    b,
    send(from: Side, plaintext: Uint8Array<ArrayBuffer>): Promise<number> {
      const [s, r] = from === 'a' ? [a, b] : [b, a]
      const envelope = s.cipher.encrypt(r.peerId, plaintext)
      // The transport (a libp2p connection) authenticated the sender, as in the product.
      const out = r.cipher.decrypt(s.peerId, envelope)
      out.commit()
      checkRoundTrip('kith', plaintext, out.plaintext)
      return Promise.resolve(envelope.length)
    },
  }
}
