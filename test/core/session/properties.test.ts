// Property tests (fast-check) for 1:1 sessions: any delivery order with drops and duplicates
// within the limits decrypts every delivered message exactly once; any bit flip anywhere in any
// envelope is rejected with a typed error and leaves the receiver's stored state unchanged.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { KithError } from '../../../src/core/errors.js'
import { toHex } from '../../../src/core/bytes.js'
import { makeParty, str, text, type Party } from '../../helpers/parties.js'

function established(seed: string): [Party, Party] {
  const a = makeParty(`${seed}-a`)
  const b = makeParty(`${seed}-b`)
  a.cipher.initiate(b.peerId, b.bundle())
  b.receive(undefined, a.cipher.encrypt(b.peerId, text('hello')))
  a.receive(b.peerId, b.cipher.encrypt(a.peerId, text('hi')))
  return [a, b]
}

function stored(p: Party, peer: string): string {
  return toHex(p.store.loadSession(peer)!)
}

type Action =
  | { kind: 'send'; from: 0 | 1 }
  | { kind: 'deliver'; to: 0 | 1; pick: number; keep: boolean }
  | { kind: 'drop'; to: 0 | 1; pick: number }

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), from: fc.constantFrom(0 as const, 1 as const) }),
  fc.record({
    kind: fc.constant('deliver' as const),
    to: fc.constantFrom(0 as const, 1 as const),
    pick: fc.nat(),
    keep: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('drop' as const),
    to: fc.constantFrom(0 as const, 1 as const),
    pick: fc.nat(),
  }),
)

describe('session properties', () => {
  it('random orders, drops and duplicates: each delivered message decrypts exactly once (numRuns 60)', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 1, maxLength: 80 }), fc.nat(), (actions, seed) => {
        const parties = established(`order-${seed}`)
        const pools: { env: Uint8Array; text: string; id: number }[][] = [[], []]
        const decrypted = new Set<number>()
        let next = 0
        const deliver = (to: 0 | 1, m: { env: Uint8Array; text: string; id: number }) => {
          const from = parties[1 - to]!
          const before = stored(parties[to], from.peerId)
          try {
            const d = parties[to].receive(from.peerId, m.env)
            assert.equal(str(d.plaintext), m.text)
            assert.ok(!decrypted.has(m.id), `message ${m.id} decrypted twice`)
            decrypted.add(m.id)
          } catch (err) {
            assert.ok(
              decrypted.has(m.id),
              `message ${m.id} failed on first delivery: ${String(err)}`,
            )
            assert.ok(
              err instanceof KithError &&
                ['DuplicateMessageError', 'DecryptionError'].includes(err.name),
            )
            assert.equal(
              stored(parties[to], from.peerId),
              before,
              'state changed on a rejected message',
            )
          }
        }
        for (const a of actions) {
          if (a.kind === 'send') {
            const id = next++
            const to = (1 - a.from) as 0 | 1
            const env = parties[a.from].cipher.encrypt(parties[to].peerId, text(`m${id}`))
            pools[to]!.push({ env, text: `m${id}`, id })
          } else {
            const pool = pools[a.to]!
            if (pool.length === 0) continue
            const i = a.pick % pool.length
            const m = pool[i]!
            if (a.kind === 'drop' || !a.keep) pool.splice(i, 1)
            if (a.kind === 'deliver') deliver(a.to, m)
          }
        }
        // Everything still in flight arrives in the end (the pools' order is already random).
        for (const to of [0, 1] as const) for (const m of pools[to]!) deliver(to, m)
      }),
      { numRuns: 60 },
    )
  })

  it('a bit flip anywhere in any envelope is rejected, state unchanged, original still decrypts (numRuns 300)', () => {
    // Envelopes of every kind: PQXDH prekey messages, then ratchet messages in both directions.
    const [a0, b0] = [makeParty('flip-a'), makeParty('flip-b')]
    a0.cipher.initiate(b0.peerId, b0.bundle())
    const samples: { kind: string; env: Uint8Array }[] = [
      { kind: 'prekey', env: a0.cipher.encrypt(b0.peerId, text('first')) },
    ]
    const [a, b] = established('flip')
    samples.push({ kind: 'ratchet', env: a.cipher.encrypt(b.peerId, text('second')) })
    samples.push({
      kind: 'ratchet-long',
      env: a.cipher.encrypt(b.peerId, text('x'.repeat(3000))),
    })
    fc.assert(
      fc.property(
        fc.nat({ max: samples.length - 1 }),
        fc.nat(),
        fc.nat({ max: 7 }),
        (which, pos, bit) => {
          const { kind, env } = samples[which]!
          const receiver = kind === 'prekey' ? b0 : b
          const sender = kind === 'prekey' ? a0 : a
          const flipped = env.slice()
          flipped[pos % env.length]! ^= 1 << bit
          const before = receiver.store.loadSession(sender.peerId) ?? new Uint8Array(0)
          const counts = [
            receiver.store.countOneTimePrekeys(),
            receiver.store.countOneTimeKemPrekeys(),
          ]
          assert.throws(
            () => receiver.receive(sender.peerId, flipped),
            (err: unknown) => err instanceof KithError,
          )
          assert.deepEqual(receiver.store.loadSession(sender.peerId) ?? new Uint8Array(0), before)
          assert.deepEqual(
            [receiver.store.countOneTimePrekeys(), receiver.store.countOneTimeKemPrekeys()],
            counts,
          )
        },
      ),
      { numRuns: 300 },
    )
    // The untouched envelopes still decrypt after all those failures.
    assert.equal(str(b0.receive(undefined, samples[0]!.env).plaintext), 'first')
    assert.equal(str(b.receive(a.peerId, samples[1]!.env).plaintext), 'second')
    assert.equal(str(b.receive(a.peerId, samples[2]!.env).plaintext), 'x'.repeat(3000))
  })
})
