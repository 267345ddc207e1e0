// A node's long-term identity: one Ed25519 key pair that is also its libp2p key, so the PeerId
// *is* the cryptographic identity (ARCHITECTURE.md "Identity"). Its X25519 form for PQXDH is
// derived by the birational map (RFC 7748 §4.1; XEdDSA spec §2 for the reverse direction).
// This module owns key generation, the Ed25519→X25519 map and PeerId encoding. It knows
// nothing of sessions, prekeys or the network.
import { ed25519 } from '@noble/curves/ed25519.js'
import { base58 } from '@scure/base'
import { abytes, concat, equalBytes } from '../bytes.js'
import { InvalidKeyError } from '../errors.js'
import { Redacted } from '../secret.js'
import type { CryptoProvider, Rng } from '../crypto/provider.js'

/** libp2p's PeerId of an Ed25519 key: identity multihash (0x00, len 36) of the protobuf
 *  PublicKey { Type = Ed25519 (1), Data = key } (libp2p peer-ids spec §"Keys"). */
const PEER_ID_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)
export const PEER_ID_BYTES = PEER_ID_PREFIX.length + 32

export function peerIdBytesFromPublicKey(publicKey: Uint8Array): Uint8Array {
  return concat(PEER_ID_PREFIX, abytes('publicKey', publicKey, 32))
}

/** The PeerId string ("12D3KooW…", base58btc) of an Ed25519 identity public key. */
export function peerIdFromPublicKey(publicKey: Uint8Array): string {
  return base58.encode(peerIdBytesFromPublicKey(publicKey))
}

/** The Ed25519 public key inside a PeerId (string or bytes). Throws InvalidKeyError otherwise. */
export function publicKeyFromPeerId(peerId: string | Uint8Array): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = typeof peerId === 'string' ? base58.decode(peerId) : peerId
  } catch {
    throw new InvalidKeyError('not a base58btc PeerId')
  }
  if (
    bytes.length !== PEER_ID_BYTES ||
    !equalBytes(bytes.subarray(0, PEER_ID_PREFIX.length), PEER_ID_PREFIX)
  ) {
    throw new InvalidKeyError('not an Ed25519 PeerId')
  }
  return bytes.slice(PEER_ID_PREFIX.length)
}

/** The bytes of a PeerId string (checked to be an Ed25519 PeerId; InvalidKeyError otherwise). */
export function peerIdToBytes(peerId: string): Uint8Array {
  return peerIdBytesFromPublicKey(publicKeyFromPeerId(peerId))
}

/** X25519 public key of an Ed25519 public key (Montgomery u = (1 + y) / (1 − y)). */
export function x25519FromEd25519Public(publicKey: Uint8Array): Uint8Array {
  try {
    return ed25519.utils.toMontgomery(abytes('publicKey', publicKey, 32))
  } catch {
    throw new InvalidKeyError('not a valid Ed25519 public key')
  }
}

/** The device's identity key pair. Prints no key bytes (STYLE.md §7). */
export class IdentityKeyPair extends Redacted {
  protected readonly redactedKind = 'IdentityKeyPair'
  /** Ed25519 public key: the PeerId's key. */
  readonly publicKey: Uint8Array
  /** Its X25519 form, used in PQXDH DH1/DH2. */
  readonly dhPublicKey: Uint8Array
  readonly #seed: Uint8Array
  readonly #dhPrivateKey: Uint8Array

  private constructor(seed: Uint8Array, crypto: CryptoProvider) {
    super()
    this.#seed = seed
    this.publicKey = crypto.ed25519PublicKey(seed)
    // RFC 8032 §5.1.5: the scalar is the clamped first half of SHA-512(seed); the same scalar on
    // the Montgomery curve is the X25519 private key of the mapped public key.
    this.#dhPrivateKey = ed25519.utils.toMontgomerySecret(seed)
    this.dhPublicKey = x25519FromEd25519Public(this.publicKey)
  }

  static generate(crypto: CryptoProvider, rng: Rng): IdentityKeyPair {
    return new IdentityKeyPair(rng(32), crypto)
  }

  /** Restores a key pair from its 32-byte Ed25519 seed (the libp2p private key's seed). */
  static fromSeed(seed: Uint8Array, crypto: CryptoProvider): IdentityKeyPair {
    return new IdentityKeyPair(Uint8Array.from(abytes('seed', seed, 32)), crypto)
  }

  get peerId(): string {
    return peerIdFromPublicKey(this.publicKey)
  }

  /** The 32-byte seed, for the key store and for libp2p's private key. Handle as a secret. */
  exportSeed(): Uint8Array {
    return Uint8Array.from(this.#seed)
  }

  sign(crypto: CryptoProvider, message: Uint8Array): Uint8Array {
    return crypto.ed25519Sign(this.#seed, message)
  }

  /** X25519 with the identity's Montgomery private key (PQXDH DH1 / DH2). */
  dh(crypto: CryptoProvider, publicKey: Uint8Array): Uint8Array {
    return crypto.x25519(this.#dhPrivateKey, publicKey)
  }
}
