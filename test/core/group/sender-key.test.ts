// Sender Keys through the store API (src/core/group/sender-keys.ts): round trips, out-of-order and
// duplicate delivery, the three named limits at MAX and MAX+1 with state eviction, and the
// transactional rule: on every error the stored record is byte-for-byte unchanged; the two-phase
// decrypt stores nothing until its commit.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { utf8 } from '../../../src/core/bytes.js'
import { MAX_PLAINTEXT_BYTES, MAX_SENDER_KEY_MESSAGE_BYTES } from '../../../src/core/wire/limits.js'
import {
  MAX_FORWARD_JUMPS,
  MAX_MESSAGE_KEYS,
  MAX_SENDER_KEY_STATES,
  decodeDistribution,
  decodeSenderKeyMessage,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  groupDecryptPending,
  rotateSenderKey,
} from '../../../src/core/group/index.js'
import { ALICE, GROUP, MapSenderKeyStore, messageAt, throwsWith, twoMembers } from './helpers.js'

const text = (i: number) => utf8(`message ${i}`)
const decoder = new TextDecoder()

describe('sender keys: delivery', () => {
  it('round-trips 300 messages to two receivers, in order', () => {
    const { ctx, alice, bob, distribution } = twoMembers()
    const carol = new MapSenderKeyStore()
    processSenderKeyDistribution(ctx, carol, ALICE, distribution)
    for (let i = 0; i < 300; i++) {
      const msg = groupEncrypt(ctx, alice, ALICE, GROUP, text(i))
      assert.equal(decodeSenderKeyMessage(msg).iteration, i)
      assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, msg)), `message ${i}`)
      assert.equal(decoder.decode(groupDecrypt(ctx, carol, ALICE, msg)), `message ${i}`)
    }
    // In-order delivery leaves no skipped keys behind.
    assert.deepEqual(bob.record(ALICE, GROUP).newest()?.skippedIterations, [])
  })

  it('encrypts the empty plaintext and the largest one (MAX_PLAINTEXT_BYTES); refuses one more', () => {
    const { ctx, alice, bob } = twoMembers()
    const empty = groupEncrypt(ctx, alice, ALICE, GROUP, new Uint8Array(0))
    assert.deepEqual(groupDecrypt(ctx, bob, ALICE, empty), new Uint8Array(0))
    const big = new Uint8Array(MAX_PLAINTEXT_BYTES).fill(7)
    const msg = groupEncrypt(ctx, alice, ALICE, GROUP, big)
    assert.ok(msg.length <= MAX_SENDER_KEY_MESSAGE_BYTES, `${msg.length} bytes`)
    assert.deepEqual(groupDecrypt(ctx, bob, ALICE, msg), big)
    const before = alice.bytes(ALICE, GROUP)
    assert.throws(
      () => groupEncrypt(ctx, alice, ALICE, GROUP, new Uint8Array(MAX_PLAINTEXT_BYTES + 1)),
      { name: 'MessageTooLargeError' },
    )
    assert.deepEqual(alice.bytes(ALICE, GROUP), before)
  })

  it('decrypts out of order, then refuses each duplicate with the record unchanged', () => {
    const { ctx, alice, bob } = twoMembers()
    const msgs: Uint8Array[] = []
    for (let i = 0; i < 10; i++) msgs.push(groupEncrypt(ctx, alice, ALICE, GROUP, text(i)))
    for (const i of [9, 3, 0, 5, 1, 8, 2, 7, 4, 6]) {
      const pt = groupDecrypt(ctx, bob, ALICE, msgs[i]!)
      assert.equal(decoder.decode(pt), `message ${i}`)
    }
    assert.deepEqual(bob.record(ALICE, GROUP).newest()?.skippedIterations, [])
    for (const i of [0, 6, 9]) {
      const before = bob.bytes(ALICE, GROUP)
      const writes = bob.writes
      throwsWith(() => groupDecrypt(ctx, bob, ALICE, msgs[i]!), 'DuplicateMessageError')
      assert.deepEqual(bob.bytes(ALICE, GROUP), before)
      assert.equal(bob.writes, writes)
    }
  })

  it('keeps skipped keys only for the gaps, removing each when used', () => {
    const { ctx, alice, bob } = twoMembers()
    const msgs: Uint8Array[] = []
    for (let i = 0; i < 6; i++) msgs.push(groupEncrypt(ctx, alice, ALICE, GROUP, text(i)))
    groupDecrypt(ctx, bob, ALICE, msgs[5]!)
    let state = bob.record(ALICE, GROUP).newest()
    assert.deepEqual(state?.skippedIterations, [0, 1, 2, 3, 4])
    assert.equal(state?.chain.iteration, 6)
    groupDecrypt(ctx, bob, ALICE, msgs[2]!)
    state = bob.record(ALICE, GROUP).newest()
    assert.deepEqual(state?.skippedIterations, [0, 1, 3, 4])
  })

  it('messageAt (the test helper) builds exactly what Alice would send', () => {
    const a = twoMembers('same')
    const b = twoMembers('same')
    for (let i = 0; i < 4; i++) groupEncrypt(a.ctx, a.alice, ALICE, GROUP, text(i))
    const sent = groupEncrypt(a.ctx, a.alice, ALICE, GROUP, text(4))
    const made = messageAt(b.ctx, b.alice, 4, text(4))
    assert.deepEqual(made, sent)
  })
})

