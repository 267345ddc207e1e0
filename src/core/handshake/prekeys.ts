// Prekey generation, encoding and signatures (PQXDH spec §2.5 "Keys", §3.2 "Publishing keys").
// This module owns EncodeEC / EncodeKEM, the prekey signatures and bundle assembly/verification.
// It knows nothing of sessions or the ratchet.
import { concat } from '../bytes.js'
import { InvalidSignatureError, MalformedMessageError } from '../errors.js'
import type { CoreContext, CryptoProvider } from '../crypto/provider.js'
import type { IdentityKeyPair } from '../identity/identity.js'
import type { EcPrekeyRecord, KemPrekeyRecord } from '../store/types.js'
import { MLKEM768_PUBLIC_KEY_BYTES } from '../wire/codec.js'
import type { PrekeyBundle } from '../wire/pb/wire.js'

// PQXDH §2.5: EncodeEC / EncodeKEM prefix a key-type byte so a curve key can never be confused
// with a KEM key under the same signature. 0x05 is libsignal's Curve25519 type byte; 0x0a is
// Kith's for ML-KEM-768 (libsignal uses 0x08 for Kyber-1024).
const EC_TYPE = 0x05
const KEM_TYPE = 0x0a

export function encodeEc(publicKey: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(EC_TYPE), publicKey)
}
export function encodeKem(publicKey: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(KEM_TYPE), publicKey)
}

/** A fresh signed prekey SPK_B: Sig(IK_B, EncodeEC(SPK_B)) (PQXDH §3.2). */
export function generateSignedPrekey(
  ctx: CoreContext,
  identity: IdentityKeyPair,
  id: number,
): EcPrekeyRecord {
  const privateKey = ctx.rng(32)
  const publicKey = ctx.crypto.x25519PublicKey(privateKey)
  return {
    id,
    publicKey,
    privateKey,
    signature: identity.sign(ctx.crypto, encodeEc(publicKey)),
    createdAt: ctx.clock(),
  }
}

/** `count` one-time curve prekeys OPK_B with ids starting at `firstId` (unsigned, PQXDH §3.2). */
export function generateOneTimePrekeys(
  ctx: CoreContext,
  firstId: number,
  count: number,
): EcPrekeyRecord[] {
  const out: EcPrekeyRecord[] = []
  for (let i = 0; i < count; i++) {
    const privateKey = ctx.rng(32)
    out.push({
      id: firstId + i,
      publicKey: ctx.crypto.x25519PublicKey(privateKey),
      privateKey,
      signature: new Uint8Array(0),
      createdAt: ctx.clock(),
    })
  }
  return out
}

/** A signed ML-KEM-768 prekey: last-resort PQSPK_B or one-time PQOPK_B (PQXDH §3.2). */
export function generateKemPrekey(
  ctx: CoreContext,
  identity: IdentityKeyPair,
  id: number,
  lastResort: boolean,
): KemPrekeyRecord {
  const { publicKey, secretKey } = ctx.crypto.mlkemKeygen(ctx.rng(64))
  return {
    id,
    publicKey,
    secretKey,
    signature: identity.sign(ctx.crypto, encodeKem(publicKey)),
    lastResort,
    createdAt: ctx.clock(),
  }
}

export interface BundleParts {
  signedPrekey: EcPrekeyRecord
  kemPrekey: KemPrekeyRecord
  oneTimePrekey?: EcPrekeyRecord | undefined
  oneTimeKemPrekey?: KemPrekeyRecord | undefined
}

type B = Uint8Array<ArrayBuffer>

/** The public prekey bundle Bob publishes (PQXDH §3.2). */
export function buildPrekeyBundle(identity: IdentityKeyPair, parts: BundleParts): PrekeyBundle {
  const kem = (k: KemPrekeyRecord) => ({
    id: k.id,
    publicKey: k.publicKey as B,
    signature: k.signature as B,
    lastResort: k.lastResort,
  })
  return {
    identityKey: identity.publicKey as B,
    signedPrekey: {
      id: parts.signedPrekey.id,
      publicKey: parts.signedPrekey.publicKey as B,
      signature: parts.signedPrekey.signature as B,
    },
    kemPrekey: kem(parts.kemPrekey),
    ...(parts.oneTimePrekey === undefined
      ? {}
      : {
          oneTimePrekey: {
            id: parts.oneTimePrekey.id,
            publicKey: parts.oneTimePrekey.publicKey as B,
          },
        }),
    ...(parts.oneTimeKemPrekey === undefined
      ? {}
      : { oneTimeKemPrekey: kem(parts.oneTimeKemPrekey) }),
  }
}

/**
 * PQXDH §3.3: "Alice verifies the prekey signatures and aborts the protocol if verification
 * fails." Checks key sizes too; returns nothing, throws a typed error.
 */
export function verifyPrekeyBundle(crypto: CryptoProvider, bundle: PrekeyBundle): void {
  const ik = bundle.identityKey
  const spk = bundle.signedPrekey
  const kem = bundle.kemPrekey
  if (ik.length !== 32 || spk === undefined || kem === undefined)
    throw new MalformedMessageError('incomplete prekey bundle')
  if (spk.publicKey.length !== 32 || kem.publicKey.length !== MLKEM768_PUBLIC_KEY_BYTES) {
    throw new MalformedMessageError('prekey of the wrong size')
  }
  if (!crypto.ed25519Verify(ik, encodeEc(spk.publicKey), spk.signature)) {
    throw new InvalidSignatureError('signed prekey signature does not verify')
  }
  if (!crypto.ed25519Verify(ik, encodeKem(kem.publicKey), kem.signature)) {
    throw new InvalidSignatureError('ML-KEM prekey signature does not verify')
  }
  const okem = bundle.oneTimeKemPrekey
  if (okem !== undefined) {
    if (okem.publicKey.length !== MLKEM768_PUBLIC_KEY_BYTES)
      throw new MalformedMessageError('prekey of the wrong size')
    if (!crypto.ed25519Verify(ik, encodeKem(okem.publicKey), okem.signature)) {
      throw new InvalidSignatureError('one-time ML-KEM prekey signature does not verify')
    }
  }
  if (bundle.oneTimePrekey !== undefined && bundle.oneTimePrekey.publicKey.length !== 32) {
    throw new MalformedMessageError('prekey of the wrong size')
  }
}
