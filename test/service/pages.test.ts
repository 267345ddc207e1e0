// Pages per commit on the one-message path (issue 17, docs/performance.md "Pages per commit"):
// every page a commit writes is encrypted, MACed and appended to the WAL by SQLCipher, and copied
// again at the next checkpoint, so the count is the commit's cost. Through real ChatServices on
// real stores over the in-memory fake network, one message sent alone (the fast path) and its
// receipt; the bounds are today's counts, so a new index or a REPLACE that rewrites a key's index
// shows up here.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { closePeers, contactPair, fakeNet, quiet, type Peer } from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'
import { pagesPerCommit } from './commits.js'

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
})
