// Message requests, blocking, invite proofs and names (issue 11 findings 5, 7, 12) through real
// ChatServices on real stores, linked by an in-memory fake node: an honest adder becomes a
// contact by its invite proof; a stranger (fresh keys, our bundle, no secret) gets a bounded,
// unacked request and none of its card's addresses are watched; accept and block; caps at MAX+1;
// `invite --once`; names that would forge text or capture a PeerId are refused.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { initiateSession, sessionEncrypt } from '../../src/core/session/session.js'
import type { SessionRecord } from '../../src/core/session/record.js'
import { decodeChatContent, encodeChatContent } from '../../src/core/wire/content.js'
import {
  decodeInviteLink,
  encodeInviteLink,
  INVITE_SECRET_BYTES,
} from '../../src/core/wire/invite.js'
import * as pb from '../../src/core/wire/pb/wire.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { MAX_CONTACT_NAME_CHARS } from '../../src/service/direct/names.js'
import { MAX_ONCE_INVITES } from '../../src/service/direct/proofs.js'
import {
  MAX_REQUEST_BYTES,
  MAX_REQUEST_MESSAGES,
  MAX_REQUESTS,
} from '../../src/service/direct/requests.js'
import {
  ctx,
  fakeNet,
  startPeer,
  type Peer,
  nothingHappens,
  closePeers,
} from '../fakes/node-pair.js'
import { until } from '../helpers/wait.js'

/** The in-memory network (test/fakes/node-pair.ts). */
const fake = fakeNet()
const { net, watched } = fake
const peers: Peer[] = []

async function peer(name: string, id?: IdentityKeyPair): Promise<Peer> {
  const p = await startPeer(fake, name, id)
  peers.push(p)
  return p
}

/** A hostile stranger: fresh keys, a session from the victim's invite bundle, no secret. */
function stranger(link: string) {
  const id = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  let record: SessionRecord = initiateSession(ctx, id, decodeInviteLink(link).bundle!)
  let seq = 0
  type Input = Parameters<typeof encodeChatContent>[0]
  const frame = (body: {
    text?: string
    card?: Uint8Array
    group?: Input['group']
    receipt?: Input['receipt']
  }): Uint8Array => {
    const content = encodeChatContent({
      messageId: nodeRng(16),
      sender: peerIdBytesFromPublicKey(id.publicKey),
      seq: BigInt(++seq),
      sentAt: BigInt(Date.now()),
      conversation: new Uint8Array(0),
      ...(body.text !== undefined ? { text: { text: body.text } } : {}),
      ...(body.card !== undefined ? { card: body.card } : {}),
      ...(body.group !== undefined ? { group: body.group } : {}),
      ...(body.receipt !== undefined ? { receipt: body.receipt } : {}),
    })
    const r = sessionEncrypt(ctx, record, content)
    record = r.record
    return r.envelope
  }
  return { id, peerId: id.peerId, frame }
}

/** The link without its secret: what a peer holding only our PeerId and bundle can build. */
const stripped = (link: string): string => {
  const d = decodeInviteLink(link)
  return encodeInviteLink({ peerId: d.peerId, addrs: d.addrs, bundle: d.bundle!, name: d.name })
}

/** Hands a frame to `to`'s dm handler as the node would (a throw becomes a rejection). */
const deliver = async (to: Peer, from: string, frame: Uint8Array) =>
  net.get(to.id.peerId)!(from, frame)

let victim: Peer
beforeEach(async () => {
  victim = await peer('victim')
})
afterEach(async () => {
  await closePeers(peers)
  net.clear()
  watched.clear()
})

