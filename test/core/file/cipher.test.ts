// The native file cipher (src/platform/file-cipher.ts) gives the noble reference's bytes
// (src/core/file/cipher.ts) for XChaCha20-Poly1305 and SHA-256, refuses what the reference
// refuses, and matches draft-irtf-cfrg-xchacha-03 §A.3.1's test vector.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { fromHex, toHex } from '../../../src/core/bytes.js'
import { nobleFileCipher } from '../../../src/core/file/index.js'
import { nodeFileCipher } from '../../../src/platform/file-cipher.js'

void describe('file cipher: native = noble', () => {
  void it('draft-irtf-cfrg-xchacha-03 §A.3.1 (AEAD_XChaCha20_Poly1305)', () => {
    const pt = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    )
    const ad = fromHex('50515253c0c1c2c3c4c5c6c7')
    const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
    const nonce = fromHex('404142434445464748494a4b4c4d4e4f5051525354555657')
    const tag = 'c0875924c1c7987947deafd8780acf49'
    for (const c of [nodeFileCipher, nobleFileCipher]) {
      const out = c.seal(key, nonce, ad, pt)
      assert.equal(toHex(out.subarray(out.length - 16)), tag)
      assert.equal(toHex(out.subarray(0, 16)), 'bd6d179d3e83d43b9576579493c0e939')
      assert.deepEqual(c.open(key, nonce, ad, out), pt)
    }
  })

  void it('same bytes, same refusals (fast-check, numRuns 100)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat(),
        (key, nonce, ad, pt, flip) => {
          const a = nodeFileCipher.seal(key, nonce, ad, pt)
          assert.deepEqual(a, nobleFileCipher.seal(key, nonce, ad, pt))
          assert.deepEqual(nobleFileCipher.open(key, nonce, ad, a), pt)
          assert.deepEqual(nodeFileCipher.open(key, nonce, ad, a), pt)
          const bad = Uint8Array.from(a)
          bad[flip % bad.length]! ^= 1
          assert.equal(nodeFileCipher.open(key, nonce, ad, bad), undefined)
          assert.equal(nobleFileCipher.open(key, nonce, ad, bad), undefined)
          assert.deepEqual(nodeFileCipher.sha256(pt), nobleFileCipher.sha256(pt))
          const h = nodeFileCipher.hasher()
          h.update(pt)
          h.update(ad)
          const r = nobleFileCipher.hasher()
          r.update(pt)
          r.update(ad)
          assert.deepEqual(h.digest(), r.digest())
        },
      ),
      { numRuns: 100 },
    )
  })
})
