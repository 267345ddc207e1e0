// The 1:1 outbox's retry and backoff (src/service/direct/outbox.ts, delivery.ts) on the in-memory node
// pair: a message to an unreachable peer stays queued and is tried again on a schedule that grows
// from ACK_TIMEOUT_BASE_MS to ACK_TIMEOUT_MAX_MS (equal jitter: each wait in [cap/2, cap]); when
// the peer is back it is delivered, a lost ack makes the sender send it again, and neither that
// second copy nor a replayed frame makes a second message at the receiver.
//
// Time: the service's clock is injected (ctx.clock) and its retry timer is driven with node:test's
// mock timers (setTimeout only), so the schedule is walked out to the cap in milliseconds and
// asserted exactly against the stored nextAttemptAt. Polling (test/helpers/wait.ts) stays real.
import assert from 'node:assert/strict'
import { afterEach, describe, it, mock } from 'node:test'
import type { DmHandler } from '../../src/node/index.js'
import {
  ACK_DELAY_MS,
  ACK_TIMEOUT_BASE_MS,
  ACK_TIMEOUT_MAX_MS,
} from '../../src/service/direct/delivery.js'
import { contactPair, ctx, fakeNet, stopPeers, type Peer } from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

/** Backoff rounds walked while the peer is away: enough for the cap (5 s · 2^6 > 5 min) to bind
 *  twice. */
const ROUNDS = 8

const peers: Peer[] = []
afterEach(async () => {
  mock.timers.reset()
  await stopPeers(peers)
})

/** The outbox entry of message `id` (Alice's outbox to `peer`). */
function entry(p: Peer, peer: string, id: string) {
  return p.store
    .outboxDue(peer, { dueBy: Number.MAX_SAFE_INTEGER, afterSeq: 0, limit: 1000 })
    .find((e) => e.messageId === id)
}

/** Lets setImmediate callbacks and their promise chains run (real; only setTimeout is mocked). */
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

describe('outbox retry and backoff', () => {
  it('retries an unreachable peer on a growing, capped schedule and delivers exactly once', async () => {
    const fake = fakeNet()
    let now = Date.now()
    const clocked = { ...ctx, clock: () => now }
    const { alice, bob } = await contactPair(fake, {
      alice: { ctx: clocked },
      bob: { ctx: clocked },
    })
    peers.push(alice, bob)
    const B = bob.id.peerId
    const bobHandler = fake.net.get(B)!
    fake.net.delete(B) // Bob is off the network

    mock.timers.enable({ apis: ['setTimeout'] })
    const { id } = alice.svc.send('bob', 'are you there?')
    let e = await until(
      'the first attempt',
      () => entry(alice, B, id)?.attempts === 1 && entry(alice, B, id),
    )
    for (let k = 0; ; k++) {
      // The k-th wait: equal jitter under cap = min(MAX, BASE · 2^k) (delivery.ts nextAttemptDelay).
      const cap = Math.min(ACK_TIMEOUT_MAX_MS, ACK_TIMEOUT_BASE_MS * 2 ** k)
      const wait = e.nextAttemptAt - now
      assert.ok(wait >= cap / 2 && wait <= cap, `wait ${k}: ${wait} ms not in [${cap / 2}, ${cap}]`)
      assert.equal(alice.store.getMessage(id)?.status, 'queued')
      if (k === ROUNDS - 1) break
      // Not before its time: 1 ms early the timer has not fired.
      mock.timers.tick(wait - 1)
      await turns(5)
      assert.equal(entry(alice, B, id)?.attempts, k + 1, `retry ${k + 1} came early`)
      now = e.nextAttemptAt
      mock.timers.tick(1)
      e = await until(`attempt ${k + 2}`, () => {
        const x = entry(alice, B, id)
        return x?.attempts === k + 2 && x
      })
    }
    assert.equal(bob.store.getMessage(id), undefined, 'nothing reached Bob while he was away')

    // Bob is back. His first ack is lost, so Alice sends the message a second time.
    const framesToBob: Uint8Array[] = []
    fake.net.set(B, (from, frame) => {
      if (from === alice.id.peerId) framesToBob.push(frame)
      return bobHandler(from, frame)
    })
    const aliceHandler: DmHandler = fake.net.get(alice.id.peerId)!
    let dropAcks = true
    let dropped = 0
    fake.net.set(alice.id.peerId, (from, frame) => {
      if (dropAcks && from === B) {
        dropped++
        return Promise.resolve()
      }
      return aliceHandler(from, frame)
    })
    now = e.nextAttemptAt
    mock.timers.tick(ACK_TIMEOUT_MAX_MS) // the pending retry timer fires
    await until('Bob has it', () => bob.store.getMessage(id))
    await until('Bob acked (lost)', () => {
      mock.timers.tick(ACK_DELAY_MS)
      return dropped > 0
    })
    assert.equal(alice.store.getMessage(id)?.status, 'sent')
    const again = entry(alice, B, id)!
    now = again.nextAttemptAt
    dropAcks = false
    mock.timers.tick(ACK_TIMEOUT_MAX_MS)
    await until('Alice sent it again', () => framesToBob.length >= 2)
    await until('delivered', () => {
      mock.timers.tick(ACK_DELAY_MS)
      return alice.store.getMessage(id)?.status === 'delivered'
    })
    assert.equal(entry(alice, B, id), undefined, 'the ack emptied the outbox')

    // A replayed frame (the first copy, byte for byte) is refused and stores nothing.
    await assert.rejects(bobHandler(alice.id.peerId, framesToBob[0]!))
    const copies = bob.store
      .listMessages({ conversation: alice.id.peerId, limit: 100 })
      .filter((m) => m.text === 'are you there?')
    assert.equal(copies.length, 1, 'one message at Bob, whatever arrived twice')
  })
})
