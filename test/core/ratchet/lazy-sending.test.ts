// The DH ratchet step's deferred sending half (src/core/ratchet/ratchet.ts dhRatchetStep,
// issue 17) against the eager order of Double Ratchet §3.5 DHRatchet: for any interleaving of
// sends, in-order and out-of-order deliveries, duplicates and drops, two conversations from the
// same seeds — one as the code runs (lazy), one that derives the sending half right after every
// decryption (prepareSending: the eager order, the code before the change) — produce the same
// bytes on the wire, the same plaintexts, the same errors, and the same stored state whenever
// the lazy one has nothing pending. Plus: stored records of both kinds load, and a record written
// before the change (no sendingPending field) continues its conversation.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  initAlice,
  initBob,
  prepareSending,
  ratchetDecrypt,
  ratchetEncrypt,
  type RatchetCiphertext,
  type RatchetInit,
} from '../../../src/core/ratchet/ratchet.js'
import type { RatchetState } from '../../../src/core/ratchet/state.js'
import { SessionRecord } from '../../../src/core/session/record.js'
import type { CoreContext } from '../../../src/core/crypto/provider.js'
import { fromHex, toHex, utf8 } from '../../../src/core/bytes.js'
import { testContext } from '../../helpers/context.js'

interface Side {
  ctx: CoreContext
  state: RatchetState
}

/** Alice and Bob, each with its own seeded rng (the draw order per party is what must match). */
function conversation(seed: string): [Side, Side] {
  const setup = testContext(`${seed}-setup`)
  const init: RatchetInit = {
    sk: setup.rng(32),
    sharedHka: setup.rng(32),
    sharedNhkb: setup.rng(32),
    ad: setup.rng(66),
    localIdentity: setup.rng(32),
    remoteIdentity: setup.rng(32),
    baseKey: setup.rng(32),
  }
  const spkPriv = setup.rng(32)
  const spkPub = setup.crypto.x25519PublicKey(spkPriv)
  const a = testContext(`${seed}-a`)
  return [
    { ctx: a, state: initAlice(a, init, spkPub) },
    { ctx: testContext(`${seed}-b`), state: initBob(init, spkPriv, spkPub) },
  ]
}

const stored = (s: RatchetState) => toHex(new SessionRecord(s).serialize())
const wire = (m: RatchetCiphertext) => toHex(m.header) + toHex(m.ciphertext)

type Action =
  | { kind: 'send'; from: 0 | 1 }
  | { kind: 'deliver'; to: 0 | 1; pick: number; keep: boolean }
  | { kind: 'drop'; to: 0 | 1; pick: number }

const side = fc.constantFrom(0 as const, 1 as const)
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), from: side }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      to: side,
      pick: fc.nat(),
      keep: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('drop' as const), to: side, pick: fc.nat() }),
  },
)

/** One step on one conversation; what an observer sees (wire bytes, plaintext or error name). */
function step(
  parties: [Side, Side],
  inFlight: [RatchetCiphertext[], RatchetCiphertext[]],
  a: Action,
  eager: boolean,
  n: number,
): string {
  if (a.kind === 'send') {
    const me = parties[a.from]
    // Alice sends first: Bob has no sending chain before her first message arrives.
    try {
      const e = ratchetEncrypt(me.ctx, me.state, utf8(`m${n}`))
      me.state = e.state
      inFlight[a.from === 0 ? 1 : 0].push(e.message)
      return `sent ${wire(e.message)}`
    } catch (err) {
      return `send refused ${(err as Error).name}`
    }
  }
  const queue = inFlight[a.to]
  if (queue.length === 0) return 'nothing'
  const i = a.pick % queue.length
  const m = queue[i]!
  if (a.kind === 'drop' || !a.keep) queue.splice(i, 1)
  if (a.kind === 'drop') return 'dropped'
  const me = parties[a.to]
  try {
    const d = ratchetDecrypt(me.ctx, me.state, m)
    me.state = eager ? prepareSending(me.ctx, d.state) : d.state
    return `got ${new TextDecoder().decode(d.plaintext)}`
  } catch (err) {
    return `refused ${(err as Error).name}`
  }
}

