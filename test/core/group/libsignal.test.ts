// Known answers from libsignal itself (@signalapp/libsignal-client, dev dependency only): Kith's
// sender chain (seed = HMAC(CK, 0x01), CK' = HMAC(CK, 0x02)) must be libsignal's. libsignal
// then expands the seed with info "WhisperGroup" for AES-256-CBC where Kith uses its own label
// and AES-256-GCM, so we open libsignal's CBC ciphertexts with seeds from Kith's SenderChainKey.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createDecipheriv, hkdfSync } from 'node:crypto'
import {
  ProtocolAddress,
  SenderKeyDistributionMessage,
  SenderKeyMessage,
  SenderKeyRecord as LibsignalRecord,
  SenderKeyStore as LibsignalStore,
  groupEncrypt as libsignalGroupEncrypt,
} from '@signalapp/libsignal-client'
import { nobleCrypto } from '../../../src/core/crypto/noble.js'
import { nodeCrypto } from '../../../src/platform/node-crypto.js'
import { SenderChainKey } from '../../../src/core/group/index.js'

class InMemory extends LibsignalStore {
  #records = new Map<string, Uint8Array<ArrayBuffer>>()
  saveSenderKey(sender: ProtocolAddress, id: string, record: LibsignalRecord): Promise<void> {
    this.#records.set(`${sender.toString()}/${id}`, record.serialize())
    return Promise.resolve()
  }
  getSenderKey(sender: ProtocolAddress, id: string): Promise<LibsignalRecord | null> {
    const r = this.#records.get(`${sender.toString()}/${id}`)
    return Promise.resolve(r ? LibsignalRecord.deserialize(r) : null)
  }
}

describe('sender chain: libsignal known answers', () => {
  it('derives the message seeds libsignal encrypts with, at every iteration', async () => {
    const sender = ProtocolAddress.new('alice', 1)
    const distributionId = '42424242-4242-4242-8242-424242424242'
    const store = new InMemory()
    const skdm = await SenderKeyDistributionMessage.create(sender, distributionId, store)
    assert.equal(skdm.iteration(), 0)
    let chain = new SenderChainKey(0, skdm.chainKey())
    for (let i = 0; i < 40; i++) {
      const plaintext = Buffer.from(`libsignal message ${i}`)
      const wire = (
        await libsignalGroupEncrypt(sender, distributionId, store, plaintext)
      ).serialize()
      const skm = SenderKeyMessage.deserialize(wire)
      assert.equal(skm.iteration(), i)
      assert.equal(chain.iteration, i)
      const seed = chain.messageSeed(i % 2 === 0 ? nodeCrypto : nobleCrypto)
      // sender_keys.rs SenderMessageKey::new: HKDF(seed, info "WhisperGroup") → IV(16) ‖ key(32).
      const derived = Buffer.from(hkdfSync('sha256', seed, new Uint8Array(0), 'WhisperGroup', 48))
      const decipher = createDecipheriv(
        'aes-256-cbc',
        derived.subarray(16),
        derived.subarray(0, 16),
      )
      const opened = Buffer.concat([decipher.update(skm.ciphertext()), decipher.final()])
      assert.deepEqual(opened, plaintext)
      chain = chain.next(i % 2 === 0 ? nobleCrypto : nodeCrypto)
    }
  })
})
