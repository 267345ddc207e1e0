// Determinism and provider agreement (src/core/group/): with the same seeded rng, nodeCrypto and
// nobleCrypto produce identical distributions, messages and records, and each decrypts the
// other's output. The KDF chain is checked against an independent node:crypto computation.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto'
import { concat, u32be, utf8 } from '../../../src/core/bytes.js'
import { nobleCrypto } from '../../../src/core/crypto/noble.js'
import type { CryptoProvider } from '../../../src/core/crypto/provider.js'
import { nodeCrypto } from '../../../src/platform/node-crypto.js'
import {
  SenderChainKey,
  decodeDistribution,
  decodeSenderKeyMessage,
  groupDecrypt,
  groupEncrypt,
} from '../../../src/core/group/index.js'
import { ALICE, GROUP, twoMembers } from './helpers.js'

/** Alice sends 20 messages (some lost to Bob), all bytes collected in order. */
function transcript(crypto: CryptoProvider, seed: string): Uint8Array[] {
  const { ctx, alice, bob, distribution } = twoMembers(seed, crypto)
  const out = [distribution]
  for (let i = 0; i < 20; i++) {
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, utf8(`m${i}`.repeat(i)))
    out.push(msg)
    if (i % 3 !== 0) groupDecrypt(ctx, bob, ALICE, msg)
  }
  out.push(alice.bytes(ALICE, GROUP), bob.bytes(ALICE, GROUP))
  return out
}

describe('sender keys: determinism and providers', () => {
  it('node and noble produce identical bytes for the same rng; reruns repeat them', () => {
    const node = transcript(nodeCrypto, 'providers')
    const noble = transcript(nobleCrypto, 'providers')
    assert.deepEqual(noble, node)
    assert.deepEqual(transcript(nodeCrypto, 'providers'), node)
    assert.notDeepEqual(transcript(nodeCrypto, 'another seed'), node)
  })

  it('each provider decrypts what the other encrypted', () => {
    for (const [enc, dec] of [
      [nodeCrypto, nobleCrypto],
      [nobleCrypto, nodeCrypto],
    ] as const) {
      const { ctx, alice, bob } = twoMembers(`cross-${enc.name}`, enc)
      const msg = groupEncrypt(ctx, alice, ALICE, GROUP, utf8('across'))
      const pt = groupDecrypt({ ...ctx, crypto: dec }, bob, ALICE, msg)
      assert.deepEqual(pt, utf8('across'))
    }
  })

  it('follows the specified KDFs and AEAD (independent node:crypto computation)', () => {
    const { ctx, alice, distribution } = twoMembers('kdf')
    const d = decodeDistribution(distribution).state
    let ck = Buffer.from(d.chain.key)
    for (let i = 0; i < 3; i++) {
      const msg = decodeSenderKeyMessage(groupEncrypt(ctx, alice, ALICE, GROUP, utf8(`p${i}`)))
      assert.equal(msg.iteration, i)
      // seed = HMAC(CK, 0x01); key ‖ nonce = HKDF(seed, salt = empty, info, 44).
      const seed = createHmac('sha256', ck).update(Uint8Array.of(1)).digest()
      const okm = Buffer.from(
        hkdfSync('sha256', seed, new Uint8Array(0), 'Kith_SenderKey_MessageKey_v1', 44),
      )
      const decipher = createDecipheriv('aes-256-gcm', okm.subarray(0, 32), okm.subarray(32, 44))
      decipher.setAAD(concat(GROUP, u32be(d.chainId), u32be(i)))
      decipher.setAuthTag(msg.ciphertext.subarray(-16))
      const pt = Buffer.concat([decipher.update(msg.ciphertext.subarray(0, -16)), decipher.final()])
      // The plaintext is padded to its bucket: text ‖ 0x80 ‖ zeros (ISO/IEC 7816-4).
      assert.equal(pt.length, 256)
      assert.equal(pt.subarray(0, 2).toString(), `p${i}`)
      assert.equal(pt[2], 0x80)
      assert.ok(pt.subarray(3).every((b) => b === 0))
      // CK' = HMAC(CK, 0x02)
      ck = createHmac('sha256', ck).update(Uint8Array.of(2)).digest()
    }
    const third = new SenderChainKey(0, d.chain.key)
      .next(nobleCrypto)
      .next(nodeCrypto)
      .next(nobleCrypto)
    assert.deepEqual(third.key, new Uint8Array(ck))
    assert.equal(third.iteration, 3)
  })
})
