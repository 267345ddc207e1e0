// Invite links (src/core/wire/invite.ts): round trips, link syntax, the PeerId ↔ bundle binding,
// versions, MAX_INVITE_BYTES exactly and +1, MAX_CARD_ADDRS, tampering, and random input
// giving a typed error, never a crash (fast-check).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { base64urlnopad } from '@scure/base'
import {
  InvalidKeyError,
  InvalidSignatureError,
  MalformedMessageError,
  MessageTooLargeError,
  UnsupportedVersionError,
} from '../../../src/core/errors.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../../src/core/identity/identity.js'
import {
  INVITE_LINK_PREFIX,
  INVITE_SECRET_BYTES,
  INVITE_VERSION,
  MAX_INVITE_LINK_CHARS,
  MAX_PACKED_ADDR_BYTES,
  MAX_SHORT_INVITE_LINK_CHARS,
  SHORT_INVITE_VERSION,
  decodeInviteLink,
  encodeInviteLink,
  encodeShortInviteLink,
  verifyShortInvite,
} from '../../../src/core/wire/invite.js'
import { MAX_CARD_ADDRS, MAX_INVITE_BYTES, MAX_NAME_BYTES } from '../../../src/core/wire/limits.js'
import * as pb from '../../../src/core/wire/pb/wire.js'
import { nodeCrypto, nodeRng } from '../../../src/platform/node-crypto.js'
import { atLimit, bundleFor, exactly, typedOrOk } from './helpers.js'

const alice = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const mallory = IdentityKeyPair.generate(nodeCrypto, nodeRng)
const addrs = ['/ip4/192.0.2.1/tcp/4001', '/ip4/192.0.2.1/tcp/4002/ws']

/** The link of a hand-made Invite protobuf (for what encodeInviteLink refuses to make). */
const linkOf = (invite: Partial<pb.Invite>): string =>
  INVITE_LINK_PREFIX + base64urlnopad.encode(pb.Invite.encode(invite))

const rawInvite = (): pb.Invite => ({
  version: INVITE_VERSION,
  peerId: peerIdBytesFromPublicKey(alice.publicKey) as Uint8Array<ArrayBuffer>,
  addrs,
  bundle: bundleFor(alice.publicKey),
  packedAddrs: [],
  signature: new Uint8Array(0),
  name: 'alice',
  secret: new Uint8Array(0),
})

