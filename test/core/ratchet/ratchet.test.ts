// Double Ratchet with header encryption: round trips, out-of-order delivery, replays, MAX_SKIP
// and MAX_SKIPPED_KEYS at their limits, and transactional failure (state unchanged).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  initAlice,
  initBob,
  ratchetDecrypt,
  ratchetEncrypt,
  type RatchetCiphertext,
  type RatchetInit,
} from '../../../src/core/ratchet/ratchet.js'
import { MAX_SKIP, MAX_SKIPPED_KEYS } from '../../../src/core/ratchet/limits.js'
import type { RatchetState } from '../../../src/core/ratchet/state.js'
import { SessionRecord } from '../../../src/core/session/record.js'
import { utf8 } from '../../../src/core/bytes.js'
import { testContext } from '../../helpers/context.js'

const enc = (s: string) => utf8(s)
const dec = (b: Uint8Array) => new TextDecoder().decode(b)
const snapshot = (s: RatchetState) => new SessionRecord(s).serialize()

export function pair(seed = 'ratchet') {
  const ctx = testContext(seed)
  const init: RatchetInit = {
    sk: ctx.rng(32),
    sharedHka: ctx.rng(32),
    sharedNhkb: ctx.rng(32),
    ad: ctx.rng(66),
    localIdentity: ctx.rng(32),
    remoteIdentity: ctx.rng(32),
    baseKey: ctx.rng(32),
  }
  const spkPriv = ctx.rng(32)
  const spkPub = ctx.crypto.x25519PublicKey(spkPriv)
  return { ctx, alice: initAlice(ctx, init, spkPub), bob: initBob(init, spkPriv, spkPub) }
}

