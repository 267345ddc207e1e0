// Native CryptoProvider on node:crypto (OpenSSL): X25519, Ed25519, AES-256-GCM, HKDF, HMAC and
// SHA-2 run natively, ~10x faster than pure JS on this VM (NOTES.md "Crypto"). Node 20 has no
// ML-KEM, so that part is noble's, shared with the browser provider.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  randomFillSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'
import { nobleCrypto } from '../core/crypto/noble.js'
import { InvalidKeyError } from '../core/errors.js'
import type { CryptoProvider, Rng } from '../core/crypto/provider.js'

// Raw keys go in and out as JWK: OpenSSL's JWK path is ~10x faster than DER here (measured:
// PKCS#8 import 350 µs, JWK import 32 µs; the X25519 operation itself 32 µs).
type Crv = 'X25519' | 'Ed25519'

/** A bounded cache of imported keys: the import on a miss, the oldest import evicted past `size`. */
class KeyCache {
  readonly #keys = new Map<string, KeyObject>()
  constructor(readonly size: number) {}

  get(id: string, load: () => KeyObject): KeyObject {
    const hit = this.#keys.get(id)
    if (hit !== undefined) return hit
    const key = load()
    if (this.#keys.size >= this.size) this.#keys.delete(this.#keys.keys().next().value!)
    this.#keys.set(id, key)
    return key
  }
}

/** A 32-byte raw key as the base64url text JWK carries (also its cache id, with the curve). */
function b64(raw: Uint8Array, what: 'private' | 'public'): string {
  if (raw.length !== 32) throw new InvalidKeyError(`${what} key must be 32 bytes`)
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url')
}

/**
 * Recently imported private keys. A ratchet key pair is used right after it is made (its public
 * half, then one DH) and once more at the next DH step; importing costs as much as the DH itself
 * (OpenSSL derives the public key again), so the last few imports are kept. Bounded; these keys
 * live in the session state anyway.
 */
const PRIVATE_KEY_CACHE_SIZE = 32
const privateKeys = new KeyCache(PRIVATE_KEY_CACHE_SIZE)

function priv(crv: Crv, raw: Uint8Array): KeyObject {
  const d = b64(raw, 'private')
  // The public half is derived by OpenSSL from d; an empty x is ignored.
  return privateKeys.get(crv + d, () =>
    createPrivateKey({ key: { kty: 'OKP', crv, d, x: '' }, format: 'jwk' }),
  )
}
/**
 * Recently imported public keys. A group member verifies every message of a sender with the
 * same Ed25519 key, and importing it (OpenSSL's `initEDRaw` behind the JWK) cost as much as
 * 1.4 % of a member's CPU in the group bench's profile; an X25519 ratchet key is used for one DH
 * step or two. Bounded, least recently imported out first; public keys are not secrets.
 */
const PUBLIC_KEY_CACHE_SIZE = 64
const publicKeys = new KeyCache(PUBLIC_KEY_CACHE_SIZE)

function pub(crv: Crv, raw: Uint8Array): KeyObject {
  const x = b64(raw, 'public')
  return publicKeys.get(crv + x, () =>
    createPublicKey({ key: { kty: 'OKP', crv, x }, format: 'jwk' }),
  )
}
function rawPublic(k: KeyObject): Uint8Array {
  const { x } = k.export({ format: 'jwk' })
  return u8(Buffer.from(x ?? '', 'base64url'))
}
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

export const nodeCrypto: CryptoProvider = {
  name: 'node',
  x25519PublicKey: (raw) => rawPublic(createPublicKey(priv('X25519', raw))),
  x25519: (privateKey, publicKey) => {
    let out: Buffer
    try {
      out = diffieHellman({
        privateKey: priv('X25519', privateKey),
        publicKey: pub('X25519', publicKey),
      })
    } catch {
      // OpenSSL refuses low-order points itself (RFC 7748 §6.1 all-zero check).
      throw new InvalidKeyError('X25519 produced the all-zero output (low-order point)')
    }
    return u8(out)
  },
  ed25519PublicKey: (seed) => rawPublic(createPublicKey(priv('Ed25519', seed))),
  ed25519Sign: (seed, msg) => u8(sign(null, msg, priv('Ed25519', seed))),
  ed25519Verify: (publicKey, msg, sig) => {
    if (sig.length !== 64 || publicKey.length !== 32) return false
    try {
      return verify(null, msg, pub('Ed25519', publicKey), sig)
    } catch {
      return false
    }
  },
  aesGcmEncrypt: (key, nonce, pt, ad) => {
    const c = createCipheriv('aes-256-gcm', key, nonce)
    c.setAAD(ad)
    return u8(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]))
  },
  aesGcmDecrypt: (key, nonce, ct, ad) => {
    if (ct.length < 16) return undefined
    try {
      const d = createDecipheriv('aes-256-gcm', key, nonce)
      d.setAAD(ad)
      d.setAuthTag(ct.subarray(ct.length - 16))
      return u8(Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]))
    } catch {
      return undefined
    }
  },
  hkdfSha256,
  hmacSha256: (key, data) => u8(createHmac('sha256', key).update(data).digest()),
  sha256: (data) => u8(createHash('sha256').update(data).digest()),
  sha512: (data) => u8(createHash('sha512').update(data).digest()),
  mlkemKeygen: (seed) => nobleCrypto.mlkemKeygen(seed),
  mlkemEncapsulate: (pk, m) => nobleCrypto.mlkemEncapsulate(pk, m),
  mlkemDecapsulate: (ct, sk) => nobleCrypto.mlkemDecapsulate(ct, sk),
}

