// The DM path of issue 17 through real ChatServices on real stores over the in-memory fake
// network: a batch send is queued in one transaction and arrives once each, in order; received
// frames arriving together are stored in one transaction (receive-batch.ts); acks are coalesced
// for ACK_DELAY_MS, so a stream of N messages sent one per event-loop turn is answered by ≪ N
// receipts (each receipt is what makes the next message a DH ratchet step) while the sender's
// outbox still empties; the `sent` status is stored with the encryption (the fast path:
// test/service/dm-fast-path.test.ts).
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { MAX_SEND_BATCH } from '../../src/service/direct/outbox.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { createChatService } from '../../src/service/chat.js'
import { createNodeStore } from '../../src/store/sqlite.js'
import {
  ctx,
  fakeNet,
  fakeNode,
  startPeer,
  type Peer,
  nothingHappens,
  quiet,
  closePeers,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'
import { tempHome } from '../store/helpers.js'
import { countCommits } from './commits.js'

/** The widened ack window of the coalescing test (the daemon's is ACK_DELAY_MS). */
const ACK_WINDOW_MS = 500

const fake = fakeNet()
const peers: Peer[] = []

async function peer(name: string, ackDelayMs?: number): Promise<Peer> {
  let p: Peer
  if (ackDelayMs === undefined) p = await startPeer(fake, name)
  else {
    // As startPeer, with the ack window widened: on a loaded machine one message can take
    // longer than ACK_DELAY_MS, which would hide the coalescing.
    const id = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const t = tempHome()
    const store = createNodeStore(t.home, id, name)
    const node = fakeNode(fake, id.peerId)
    const svc = createChatService({ store, node, identity: id, ctx, name, ackDelayMs })
    await svc.start()
    p = { svc, store, id, cleanup: t.cleanup }
  }
  peers.push(p)
  return p
}

/** Alice and Bob, contacts of each other, with a session both ways. */
async function pair(ackDelayMs?: number) {
  const alice = await peer('alice')
  const bob = await peer('bob', ackDelayMs)
  await bob.svc.addContact(alice.svc.invite().link, 'al')
  const m = bob.svc.send('al', 'hi')
  await until('delivered', () => bob.store.getMessage(m.id)?.status === 'delivered')
  alice.svc.renameContact(bob.id.peerId, 'bob')
  const r = alice.svc.send('bob', 'hello')
  await until('answered', () => alice.store.getMessage(r.id)?.status === 'delivered')
  await quiet(alice, bob)
  return { alice, bob }
}

/** Counts the frames `from` sends to `to` from now on (on the fake network). */
function countFrames(to: Peer, from: Peer): { n: number } {
  const counter = { n: 0 }
  const h = fake.net.get(to.id.peerId)!
  fake.net.set(to.id.peerId, (sender, frame) => {
    if (sender === from.id.peerId) counter.n++
    return h(sender, frame)
  })
  return counter
}

afterEach(async () => {
  await closePeers(peers)
  fake.net.clear()
})

describe('DM path (issue 17)', () => {
  it('a batch send is queued in one transaction and arrives once each, in order', async () => {
    const { alice, bob } = await pair()
    const texts = Array.from({ length: 300 }, (_, i) => `batch ${i}`)
    const aliceCommits = countCommits(alice)
    const bobCommits = countCommits(bob)
    const { ids, status } = alice.svc.sendMany('bob', texts)
    assert.equal(status, 'queued')
    assert.equal(ids.length, 300)
    assert.equal(aliceCommits.n, 1, 'the batch is one transaction')
    // Durable before the answer: every message and outbox entry is stored already.
    assert.equal(alice.store.outboxFor(bob.id.peerId).length, 300)
    await until('all delivered', () =>
      ids.every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    await until('outbox empty', () => alice.store.outboxFor(bob.id.peerId).length === 0)
    const got = bob.store
      .listMessages({ conversation: alice.id.peerId })
      .filter((m) => m.text.startsWith('batch '))
    assert.deepEqual(
      got.map((m) => m.text),
      texts,
      'each once, in order',
    )
    assert.deepEqual(
      got.map((m) => m.id),
      ids,
    )
    // Group commit: 300 frames arriving together are not 300 commits on Bob's side (receipts
    // and the like add a few).
    assert.ok(bobCommits.n < 30, `bob committed ${bobCommits.n} transactions for 300 frames`)
  })

  it('refuses an empty or oversized batch and a blank text, queueing nothing', async () => {
    const { alice, bob } = await pair()
    const before = alice.store.listMessages({ conversation: bob.id.peerId }).length
    assert.throws(() => alice.svc.sendMany('bob', []), { name: 'InvalidArgument' })
    assert.throws(() => alice.svc.sendMany('bob', Array<string>(MAX_SEND_BATCH + 1).fill('x')), {
      name: 'InvalidArgument',
    })
    assert.throws(() => alice.svc.sendMany('bob', ['fine', '   ']), { name: 'InvalidArgument' })
    assert.equal(alice.store.listMessages({ conversation: bob.id.peerId }).length, before)
    assert.equal(alice.svc.sendMany('bob', Array<string>(MAX_SEND_BATCH).fill('x')).ids.length, 500)
  })

  it('acks are coalesced: N messages one per turn get far fewer receipts, outbox empties', async () => {
    // Bob's acks wait ACK_WINDOW_MS: time enough for several messages even on a loaded machine.
    const { alice, bob } = await pair(ACK_WINDOW_MS)
    const receipts = countFrames(alice, bob)
    const n = 120
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      ids.push(alice.svc.send('bob', `one ${i}`).id)
      // Each message in its own turn of the event loop, as messages POSTed one at a time.
      await new Promise((r) => setImmediate(r))
    }
    await until('all delivered', () =>
      ids.every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    await until('outbox empty', () => alice.store.outboxFor(bob.id.peerId).length === 0)
    assert.ok(receipts.n >= 1)
    assert.ok(
      receipts.n <= n / 4,
      `${receipts.n} receipts for ${n} messages (one per message before issue 17)`,
    )
    // Exactly once on Bob's side.
    const got = bob.store
      .listMessages({ conversation: alice.id.peerId })
      .filter((m) => m.text.startsWith('one '))
    assert.equal(new Set(got.map((m) => m.id)).size, n)
    assert.equal(got.length, n)
  })

  it('a write that fails after `sent` was stored puts the messages back to queued', async () => {
    const { alice, bob } = await pair()
    // Connected (the handler is there) but every write fails, and there is no mailbox.
    fake.net.set(bob.id.peerId, () => Promise.reject(new Error('stream reset')))
    const { ids } = alice.svc.sendMany('bob', ['x', 'y'])
    await until('attempted', () =>
      ids.every(
        (id) =>
          (alice.store.outboxFor(bob.id.peerId).find((e) => e.messageId === id)?.attempts ?? 0) > 0,
      ),
    )
    await until('back to queued', () =>
      ids.every((id) => alice.store.getMessage(id)?.status === 'queued'),
    )
  })

  it('stores `sent` with the encryption: one commit per flushed batch on the sender', async () => {
    const { alice, bob } = await pair()
    fake.net.delete(bob.id.peerId) // Bob away: nothing is acked, the status stays `sent`
    const h = (): void => undefined
    fake.net.set(bob.id.peerId, () => Promise.resolve(h()))
    const commits = countCommits(alice)
    const { ids } = alice.svc.sendMany('bob', ['a', 'b', 'c'])
    await until('sent', () => ids.every((id) => alice.store.getMessage(id)?.status === 'sent'))
    await nothingHappens() // no further commit may follow
    // The batch's own transaction, then one for encrypt + reschedule + `sent` (was two). A batch
    // takes the flush (FAST_PATH_MAX_TEXTS); one message alone is one commit in all
    // (test/service/dm-fast-path.test.ts).
    assert.equal(commits.n, 2)
  })
})
