// PQXDH key agreement (Signal's PQXDH specification, revision 3), Kith's parameters:
//   curve = X25519, hash = SHA-256, pqkem = ML-KEM-768, info = "Kith_PQXDH_X25519_SHA-256_ML-KEM-768"
// Identity keys are Ed25519 (the libp2p key); their X25519 form is used in DH1/DH2 and prekey
// signatures are plain Ed25519 by the identity key instead of XEdDSA (the birational map makes
// them the same key pair). The KDF output is stretched to 96 bytes: SK and the two shared header
// keys the Double Ratchet with header encryption needs (Double Ratchet spec §4.2).
// This module owns the handshake arithmetic only: no stores, no envelopes.
import { concat, utf8 } from '../bytes.js'
import { MalformedMessageError } from '../errors.js'
import type { CoreContext, CryptoProvider } from '../crypto/provider.js'
import { x25519FromEd25519Public, type IdentityKeyPair } from '../identity/identity.js'
import { MLKEM768_CIPHERTEXT_BYTES } from '../wire/codec.js'
import { encodeEc, verifyPrekeyBundle } from './prekeys.js'
import type { PrekeyBundle } from '../wire/pb/wire.js'

export const PQXDH_INFO = utf8('Kith_PQXDH_X25519_SHA-256_ML-KEM-768')
/** PQXDH §2.2: F is 32 0xFF bytes for curve25519, so KM never starts like a valid scalar or point. */
const F = new Uint8Array(32).fill(0xff)

export interface SharedSecrets {
  /** SK (PQXDH §3.3), the Double Ratchet's initial root key. */
  sk: Uint8Array
  /** Header key for Alice's first sending chain (Double Ratchet §4.2 shared_hka). */
  sharedHka: Uint8Array
  /** Bob's first next header key (Double Ratchet §4.2 shared_nhkb). */
  sharedNhkb: Uint8Array
  /** AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B) (PQXDH §3.3), over the Ed25519 identity keys. */
  ad: Uint8Array
}

/**
 * KDF(KM) (PQXDH §2.2): HKDF with salt = 32 zero bytes, IKM = F ‖ KM and Kith's info string.
 * Expanded to 96 bytes = SK ‖ shared_hka ‖ shared_nhkb.
 */
function kdf(crypto: CryptoProvider, km: Uint8Array, ad: Uint8Array): SharedSecrets {
  const out = crypto.hkdfSha256(concat(F, km), new Uint8Array(32), PQXDH_INFO, 96)
  return { sk: out.slice(0, 32), sharedHka: out.slice(32, 64), sharedNhkb: out.slice(64, 96), ad }
}

function associatedData(ikA: Uint8Array, ikB: Uint8Array): Uint8Array {
  return concat(encodeEc(ikA), encodeEc(ikB))
}

export interface InitiatorResult extends SharedSecrets {
  ephemeralPublic: Uint8Array
  kemCiphertext: Uint8Array
  signedPrekeyId: number
  kemPrekeyId: number
  oneTimePrekeyId: number | undefined
  /** Bob's signed prekey: the first ratchet public key (Double Ratchet §4.2 RatchetInitAliceHE). */
  bobRatchetKey: Uint8Array
}

/** Alice's side (PQXDH §3.3 "Sending the initial message"). */
export function pqxdhInitiate(
  ctx: CoreContext,
  alice: IdentityKeyPair,
  bundle: PrekeyBundle,
): InitiatorResult {
  const { crypto } = ctx
  verifyPrekeyBundle(crypto, bundle)
  const spk = bundle.signedPrekey!
  // PQXDH §3.3: use the one-time PQOPK_B when the bundle has one, else the last-resort PQSPK_B.
  const kem = bundle.oneTimeKemPrekey ?? bundle.kemPrekey!
  const ikB = x25519FromEd25519Public(bundle.identityKey)
  const ekPriv = ctx.rng(32)
  const ekPub = crypto.x25519PublicKey(ekPriv)
  const dh1 = alice.dh(crypto, spk.publicKey) // DH1 = DH(IK_A, SPK_B)
  const dh2 = crypto.x25519(ekPriv, ikB) // DH2 = DH(EK_A, IK_B)
  const dh3 = crypto.x25519(ekPriv, spk.publicKey) // DH3 = DH(EK_A, SPK_B)
  const opk = bundle.oneTimePrekey
  const dh4 = opk === undefined ? new Uint8Array(0) : crypto.x25519(ekPriv, opk.publicKey) // DH4 = DH(EK_A, OPK_B)
  const { cipherText, sharedSecret } = crypto.mlkemEncapsulate(kem.publicKey, ctx.rng(32)) // (CT, SS) = PQKEM-ENC(PQPK_B)
  const secrets = kdf(
    crypto,
    concat(dh1, dh2, dh3, dh4, sharedSecret),
    associatedData(alice.publicKey, bundle.identityKey),
  )
  ekPriv.fill(0) // PQXDH §3.3: "Alice deletes her ephemeral private key and the DH outputs."
  for (const b of [dh1, dh2, dh3, dh4, sharedSecret]) b.fill(0)
  return {
    ...secrets,
    ephemeralPublic: ekPub,
    kemCiphertext: cipherText,
    signedPrekeyId: spk.id,
    kemPrekeyId: kem.id,
    oneTimePrekeyId: opk?.id,
    bobRatchetKey: spk.publicKey,
  }
}

export interface ResponderKeys {
  signedPrekeyPrivate: Uint8Array
  kemSecretKey: Uint8Array
  oneTimePrekeyPrivate?: Uint8Array | undefined
}

/** Bob's side (PQXDH §3.4 "Receiving the initial message"). */
export function pqxdhRespond(
  ctx: CoreContext,
  bob: IdentityKeyPair,
  aliceIdentity: Uint8Array,
  ephemeralPublic: Uint8Array,
  kemCiphertext: Uint8Array,
  keys: ResponderKeys,
): SharedSecrets {
  const { crypto } = ctx
  if (ephemeralPublic.length !== 32 || kemCiphertext.length !== MLKEM768_CIPHERTEXT_BYTES) {
    throw new MalformedMessageError('initial message key of the wrong size')
  }
  const ikA = x25519FromEd25519Public(aliceIdentity)
  const dh1 = crypto.x25519(keys.signedPrekeyPrivate, ikA)
  const dh2 = bob.dh(crypto, ephemeralPublic)
  const dh3 = crypto.x25519(keys.signedPrekeyPrivate, ephemeralPublic)
  const dh4 =
    keys.oneTimePrekeyPrivate === undefined
      ? new Uint8Array(0)
      : crypto.x25519(keys.oneTimePrekeyPrivate, ephemeralPublic)
  const ss = crypto.mlkemDecapsulate(kemCiphertext, keys.kemSecretKey)
  const secrets = kdf(
    crypto,
    concat(dh1, dh2, dh3, dh4, ss),
    associatedData(aliceIdentity, bob.publicKey),
  )
  for (const b of [dh1, dh2, dh3, dh4, ss]) b.fill(0)
  return secrets
}