describe('sender keys: limits', () => {
  it(`accepts a jump of exactly MAX_FORWARD_JUMPS (${MAX_FORWARD_JUMPS}), refuses one more`, () => {
    const { ctx, alice, bob } = twoMembers()
    const tooFar = messageAt(ctx, alice, MAX_FORWARD_JUMPS + 1, text(1))
    const before = bob.bytes(ALICE, GROUP)
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, tooFar), 'TooManySkippedKeysError')
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)

    const farthest = messageAt(ctx, alice, MAX_FORWARD_JUMPS, text(2))
    assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, farthest)), 'message 2')
    const state = bob.record(ALICE, GROUP).newest()
    assert.equal(state?.chain.iteration, MAX_FORWARD_JUMPS + 1)
    // Of the 25,000 skipped iterations only the newest MAX_MESSAGE_KEYS are kept.
    const kept = state?.skippedIterations ?? []
    assert.equal(kept.length, MAX_MESSAGE_KEYS)
    assert.equal(kept[0], MAX_FORWARD_JUMPS - MAX_MESSAGE_KEYS)
    assert.equal(kept.at(-1), MAX_FORWARD_JUMPS - 1)
    // ... and they work: the oldest kept one decrypts, the one before it is gone.
    const oldestKept = messageAt(ctx, alice, MAX_FORWARD_JUMPS - MAX_MESSAGE_KEYS, text(3))
    assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, oldestKept)), 'message 3')
    const evicted = messageAt(ctx, alice, MAX_FORWARD_JUMPS - MAX_MESSAGE_KEYS - 1, text(4))
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, evicted), 'DuplicateMessageError')
    // The jump is measured from the receiver's chain, not from 0: another full jump is fine.
    const next = messageAt(ctx, alice, 2 * MAX_FORWARD_JUMPS + 1, text(5))
    assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, next)), 'message 5')
  })

  it(`keeps MAX_MESSAGE_KEYS (${MAX_MESSAGE_KEYS}) skipped keys: one more evicts the oldest`, () => {
    const { ctx, alice, bob } = twoMembers()
    const msgs: Uint8Array[] = []
    for (let i = 0; i <= MAX_MESSAGE_KEYS + 1; i++) {
      msgs.push(groupEncrypt(ctx, alice, ALICE, GROUP, text(i)))
    }
    // Decrypting the last skips MAX_MESSAGE_KEYS + 1 iterations: 0 .. MAX_MESSAGE_KEYS.
    groupDecrypt(ctx, bob, ALICE, msgs[MAX_MESSAGE_KEYS + 1]!)
    const kept = bob.record(ALICE, GROUP).newest()?.skippedIterations ?? []
    assert.equal(kept.length, MAX_MESSAGE_KEYS)
    assert.equal(kept[0], 1)
    const before = bob.bytes(ALICE, GROUP)
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, msgs[0]!), 'DuplicateMessageError')
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
    for (const i of [1, MAX_MESSAGE_KEYS]) {
      assert.equal(decoder.decode(groupDecrypt(ctx, bob, ALICE, msgs[i]!)), `message ${i}`)
    }
  })

  it('evicts the oldest skipped keys across several gaps', () => {
    const { ctx, alice, bob } = twoMembers()
    groupDecrypt(ctx, bob, ALICE, messageAt(ctx, alice, 1500, text(1500)))
    groupDecrypt(ctx, bob, ALICE, messageAt(ctx, alice, 3000, text(3000)))
    // Skipped 0..1499 then 1501..2999 (2,999 in all): the oldest 999 are evicted.
    const kept = bob.record(ALICE, GROUP).newest()?.skippedIterations ?? []
    assert.equal(kept.length, MAX_MESSAGE_KEYS)
    assert.equal(kept[0], 999)
    assert.ok(!kept.includes(1500))
    throwsWith(
      () => groupDecrypt(ctx, bob, ALICE, messageAt(ctx, alice, 998, text(998))),
      'DuplicateMessageError',
    )
    const pt = groupDecrypt(ctx, bob, ALICE, messageAt(ctx, alice, 999, text(999)))
    assert.equal(decoder.decode(pt), 'message 999')
  })

  it(`keeps MAX_SENDER_KEY_STATES (${MAX_SENDER_KEY_STATES}) states: one more rotation evicts the oldest`, () => {
    const { ctx, alice, bob, distribution } = twoMembers()
    const chainIds = [decodeDistribution(distribution).state.chainId]
    const oldMessages = [groupEncrypt(ctx, alice, ALICE, GROUP, text(0))]
    for (let r = 1; r <= MAX_SENDER_KEY_STATES; r++) {
      const d = rotateSenderKey(ctx, alice, ALICE, GROUP)
      chainIds.push(decodeDistribution(d).state.chainId)
      processSenderKeyDistribution(ctx, bob, ALICE, d)
      oldMessages.push(groupEncrypt(ctx, alice, ALICE, GROUP, text(r)))
    }
    assert.equal(new Set(chainIds).size, MAX_SENDER_KEY_STATES + 1, 'fresh chain ids')
    const record = bob.record(ALICE, GROUP)
    assert.equal(record.size, MAX_SENDER_KEY_STATES)
    assert.deepEqual(record.chainIds, chainIds.slice(1).reverse())
    // Alice's own record holds only her current chain.
    assert.deepEqual(alice.record(ALICE, GROUP).chainIds, [chainIds.at(-1)])
    // A message signed with the rotated-away, evicted key is refused, the record untouched.
    const before = bob.bytes(ALICE, GROUP)
    throwsWith(() => groupDecrypt(ctx, bob, ALICE, oldMessages[0]!), 'NoSenderKeyError')
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
    // Messages on the chains still kept decrypt, oldest to newest.
    for (let r = 1; r <= MAX_SENDER_KEY_STATES; r++) {
      const pt = groupDecrypt(ctx, bob, ALICE, oldMessages[r]!)
      assert.equal(decoder.decode(pt), `message ${r}`)
    }
  })

  it('two-phase decrypt: nothing is stored until commit; a preloaded record is used as is', () => {
    const { ctx, alice, bob } = twoMembers('pending')
    const m0 = groupEncrypt(ctx, alice, ALICE, GROUP, text(0))
    const m1 = groupEncrypt(ctx, alice, ALICE, GROUP, text(1))
    const before = bob.bytes(ALICE, GROUP)
    const writes = bob.writes
    const p0 = groupDecryptPending(ctx, bob, ALICE, m0)
    assert.equal(decoder.decode(p0.plaintext), 'message 0')
    assert.equal(bob.writes, writes, 'decrypt alone stores nothing')
    assert.deepEqual(bob.bytes(ALICE, GROUP), before)
    // Not committed (the caller's check failed): the same message decrypts again.
    groupDecryptPending(ctx, bob, ALICE, m0).commit()
    assert.equal(bob.writes, writes + 1)
    throwsWith(() => groupDecryptPending(ctx, bob, ALICE, m0), 'DuplicateMessageError')
    // The caller's own copy of the record (decoded once, e.g. by the topic validator).
    const record = bob.record(ALICE, GROUP)
    const entry = bob.loadSenderKey(ALICE, GROUP)!
    const p1 = groupDecryptPending(ctx, bob, ALICE, decodeSenderKeyMessage(m1), { record })
    assert.equal(decoder.decode(p1.plaintext), 'message 1')
    p1.commit()
    assert.deepEqual(bob.bytes(ALICE, GROUP), record.serialize())
    const after = bob.loadSenderKey(ALICE, GROUP)!
    assert.deepEqual([after.currentChain, after.retired], [entry.currentChain, entry.retired])
    throwsWith(
      () => groupDecryptPending(ctx, new MapSenderKeyStore(), ALICE, m1),
      'NoSenderKeyError',
    )
  })
})
