// The file primitives (src/core/file/cipher.ts FileCipher) on node:crypto: XChaCha20-Poly1305 as
// draft-irtf-cfrg-xchacha-03 §2.3 builds it — HChaCha20(key, nonce[0..16]) gives a subkey (noble's
// hchacha: one ChaCha block, negligible per 256 KiB chunk), then IETF ChaCha20-Poly1305 (RFC 8439)
// with the nonce 0x00000000 ‖ nonce[16..24], native — and SHA-256 native. Identical bytes to the
// core's noble reference (test/core/file/cipher.test.ts), about ten times faster on chunks.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { hchacha } from '@noble/ciphers/chacha.js'
import type { FileCipher } from '../core/file/cipher.js'

/** "expand 32-byte k" as four little-endian words (RFC 8439 §2.3). */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574])
const TAG_BYTES = 16

const words = (b: Uint8Array): Uint32Array => {
  const c = Uint8Array.from(b) // aligned copy
  return new Uint32Array(c.buffer, 0, c.length / 4)
}

/** The XChaCha subkey and the 12-byte IETF nonce (draft-irtf-cfrg-xchacha-03 §2.3). */
function subkey(key: Uint8Array, nonce24: Uint8Array): { k: Uint8Array; n: Uint8Array } {
  if (key.length !== 32 || nonce24.length !== 24) throw new RangeError('key 32, nonce 24 bytes')
  const out = new Uint32Array(8)
  hchacha(SIGMA, words(key), words(nonce24.subarray(0, 16)), out)
  const n = new Uint8Array(12)
  n.set(nonce24.subarray(16, 24), 4)
  return { k: new Uint8Array(out.buffer), n }
}

export const nodeFileCipher: FileCipher = {
  seal(key, nonce24, ad, plaintext) {
    const { k, n } = subkey(key, nonce24)
    const c = createCipheriv('chacha20-poly1305', k, n, { authTagLength: TAG_BYTES })
    c.setAAD(ad, { plaintextLength: plaintext.length })
    const body = c.update(plaintext)
    c.final()
    const out = new Uint8Array(body.length + TAG_BYTES)
    out.set(body, 0)
    out.set(c.getAuthTag(), body.length)
    k.fill(0)
    return out
  },
  open(key, nonce24, ad, sealed) {
    if (sealed.length < TAG_BYTES) return undefined
    const { k, n } = subkey(key, nonce24)
    const d = createDecipheriv('chacha20-poly1305', k, n, { authTagLength: TAG_BYTES })
    d.setAAD(ad, { plaintextLength: sealed.length - TAG_BYTES })
    d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    const body = d.update(sealed.subarray(0, sealed.length - TAG_BYTES))
    try {
      d.final()
    } catch {
      return undefined
    } finally {
      k.fill(0)
    }
    return new Uint8Array(body.buffer, body.byteOffset, body.length)
  },
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  hasher() {
    const h = createHash('sha256')
    return { update: (d) => void h.update(d), digest: () => new Uint8Array(h.digest()) }
  },
}
