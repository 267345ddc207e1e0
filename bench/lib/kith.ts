// Kith parties for benchmarks, set up as the product sets them up: an identity, a signed X25519
// prekey, a last-resort ML-KEM-768 prekey and one-time prekeys in a MemoryProtocolStore, and
// SessionCipher as the only entry point for encrypt/decrypt. (The idea of test/helpers/parties.ts,
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
  bundle(): Promise<PrekeyBundle>
}

export async function makeKithParty(
  ctx: CoreContext,
  newStore: (identity: IdentityKeyPair) => MemoryProtocolStore = (id) =>
    new MemoryProtocolStore(id),
): Promise<KithParty> {
  const identity = IdentityKeyPair.generate(ctx.crypto, ctx.rng)
  const store = newStore(identity)
  const spk = generateSignedPrekey(ctx, identity, 1)
  const kem = generateKemPrekey(ctx, identity, 1, true)
  await store.storeSignedPrekey(spk)
  await store.storeKemPrekey(kem)
  let nextId = 100
  return {
    peerId: identity.peerId,
    store,
    cipher: new SessionCipher(ctx, store),
    async bundle() {
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

/** Two Kith parties; A has run PQXDH against B's bundle (no message sent yet). */
export async function kithChannel(
  ctx: CoreContext = nativeContext(),
  newStore?: (identity: IdentityKeyPair) => MemoryProtocolStore,
): Promise<Channel & { a: KithParty; b: KithParty }> {
  const a = await makeKithParty(ctx, newStore)
  const b = await makeKithParty(ctx, newStore)
  await a.cipher.initiate(b.peerId, await b.bundle())
  return {
    name: 'kith',
    a,
    b,
    async send(from: Side, plaintext: Uint8Array<ArrayBuffer>): Promise<number> {
      const [s, r] = from === 'a' ? [a, b] : [b, a]
      const envelope = await s.cipher.encrypt(r.peerId, plaintext)
      // The transport (a libp2p connection) authenticated the sender, as in the product.
      const out = await r.cipher.decrypt(s.peerId, envelope)
      checkRoundTrip('kith', plaintext, out.plaintext)
      return envelope.length
    },
  }
}
