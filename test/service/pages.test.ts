// Pages per commit on the one-message path (issue 17, docs/performance.md "Pages per commit"):
// every page a commit writes is encrypted, MACed and appended to the WAL by SQLCipher, and copied
// again at the next checkpoint, so the count is the commit's cost. Through real ChatServices on
// real stores over the in-memory fake network, one message sent alone (the fast path) and its
// receipt; the bounds are today's counts, so a new index or a REPLACE that rewrites a key's index
// shows up here. And a batch of 500 into a store holding 20,000 messages, which shows whether a
// batch's rows land on the b-trees' last pages (time-ordered ids) or on one page each.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { toHex } from '../../src/core/bytes.js'
import { newMessageId } from '../../src/core/index.js'
import { nodeRng } from '../../src/platform/node-crypto.js'
import { closePeers, contactPair, fakeNet, quiet, type Peer } from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'
import { pagesPerCommit } from './commits.js'

/** `n` earlier messages in `p`'s store (another conversation), their ids made as the product
 *  makes them, one a second up to an hour ago: the b-trees a new message joins are then many
 *  pages wide, as on a node in use. */
function history(p: Peer, n: number): void {
  const t0 = Date.now() - 3_600_000 - n * 1_000
  p.store.transaction(() => {
    for (let i = 0; i < n; i++) {
      const at = t0 + i * 1_000
      p.store.insertMessage({
        id: toHex(newMessageId({ clock: () => at, rng: nodeRng })),
        conversation: 'history',
        from: 'history',
        direction: 'in',
        seq: i + 1,
        text: `an earlier message, number ${i}`,
        sentAt: at,
        receivedAt: at,
        status: 'delivered',
      })
    }
  })
}
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0)

const fake = fakeNet()
const peers: Peer[] = []

afterEach(() => closePeers(peers))

describe('pages per commit (issue 17)', () => {
  it('one message and its receipt: sender 10 + 5 pages, receiver 7 + 1', async () => {
    const { alice, bob } = await contactPair(fake)
    peers.push(alice, bob)
    for (let round = 0; round < 3; round++) {
      const a = pagesPerCommit(alice)
      const b = pagesPerCommit(bob)
      const m = alice.svc.send('bob', `message ${round}`)
      await until('delivered', () => alice.store.getMessage(m.id)?.status === 'delivered')
      await quiet(alice, bob)
      // Alice: the send (message row, its id's index, messages_display, messages_display_all,
      // messages_by_sender, the outbox entry and its two indexes, the conversation's seq, the
      // session), then the receipt (session, status, the outbox entry and its two indexes out).
      assert.deepEqual(a.slice(0, 2), [10, 5], `alice's commits ${a.join(', ')}`)
      // Bob: the message stored (row, id index, the three display/sender indexes, unread, the
      // session), then the receipt's encryption (the session only).
      assert.deepEqual(b.slice(0, 2), [7, 1], `bob's commits ${b.join(', ')}`)
      // Restore the store's methods before the next round wraps them again.
      delete (alice.store as unknown as Record<string, unknown>).transaction
      delete (alice.store as unknown as Record<string, unknown>).commitBatch
      delete (bob.store as unknown as Record<string, unknown>).transaction
      delete (bob.store as unknown as Record<string, unknown>).commitBatch
    }
  })

  // Time-ordered ids (src/core/wire/message-id.ts): with 16 random bytes, each message of a batch
  // landed on its own leaf of the id index (and of the outbox, keyed by the id) once the store
  // held more messages than the batch (measured here with random ids: alice 1.07 pages per
  // message, bob 0.65; time-ordered: 0.61 and 0.23).
  it('a batch of 500 after 20,000 messages: ≤ 0.8 pages per message sent, ≤ 0.4 received', async () => {
    const { alice, bob } = await contactPair(fake)
    peers.push(alice, bob)
    history(alice, 20_000)
    history(bob, 20_000)
    const a = pagesPerCommit(alice)
    const b = pagesPerCommit(bob)
    const texts = Array.from({ length: 500 }, (_, i) => `a message of the batch, number ${i}`)
    const { ids } = alice.svc.sendMany('bob', texts)
    await until('all delivered', () =>
      ids.every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    await quiet(alice, bob)
    const perMessage = (xs: readonly number[]): string => (sum(xs) / texts.length).toFixed(2)
    console.log(
      `# pages per message: alice ${perMessage(a)} (${a.join(' ')}), bob ${perMessage(b)} (${b.join(' ')})`,
    )
    assert.ok(sum(a) <= 0.8 * texts.length, `alice ${perMessage(a)} pages per message`)
    assert.ok(sum(b) <= 0.4 * texts.length, `bob ${perMessage(b)} pages per message`)
  })
})
