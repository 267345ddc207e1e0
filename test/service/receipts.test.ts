// Receipts (src/service/direct/receipts.ts, the receipt branch of receive.ts) on the in-memory node
// pair: DELIVERED then READ move a message's status forward and never back; the acks of a burst
// wait ACK_DELAY_MS and leave as ONE receipt, and a stream of messages less than ACK_DELAY_MS
// apart is acked once it pauses or ACK_MAX_DELAY_MS after its first (driven with node:test mock
// timers, so the window is exact rather than raced); a receipt naming an id the receiver does not know, its own incoming
// message, or another contact's conversation changes nothing.
import assert from 'node:assert/strict'
import { afterEach, describe, it, mock } from 'node:test'
import { fromHex, ReceiptKind } from '../../src/core/index.js'
import { nodeRng } from '../../src/platform/node-crypto.js'
import { ACK_DELAY_MS, ACK_MAX_DELAY_MS } from '../../src/service/direct/delivery.js'
import {
  contactPair,
  fakeNet,
  sealFrom,
  startPeer,
  stopPeers,
  type Peer,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

/** Messages in the burst whose acks are coalesced. */
const BURST = 20

const peers: Peer[] = []
afterEach(async () => {
  mock.timers.reset()
  await stopPeers(peers)
})

/** Counts the frames `from` sends to `to` from now on. */
function countFrames(fake: ReturnType<typeof fakeNet>, to: Peer, from: Peer): { n: number } {
  const counter = { n: 0 }
  const h = fake.net.get(to.id.peerId)!
  fake.net.set(to.id.peerId, (sender, frame) => {
    if (sender === from.id.peerId) counter.n++
    return h(sender, frame)
  })
  return counter
}

/** Every message of `p` with its status, and its outbox to `peer` (what a receipt may change). */
function snapshot(p: Peer, peer: string) {
  return {
    messages: p.store.listMessages({ limit: 1000 }).map((m) => [m.id, m.status]),
    outbox: p.store.outboxDue(peer, { dueBy: Number.MAX_SAFE_INTEGER, afterSeq: 0, limit: 1000 }),
  }
}

/** Lets setImmediate callbacks and their promise chains run (real; only setTimeout is mocked). */
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

describe('receipts', () => {
  it('DELIVERED then READ move the status forward; a late DELIVERED does not move it back', async () => {
    const fake = fakeNet()
    const { alice, bob } = await contactPair(fake)
    peers.push(alice, bob)
    const seen: string[] = []
    alice.svc.on((e) => {
      if (e.event === 'status') seen.push(e.status)
    })
    const { id } = alice.svc.send('bob', 'read me')
    await until('delivered', () => alice.store.getMessage(id)?.status === 'delivered')
    bob.svc.readConversation('al')
    await until('read', () => alice.store.getMessage(id)?.status === 'read')
    const order = ['queued', 'sent', 'delivered', 'read']
    const ranks = seen.map((s) => order.indexOf(s))
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
      `statuses only move forward: ${seen.join(' → ')}`,
    )
    assert.equal(seen.at(-1), 'read')

    const late = sealFrom(bob, alice, {
      receipt: { kind: ReceiptKind.DELIVERED, messageIds: [fromHex(id)] },
    })
    await fake.net.get(alice.id.peerId)!(bob.id.peerId, late)
    assert.equal(alice.store.getMessage(id)?.status, 'read', 'read stays read')
  })

  it(`acks a burst of ${BURST} in one receipt after ACK_DELAY_MS`, async () => {
    const fake = fakeNet()
    const { alice, bob } = await contactPair(fake)
    peers.push(alice, bob)
    const receipts = countFrames(fake, alice, bob)
    mock.timers.enable({ apis: ['setTimeout'] })
    const ids = alice.svc.sendMany(
      'bob',
      Array.from({ length: BURST }, (_, i) => `burst ${i}`),
    ).ids
    await until('Bob has the burst', () => ids.every((id) => bob.store.getMessage(id)))
    await turns(5)
    mock.timers.tick(ACK_DELAY_MS - 1)
    await turns(5)
    assert.equal(receipts.n, 0, 'no ack before the window closes')
    mock.timers.tick(1)
    await until('all delivered', () =>
      ids.every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    assert.equal(receipts.n, 1, 'one receipt for the whole burst')
  })

  it('messages less than ACK_DELAY_MS apart wait for their pause, at most ACK_MAX_DELAY_MS', async () => {
    const fake = fakeNet()
    const { alice, bob } = await contactPair(fake)
    peers.push(alice, bob)
    const receipts = countFrames(fake, alice, bob)
    mock.timers.enable({ apis: ['setTimeout'] })
    const gap = ACK_DELAY_MS - 1
    const ids: string[] = []
    // One at a time, each stored at Bob before the next is sent: a stream with no pause.
    for (let elapsed = 0; elapsed + gap < ACK_MAX_DELAY_MS; elapsed += gap) {
      const { id } = alice.svc.send('bob', `stream ${ids.length}`)
      ids.push(id)
      await until('Bob has it', () => bob.store.getMessage(id))
      await turns(5)
      mock.timers.tick(gap)
      await turns(5)
      assert.equal(receipts.n, 0, `no receipt while the stream goes on (${ids.length} sent)`)
    }
    mock.timers.tick(ACK_MAX_DELAY_MS - gap * ids.length)
    await until('all delivered', () =>
      ids.every((id) => alice.store.getMessage(id)?.status === 'delivered'),
    )
    assert.equal(receipts.n, 1, `one receipt at the deadline for ${ids.length} messages`)

    // A lone message after the stream is acked ACK_DELAY_MS after it, as before.
    const { id } = alice.svc.send('bob', 'alone')
    await until('Bob has it', () => bob.store.getMessage(id))
    await turns(5)
    mock.timers.tick(ACK_DELAY_MS)
    await until('delivered', () => alice.store.getMessage(id)?.status === 'delivered')
    assert.equal(receipts.n, 2)
  })

  it("a receipt for an unknown id, its sender's own message or another conversation changes nothing", async () => {
    const fake = fakeNet()
    const { alice, bob } = await contactPair(fake)
    const carol = await startPeer(fake, 'carol')
    peers.push(alice, bob, carol)
    await carol.svc.addContact(alice.svc.invite().link, 'al')
    const c = carol.svc.send('al', 'hi from carol')
    await until(
      'carol → alice delivered',
      () => carol.store.getMessage(c.id)?.status === 'delivered',
    )
    const fromBob = bob.svc.send('al', 'from bob')
    await until(
      'bob → alice delivered',
      () => bob.store.getMessage(fromBob.id)?.status === 'delivered',
    )

    // Bob is away: Alice's message to him waits in her outbox.
    const bobHandler = fake.net.get(bob.id.peerId)!
    fake.net.delete(bob.id.peerId)
    const { id } = alice.svc.send('bob', 'for bob only')
    await until('queued with backoff', () => {
      const e = alice.store.outboxDue(bob.id.peerId, {
        dueBy: Number.MAX_SAFE_INTEGER,
        afterSeq: 0,
        limit: 10,
      })
      return e.find((x) => x.messageId === id)?.attempts === 1
    })
    const before = snapshot(alice, bob.id.peerId)
    const toAlice = fake.net.get(alice.id.peerId)!
    // Carol names Alice's message to Bob; Bob names an id nobody sent and his own message.
    for (const kind of [ReceiptKind.DELIVERED, ReceiptKind.READ]) {
      await toAlice(
        carol.id.peerId,
        sealFrom(carol, alice, { receipt: { kind, messageIds: [fromHex(id)] } }),
      )
      await toAlice(
        bob.id.peerId,
        sealFrom(bob, alice, {
          receipt: { kind, messageIds: [nodeRng(16), fromHex(fromBob.id)] },
        }),
      )
    }
    assert.deepEqual(snapshot(alice, bob.id.peerId), before)
    assert.equal(alice.store.getMessage(id)?.status, 'queued')
    fake.net.set(bob.id.peerId, bobHandler)
  })
})
