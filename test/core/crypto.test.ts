// The two crypto providers: known-answer tests from the RFCs for both, and fast-check properties
// that they agree byte for byte (the vectors in test/vectors/ rely on that).
import { hkdfSync } from 'node:crypto'
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { fromHex, toHex } from '../../src/core/bytes.js'
import { nobleCrypto } from '../../src/core/crypto/noble.js'
import {
  nodeCrypto,
  nodeRng,
  RNG_POOL_BYTES,
  RNG_POOL_MAX_DRAW,
} from '../../src/platform/node-crypto.js'

const providers = [nodeCrypto, nobleCrypto]

describe('crypto providers', () => {
  for (const c of providers) {
    it(`${c.name}: RFC 7748 §5.2 X25519, RFC 8032 §7.1 Ed25519, RFC 5869 A.1 HKDF, FIPS 180 SHA-2`, () => {
      // RFC 7748 §6.1 Alice/Bob.
      const a = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
      const bPub = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
      assert.equal(
        toHex(c.x25519PublicKey(a)),
        '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
      )
      assert.equal(
        toHex(c.x25519(a, bPub)),
        '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
      )
      // RFC 8032 §7.1 TEST 1 (empty message).
      const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')
      const pub = c.ed25519PublicKey(seed)
      assert.equal(toHex(pub), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
      const sig = c.ed25519Sign(seed, new Uint8Array(0))
      assert.equal(
        toHex(sig),
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      )
      assert.equal(c.ed25519Verify(pub, new Uint8Array(0), sig), true)
      assert.equal(c.ed25519Verify(pub, new Uint8Array(1), sig), false)
      // RFC 5869 A.1.
      const okm = c.hkdfSha256(
        fromHex('0b'.repeat(22)),
        fromHex('000102030405060708090a0b0c'),
        fromHex('f0f1f2f3f4f5f6f7f8f9'),
        42,
      )
      assert.equal(
        toHex(okm),
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      )
      assert.equal(
        toHex(c.sha256(new Uint8Array(0))),
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      )
      assert.equal(
        toHex(c.sha512(new TextEncoder().encode('abc'))).slice(0, 32),
        'ddaf35a193617abacc417349ae204131',
      )
    })

    it(`${c.name}: refuses low-order X25519 points and bad AEAD tags`, () => {
      assert.throws(() => c.x25519(new Uint8Array(32).fill(1), new Uint8Array(32)), {
        name: 'InvalidKeyError',
      })
      const key = new Uint8Array(32).fill(2)
      const nonce = new Uint8Array(12)
      const ct = c.aesGcmEncrypt(key, nonce, new Uint8Array([1, 2, 3]), new Uint8Array([9]))
      assert.deepEqual(
        c.aesGcmDecrypt(key, nonce, ct, new Uint8Array([9])),
        new Uint8Array([1, 2, 3]),
      )
      assert.equal(c.aesGcmDecrypt(key, nonce, ct, new Uint8Array([8])), undefined)
      assert.equal(c.aesGcmDecrypt(key, nonce, ct.subarray(0, 10), new Uint8Array([9])), undefined)
    })
  }

  // node-crypto.ts derives HKDF from HMACs (RFC 5869 §2.2–2.3) rather than hkdfSync: it must give
  // hkdfSync's bytes for any input, salt and info empty included, and noble's.
  it('HKDF-SHA256: RFC 5869 A.3 (no salt, no info); the HMAC construction agrees with hkdfSync and noble (fast-check)', () => {
    for (const c of providers) {
      const okm = c.hkdfSha256(fromHex('0b'.repeat(22)), new Uint8Array(0), new Uint8Array(0), 42)
      assert.equal(
        toHex(okm),
        '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
        c.name,
      )
    }
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.integer({ min: 1, max: 255 * 32 }),
        (ikm, salt, info, length) => {
          const want = new Uint8Array(hkdfSync('sha256', ikm, salt, info, length))
          assert.deepEqual(nodeCrypto.hkdfSha256(ikm, salt, info, length), want)
          assert.deepEqual(nobleCrypto.hkdfSha256(ikm, salt, info, length), want)
        },
      ),
      { numRuns: 200 },
    )
    assert.equal(
      nodeCrypto.hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 0).length,
      0,
    )
    assert.equal(
      nodeCrypto.hkdfSha256(new Uint8Array(1), new Uint8Array(0), new Uint8Array(0), 255 * 32)
        .length,
      255 * 32,
    )
    assert.throws(
      () =>
        nodeCrypto.hkdfSha256(
          new Uint8Array(1),
          new Uint8Array(0),
          new Uint8Array(0),
          255 * 32 + 1,
        ),
      RangeError,
    )
  })

  it('node and noble agree on every primitive (fast-check, numRuns 100)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        (k1, k2, msg) => {
          const [n, b] = providers as [typeof nodeCrypto, typeof nobleCrypto]
          assert.deepEqual(n.x25519PublicKey(k1), b.x25519PublicKey(k1))
          const p2 = n.x25519PublicKey(k2)
          assert.deepEqual(n.x25519(k1, p2), b.x25519(k1, p2))
          assert.deepEqual(n.ed25519PublicKey(k1), b.ed25519PublicKey(k1))
          const sig = n.ed25519Sign(k1, msg)
          assert.deepEqual(sig, b.ed25519Sign(k1, msg))
          assert.equal(b.ed25519Verify(n.ed25519PublicKey(k1), msg, sig), true)
          const nonce = k2.subarray(0, 12)
          assert.deepEqual(n.aesGcmEncrypt(k1, nonce, msg, k2), b.aesGcmEncrypt(k1, nonce, msg, k2))
          assert.deepEqual(n.hkdfSha256(msg, k1, k2, 80), b.hkdfSha256(msg, k1, k2, 80))
          assert.deepEqual(n.hmacSha256(k1, msg), b.hmacSha256(k1, msg))
        },
      ),
      { numRuns: 100 },
    )
  })

  it('node: cached public keys never answer for another key, before or after eviction', () => {
    const seeds = Array.from({ length: 100 }, (_, i) => new Uint8Array(32).fill(i + 1))
    const pubs = seeds.map((s) => nodeCrypto.ed25519PublicKey(s))
    const msg = new TextEncoder().encode('kith')
    const sigs = seeds.map((s) => nodeCrypto.ed25519Sign(s, msg))
    // Twice over 100 keys (more than the cache holds): each key verifies its own signature only.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < seeds.length; i++) {
        assert.equal(nodeCrypto.ed25519Verify(pubs[i]!, msg, sigs[i]!), true)
        assert.equal(nodeCrypto.ed25519Verify(pubs[(i + 1) % 100]!, msg, sigs[i]!), false)
      }
    }
    // X25519 likewise: DH against cached public keys agrees with noble's.
    for (const i of [0, 1, 0, 99, 0]) {
      const xp = nobleCrypto.x25519PublicKey(seeds[i]!)
      assert.deepEqual(
        nodeCrypto.x25519(seeds[(i + 7) % 100]!, xp),
        nobleCrypto.x25519(seeds[(i + 7) % 100]!, xp),
      )
    }
  })

  it('node rng: pooled draws have the asked length, never repeat, across refills and above the pool size', () => {
    const seen = new Set<string>()
    // Three pools' worth of 16- and 32-byte draws, odd sizes between, one draw over the maximum.
    let drawn = 0
    for (let i = 0; drawn < 3 * RNG_POOL_BYTES; i++) {
      const n = [16, 32, 7, 64, RNG_POOL_MAX_DRAW][i % 5]!
      const b = nodeRng(n)
      assert.equal(b.length, n)
      drawn += n
      if (n >= 16) {
        const hex = toHex(b)
        assert.ok(!seen.has(hex), 'a draw repeated')
        seen.add(hex)
      }
    }
    const big = nodeRng(RNG_POOL_MAX_DRAW + 1)
    assert.equal(big.length, RNG_POOL_MAX_DRAW + 1)
    assert.equal(nodeRng(0).length, 0)
    // Not all zero (a pool never filled would give zeros).
    assert.ok(nodeRng(32).some((x) => x !== 0))
  })
})
