// The primitives the core needs, behind one injected interface (NOTES.md "Crypto"): native
// node:crypto on Node (src/platform/node-crypto.ts), pure noble in browsers (./noble.ts). Both
// give identical bytes for identical inputs; the test vectors are run against both.
//
// This module owns the shape of that interface and nothing else.

/** Cryptographically secure randomness, injected (libsignal passes `csprng` explicitly). */
export type Rng = (length: number) => Uint8Array
/** Milliseconds since the Unix epoch, injected (libsignal's `now = new Date()`). */
export type Clock = () => number

export interface KemEncapsulation {
  cipherText: Uint8Array
  sharedSecret: Uint8Array
}

export interface CryptoProvider {
  readonly name: string
  /** X25519 public key for a 32-byte private scalar (RFC 7748 §5, clamped inside). */
  x25519PublicKey(privateKey: Uint8Array): Uint8Array
  /** X25519 shared secret. Throws InvalidKeyError when the result is all zero (low order). */
  x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array
  /** Ed25519 public key for a 32-byte seed (RFC 8032 §5.1.5). */
  ed25519PublicKey(seed: Uint8Array): Uint8Array
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  /** AES-256-GCM with a 12-byte nonce; returns ciphertext ‖ 16-byte tag. */
  aesGcmEncrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    ad: Uint8Array,
  ): Uint8Array
  /** Returns undefined when the tag does not authenticate; callers throw the typed error. */
  aesGcmDecrypt(
    key: Uint8Array,
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    ad: Uint8Array,
  ): Uint8Array | undefined
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array
  sha256(data: Uint8Array): Uint8Array
  sha512(data: Uint8Array): Uint8Array
  /** ML-KEM-768 (FIPS 203) key pair from a 64-byte seed (d ‖ z). */
  mlkemKeygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array }
  /** ML-KEM-768 encapsulation with 32 bytes of injected randomness (m). */
  mlkemEncapsulate(publicKey: Uint8Array, randomness: Uint8Array): KemEncapsulation
  mlkemDecapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array
}

/** The parts of the platform every core operation is given. */
export interface CoreContext {
  crypto: CryptoProvider
  rng: Rng
  clock: Clock
}
