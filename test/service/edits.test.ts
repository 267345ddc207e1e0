// Replies, edits, deletes, reactions and disappearing messages (CLI.md "Conversations, receipts,
// edits") through two real ChatServices on real stores, linked by the in-memory fake node: a
// reply is checked against the conversation and stored as sent; an edit shows on both sides with
// editedAt and a replayed older edit loses; delete for everyone wipes both sides; reactions one
// per reactor; a timer travels, makes an event line on both sides, and the sweeper wipes due
// messages; a contact's edit or delete of a message it did not send is refused and counted.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { fromHex, toHex } from '../../src/core/bytes.js'
import { peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { SessionRecord } from '../../src/core/session/record.js'
import { sessionEncrypt } from '../../src/core/session/session.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { nodeRng } from '../../src/platform/node-crypto.js'
import {
  ctx,
  fakeNet,
  startPeer,
  type Peer,
  nothingHappens,
  closePeers,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

const fake = fakeNet()
const { net, watched } = fake
const peers: Peer[] = []

async function peer(name: string): Promise<Peer> {
  const p = await startPeer(fake, name)
  peers.push(p)
  return p
}

let alice: Peer
let bob: Peer
beforeEach(async () => {
  alice = await peer('alice')
  bob = await peer('bob')
  await bob.svc.addContact(alice.svc.invite().link, 'alice')
  const first = bob.svc.send('alice', 'hello 0')
  await until('first delivered', () => bob.store.getMessage(first.id)?.status === 'delivered')
  alice.svc.renameContact(bob.id.peerId, 'bob')
})
afterEach(async () => {
  await closePeers(peers)
  net.clear()
  watched.clear()
})

async function delivered(p: Peer, to: string, text: string): Promise<string> {
  const { id } = p.svc.send(to, text)
  await until('delivered', () => p.store.getMessage(id)?.status === 'delivered')
  return id
}

/** Sends `content` from `from` to `to` through `from`'s real session (a hostile contact). */
async function inject(from: Peer, to: Peer, body: Parameters<typeof encodeChatContent>[0]) {
  const bytes = from.store.protocol.loadSession(to.id.peerId)
  assert.ok(bytes !== undefined)
  const enc = sessionEncrypt(ctx, SessionRecord.deserialize(bytes), encodeChatContent(body))
  from.store.protocol.storeSession(to.id.peerId, enc.record.serialize())
  await net.get(to.id.peerId)!(from.id.peerId, enc.envelope)
}

const head = (p: Peer, sentAt = Date.now()) => ({
  messageId: nodeRng(16),
  sender: peerIdBytesFromPublicKey(p.id.publicKey),
  seq: 0n,
  sentAt: BigInt(sentAt),
  conversation: new Uint8Array(0),
})

void describe('replies, edits, deletes, reactions, disappearing (1:1)', () => {
  void it('a reply names a message of the same conversation; the receiver stores it as sent', async () => {
    const q = await delivered(alice, 'bob', 'question')
    const r = bob.svc.send('alice', 'answer', { replyTo: q })
    await until('reply arrives', () => alice.store.getMessage(r.id))
    assert.equal(alice.svc.messages({ contact: 'bob' }).at(-1)?.replyTo, q)
    assert.throws(() => bob.svc.send('alice', 'x', { replyTo: '00'.repeat(16) }), {
      name: 'MessageNotFound',
    })
    // An unknown quoted id from the peer is kept as sent, never a failure.
    const unknown = toHex(nodeRng(16))
    await inject(bob, alice, {
      ...head(bob),
      text: { text: 'quoting?' },
      replyTo: fromHex(unknown),
    })
    assert.ok(alice.svc.messages({ contact: 'bob' }).some((m) => m.replyTo === unknown))
  })

  void it('edit: both sides show the new text and editedAt; an older replayed edit loses', async () => {
    const id = await delivered(bob, 'alice', 'typo')
    assert.deepEqual(bob.svc.editMessage(id, 'fixed'), { id, edited: true })
    await until('edit arrives', () => alice.store.getMessage(id)?.text === 'fixed')
    const seen = alice.svc.messages({ contact: 'bob' }).find((m) => m.id === id)
    assert.equal(typeof seen?.editedAt, 'number')
    assert.equal(bob.store.getMessage(id)?.editedAt, seen?.editedAt)
    await inject(bob, alice, {
      ...head(bob, (seen?.editedAt ?? 0) - 1000),
      edit: { targetId: fromHex(id), text: 'older' },
    })
    assert.equal(alice.store.getMessage(id)?.text, 'fixed', 'the older edit lost')
    assert.throws(() => alice.svc.editMessage(id, 'mine now'), { name: 'NotYourMessage' })
  })

  void it("a contact's edit or delete of our message is refused and counted", async () => {
    const mine = await delivered(alice, 'bob', 'my words')
    const before = alice.svc.status().metrics.edits?.refused ?? 0
    await inject(bob, alice, { ...head(bob), edit: { targetId: fromHex(mine), text: 'forged' } })
    await inject(bob, alice, { ...head(bob), delete: { targetId: fromHex(mine) } })
    assert.equal(alice.store.getMessage(mine)?.text, 'my words')
    assert.equal(alice.store.getMessage(mine)?.deleted, undefined)
    assert.equal(alice.svc.status().metrics.edits?.refused, before + 2)
  })

  void it('delete for everyone wipes both sides; locally only ours', async () => {
    const id = await delivered(bob, 'alice', 'regret')
    const local = await delivered(bob, 'alice', 'keep there')
    bob.svc.deleteMessage(local, false)
    assert.equal(bob.store.getMessage(local)?.text, '')
    bob.svc.deleteMessage(id, true)
    await until('wiped', () => alice.store.getMessage(id)?.deleted === true)
    assert.equal(alice.store.getMessage(id)?.text, '')
    await nothingHappens() // the local delete must not reach Alice
    assert.equal(alice.store.getMessage(local)?.text, 'keep there')
    assert.throws(() => alice.svc.deleteMessage(local, true), { name: 'NotYourMessage' })
  })

  void it('reactions: one per reactor, replaced, removed; not one emoji is refused', async () => {
    const id = await delivered(bob, 'alice', 'react to me')
    assert.deepEqual(alice.svc.reactMessage(id, '👍', false), { id, reactions: { '👍': ['me'] } })
    await until('bob sees it', () => bob.store.getMessage(id)?.reactions?.['👍'])
    assert.deepEqual(bob.store.getMessage(id)?.reactions, { '👍': [alice.id.peerId] })
    alice.svc.reactMessage(id, '🎉', false)
    await until('replaced', () => bob.store.getMessage(id)?.reactions?.['🎉'])
    assert.equal(bob.store.getMessage(id)?.reactions?.['👍'], undefined)
    alice.svc.reactMessage(id, '🎉', true)
    await until('removed', () => bob.store.getMessage(id)?.reactions === undefined)
    for (const bad of ['ok', '👍👍', ''])
      assert.throws(() => alice.svc.reactMessage(id, bad, false), { name: 'InvalidArgument' })
  })

  void it('disappearing: the timer travels, both sides get an event line, due messages are wiped', async () => {
    assert.throws(() => alice.svc.setDisappearing('bob', 2), { name: 'InvalidArgument' })
    assert.deepEqual(alice.svc.setDisappearing('bob', 5), {
      conversation: bob.id.peerId,
      ttlSeconds: 5,
    })
    await until('timer arrives', () => bob.store.edits.timer(alice.id.peerId)?.ttl === 5)
    const line = (p: Peer, c: string) =>
      p.svc.messages({ contact: c }).find((m) => m.kind === 'event')
    assert.equal(line(alice, 'bob')?.event?.type, 'timer')
    assert.equal(line(bob, 'alice')?.event?.ttlSeconds, 5)
    const id = await delivered(alice, 'bob', 'vanishing words')
    assert.equal(alice.store.getMessage(id)?.ttlSeconds, 5)
    assert.equal(bob.store.getMessage(id)?.ttlSeconds, 5)
    assert.equal(bob.store.getMessage(id)?.expiresAt, undefined, 'starts when read')
    bob.svc.readConversation('alice')
    assert.equal(typeof bob.store.getMessage(id)?.expiresAt, 'number')
    await until(
      'gone on both sides',
      () =>
        alice.store.getMessage(id)?.deleted === true && bob.store.getMessage(id)?.deleted === true
          ? true
          : undefined,
      20_000,
    )
    assert.equal(bob.store.getMessage(id)?.text, '')
    alice.svc.setDisappearing('bob', 0)
    await until('off', () => bob.store.edits.timer(alice.id.peerId)?.ttl === 0)
    const after = await delivered(alice, 'bob', 'stays')
    assert.equal(bob.store.getMessage(after)?.ttlSeconds, undefined)
  })
  void it('a message due while the daemon was down is wiped when it starts again', async () => {
    alice.svc.setDisappearing('bob', 5)
    const id = await delivered(alice, 'bob', 'due during the outage')
    const expiresAt = alice.store.getMessage(id)?.expiresAt
    assert.equal(typeof expiresAt, 'number')
    await alice.svc.stop()
    await until('its time passed', () => Date.now() > (expiresAt ?? 0) + 100, 15_000)
    assert.equal(alice.store.getMessage(id)?.deleted, undefined, 'nothing ran while stopped')
    const { createChatService } = await import('../../src/service/chat.js')
    const { fakeNode } = await import('../fakes/node-pair.js')
    const again = createChatService({
      store: alice.store,
      node: fakeNode(fake, alice.id.peerId),
      identity: alice.id,
      ctx,
      name: 'alice',
    })
    await again.start()
    try {
      assert.equal(alice.store.getMessage(id)?.deleted, true, 'swept at start')
      assert.equal(alice.store.getMessage(id)?.text, '')
    } finally {
      await again.stop()
    }
  })
})