void describe('invite proofs', () => {
  void it('a peer that adds our invite becomes a contact by its proof; the proof stops once we answer', async () => {
    const honest = await peer('honest')
    await honest.svc.addContact(victim.svc.invite({ full: true }).link, 'vic')
    assert.ok(honest.store.trust.inviteProof(victim.id.peerId) !== undefined)
    const { id } = honest.svc.send('vic', 'hello')
    await until('delivered', () => honest.store.getMessage(id)?.status === 'delivered')
    const c = victim.store.getContact(honest.id.peerId)
    assert.equal(c?.name, honest.id.peerId, 'named by its PeerId')
    assert.equal(c?.profileName, 'honest', 'what it calls itself')
    assert.deepEqual(
      victim.svc.messages({ contact: honest.id.peerId }).map((m) => m.text),
      ['hello'],
    )
    assert.equal(honest.store.trust.inviteProof(victim.id.peerId), undefined, 'heard back')
    assert.deepEqual(victim.svc.listRequests(), [])
  })

  void it(`keeps MAX_ONCE_INVITES unused single-use secrets: the ${MAX_ONCE_INVITES + 1}th forgets the oldest`, () => {
    const secrets = Array.from(
      { length: MAX_ONCE_INVITES + 1 },
      () => decodeInviteLink(victim.svc.invite({ once: true }).link).secret,
    )
    const redeem = (s: Uint8Array) =>
      victim.store.trust.redeemInviteSecret(nodeCrypto.sha256(s), victim.id.peerId)
    assert.equal(redeem(secrets[0]!), false, 'the oldest is forgotten')
    assert.equal(redeem(secrets[1]!), true)
    assert.equal(redeem(secrets[MAX_ONCE_INVITES]!), true)
  })

  void it('an invite proof of INVITE_SECRET_BYTES + 1 bytes is malformed', () => {
    const base = {
      messageId: new Uint8Array(16),
      sender: new Uint8Array(0),
      seq: 1n,
      sentAt: 1n,
      conversation: new Uint8Array(0),
      text: { text: 'x' },
    }
    const proof = new Uint8Array(INVITE_SECRET_BYTES + 1)
    assert.throws(() => encodeChatContent({ ...base, inviteProof: proof }), RangeError)
    const raw = pb.ChatContent.encode({ ...base, inviteProof: proof, profileName: '' })
    assert.throws(() => decodeChatContent(raw), { name: 'MalformedMessageError' })
    assert.equal(
      decodeChatContent(
        encodeChatContent({ ...base, inviteProof: new Uint8Array(INVITE_SECRET_BYTES) }),
      ).inviteProof.length,
      INVITE_SECRET_BYTES,
    )
  })

  void it('invite --once works for the first peer only; the second is a request', async () => {
    const link = victim.svc.invite({ once: true }).link
    const first = await peer('first')
    const second = await peer('second')
    await first.svc.addContact(link, 'vic')
    await second.svc.addContact(link, 'vic')
    const a = first.svc.send('vic', 'one')
    await until('first delivered', () => first.store.getMessage(a.id)?.status === 'delivered')
    second.svc.send('vic', 'two')
    await until('second held', () => victim.svc.listRequests().length === 1 || undefined)
    assert.ok(victim.store.getContact(first.id.peerId) !== undefined)
    assert.equal(victim.store.getContact(second.id.peerId), undefined)
    assert.equal(victim.svc.listRequests()[0]?.peerId, second.id.peerId)
    assert.equal(victim.svc.listRequests()[0]?.profileName, 'second')
  })
})

