// The primitives a file needs (XChaCha20-Poly1305 and SHA-256), behind one injected interface as
// the rest of the core's crypto (../crypto/provider.ts): pure noble here, for browsers and as the
// reference; native node:crypto on Node (src/platform/file-cipher.ts), about ten times faster on
// 256 KiB chunks. Both give identical bytes (test/core/file/cipher.test.ts).
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { sha256 } from '@noble/hashes/sha2.js'

export interface FileHasher {
  update(data: Uint8Array): void
  digest(): Uint8Array
}

export interface FileCipher {
  /** XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03): ciphertext ‖ 16-byte tag. */
  seal(key: Uint8Array, nonce24: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array
  /** undefined when the tag does not authenticate (callers throw the typed error). */
  open(
    key: Uint8Array,
    nonce24: Uint8Array,
    ad: Uint8Array,
    sealed: Uint8Array,
  ): Uint8Array | undefined
  sha256(data: Uint8Array): Uint8Array
  /** An incremental SHA-256. */
  hasher(): FileHasher
}

export const nobleFileCipher: FileCipher = {
  seal: (key, nonce, ad, pt) => xchacha20poly1305(key, nonce, ad).encrypt(pt),
  open: (key, nonce, ad, ct) => {
    try {
      return xchacha20poly1305(key, nonce, ad).decrypt(ct)
    } catch {
      return undefined
    }
  },
  sha256: (data) => sha256(data),
  hasher: () => {
    const h = sha256.create()
    return { update: (d) => void h.update(d), digest: () => h.digest() }
  },
}