describe('deferred sending half of the DH ratchet step', () => {
  it('lazy == eager for any interleaving: same wire bytes, plaintexts, errors, states (numRuns 200)', () => {
    let seedN = 0
    let runsWithPending = 0
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 60 }), (actions) => {
        const seed = `lazy-${seedN++}`
        const lazy = conversation(seed)
        const eager = conversation(seed)
        const lazyQ: [RatchetCiphertext[], RatchetCiphertext[]] = [[], []]
        const eagerQ: [RatchetCiphertext[], RatchetCiphertext[]] = [[], []]
        let pendingSeen = false
        // Alice's first message opens every run, so most runs see Bob's first DH step.
        const run: Action[] = [{ kind: 'send', from: 0 }, ...actions]
        run.forEach((a, n) => {
          assert.equal(step(lazy, lazyQ, a, false, n), step(eager, eagerQ, a, true, n))
          for (const p of [0, 1] as const) {
            const l = lazy[p].state
            assert.equal(eager[p].state.sendingPending, false)
            if (l.sendingPending) pendingSeen = true
            else assert.equal(stored(l), stored(eager[p].state))
          }
        })
        // Each side sends once more: whatever was pending is derived, and the states meet.
        for (const from of [0, 1] as const) {
          const a: Action = { kind: 'send', from }
          assert.equal(step(lazy, lazyQ, a, false, 99), step(eager, eagerQ, a, true, 99))
        }
        for (const p of [0, 1] as const) {
          if (lazy[p].state.cks.length > 0)
            assert.equal(stored(lazy[p].state), stored(eager[p].state))
        }
        if (pendingSeen) runsWithPending++
      }),
      { numRuns: 200 },
    )
    // The property is about pending states: most runs must have had one.
    assert.ok(runsWithPending > 100, `only ${runsWithPending} runs had a pending sending half`)
  })

  it('a DH step leaves the sending half pending and drops the old ratchet private key', () => {
    const [alice, bob] = conversation('pending')
    const e = ratchetEncrypt(alice.ctx, alice.state, utf8('hi'))
    const d = ratchetDecrypt(bob.ctx, bob.state, e.message)
    assert.equal(d.state.sendingPending, true)
    assert.equal(d.state.dhsPrivate.length, 0)
    assert.equal(d.state.cks.length, 0)
    assert.equal(d.state.nhks.length, 0)
    assert.equal(d.state.hks.length, 32, 'the header key of the next sending chain is known')
    // The receiving state is untouched by the receive (transactional), and the pending one
    // survives the store's encoding.
    assert.equal(bob.state.sendingPending, false)
    const back = SessionRecord.deserialize(new SessionRecord(d.state).serialize()).current!
    assert.equal(back.sendingPending, true)
    assert.equal(stored(back), stored(d.state))
    // Sending derives it, and Alice reads the answer.
    const r = ratchetEncrypt(bob.ctx, back, utf8('hello'))
    assert.equal(r.state.sendingPending, false)
    assert.equal(r.state.dhsPrivate.length, 32)
    const got = ratchetDecrypt(alice.ctx, e.state, r.message)
    assert.equal(new TextDecoder().decode(got.plaintext), 'hello')
  })

  it('refuses a stored pending state that still holds a key pair, or a key pair without one', () => {
    const [alice, bob] = conversation('malformed')
    const e = ratchetEncrypt(alice.ctx, alice.state, utf8('hi'))
    const pending = ratchetDecrypt(bob.ctx, bob.state, e.message).state
    const withKey = pending.clone()
    withKey.dhsPrivate = new Uint8Array(32)
    assert.throws(() => SessionRecord.deserialize(new SessionRecord(withKey).serialize()), {
      name: 'MalformedMessageError',
    })
    const noKey = alice.state.clone()
    noKey.dhsPrivate = new Uint8Array(0)
    assert.throws(() => SessionRecord.deserialize(new SessionRecord(noKey).serialize()), {
      name: 'MalformedMessageError',
    })
  })

  it('loads records written before the change and continues their conversation', () => {
    // Written by the code before the deferred sending half (0e60458, eager DH step): Alice
    // after sending her first message, Bob after receiving it (his sending chain derived).
    const old = {
      alice:
        '080112be030a20d8f2cdcdb43d67b65bf8a3d7c3d9bd7ec32c65fb78779a65235edca1658ef3f712204f193490cebb02d621c01283806b6bf37bc8d15b704f4d61d2b0b5a02e482cc91a203da15a5751a7889982fb95a06ff8e5c85c55f7b865e8abbc2214c6eb4b75b3a622207165e4aa08bbaf83243bedc3ece1a47cb413da7a792720f0ee872a4b7515ea7a2a20ffb35615b6ef62ef4e256ecc67106120f1ba471a830381bb0e5cb4e8134fc906322072acf2d2bb3b9e1ee6073ac1011a94a18a73a8dd37c52ad4a7a99efa18d79e553a20d447341a5345c26cce19d83b6f54684b49d1374421b0227a1b6b6847e91614d148016220f45825bde0bccec1caa7de080dc47fa2494587e15a23047d0cd2d018638e834c72201e9cad31bf72a29c147e9425e4fc144e41e2c7d46c8244e3ccdfc926401550637a202803554cacce06d1eb19983cc20583ac0f2d256fb5ac06abd33cdc474c840a28920120821a2c503869f419b566cae952b89f20ace2080c4a306469e0cabb1ecdd4a5539a0142f7558a797c0c9ce7cee495d30166879513246bf5624519b3763d22814e706a1c443256266ec71845846288cffb7118b2b20d27ad05c302aee80a8041daa3d6ba5f40',
      bob: '08011282040a20d8f2cdcdb43d67b65bf8a3d7c3d9bd7ec32c65fb78779a65235edca1658ef3f712204f193490cebb02d621c01283806b6bf37bc8d15b704f4d61d2b0b5a02e482cc91a201127e9161102d9d434a129ff5f91a78c16cc14384d1ecb48f202d943f58e42a32220c4c501991996e25e0a2ad1f48162058cabef90b382132bbe0c90f6fb1d2d44492a2066156857be5f85a5634850e81477f50de1301e5e1af39e3c183113afe854a91b3220ffb35615b6ef62ef4e256ecc67106120f1ba471a830381bb0e5cb4e8134fc9063a20b5d4e36a6c318cf4915d8c287ead19d7a2b1e44f119a4333b7adbffe310b2f084220d447341a5345c26cce19d83b6f54684b49d1374421b0227a1b6b6847e91614d1500162202803554cacce06d1eb19983cc20583ac0f2d256fb5ac06abd33cdc474c840a286a20f45825bde0bccec1caa7de080dc47fa2494587e15a23047d0cd2d018638e834c722089b7eb4302f7df3a29746e0b15c900dd3fb621c531be971fd9f5d26daea327847a201e9cad31bf72a29c147e9425e4fc144e41e2c7d46c8244e3ccdfc92640155063920120821a2c503869f419b566cae952b89f20ace2080c4a306469e0cabb1ecdd4a5539a0142f7558a797c0c9ce7cee495d30166879513246bf5624519b3763d22814e706a1c443256266ec71845846288cffb7118b2b20d27ad05c302aee80a8041daa3d6ba5f40',
    }
    const alice = SessionRecord.deserialize(fromHex(old.alice)).current!
    const bob = SessionRecord.deserialize(fromHex(old.bob)).current!
    assert.equal(bob.sendingPending, false)
    assert.equal(bob.cks.length, 32)
    // The encoding is unchanged for such states: re-serialized byte for byte.
    assert.equal(toHex(new SessionRecord(bob).serialize()), old.bob)
    assert.equal(toHex(new SessionRecord(alice).serialize()), old.alice)
    const ctxA = testContext('old-record-a2')
    const ctxB = testContext('old-record-b2')
    const r = ratchetEncrypt(ctxB, bob, utf8('after the change'))
    const a2 = ratchetDecrypt(ctxA, alice, r.message)
    assert.equal(new TextDecoder().decode(a2.plaintext), 'after the change')
    assert.equal(a2.state.sendingPending, true)
    const back = ratchetEncrypt(ctxA, a2.state, utf8('and back'))
    assert.equal(
      new TextDecoder().decode(ratchetDecrypt(ctxB, r.state, back.message).plaintext),
      'and back',
    )
  })
})