/** RFC 5869's bound on HKDF-SHA256 output: 255 blocks of 32 bytes. */
const MAX_HKDF_SHA256_BYTES = 255 * 32

/**
 * HKDF-SHA256 (RFC 5869 §2.2 extract, §2.3 expand) from node:crypto HMACs. Node's hkdfSync makes
 * two KeyObjects (native handles the GC must finalise) and an OpenSSL KDF context per call: ≈ 10.6
 * µs against ≈ 8.2 µs here for a message's 44 bytes, and in a daemon profile the KeyObjects'
 * creation and collection added as much again (issue 17, 2026-12-06). Every ratchet message
 * derives one (core/ratchet/kdf.ts encryptBody/decryptBody). Agreement with hkdfSync and with
 * noble's HKDF, and the RFC's vectors: test/core/crypto.test.ts.
 */
function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_HKDF_SHA256_BYTES) {
    throw new RangeError(`HKDF-SHA256: length ${length} is not 0 … ${MAX_HKDF_SHA256_BYTES}`)
  }
  // §2.2: PRK = HMAC-Hash(salt, IKM); an absent salt is HashLen zeros, which HMAC's key padding
  // makes the same as an empty key.
  const prk = createHmac('sha256', salt).update(ikm).digest()
  // §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = the first L octets of T(1) | T(2) | …
  const okm = new Uint8Array(length)
  let t: Uint8Array = new Uint8Array(0)
  for (let i = 1, at = 0; at < length; i++, at += 32) {
    t = createHmac('sha256', prk).update(t).update(info).update(Uint8Array.of(i)).digest()
    okm.set(t.subarray(0, Math.min(32, length - at)), at)
  }
  return okm
}

/** The operating system's CSPRNG. */
/**
 * Bytes drawn from the OS CSPRNG (OpenSSL's RAND_bytes) at once for small requests: a message
 * costs its sender 3–4 draws (message id, retry jitter, a DH key at each ratchet step), and each
 * `randomBytes` call cost ≈ 2 µs of overhead here against ≈ 0.15 µs from a pool. Requests larger
 * than RNG_POOL_MAX_DRAW bytes go to the CSPRNG directly. Drawn bytes are copied out and zeroed
 * in the pool, so a key made from them is not left behind there.
 */
export const RNG_POOL_BYTES = 4096
/** Largest request served from the pool (keys, nonces and ids are ≤ 64 bytes). */
export const RNG_POOL_MAX_DRAW = 256
const rngPool = Buffer.alloc(RNG_POOL_BYTES)
let rngPoolAt = RNG_POOL_BYTES

export const nodeRng: Rng = (n) => {
  if (n > RNG_POOL_MAX_DRAW) return u8(randomBytes(n))
  if (rngPoolAt + n > RNG_POOL_BYTES) {
    randomFillSync(rngPool)
    rngPoolAt = 0
  }
  const out = new Uint8Array(n)
  out.set(rngPool.subarray(rngPoolAt, rngPoolAt + n))
  rngPool.fill(0, rngPoolAt, rngPoolAt + n)
  rngPoolAt += n
  return out
}
