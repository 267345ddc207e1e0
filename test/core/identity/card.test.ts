// Signed contact cards (src/core/identity/card.ts): sign/verify round trip; any bit flip in the
// signature or the card is refused (fast-check); domain separation; another signer or PeerId;
// expiry; MAX_CONTACT_CARD_BYTES exactly and +1, MAX_CARD_ADDRS, MAX_CARD_MAILBOXES; the newer-
// card selector; random bytes give a typed error, never a crash.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { concat } from '../../../src/core/bytes.js'
import {
  CardExpiredError,
  InvalidKeyError,
  InvalidSignatureError,
  MalformedMessageError,
  MessageTooLargeError,
} from '../../../src/core/errors.js'
import {
  CARD_SIGNATURE_CONTEXT,
  selectNewerCard,
  signContactCard,
  verifyContactCard,
  type ContactCardInput,
} from '../../../src/core/identity/card.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../../src/core/identity/identity.js'
import {
  MAX_CARD_ADDRS,
  MAX_CARD_MAILBOXES,
  MAX_CONTACT_CARD_BYTES,
} from '../../../src/core/wire/limits.js'
import * as pb from '../../../src/core/wire/pb/wire.js'
import { nodeCrypto, nodeRng } from '../../../src/platform/node-crypto.js'
import { atLimit, bundleFor, exactly, flipBit, typedOrOk } from '../wire/helpers.js'

type B = Uint8Array<ArrayBuffer>
const NOW = 1_700_000_000_000
const alice = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const bob = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const relay = IdentityKeyPair.generate(nodeCrypto, nodeRng)

const input = (over: Partial<ContactCardInput> = {}): ContactCardInput => ({
  addrs: ['/ip4/192.0.2.7/tcp/4001', '/ip4/192.0.2.7/tcp/4002/ws'],
  prekeys: bundleFor(alice.publicKey),
  mailboxes: [relay.peerId, peerIdBytesFromPublicKey(bob.publicKey)],
  seq: 5n,
  expiresAt: BigInt(NOW + 3_600_000),
  ...over,
})

/** Signs an arbitrary ContactCard protobuf by hand (for cards signContactCard refuses to make). */
function signRaw(
  signer: IdentityKeyPair,
  card: Partial<pb.ContactCard>,
  context = true,
): Uint8Array {
  const encoded = pb.ContactCard.encode(card)
  const msg = context ? concat(CARD_SIGNATURE_CONTEXT, encoded) : encoded
  return pb.SignedContactCard.encode({
    card: encoded,
    signature: signer.sign(nodeCrypto, msg) as B,
  })
}

const rawCard = (): pb.ContactCard => ({
  peerId: peerIdBytesFromPublicKey(alice.publicKey) as B,
  addrs: ['/ip4/192.0.2.7/tcp/4001'],
  prekeys: bundleFor(alice.publicKey),
  mailboxes: [],
  seq: 1n,
  expiresAt: BigInt(NOW + 1000),
})

/** Rebuilds a SignedContactCard with one of its two fields changed. */
function withPart(
  signed: Uint8Array,
  part: 'card' | 'signature',
  f: (b: Uint8Array) => Uint8Array,
) {
  const s = pb.SignedContactCard.decode(signed)
  return pb.SignedContactCard.encode({ ...s, [part]: f(s[part]) as B })
}