void describe('invite links', () => {
  void it('round-trip, with the PeerId as a string or as bytes', () => {
    const bundle = bundleFor(alice.publicKey)
    for (const peerId of [alice.peerId, peerIdBytesFromPublicKey(alice.publicKey)]) {
      const secret = new Uint8Array(INVITE_SECRET_BYTES).fill(7)
      const link = encodeInviteLink({ peerId, addrs, bundle, name: 'Alice 🐇', secret })
      assert.ok(link.startsWith('kith://invite/'))
      assert.match(link.slice(INVITE_LINK_PREFIX.length), /^[A-Za-z0-9_-]+$/)
      const back = decodeInviteLink(link)
      assert.deepEqual(back, {
        version: INVITE_VERSION,
        peerId: alice.peerId,
        addrs,
        packedAddrs: [],
        bundle,
        name: 'Alice 🐇',
        secret,
      })
    }
  })

  void it('round-trip a minimal invite, and one fitting a QR code without one-time prekeys', () => {
    const bundle = bundleFor(alice.publicKey, true)
    const link = encodeInviteLink({ peerId: alice.peerId, addrs: [], bundle, name: '' })
    assert.deepEqual(decodeInviteLink(link), {
      version: INVITE_VERSION,
      peerId: alice.peerId,
      addrs: [],
      packedAddrs: [],
      bundle,
      name: '',
      secret: new Uint8Array(0),
    })
    assert.ok(link.length < 2953, `${link.length} chars`) // QR version 40, byte mode, level L
  })

  void it('refuse an invite secret of INVITE_SECRET_BYTES + 1 (or − 1) bytes', () => {
    for (const n of [INVITE_SECRET_BYTES - 1, INVITE_SECRET_BYTES + 1]) {
      const link = linkOf({ ...rawInvite(), secret: new Uint8Array(n) })
      assert.throws(() => decodeInviteLink(link), { name: 'MalformedMessageError' })
      const bundle = bundleFor(alice.publicKey)
      const input = { peerId: alice.peerId, addrs, bundle, name: '', secret: new Uint8Array(n) }
      assert.throws(() => encodeInviteLink(input), RangeError)
    }
  })

  void it('accept surrounding whitespace and an upper-case scheme', () => {
    const link = encodeInviteLink({
      peerId: alice.peerId,
      addrs,
      bundle: bundleFor(alice.publicKey),
      name: 'a',
    })
    const payload = link.slice(INVITE_LINK_PREFIX.length)
    assert.equal(decodeInviteLink(`  ${link}\n`).peerId, alice.peerId)
    assert.equal(decodeInviteLink(`KITH://INVITE/${payload}`).peerId, alice.peerId)
  })

  void it('refuse a bundle that is not the PeerId’s (InvalidKeyError)', () => {
    const bundle = bundleFor(mallory.publicKey)
    assert.throws(
      () => encodeInviteLink({ peerId: alice.peerId, addrs, bundle, name: 'a' }),
      InvalidKeyError,
    )
    assert.throws(() => decodeInviteLink(linkOf({ ...rawInvite(), bundle })), InvalidKeyError)
    const otherPeer = peerIdBytesFromPublicKey(mallory.publicKey) as Uint8Array<ArrayBuffer>
    assert.throws(
      () => decodeInviteLink(linkOf({ ...rawInvite(), peerId: otherPeer })),
      InvalidKeyError,
    )
  })

  void it('refuse a PeerId that is not an Ed25519 one (InvalidKeyError)', () => {
    const notEd = Uint8Array.from(peerIdBytesFromPublicKey(alice.publicKey))
    notEd[3] = 0x02 // key type secp256k1
    assert.throws(
      () => decodeInviteLink(linkOf({ ...rawInvite(), peerId: notEd })),
      InvalidKeyError,
    )
    assert.throws(
      () => decodeInviteLink(linkOf({ ...rawInvite(), peerId: new Uint8Array(0) })),
      InvalidKeyError,
    )
    assert.throws(
      () =>
        encodeInviteLink({
          peerId: 'not-a-peer-id',
          addrs,
          bundle: bundleFor(alice.publicKey),
          name: '',
        }),
      InvalidKeyError,
    )
  })

  void it('refuse other versions (UnsupportedVersionError)', () => {
    for (const version of [0, 3]) {
      assert.throws(
        () => decodeInviteLink(linkOf({ ...rawInvite(), version })),
        UnsupportedVersionError,
      )
    }
  })

  void it('refuse a bad scheme, bad base64url, a truncated payload and a missing bundle', () => {
    const link = encodeInviteLink({
      peerId: alice.peerId,
      addrs,
      bundle: bundleFor(alice.publicKey),
      name: 'a',
    })
    const payload = link.slice(INVITE_LINK_PREFIX.length)
    for (const bad of [
      `https://invite/${payload}`,
      `kith://invit/${payload}`,
      `${INVITE_LINK_PREFIX}${payload.slice(0, 10)}!${payload.slice(11)}`,
      `${INVITE_LINK_PREFIX}${payload}=`,
      `${INVITE_LINK_PREFIX}${payload.slice(0, payload.length - 40)}`,
      '',
    ]) {
      assert.throws(() => decodeInviteLink(bad), MalformedMessageError, bad.slice(0, 30))
    }
    const { bundle: _b, ...noBundle } = rawInvite()
    assert.throws(() => decodeInviteLink(linkOf(noBundle)), MalformedMessageError)
  })

  void it(`hold MAX_CARD_ADDRS (${MAX_CARD_ADDRS}) addresses, not one more`, () => {
    const bundle = bundleFor(alice.publicKey, true)
    const many = Array.from({ length: MAX_CARD_ADDRS }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`)
    const link = encodeInviteLink({ peerId: alice.peerId, addrs: many, bundle, name: '' })
    assert.equal(decodeInviteLink(link).addrs.length, MAX_CARD_ADDRS)
    const over = [...many, '/ip4/10.0.0.99/tcp/1']
    assert.throws(
      () => encodeInviteLink({ peerId: alice.peerId, addrs: over, bundle, name: '' }),
      MessageTooLargeError,
    )
    assert.throws(
      () => decodeInviteLink(linkOf({ ...rawInvite(), addrs: over })),
      MalformedMessageError,
    )
  })

  void it(`cap the name at MAX_NAME_BYTES (${MAX_NAME_BYTES})`, () => {
    const bundle = bundleFor(alice.publicKey, true)
    const name = 'n'.repeat(MAX_NAME_BYTES + 1)
    assert.throws(
      () => encodeInviteLink({ peerId: alice.peerId, addrs, bundle, name }),
      MessageTooLargeError,
    )
    assert.throws(() => decodeInviteLink(linkOf({ ...rawInvite(), name })), MalformedMessageError)
  })

  void it(`are bounded by MAX_INVITE_BYTES (${MAX_INVITE_BYTES}), exactly and +1`, () => {
    const atMax = exactly(MAX_INVITE_BYTES, (n) =>
      pb.Invite.encode({ ...rawInvite(), addrs: [...addrs, '/dns4/' + 'a'.repeat(n)] }),
    )
    const decode = (b: Uint8Array) =>
      decodeInviteLink(INVITE_LINK_PREFIX + base64urlnopad.encode(b))
    atLimit(decode, atMax, MAX_INVITE_BYTES, true)
    assert.equal((INVITE_LINK_PREFIX + base64urlnopad.encode(atMax)).length, MAX_INVITE_LINK_CHARS)
    assert.throws(
      () => decodeInviteLink('kith://invite/' + 'A'.repeat(MAX_INVITE_LINK_CHARS)),
      MessageTooLargeError,
    )
    const huge = [...addrs, '/dns4/' + 'a'.repeat(MAX_INVITE_BYTES)]
    assert.throws(
      () =>
        encodeInviteLink({
          peerId: alice.peerId,
          addrs: huge,
          bundle: bundleFor(alice.publicKey),
          name: '',
        }),
      MessageTooLargeError,
    )
  })

  void it('tampering: any one changed character gives a typed error or a self-consistent invite (fast-check, numRuns 500)', () => {
    const link = encodeInviteLink({
      peerId: alice.peerId,
      addrs,
      bundle: bundleFor(alice.publicKey),
      name: 'a',
    })
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    fc.assert(
      fc.property(fc.nat(link.length - 1), fc.nat(alphabet.length - 1), (at, c) => {
        const tampered = link.slice(0, at) + alphabet[c]! + link.slice(at + 1)
        typedOrOk(() => {
          const inv = decodeInviteLink(tampered)
          // Whatever decoded is still bound: the bundle is the PeerId's.
          assert.equal(inv.peerId === alice.peerId, true)
        })
      }),
      { numRuns: 500 },
    )
  })

  void it('random strings and random payloads give a typed error (fast-check, numRuns 500)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 2048 }), (s, bytes) => {
        typedOrOk(() => decodeInviteLink(s))
        typedOrOk(() => decodeInviteLink(INVITE_LINK_PREFIX + base64urlnopad.encode(bytes)))
      }),
      { numRuns: 500 },
    )
  })
})

describe('short invite links (version 2: no bundle, fetched on first contact)', () => {
  const secret = new Uint8Array(INVITE_SECRET_BYTES).fill(5)
  const sign = (m: Uint8Array) => alice.sign(nodeCrypto, m)
  /** A relayed address's bytes: ≈52, as multiaddr packs /ip4/…/tcp/…/p2p/<relay>/p2p-circuit. */
  const packed = (i: number) => new Uint8Array(52).fill(i)

  void it('round-trip: PeerId, packed addresses, name, secret; no bundle', () => {
    const link = encodeShortInviteLink({
      peerId: alice.peerId,
      packedAddrs: [packed(1), packed(2)],
      name: 'Alice',
      secret,
      sign,
    })
    const d = decodeInviteLink(link)
    assert.equal(d.version, SHORT_INVITE_VERSION)
    assert.equal(d.peerId, alice.peerId)
    assert.deepEqual(d.packedAddrs, [packed(1), packed(2)])
    assert.deepEqual(d.addrs, [])
    assert.equal(d.bundle, undefined)
    assert.equal(d.name, 'Alice')
    assert.deepEqual(d.secret, secret)
  })

  void it(`stay within MAX_SHORT_INVITE_LINK_CHARS (${MAX_SHORT_INVITE_LINK_CHARS}) whatever the addresses and name, keeping the best addresses`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_CARD_ADDRS }),
        fc.string({ maxLength: 60 }),
        (n, name) => {
          const addrs = Array.from({ length: n }, (_, i) => packed(i + 1))
          const link = encodeShortInviteLink({
            peerId: alice.peerId,
            packedAddrs: addrs,
            name,
            secret,
            sign,
          })
          assert.ok(link.length <= MAX_SHORT_INVITE_LINK_CHARS, `${link.length} characters`)
          const d = decodeInviteLink(link)
          // The addresses kept are a prefix of those given (best first).
          assert.deepEqual(d.packedAddrs, addrs.slice(0, d.packedAddrs.length))
          if (n > 0) assert.ok(d.packedAddrs.length >= 1, 'at least one address fits')
        },
      ),
      { numRuns: 100 },
    )
    // A name of MAX_NAME_BYTES does not fit with any address: the name goes, the link stays short.
    const long = encodeShortInviteLink({
      peerId: alice.peerId,
      packedAddrs: [packed(1)],
      name: 'n'.repeat(MAX_NAME_BYTES),
      secret,
      sign,
    })
    assert.ok(long.length <= MAX_SHORT_INVITE_LINK_CHARS)
  })

  void it(`refuse a packed address of MAX_PACKED_ADDR_BYTES + 1 (${MAX_PACKED_ADDR_BYTES + 1}), and accept MAX`, () => {
    const raw = (a: Uint8Array) =>
      linkOf({
        version: SHORT_INVITE_VERSION,
        peerId: peerIdBytesFromPublicKey(alice.publicKey) as Uint8Array<ArrayBuffer>,
        addrs: [],
        name: '',
        secret: secret,
        packedAddrs: [a as Uint8Array<ArrayBuffer>],
        signature: new Uint8Array(64),
      })
    assert.equal(decodeInviteLink(raw(new Uint8Array(MAX_PACKED_ADDR_BYTES))).packedAddrs.length, 1)
    assert.throws(
      () => decodeInviteLink(raw(new Uint8Array(MAX_PACKED_ADDR_BYTES + 1))),
      MalformedMessageError,
    )
    assert.throws(
      () =>
        encodeShortInviteLink({
          peerId: alice.peerId,
          packedAddrs: [new Uint8Array(MAX_PACKED_ADDR_BYTES + 1)],
          name: '',
          secret,
          sign,
        }),
      MessageTooLargeError,
    )
  })

  void it('refuse a short link without a secret, or carrying a bundle or string addresses', () => {
    const base = {
      version: SHORT_INVITE_VERSION,
      peerId: peerIdBytesFromPublicKey(alice.publicKey) as Uint8Array<ArrayBuffer>,
      addrs: [] as string[],
      name: '',
      secret: secret,
      packedAddrs: [],
    }
    assert.throws(
      () => decodeInviteLink(linkOf({ ...base, secret: new Uint8Array(0) })),
      MalformedMessageError,
    )
    assert.throws(
      () => decodeInviteLink(linkOf({ ...base, bundle: bundleFor(alice.publicKey) })),
      MalformedMessageError,
    )
    assert.throws(
      () => decodeInviteLink(linkOf({ ...base, addrs: ['/ip4/1.2.3.4/tcp/1'] })),
      MalformedMessageError,
    )
  })

  void it('are signed by the PeerId’s key: a changed field or another key fails verifyShortInvite; no signature is malformed', () => {
    const link = encodeShortInviteLink({
      peerId: alice.peerId,
      packedAddrs: [packed(1)],
      name: 'A',
      secret,
      sign,
    })
    const d = decodeInviteLink(link)
    verifyShortInvite(nodeCrypto, d)
    const other = encodeShortInviteLink({
      peerId: alice.peerId,
      packedAddrs: [packed(1)],
      name: 'A',
      secret,
      sign: (m) => mallory.sign(nodeCrypto, m),
    })
    assert.throws(
      () => verifyShortInvite(nodeCrypto, decodeInviteLink(other)),
      InvalidSignatureError,
    )
    const raw = pb.Invite.decode(base64urlnopad.decode(link.slice(INVITE_LINK_PREFIX.length)))
    const renamed = linkOf({ ...raw, name: 'B' })
    assert.throws(
      () => verifyShortInvite(nodeCrypto, decodeInviteLink(renamed)),
      InvalidSignatureError,
    )
    assert.throws(
      () => decodeInviteLink(linkOf({ ...raw, signature: new Uint8Array(0) })),
      MalformedMessageError,
    )
    assert.throws(
      () => decodeInviteLink(linkOf({ ...raw, signature: new Uint8Array(65) })),
      MalformedMessageError,
    )
  })
})