describe('double ratchet (header encryption)', () => {
  it('round-trips in ping-pong and in one-direction runs', () => {
    let { ctx, alice, bob } = pair()
    for (let i = 0; i < 20; i++) {
      const burst = (i % 3) + 1
      for (let j = 0; j < burst; j++) {
        const e = ratchetEncrypt(ctx, alice, enc(`a${i}.${j}`))
        alice = e.state
        const d = ratchetDecrypt(ctx, bob, e.message)
        bob = d.state
        assert.equal(dec(d.plaintext), `a${i}.${j}`)
      }
      const e = ratchetEncrypt(ctx, bob, enc(`b${i}`))
      bob = e.state
      const d = ratchetDecrypt(ctx, alice, e.message)
      alice = d.state
      assert.equal(dec(d.plaintext), `b${i}`)
    }
  })

  it('headers hide counters and ratchet keys: equal-length, no public key visible', () => {
    let { ctx, alice } = pair()
    const msgs: RatchetCiphertext[] = []
    for (let i = 0; i < 3; i++) {
      const e = ratchetEncrypt(ctx, alice, enc('x'))
      alice = e.state
      msgs.push(e.message)
    }
    const pub = Buffer.from(alice.dhsPublic).toString('hex')
    for (const m of msgs) {
      assert.equal(m.header.length, 68)
      assert.ok(!Buffer.from(m.header).toString('hex').includes(pub))
    }
  })

  it('decrypts out of order across DH steps, each message exactly once', () => {
    let { ctx, alice, bob } = pair()
    const sent: { m: RatchetCiphertext; t: string }[] = []
    for (let i = 0; i < 5; i++) {
      const e = ratchetEncrypt(ctx, alice, enc(`m${i}`))
      alice = e.state
      sent.push({ m: e.message, t: `m${i}` })
    }
    // Bob gets m4 first, replies (DH step), Alice sends more in the new chain.
    let d = ratchetDecrypt(ctx, bob, sent[4]!.m)
    bob = d.state
    assert.equal(dec(d.plaintext), 'm4')
    const r = ratchetEncrypt(ctx, bob, enc('reply'))
    bob = r.state
    alice = ratchetDecrypt(ctx, alice, r.message).state
    const e = ratchetEncrypt(ctx, alice, enc('new-chain'))
    alice = e.state
    d = ratchetDecrypt(ctx, bob, e.message)
    bob = d.state
    assert.equal(dec(d.plaintext), 'new-chain')
    for (const i of [2, 0, 3, 1]) {
      d = ratchetDecrypt(ctx, bob, sent[i]!.m)
      bob = d.state
      assert.equal(dec(d.plaintext), sent[i]!.t)
    }
    assert.equal(bob.skipped.size, 0)
    // Replays of skipped-then-used and in-chain messages are rejected with state unchanged.
    for (const m of [sent[1]!.m, e.message]) {
      const before = snapshot(bob)
      assert.throws(
        () => ratchetDecrypt(ctx, bob, m),
        (err: Error) => ['DuplicateMessageError', 'DecryptionError'].includes(err.name),
      )
      assert.deepEqual(snapshot(bob), before)
    }
  })

  it('rejects a replay in the current chain with DuplicateMessageError', () => {
    let { ctx, alice, bob } = pair()
    const e = ratchetEncrypt(ctx, alice, enc('once'))
    alice = e.state
    bob = ratchetDecrypt(ctx, bob, e.message).state
    const before = snapshot(bob)
    assert.throws(() => ratchetDecrypt(ctx, bob, e.message), { name: 'DuplicateMessageError' })
    assert.deepEqual(snapshot(bob), before)
  })

  it(`accepts a skip of exactly MAX_SKIP (${MAX_SKIP}) and rejects MAX_SKIP+1 with state unchanged`, () => {
    let { ctx, alice, bob } = pair()
    const msgs: RatchetCiphertext[] = []
    for (let i = 0; i <= MAX_SKIP + 1; i++) {
      const e = ratchetEncrypt(ctx, alice, enc(`${i}`))
      alice = e.state
      msgs.push(e.message)
    }
    const before = snapshot(bob)
    assert.throws(() => ratchetDecrypt(ctx, bob, msgs[MAX_SKIP + 1]!), {
      name: 'TooManySkippedKeysError',
    })
    assert.deepEqual(snapshot(bob), before)
    const d = ratchetDecrypt(ctx, bob, msgs[MAX_SKIP]!)
    assert.equal(dec(d.plaintext), `${MAX_SKIP}`)
    assert.equal(d.state.skipped.size, MAX_SKIP)
  })

  it(`keeps at most MAX_SKIPPED_KEYS (${MAX_SKIPPED_KEYS}) skipped keys, evicting the oldest`, () => {
    let { ctx, alice, bob } = pair()
    // Two chains: skip MAX_SKIPPED_KEYS in the first, then one more in the next chain.
    const first: RatchetCiphertext[] = []
    for (let i = 0; i <= MAX_SKIPPED_KEYS; i++) {
      const e = ratchetEncrypt(ctx, alice, enc(`${i}`))
      alice = e.state
      first.push(e.message)
    }
    bob = ratchetDecrypt(ctx, bob, first[MAX_SKIPPED_KEYS]!).state
    assert.equal(bob.skipped.size, MAX_SKIPPED_KEYS)
    const r = ratchetEncrypt(ctx, bob, enc('r'))
    bob = r.state
    alice = ratchetDecrypt(ctx, alice, r.message).state
    const a = ratchetEncrypt(ctx, alice, enc('skipped'))
    alice = a.state
    const b = ratchetEncrypt(ctx, alice, enc('b'))
    alice = b.state
    bob = ratchetDecrypt(ctx, bob, b.message).state
    assert.equal(bob.skipped.size, MAX_SKIPPED_KEYS, 'the cap holds at MAX+1')
    // The oldest (message 0 of the first chain) was evicted; message 1 and the new one remain.
    assert.throws(() => ratchetDecrypt(ctx, bob, first[0]!), { name: 'DecryptionError' })
    assert.equal(dec(ratchetDecrypt(ctx, bob, first[1]!).plaintext), '1')
    assert.equal(dec(ratchetDecrypt(ctx, bob, a.message).plaintext), 'skipped')
  })

  it('a tampered body leaves the state unchanged and the real message still decrypts', () => {
    let { ctx, alice, bob } = pair()
    const e = ratchetEncrypt(ctx, alice, enc('hello'))
    alice = e.state
    const bad = { header: e.message.header, ciphertext: e.message.ciphertext.slice() }
    bad.ciphertext[0]! ^= 1
    const before = snapshot(bob)
    assert.throws(() => ratchetDecrypt(ctx, bob, bad), { name: 'DecryptionError' })
    assert.deepEqual(snapshot(bob), before)
    assert.equal(dec(ratchetDecrypt(ctx, bob, e.message).plaintext), 'hello')
  })
})
