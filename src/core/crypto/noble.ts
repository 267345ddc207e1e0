// Pure-TypeScript CryptoProvider on the audited @noble libraries, for browsers and as the
// reference the native provider is checked against (test/core/crypto.test.ts).
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { gcm } from '@noble/ciphers/aes.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js'
import { InvalidKeyError } from '../errors.js'
import type { CryptoProvider } from './provider.js'

function nonZero(out: Uint8Array): Uint8Array {
  let acc = 0
  for (const b of out) acc |= b
  // RFC 7748 §6.1: reject the all-zero output of a low-order point.
  if (acc === 0) throw new InvalidKeyError('X25519 produced the all-zero output (low-order point)')
  return out
}

export const nobleCrypto: CryptoProvider = {
  name: 'noble',
  x25519PublicKey: (priv) => x25519.getPublicKey(priv),
  x25519: (priv, pub) => {
    try {
      return nonZero(x25519.getSharedSecret(priv, pub))
    } catch (err) {
      if (err instanceof InvalidKeyError) throw err
      throw new InvalidKeyError('invalid X25519 public key')
    }
  },
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: (seed, msg) => ed25519.sign(msg, seed),
  ed25519Verify: (pub, msg, sig) => {
    try {
      return ed25519.verify(sig, msg, pub, { zip215: false })
    } catch {
      return false
    }
  },
  aesGcmEncrypt: (key, nonce, pt, ad) => gcm(key, nonce, ad).encrypt(pt),
  aesGcmDecrypt: (key, nonce, ct, ad) => {
    try {
      return gcm(key, nonce, ad).decrypt(ct)
    } catch {
      return undefined
    }
  },
  hkdfSha256: (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  sha256: (data) => sha256(data),
  sha512: (data) => sha512(data),
  mlkemKeygen: (seed) => ml_kem768.keygen(seed),
  mlkemEncapsulate: (pub, m) => ml_kem768.encapsulate(pub, m),
  mlkemDecapsulate: (ct, sk) => ml_kem768.decapsulate(ct, sk),
}
