// The node's own prekeys (PQXDH §3.2 "Publishing keys"): one signed X25519 prekey and one
// last-resort ML-KEM prekey, created at first start and named in every invite. Invites carry no
// one-time prekeys: a link may be shared with many people, and a one-time key used by the first
// would make every later first message fail. This module owns the ids in the settings table.
import { buildPrekeyBundle, generateKemPrekey, generateSignedPrekey } from '../../core/index.js'
import type { CoreContext, IdentityKeyPair, PrekeyBundle } from '../../core/index.js'
import type { NodeStore } from '../../store/types.js'

const SPK_ID = 'prekeys.signed.id'
const KEM_ID = 'prekeys.kem.id'

// Both return promises for their callers (ChatService.start); the store itself is synchronous,
// and a throw becomes the promise's rejection.
export function ensurePrekeys(
  ctx: CoreContext,
  store: NodeStore,
  identity: IdentityKeyPair,
): Promise<void> {
  return new Promise((resolve) => {
    if (store.getSetting(SPK_ID) === undefined) {
      store.protocol.storeSignedPrekey(generateSignedPrekey(ctx, identity, 1))
      store.setSetting(SPK_ID, '1')
    }
    if (store.getSetting(KEM_ID) === undefined) {
      store.protocol.storeKemPrekey(generateKemPrekey(ctx, identity, 1, true))
      store.setSetting(KEM_ID, '1')
    }
    resolve()
  })
}

/** The bundle for invites and contact cards: signed prekey + last-resort ML-KEM prekey. */
export function currentBundle(store: NodeStore, identity: IdentityKeyPair): Promise<PrekeyBundle> {
  return new Promise((resolve) => {
    const spk = store.protocol.loadSignedPrekey(Number(store.getSetting(SPK_ID)))
    const kem = store.protocol.loadKemPrekey(Number(store.getSetting(KEM_ID)))
    if (spk === undefined || kem === undefined)
      throw new Error('prekeys missing: ensurePrekeys() first')
    resolve(buildPrekeyBundle(identity, { signedPrekey: spk, kemPrekey: kem }))
  })
}
