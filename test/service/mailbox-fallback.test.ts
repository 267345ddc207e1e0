// Mailbox fallback (src/service/direct/outbox.ts #sendBatch, mailboxes.ts) on the in-memory node pair
// with an in-memory mailbox (test/fakes/node-pair.ts fakeMailbox, which records every deposit,
// fetch and confirm): when the recipient cannot be reached, the sealed frame is deposited with the
// mailbox its card names (status `sent`, the next direct try MAILBOX_REDEPOSIT_MS later); the
// recipient fetches it later, stores it once, confirms it (the mailbox deletes it) and acks it;
// a copy that also arrived directly, or a second fetch, makes no second message.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import {
  MAILBOX_FETCH_MIN_GAP_MS,
  MAILBOX_REDEPOSIT_MS,
} from '../../src/service/offline/mailboxes.js'
import {
  contactPair,
  ctx,
  fakeMailbox,
  fakeNet,
  fire,
  stopPeers,
  type Peer,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

const peers: Peer[] = []
afterEach(() => stopPeers(peers))

/** Alice and Bob; Bob's configured mailbox (as `--mailbox`) is in his card at Alice; Bob is then
 *  off the network and Alice has sent him one message, deposited with the mailbox. */
async function deposited() {
  const fake = fakeNet()
  const mb = fakeMailbox(fake)
  const clock = { now: Date.now() }
  const clocked = { ...ctx, clock: () => clock.now }
  const { alice, bob } = await contactPair(fake, {
    alice: { ctx: clocked },
    bob: { ctx: clocked, mailboxes: [`/ip4/127.0.0.1/tcp/4001/p2p/${mb.peerId}`] },
  })
  peers.push(alice, bob)
  const A = alice.id.peerId
  const B = bob.id.peerId
  // Bob's card (naming his mailbox) reaches Alice when they connect; she acks it (it carries
  // his profile name) before he goes: the mailbox then holds only the message.
  const bobHandler = fake.net.get(B)!
  let fromAlice = 0
  fake.net.set(B, (from, frame) => {
    if (from === A) fromAlice++
    return bobHandler(from, frame)
  })
  fire(fake, B, 'peer:connect', A)
  await until("Bob's card at Alice", () => alice.store.getSetting(`card.of.${B}`))
  await until("Alice's ack of the card", () => fromAlice > 0)
  fake.net.delete(B)

  const sentAt = clock.now
  const { id } = alice.svc.send('bob', 'via the mailbox')
  await until('the deposit', () => mb.box.deposits.length > 0)
  assert.equal(mb.box.deposits.length, 1, 'one copy: the card names one mailbox')
  assert.equal(mb.box.deposits[0]!.recipient, B)
  assert.equal(mb.box.deposits[0]!.depositor, A)
  await until('status sent', () => alice.store.getMessage(id)?.status === 'sent')
  const e = alice.store
    .outboxDue(B, { dueBy: Number.MAX_SAFE_INTEGER, afterSeq: 0, limit: 10 })
    .find((x) => x.messageId === id)
  assert.ok(e !== undefined, 'still in the outbox until acked')
  assert.ok(e.nextAttemptAt >= sentAt + MAILBOX_REDEPOSIT_MS, 'no redeposit before the hour')
  assert.equal(bob.store.getMessage(id), undefined)
  /** Bob fetches from his mailbox (it identified again, past the fetch gap). */
  const fetch = () => {
    clock.now += MAILBOX_FETCH_MIN_GAP_MS + 1
    fire(fake, B, 'peer:identify', mb.peerId, [])
  }
  const copies = () =>
    bob.store.listMessages({ conversation: A, limit: 100 }).filter((m) => m.id === id).length
  return { fake, mb, alice, bob, id, bobHandler, fetch, copies }
}

describe('mailbox fallback', () => {
  it('an unreachable peer gets the message from its mailbox, exactly once', async () => {
    const { mb, alice, bob, id, fetch, copies } = await deposited()
    fetch()
    await until('Bob has it', () => bob.store.getMessage(id))
    // (Alice's ack of Bob's card may follow it into the mailbox: only the message is looked at.)
    const env = mb.box.deposits[0]!.id
    await until('confirmed at the mailbox', () => mb.box.confirmed.includes(env))
    assert.ok(!mb.box.held.some((h) => h.id === env), 'the mailbox deleted it')
    await until('acked', () => alice.store.getMessage(id)?.status === 'delivered')
    const fetches = mb.box.fetches
    fetch()
    await until('a second fetch round', () => mb.box.fetches > fetches)
    assert.equal(mb.box.served.filter((x) => x === env).length, 1, 'served once')
    assert.equal(copies(), 1)
  })

  it('a copy that arrived directly first: the mailbox copy is dropped and confirmed', async () => {
    const { fake, mb, alice, bob, id, bobHandler, fetch, copies } = await deposited()
    // Bob is back before fetching: Alice sends everything unacked again, directly.
    fake.net.set(bob.id.peerId, bobHandler)
    fire(fake, alice.id.peerId, 'peer:connect', bob.id.peerId)
    await until('delivered directly', () => alice.store.getMessage(id)?.status === 'delivered')
    fetch()
    const env = mb.box.deposits[0]!.id
    await until('the mailbox copy confirmed', () => mb.box.confirmed.includes(env))
    assert.equal(copies(), 1)
  })
})