void describe('message requests', () => {
  void it('a stranger creates no contact, gets no receipt, its card is refused; accept shows it', async () => {
    const s = await peer('stranger')
    await s.svc.addContact(stripped(victim.svc.invite({ full: true }).link), 'vic')
    const { id } = s.svc.send('vic', 'hi, it is me')
    await until('a request', () => victim.svc.listRequests().length === 1 || undefined)
    await nothingHappens() // no receipt, no contact may follow
    assert.equal(victim.store.getContact(s.id.peerId), undefined, 'no contact')
    assert.deepEqual(victim.svc.listContacts(), [])
    assert.deepEqual(victim.svc.messages({}), [], 'not in history')
    assert.equal(s.store.getMessage(id)?.status, 'sent', 'no receipt')
    const [r] = victim.svc.listRequests()
    assert.equal(r?.peerId, s.id.peerId)
    assert.equal(r?.messages, 1)
    // Its pushed card (finding 12: addresses to dial) is refused, nothing is watched.
    const h = stranger(victim.svc.invite({ full: true }).link)
    await deliver(victim, h.peerId, h.frame({ text: 'x' }))
    const before = victim.svc.status().metrics.requests?.strangerFrames ?? 0
    await assert.rejects(deliver(victim, h.peerId, h.frame({ card: new Uint8Array(40) })), {
      name: 'StrangerFrame',
    })
    assert.ok([...watched.keys()].every((k) => !k.startsWith(`${victim.id.peerId}>`)))
    // Its group invitation (a GroupUpdate from a non-member) is not applied either.
    const invitation = { groupId: new Uint8Array(16).fill(1), ops: [], secrets: [], cards: [] }
    await assert.rejects(deliver(victim, h.peerId, h.frame({ group: invitation })), {
      name: 'StrangerFrame',
    })
    assert.equal(victim.svc.status().metrics.requests?.strangerFrames, before + 2)
    // Accept: a contact, the held text in history, acked now.
    assert.deepEqual(victim.svc.acceptRequest(s.id.peerId, 'sam'), {
      peerId: s.id.peerId,
      accepted: true,
    })
    assert.equal(victim.store.getContact('sam')?.peerId, s.id.peerId)
    assert.deepEqual(
      victim.svc.messages({ contact: 'sam' }).map((m) => m.text),
      ['hi, it is me'],
    )
    await until('acked after accept', () => s.store.getMessage(id)?.status === 'delivered')
    assert.equal(victim.svc.listRequests().length, 1, 'the other stranger still waits')
    assert.throws(() => victim.svc.acceptRequest(s.id.peerId), { name: 'RequestNotFound' })
  })

  void it('a receipt starting a session is refused; one on a session we hold passes', async () => {
    const link = victim.svc.invite({ full: true }).link
    const receipt = { kind: pb.ReceiptKind.DELIVERED, messageIds: [new Uint8Array(16)] }
    const fresh = stranger(link)
    await assert.rejects(deliver(victim, fresh.peerId, fresh.frame({ receipt })), {
      name: 'StrangerFrame',
    })
    assert.equal(victim.store.protocol.loadSession(fresh.peerId), undefined, 'nothing stored')
    const known = stranger(link)
    await deliver(victim, known.peerId, known.frame({ text: 'hi' }))
    await deliver(victim, known.peerId, known.frame({ receipt }))
    assert.equal(victim.svc.status().metrics.requests?.strangerFrames, 1)
  })

  void it(`caps: 100 strangers (> MAX_REQUESTS + 1) keep ${MAX_REQUESTS}, the oldest dropped with their sessions`, async () => {
    const link = victim.svc.invite({ full: true }).link
    const n = Math.max(100, MAX_REQUESTS + 1)
    const all = Array.from({ length: n }, () => stranger(link))
    for (const s of all) await deliver(victim, s.peerId, s.frame({ text: 'hello' }))
    const list = victim.svc.listRequests()
    assert.equal(list.length, MAX_REQUESTS)
    assert.deepEqual(
      list.map((r) => r.peerId).sort(),
      all
        .slice(n - MAX_REQUESTS)
        .map((s) => s.peerId)
        .sort(),
      'the newest stay',
    )
    assert.equal(victim.store.protocol.loadSession(all[0]!.peerId), undefined)
    assert.equal(victim.store.protocol.loadSession(all[n - MAX_REQUESTS - 1]!.peerId), undefined)
    assert.ok(victim.store.protocol.loadSession(all[n - 1]!.peerId) !== undefined)
    assert.equal(victim.svc.status().metrics.requests?.evicted, n - MAX_REQUESTS)
    assert.deepEqual(victim.svc.listContacts(), [])
  })

  void it('caps: MAX_REQUEST_MESSAGES + 1 texts from one stranger keep the first ones', async () => {
    const s = stranger(victim.svc.invite({ full: true }).link)
    for (let i = 0; i <= MAX_REQUEST_MESSAGES; i++)
      await deliver(victim, s.peerId, s.frame({ text: `m${i}` }))
    assert.equal(victim.svc.listRequests()[0]?.messages, MAX_REQUEST_MESSAGES)
    assert.equal(victim.svc.status().metrics.requests?.dropped, 1)
  })

  void it('caps: held texts stay within MAX_REQUEST_BYTES (oldest requests dropped)', async () => {
    const link = victim.svc.invite({ full: true }).link
    const big = 'x'.repeat(60_000)
    const n = Math.floor(MAX_REQUEST_BYTES / big.length) + 1
    for (let i = 0; i < n; i++) {
      const s = stranger(link)
      await deliver(victim, s.peerId, s.frame({ text: big }))
    }
    const total = victim.store.trust.requestTotals()
    assert.ok(total.bytes <= MAX_REQUEST_BYTES, `${total.bytes}`)
    assert.equal(total.requests, n - 1)
  })
})