void describe('contact cards', () => {
  void it('sign and verify, with and without the expected PeerId', () => {
    const inp = input()
    const signed = signContactCard(nodeCrypto, alice, inp)
    for (const expected of [undefined, alice.peerId]) {
      const card = verifyContactCard(nodeCrypto, signed, NOW, expected)
      assert.equal(card.peerId, alice.peerId)
      assert.deepEqual(card.addrs, inp.addrs)
      assert.deepEqual(card.prekeys, inp.prekeys)
      assert.deepEqual(card.mailboxes, [relay.peerId, bob.peerId])
      assert.equal(card.seq, 5n)
      assert.equal(card.expiresAt, inp.expiresAt)
      assert.deepEqual(card.signed, signed)
    }
  })

  void it('any bit flip in the signature is InvalidSignatureError (fast-check, numRuns 300)', () => {
    const signed = signContactCard(nodeCrypto, alice, input())
    fc.assert(
      fc.property(fc.nat(64 * 8 - 1), fc.boolean(), (bit, expect) => {
        const bad = withPart(signed, 'signature', (s) => flipBit(s, bit))
        const peer = expect ? alice.peerId : undefined
        assert.throws(() => verifyContactCard(nodeCrypto, bad, NOW, peer), InvalidSignatureError)
      }),
      { numRuns: 300 },
    )
  })

  void it('any bit flip in the card is InvalidSignatureError when the PeerId is expected, and never accepted otherwise (fast-check, numRuns 300)', () => {
    const signed = signContactCard(nodeCrypto, alice, input())
    const cardBits = pb.SignedContactCard.decode(signed).card.length * 8
    fc.assert(
      fc.property(fc.nat(cardBits - 1), (bit) => {
        const bad = withPart(signed, 'card', (c) => flipBit(c, bit))
        assert.throws(
          () => verifyContactCard(nodeCrypto, bad, NOW, alice.peerId),
          InvalidSignatureError,
        )
        assert.throws(
          () => verifyContactCard(nodeCrypto, bad, NOW),
          (e: unknown) => InvalidSignatureError.is(e) || MalformedMessageError.is(e),
        )
      }),
      { numRuns: 300 },
    )
  })

  void it('refuses a card for another PeerId than expected, or signed by another key', () => {
    const signed = signContactCard(nodeCrypto, alice, input())
    assert.throws(
      () => verifyContactCard(nodeCrypto, signed, NOW, bob.peerId),
      InvalidSignatureError,
    )
    // Claims to be Alice's, signed by Bob.
    const forged = signRaw(bob, rawCard())
    assert.throws(() => verifyContactCard(nodeCrypto, forged, NOW), InvalidSignatureError)
    assert.throws(
      () => verifyContactCard(nodeCrypto, forged, NOW, alice.peerId),
      InvalidSignatureError,
    )
    // Signed by Alice, but for Bob's PeerId.
    const mislabelled = signRaw(alice, {
      ...rawCard(),
      peerId: peerIdBytesFromPublicKey(bob.publicKey) as B,
    })
    assert.throws(
      () => verifyContactCard(nodeCrypto, mislabelled, NOW, alice.peerId),
      InvalidSignatureError,
    )
    assert.throws(() => verifyContactCard(nodeCrypto, signed, NOW, 'nonsense'), TypeError)
  })

  void it('is domain-separated: a signature over the bare card does not verify', () => {
    const bare = signRaw(alice, rawCard(), false)
    assert.throws(() => verifyContactCard(nodeCrypto, bare, NOW), InvalidSignatureError)
    verifyContactCard(nodeCrypto, signRaw(alice, rawCard()), NOW)
  })

  void it('binds the bundle to the PeerId (InvalidKeyError)', () => {
    assert.throws(
      () => signContactCard(nodeCrypto, alice, input({ prekeys: bundleFor(bob.publicKey) })),
      InvalidKeyError,
    )
    const wrong = signRaw(alice, { ...rawCard(), prekeys: bundleFor(bob.publicKey) })
    assert.throws(() => verifyContactCard(nodeCrypto, wrong, NOW), InvalidKeyError)
  })

  void it('refuses malformed fields under a valid signature', () => {
    const { prekeys: _p, ...noBundle } = rawCard()
    const bad: Partial<pb.ContactCard>[] = [
      noBundle,
      { ...rawCard(), mailboxes: [new Uint8Array(38)] },
      { ...rawCard(), mailboxes: [new Uint8Array(12)] },
      { ...rawCard(), prekeys: { ...bundleFor(alice.publicKey), signedPrekey: undefined } },
    ]
    for (const card of bad) {
      assert.throws(
        () => verifyContactCard(nodeCrypto, signRaw(alice, card), NOW),
        MalformedMessageError,
      )
    }
    const shortSig = withPart(signContactCard(nodeCrypto, alice, input()), 'signature', (s) =>
      s.subarray(1),
    )
    assert.throws(() => verifyContactCard(nodeCrypto, shortSig, NOW), MalformedMessageError)
  })

  void it('expires at expiresAt (CardExpiredError), after the signature is checked', () => {
    const expiresAt = BigInt(NOW)
    const signed = signContactCard(nodeCrypto, alice, input({ expiresAt }))
    verifyContactCard(nodeCrypto, signed, NOW - 1)
    verifyContactCard(nodeCrypto, signed, NOW - 0.5)
    assert.throws(() => verifyContactCard(nodeCrypto, signed, NOW), CardExpiredError)
    assert.throws(
      () => verifyContactCard(nodeCrypto, signed, NOW + 1, alice.peerId),
      CardExpiredError,
    )
    const bad = withPart(signed, 'signature', (s) => flipBit(s, 3))
    assert.throws(() => verifyContactCard(nodeCrypto, bad, NOW + 1), InvalidSignatureError)
    assert.throws(() => verifyContactCard(nodeCrypto, signed, Number.NaN), TypeError)
    assert.equal(new CardExpiredError('x').name, 'CardExpiredError')
  })

  void it(`holds MAX_CARD_ADDRS (${MAX_CARD_ADDRS}) and MAX_CARD_MAILBOXES (${MAX_CARD_MAILBOXES}), not one more`, () => {
    const addrs = Array.from({ length: MAX_CARD_ADDRS }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`)
    const mailboxes = Array.from({ length: MAX_CARD_MAILBOXES }, () => relay.peerId)
    const card = verifyContactCard(
      nodeCrypto,
      signContactCard(nodeCrypto, alice, input({ addrs, mailboxes })),
      NOW,
    )
    assert.equal(card.addrs.length, MAX_CARD_ADDRS)
    assert.equal(card.mailboxes.length, MAX_CARD_MAILBOXES)
    const moreAddrs = [...addrs, '/ip4/10.0.0.99/tcp/1']
    const moreMailboxes = [...mailboxes, bob.peerId]
    assert.throws(
      () => signContactCard(nodeCrypto, alice, input({ addrs: moreAddrs })),
      MessageTooLargeError,
    )
    assert.throws(
      () => signContactCard(nodeCrypto, alice, input({ mailboxes: moreMailboxes })),
      MessageTooLargeError,
    )
    const raw = rawCard()
    const over = [
      { ...raw, addrs: moreAddrs },
      {
        ...raw,
        mailboxes: moreMailboxes.map(() => peerIdBytesFromPublicKey(relay.publicKey) as B),
      },
    ]
    for (const c of over) {
      assert.throws(
        () => verifyContactCard(nodeCrypto, signRaw(alice, c), NOW),
        MalformedMessageError,
      )
    }
  })

  void it(`is bounded by MAX_CONTACT_CARD_BYTES (${MAX_CONTACT_CARD_BYTES}), exactly and +1`, () => {
    const atMax = exactly(MAX_CONTACT_CARD_BYTES, (n) =>
      signRaw(alice, { ...rawCard(), addrs: ['/dns4/' + 'a'.repeat(n)] }),
    )
    atLimit((b) => verifyContactCard(nodeCrypto, b, NOW), atMax, MAX_CONTACT_CARD_BYTES, true)
    const huge = ['/dns4/' + 'a'.repeat(MAX_CONTACT_CARD_BYTES)]
    assert.throws(
      () => signContactCard(nodeCrypto, alice, input({ addrs: huge })),
      MessageTooLargeError,
    )
  })

  void it('random bytes give a typed error, never a crash (fast-check, numRuns 500)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), (bytes, expect) =>
        typedOrOk(() =>
          verifyContactCard(nodeCrypto, bytes, NOW, expect ? alice.peerId : undefined),
        ),
      ),
      { numRuns: 500 },
    )
  })
})

void describe('selectNewerCard', () => {
  const prekeys = bundleFor(alice.publicKey)
  const card = (seq: bigint, addr = '/ip4/192.0.2.1/tcp/1') => {
    const signed = signContactCard(nodeCrypto, alice, input({ seq, addrs: [addr], prekeys }))
    return verifyContactCard(nodeCrypto, signed, NOW)
  }

  void it('picks the higher seq whatever the order', () => {
    const [old, cur] = [card(1n), card(2n)]
    assert.equal(selectNewerCard(old, cur), cur)
    assert.equal(selectNewerCard(cur, old), cur)
  })

  void it('breaks a tie on seq the same way whatever the order', () => {
    const [a, b] = [card(3n, '/ip4/192.0.2.1/tcp/1'), card(3n, '/ip4/192.0.2.2/tcp/1')]
    assert.equal(selectNewerCard(a, b), selectNewerCard(b, a))
    const same = card(3n, '/ip4/192.0.2.1/tcp/1') // Ed25519 is deterministic: the same bytes
    assert.deepEqual(same.signed, a.signed)
    assert.equal(selectNewerCard(a, same), a)
  })

  void it('refuses to compare cards of different peers', () => {
    const other = verifyContactCard(
      nodeCrypto,
      signContactCard(nodeCrypto, bob, input({ prekeys: bundleFor(bob.publicKey) })),
      NOW,
    )
    assert.throws(() => selectNewerCard(card(1n), other), TypeError)
  })
})
