// Property tests (fast-check) for 1:1 sessions: any delivery order with drops and duplicates
// within the limits decrypts every delivered message exactly once; any bit flip anywhere in any
// envelope is rejected with a typed error and leaves the receiver's stored state unchanged.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { KithError } from '../../../src/core/errors.js'
import { toHex } from '../../../src/core/bytes.js'
import { makeParty, str, text, type Party } from '../../helpers/parties.js'

async function established(seed: string): Promise<[Party, Party]> {
  const a = await makeParty(`${seed}-a`)
  const b = await makeParty(`${seed}-b`)
  await a.cipher.initiate(b.peerId, await b.bundle())
  await b.cipher.decrypt(undefined, await a.cipher.encrypt(b.peerId, text('hello')))
  await a.cipher.decrypt(b.peerId, await b.cipher.encrypt(a.peerId, text('hi')))
  return [a, b]
}

async function stored(p: Party, peer: string): Promise<string> {
  return toHex((await p.store.loadSession(peer))!)
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
  it('random orders, drops and duplicates: each delivered message decrypts exactly once (numRuns 60)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 1, maxLength: 80 }),
        fc.nat(),
        async (actions, seed) => {
          const parties = await established(`order-${seed}`)
          const pools: { env: Uint8Array; text: string; id: number }[][] = [[], []]
          const decrypted = new Set<number>()
          let next = 0
          const deliver = async (to: 0 | 1, m: { env: Uint8Array; text: string; id: number }) => {
            const from = parties[1 - to]!
            const before = await stored(parties[to], from.peerId)
            try {
              const d = await parties[to].cipher.decrypt(from.peerId, m.env)
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
                await stored(parties[to], from.peerId),
                before,
                'state changed on a rejected message',
              )
            }
          }
          for (const a of actions) {
            if (a.kind === 'send') {
              const id = next++
              const to = (1 - a.from) as 0 | 1
              const env = await parties[a.from].cipher.encrypt(parties[to].peerId, text(`m${id}`))
              pools[to]!.push({ env, text: `m${id}`, id })
            } else {
              const pool = pools[a.to]!
              if (pool.length === 0) continue
              const i = a.pick % pool.length
              const m = pool[i]!
              if (a.kind === 'drop' || !a.keep) pool.splice(i, 1)
              if (a.kind === 'deliver') await deliver(a.to, m)
            }
          }
          // Everything still in flight arrives in the end (the pools' order is already random).
          for (const to of [0, 1] as const) for (const m of pools[to]!) await deliver(to, m)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('a bit flip anywhere in any envelope is rejected, state unchanged, original still decrypts (numRuns 300)', async () => {
    // Envelopes of every kind: PQXDH prekey messages, then ratchet messages in both directions.
    const [a0, b0] = [await makeParty('flip-a'), await makeParty('flip-b')]
    await a0.cipher.initiate(b0.peerId, await b0.bundle())
    const samples: { kind: string; env: Uint8Array }[] = [
      { kind: 'prekey', env: await a0.cipher.encrypt(b0.peerId, text('first')) },
    ]
    const [a, b] = await established('flip')
    samples.push({ kind: 'ratchet', env: await a.cipher.encrypt(b.peerId, text('second')) })
    samples.push({
      kind: 'ratchet-long',
      env: await a.cipher.encrypt(b.peerId, text('x'.repeat(3000))),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: samples.length - 1 }),
        fc.nat(),
        fc.nat({ max: 7 }),
        async (which, pos, bit) => {
          const { kind, env } = samples[which]!
          const receiver = kind === 'prekey' ? b0 : b
          const sender = kind === 'prekey' ? a0 : a
          const flipped = env.slice()
          flipped[pos % env.length]! ^= 1 << bit
          const before = (await receiver.store.loadSession(sender.peerId)) ?? new Uint8Array(0)
          const counts = [
            await receiver.store.countOneTimePrekeys(),
            await receiver.store.countOneTimeKemPrekeys(),
          ]
          await assert.rejects(
            receiver.cipher.decrypt(sender.peerId, flipped),
            (err: unknown) => err instanceof KithError,
          )
          assert.deepEqual(
            (await receiver.store.loadSession(sender.peerId)) ?? new Uint8Array(0),
            before,
          )
          assert.deepEqual(
            [
              await receiver.store.countOneTimePrekeys(),
              await receiver.store.countOneTimeKemPrekeys(),
            ],
            counts,
          )
        },
      ),
      { numRuns: 300 },
    )
    // The untouched envelopes still decrypt after all those failures.
    assert.equal(str((await b0.cipher.decrypt(undefined, samples[0]!.env)).plaintext), 'first')
    assert.equal(str((await b.cipher.decrypt(a.peerId, samples[1]!.env)).plaintext), 'second')
    assert.equal(
      str((await b.cipher.decrypt(a.peerId, samples[2]!.env)).plaintext),
      'x'.repeat(3000),
    )
  })
})