void describe('blocking', () => {
  void it('blockRequest drops it and every later frame, before decryption; unblock reverses', async () => {
    const s = stranger(victim.svc.invite({ full: true }).link)
    await deliver(victim, s.peerId, s.frame({ text: 'one' }))
    assert.deepEqual(victim.svc.blockRequest(s.peerId), { peerId: s.peerId, accepted: false })
    assert.deepEqual(victim.svc.listRequests(), [])
    await assert.rejects(deliver(victim, s.peerId, s.frame({ text: 'two' })), {
      name: 'BlockedPeer',
    })
    await assert.rejects(deliver(victim, s.peerId, new Uint8Array([1, 2, 3])), {
      name: 'BlockedPeer',
    })
    assert.equal(victim.svc.status().metrics.requests?.blockedFrames, 2)
    assert.deepEqual(victim.svc.unblockContact(s.peerId), { peerId: s.peerId, blocked: false })
  })

  void it('a blocked contact: nothing is sent to it, its messages are dropped; any PeerId can be blocked', async () => {
    const honest = await peer('honest')
    await honest.svc.addContact(victim.svc.invite({ full: true }).link, 'vic')
    const m1 = honest.svc.send('vic', 'hello')
    await until('delivered', () => honest.store.getMessage(m1.id)?.status === 'delivered')
    assert.deepEqual(victim.svc.blockContact(honest.id.peerId), {
      peerId: honest.id.peerId,
      blocked: true,
    })
    assert.equal(victim.svc.listContacts()[0]?.blocked, true)
    assert.throws(() => victim.svc.send(honest.id.peerId, 'x'), { name: 'ContactNotFound' })
    const blocked = victim.svc.status().metrics.requests?.blockedFrames ?? 0
    honest.svc.send('vic', 'after block')
    await until(
      'the frame refused',
      () => (victim.svc.status().metrics.requests?.blockedFrames ?? 0) > blocked,
    )
    assert.deepEqual(
      victim.store.listMessages({ conversation: honest.id.peerId }).map((m) => m.text),
      ['hello'],
    )
    assert.ok((victim.svc.status().metrics.requests?.blockedFrames ?? 0) >= 1)
    const anyone = IdentityKeyPair.generate(nodeCrypto, nodeRng).peerId
    assert.deepEqual(victim.svc.blockContact(anyone), { peerId: anyone, blocked: true })
    assert.throws(() => victim.svc.blockContact('nobody'), { name: 'ContactNotFound' })
    victim.svc.unblockContact(honest.id.peerId)
    await until('delivered after unblock', () =>
      victim.store
        .listMessages({ conversation: honest.id.peerId })
        .some((m) => m.text === 'after block'),
    )
  })
})

void describe('names', () => {
  void it('refuses control, bidi and zero-width characters, PeerIds, overlong and taken names', async () => {
    const a = await peer('a')
    const b = await peer('b')
    await victim.svc.addContact(a.svc.invite({ full: true }).link, 'alice')
    await victim.svc.addContact(b.svc.invite({ full: true }).link, 'bob')
    for (const bad of [
      'al\x1b[2Jice',
      'a\rb',
      'a\nb',
      'bo\u202eb',
      'bo\u2066b',
      'bo\u2065b', // unassigned, in the invisible-operator block
      'b\u200bob',
      '\u0085x',
      ' bob',
      '',
      'x'.repeat(MAX_CONTACT_NAME_CHARS + 1),
      a.id.peerId,
      b.id.peerId,
    ])
      assert.throws(() => victim.svc.renameContact('bob', bad), { name: 'InvalidName' }, bad)
    assert.throws(() => victim.svc.renameContact('bob', 'alice'), { name: 'NameTaken' })
    assert.deepEqual(victim.svc.renameContact('bob', 'Bób 🐇'), {
      name: 'Bób 🐇',
      peerId: b.id.peerId,
    })
    assert.equal(
      victim.svc.renameContact('alice', 'é'.repeat(MAX_CONTACT_NAME_CHARS)).peerId,
      a.id.peerId,
    )
    await assert.rejects(victim.svc.addContact(b.svc.invite({ full: true }).link, 'a\x07'), {
      name: 'InvalidName',
    })
  })

  void it("an invite named like another peer's PeerId cannot capture that PeerId", async () => {
    const real = await peer('real')
    const impostor = await peer('impostor')
    // The impostor's invite carries the real peer's PeerId as its name.
    const d = decodeInviteLink(impostor.svc.invite({ full: true }).link)
    const forged = encodeInviteLink({ ...d, bundle: d.bundle!, name: real.id.peerId })
    const added = await victim.svc.addContact(forged)
    assert.equal(added.peerId, impostor.id.peerId)
    assert.equal(added.name, impostor.id.peerId, 'the forged name is not used')
    assert.equal(victim.store.getContact(added.peerId)?.profileName, '')
    // The real PeerId resolves to no one (not to the impostor).
    assert.throws(() => victim.svc.send(real.id.peerId, 'x'), { name: 'ContactNotFound' })
    assert.throws(() => victim.svc.safetyNumber(real.id.peerId), { name: 'ContactNotFound' })
    // A name with escape sequences is not used either.
    const e = await peer('e')
    const de = decodeInviteLink(e.svc.invite({ full: true }).link)
    const escaped = await victim.svc.addContact(
      encodeInviteLink({ ...de, bundle: de.bundle!, name: 'x\x1b]0;pwn\x07' }),
    )
    assert.equal(escaped.name, e.id.peerId)
  })
})
