// Known-answer vectors (test/vectors/*.json): rebuilt from their seeds with both crypto
// providers and compared byte for byte, then decrypted independently from the stored bytes.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { nobleCrypto } from '../../src/core/crypto/noble.js'
import { fromHex, toHex } from '../../src/core/bytes.js'
import { decodePrekeyBundle } from '../../src/core/wire/codec.js'
import {
  parseSafetyNumber,
  safetyNumber,
  compareScanned,
} from '../../src/core/identity/fingerprint.js'
import { groupDecrypt, processSenderKeyDistribution } from '../../src/core/group/index.js'
import {
  buildConversation,
  buildSafetyNumbers,
  buildSenderKeys,
  type ConversationVector,
  type SafetyNumberVector,
  type SenderKeyVector,
} from '../vectors/build.js'
import { testContext } from '../helpers/context.js'
import { makeParty, str, text } from '../helpers/parties.js'

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T

describe('known-answer vectors', () => {
  const conversation = load<ConversationVector>('pqxdh-ratchet.json')
  const senderKeys = load<SenderKeyVector>('sender-keys.json')
  const safety = load<SafetyNumberVector>('safety-numbers.json')

  for (const crypto of [nodeCrypto, nobleCrypto]) {
    it(`rebuilds every vector byte for byte with the ${crypto.name} provider`, () => {
      assert.deepEqual(buildConversation(crypto), conversation)
      assert.deepEqual(buildSenderKeys(crypto), senderKeys)
      assert.deepEqual(buildSafetyNumbers(crypto), safety)
    })
  }

  // Each side alone, from its seed and the stored bytes: it decrypts what the other sent and
  // re-encrypts exactly what it sent itself (its rng is consumed in the same order).
  for (const side of ['alice', 'bob'] as const) {
    it(`replays the stored conversation as ${side} alone, and rejects the invalid cases`, () => {
      const me = makeParty(conversation.seeds[side], testContext(conversation.seeds[side]))
      const other = side === 'alice' ? conversation.bob.peerId : conversation.alice.peerId
      assert.equal(me.peerId, conversation[side].peerId)
      if (side === 'bob')
        me.bundle() // regenerates the one-time prekeys the bundle named
      else me.cipher.initiate(other, decodePrekeyBundle(fromHex(conversation.bob.bundle)))
      for (const m of conversation.messages) {
        if (m.from === side) {
          assert.equal(toHex(me.cipher.encrypt(other, text(m.plaintext))), m.envelope)
        } else {
          assert.equal(str(me.receive(other, fromHex(m.envelope)).plaintext), m.plaintext)
        }
      }
      for (const c of conversation.invalid.filter((x) => x.to === side)) {
        assert.equal(c.valid, false)
        assert.throws(() => me.receive(other, fromHex(c.envelope)), { name: c.error })
      }
    })
  }

  it('decrypts the stored sender-key messages from the distribution alone', () => {
    const bob = makeParty('vector-reader')
    processSenderKeyDistribution(
      bob.ctx,
      bob.store,
      senderKeys.sender,
      fromHex(senderKeys.distribution),
    )
    for (const m of senderKeys.messages) {
      assert.equal(
        str(groupDecrypt(bob.ctx, bob.store, senderKeys.sender, fromHex(m.message))),
        m.plaintext,
      )
    }
  })

  it('recomputes the stored safety numbers from the keys, symmetric and mirrored', () => {
    for (const c of safety.cases) {
      const [a, b] = [fromHex(c.a), fromHex(c.b)]
      assert.equal(safetyNumber(nodeCrypto, a, b), parseSafetyNumber(c.safetyNumber))
      assert.equal(safetyNumber(nodeCrypto, b, a), parseSafetyNumber(c.safetyNumber))
      assert.equal(compareScanned(c.scannableA, c.scannableB), true)
    }
  })
})
