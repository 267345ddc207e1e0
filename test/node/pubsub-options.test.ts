// The gossipsub options Kith chose by Kith's message sizes (src/node/pubsub/index.ts): IDONTWANT
// is sent for group messages above the short-text padding bucket only (PUBSUB_IDONTWANT_MIN_BYTES,
// measured in the group bench), and the option reaches gossipsub. Real Sender Key messages, no
// network.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createOwnState, encryptWithRecord, SenderKeyRecord } from '../../src/core/group/index.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import {
  PUBSUB_D,
  PUBSUB_DLO,
  PUBSUB_IDONTWANT_MIN_BYTES,
  pubsubOptions,
} from '../../src/node/pubsub/index.js'

function groupMessageBytes(plaintextBytes: number): number {
  const rec = SenderKeyRecord.empty()
  rec.addState(createOwnState({ crypto: nodeCrypto, rng: nodeRng }))
  return encryptWithRecord(nodeCrypto, rec, new Uint8Array(16), new Uint8Array(plaintextBytes))
    .length
}

describe('gossipsub options by message size', () => {
  it('a short text (256-byte bucket) sends no IDONTWANT; the 512-byte bucket does', () => {
    for (const n of [1, 48, 255]) {
      assert.ok(groupMessageBytes(n) < PUBSUB_IDONTWANT_MIN_BYTES, `${n}-byte text`)
    }
    for (const n of [256, 511, 1000]) {
      assert.ok(groupMessageBytes(n) >= PUBSUB_IDONTWANT_MIN_BYTES, `${n}-byte text`)
    }
    assert.equal(pubsubOptions().idontwantMinDataSize, PUBSUB_IDONTWANT_MIN_BYTES)
  })

  it('bench tuning overrides only what it names', () => {
    const o = pubsubOptions({ D: 3, Dlo: 2, Dout: 1 })
    assert.deepEqual([o.D, o.Dlo, o.Dout, o.Dhi], [3, 2, 1, pubsubOptions().Dhi])
    assert.deepEqual([pubsubOptions().D, pubsubOptions().Dlo], [PUBSUB_D, PUBSUB_DLO])
  })
})
