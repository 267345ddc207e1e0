// The outbox's fast path (issue 17, src/service/direct/outbox.ts sendMany) through real
// ChatServices on real stores over the in-memory fake network: a send to a connected peer with
// nothing due is ONE write transaction on the sender (insert, outbox entry, encryption, `sent`);
// a batch send takes the flush (FAST_PATH_MAX_TEXTS);
// a send while an older entry is due takes the flush instead and the peer gets them in seq order;
// a send while a fast-path write is still in flight waits for it (the flush, paced by the wire),
// and sends keep taking the flush until they pause (FAST_PATH_PAUSE_MS);
// a write that fails after the fast path's commit goes back to `queued` (the flush's failure path,
// src/service/direct/deliver.ts) and the message is delivered exactly once later.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { FAST_PATH_PAUSE_MS } from '../../src/service/direct/outbox.js'
import {
  contactPair,
  ctx,
  drained,
  fakeNet,
  fire,
  type Peer,
  closePeers,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'
import { countCommits } from './commits.js'

const fake = fakeNet()
const peers: Peer[] = []

/** Alice and Bob, contacts of each other, with a session both ways, nothing in flight; Alice's
 *  clock is `clock` when given. */
async function pair(clock?: () => number) {
  const opts = clock === undefined ? {} : { alice: { ctx: { ...ctx, clock } } }
  const { alice, bob } = await contactPair(fake, opts)
  peers.push(alice, bob)
  return { alice, bob }
}

/** Bob's end takes Alice's first write from now on only once `release` is called (a slow
 *  receiver); `writes` counts the writes that reached it. */
function holdFirstWrite(bob: Peer): { release: () => void; writes: () => number } {
  const h = fake.net.get(bob.id.peerId)!
  let release: () => void = () => undefined
  const held = new Promise<void>((r) => (release = r))
  let writes = 0
  fake.net.set(bob.id.peerId, async (from, frame) => {
    if (writes++ === 0) await held
    return h(from, frame)
  })
  return { release: () => release(), writes: () => writes }
}

/** The texts of `p`'s `message` events from now on, in the order they were emitted. */
function received(p: Peer): string[] {
  const texts: string[] = []
  p.svc.on((e) => {
    if (e.event === 'message') texts.push(e.message.text)
  })
  return texts
}

/** Bob's stored messages from Alice whose text starts with `prefix`. */
const stored = (alice: Peer, bob: Peer, prefix: string) =>
  bob.store.listMessages({ conversation: alice.id.peerId }).filter((m) => m.text.startsWith(prefix))

afterEach(async () => {
  await closePeers(peers)
  fake.net.clear()
})

describe('outbox fast path (issue 17)', () => {
  it('a send to a connected peer is one write transaction, sealed before send() returns', async () => {
    const { alice, bob } = await pair()
    const frames: Uint8Array[] = []
    const h = fake.net.get(bob.id.peerId)!
    fake.net.set(bob.id.peerId, (from, frame) => {
      frames.push(frame)
      return h(from, frame)
    })
    const commits = countCommits(alice)
    const { id, status } = alice.svc.send('bob', 'fast one')
    // The answer stays `queued` (the frame is not written yet: docs/cli.md), the store already
    // holds `sent` and the advanced ratchet, and the frame is on its way without a flush.
    assert.equal(status, 'queued')
    assert.equal(commits.n, 1, 'insert + outbox entry + encryption + `sent`: one commit')
    assert.equal(alice.store.getMessage(id)?.status, 'sent')
    const entry = alice.store.outboxFor(bob.id.peerId).find((e) => e.messageId === id)
    assert.equal(entry?.attempts, 1, 'rescheduled after the ack timeout in the same commit')
    await until('delivered', () => alice.store.getMessage(id)?.status === 'delivered')
    assert.equal(frames.length, 1, 'one frame, written once')
    assert.equal(stored(alice, bob, 'fast one').length, 1)
  })

  it('a batch send takes the flush, sealed page by page as the wire takes it', async () => {
    const { alice, bob } = await pair()
    const commits = countCommits(alice)
    const { ids } = alice.svc.sendMany('bob', ['batch a', 'batch b'])
    assert.equal(commits.n, 1, 'queued in one transaction')
    assert.ok(ids.every((id) => alice.store.getMessage(id)?.status === 'queued'))
    await until('delivered', () =>
      ids.every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    assert.equal(stored(alice, bob, 'batch ').length, 2)
  })

  it('a send while an older entry is due takes the flush and keeps seq order', async () => {
    const { alice, bob } = await pair()
    // An older message whose entry is due now and not sent: Bob unreachable when it was sent
    // (it backed off), then made due again by hand.
    const h = fake.net.get(bob.id.peerId)!
    fake.net.delete(bob.id.peerId)
    const old = alice.svc.send('bob', 'order 1 (older)')
    await until('backed off', () => {
      const e = alice.store.outboxFor(bob.id.peerId).find((x) => x.messageId === old.id)
      return (e?.attempts ?? 0) > 0
    })
    await drained()
    alice.store.reschedule(old.id, 1, 0)
    assert.equal(alice.store.getMessage(old.id)?.status, 'queued')
    const order = received(bob)
    fake.net.set(bob.id.peerId, h)
    const commits = countCommits(alice)
    const next = alice.svc.send('bob', 'order 2 (newer)')
    assert.equal(commits.n, 1, 'only the insert: the flush seals both, after send() returns')
    assert.equal(alice.store.getMessage(next.id)?.status, 'queued', 'not sealed on the fast path')
    await until('both delivered', () =>
      [old.id, next.id].every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    assert.deepEqual(order, ['order 1 (older)', 'order 2 (newer)'], 'the older one first')
    assert.equal(stored(alice, bob, 'order ').length, 2)
  })

  it('a send while a fast-path write is in flight waits for it through the flush', async () => {
    const { alice, bob } = await pair()
    const { release, writes } = holdFirstWrite(bob)
    const order = received(bob)
    const first = alice.svc.send('bob', 'paced 1')
    assert.equal(alice.store.getMessage(first.id)?.status, 'sent', 'the fast path')
    const second = alice.svc.send('bob', 'paced 2')
    // Not sealed while the first write is in flight: its ack timeout would run while it waits.
    assert.equal(alice.store.getMessage(second.id)?.status, 'queued')
    await drained()
    assert.equal(writes(), 1, 'the flush waits for the write in flight')
    assert.equal(alice.store.getMessage(second.id)?.status, 'queued')
    release()
    await until('both delivered', () =>
      [first.id, second.id].every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    assert.deepEqual(order, ['paced 1', 'paced 2'])
  })

  it('after overlapping sends the fast path waits for a pause of FAST_PATH_PAUSE_MS', async () => {
    let now = Date.now()
    const { alice, bob } = await pair(() => now)
    const { release } = holdFirstWrite(bob)
    const status = (id: string) => alice.store.getMessage(id)?.status
    const first = alice.svc.send('bob', 'burst 1')
    assert.equal(status(first.id), 'sent', 'the fast path')
    const second = alice.svc.send('bob', 'burst 2') // overlaps the write in flight: a burst
    assert.equal(status(second.id), 'queued')
    release()
    await until('delivered', () => [first.id, second.id].every((id) => status(id) === 'delivered'))
    // Nothing is busy now, but the burst has not paused (Alice's clock stood still): the flush.
    now += FAST_PATH_PAUSE_MS - 1
    const third = alice.svc.send('bob', 'burst 3')
    assert.equal(status(third.id), 'queued')
    await until('third delivered', () => status(third.id) === 'delivered')
    now += FAST_PATH_PAUSE_MS
    const fourth = alice.svc.send('bob', 'after the pause')
    assert.equal(status(fourth.id), 'sent', 'the fast path again')
    await until('fourth delivered', () => status(fourth.id) === 'delivered')
    assert.equal(stored(alice, bob, 'burst ').length, 3)
  })

  it('a write failing after the fast path commit goes back to queued, delivered once', async () => {
    const { alice, bob } = await pair()
    const h = fake.net.get(bob.id.peerId)!
    // Connected (a handler is there) but the write fails; no mailbox to fall back on.
    let writes = 0
    fake.net.set(bob.id.peerId, () => {
      writes++
      return Promise.reject(new Error('stream reset'))
    })
    const commits = countCommits(alice)
    const { id } = alice.svc.send('bob', 'retried once')
    assert.equal(commits.n, 1, 'the fast path')
    assert.equal(alice.store.getMessage(id)?.status, 'sent')
    await until('back to queued', () => alice.store.getMessage(id)?.status === 'queued')
    assert.equal(writes, 1)
    const entry = alice.store.outboxFor(bob.id.peerId).find((e) => e.messageId === id)
    assert.ok(entry !== undefined && entry.attempts === 1, 'still queued, with its backoff')
    // Bob is back: the connection flushes everything unacked (service onConnect).
    fake.net.set(bob.id.peerId, h)
    fire(fake, alice.id.peerId, 'peer:connect', bob.id.peerId)
    await until('delivered', () => alice.store.getMessage(id)?.status === 'delivered')
    await until('outbox empty', () => alice.store.outboxFor(bob.id.peerId).length === 0)
    assert.equal(stored(alice, bob, 'retried once').length, 1, 'exactly once at Bob')
  })

  it('a frame written but reported failed is retried and still stored once', async () => {
    const { alice, bob } = await pair()
    const h = fake.net.get(bob.id.peerId)!
    // Bob gets the frame, but Alice's write reports a failure (a reset after the bytes left).
    let first = true
    fake.net.set(bob.id.peerId, async (from, frame) => {
      await h(from, frame)
      if (first) {
        first = false
        throw new Error('reset after the write')
      }
    })
    const { id } = alice.svc.send('bob', 'maybe twice on the wire')
    await until('at Bob', () => stored(alice, bob, 'maybe twice').length === 1)
    fire(fake, alice.id.peerId, 'peer:connect', bob.id.peerId) // a retry of whatever is unacked
    await until('delivered', () => alice.store.getMessage(id)?.status === 'delivered')
    await until('outbox empty', () => alice.store.outboxFor(bob.id.peerId).length === 0)
    assert.equal(stored(alice, bob, 'maybe twice').length, 1, 'deduplicated by id')
  })
})
