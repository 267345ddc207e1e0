// Signed contact cards (ARCHITECTURE.md "Delivery"): a node's PeerId, addresses, prekey bundle,
// chosen mailboxes, a sequence number and an expiry, signed by the PeerId's own key. Cards are
// published in the DHT and pushed to contacts; the newest valid one (highest seq) wins.
//
// This module owns the card's signature, its domain separation and its freshness rules. It
// knows nothing of the DHT, of the network or of contact lists: a card names mailboxes, never
// the owner's contacts (those mailboxes may be contacts; that is the owner's choice). It checks
// the prekey bundle's shape and that it is the PeerId's, not the prekey signatures: callers
// verify the bundle (handshake/) before a handshake, as for invites.
import { concat, equalBytes, utf8 } from '../bytes.js'
import type { CryptoProvider } from '../crypto/provider.js'
import {
  CardExpiredError,
  CardExpiryTooFarError,
  InvalidKeyError,
  InvalidSignatureError,
  MalformedMessageError,
} from '../errors.js'
import { SIGNATURE_BYTES, prekeyBundle, type DecodedPrekeyBundle } from '../wire/codec.js'
import { decodeLimited } from '../wire/decode.js'
import { MAX_CARD_ADDRS, MAX_CARD_MAILBOXES, MAX_CONTACT_CARD_BYTES } from '../wire/limits.js'
import * as pb from '../wire/pb/wire.js'
import {
  decodeRules,
  encodeRules,
  fits,
  listUpTo,
  u64,
  wire,
  type WireInput,
} from '../wire/rules.js'
import {
  PEER_ID_BYTES,
  peerIdBytesFromPublicKey,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
  type IdentityKeyPair,
} from './identity.js'

/** Domain separation of the card signature: Ed25519 over CARD_SIGNATURE_CONTEXT ‖ card. The
 *  fixed-length prefix keeps a card signature from being valid for any other Kith message. */
export const CARD_SIGNATURE_CONTEXT = utf8('kith-card-v1')

/** Furthest a card's expiresAt may lie ahead of `now` (7 days). Cards are signed for a day and
 *  republished hourly (src/node/cards.ts CARD_TTL_MS, CARD_REFRESH_MS); a week leaves room for
 *  clock skew and longer-lived cards, while a card dated far ahead (the year 3000) is refused
 *  instead of outliving every refresh in DHT nodes and contacts' stores (issue 11, finding 2). */
export const CARD_MAX_FUTURE_MS = 7 * 24 * 60 * 60_000

export interface ContactCardInput {
  /** Multiaddrs, at most MAX_CARD_ADDRS. */
  addrs: string[]
  /** The owner's current prekey bundle; its identity key must be the signer's. */
  prekeys: WireInput<pb.PrekeyBundle>
  /** PeerIds (strings or bytes) of the mailboxes holding mail for the owner, at most MAX_CARD_MAILBOXES. */
  mailboxes: (string | Uint8Array)[]
  /** Higher replaces lower (selectNewerCard). */
  seq: bigint
  /** Milliseconds since the Unix epoch after which the card is refused. */
  expiresAt: bigint
}

export interface ContactCard {
  peerId: string
  addrs: string[]
  /** Shape-checked and the PeerId's; prekey signatures NOT verified yet. */
  prekeys: DecodedPrekeyBundle
  /** Mailbox PeerId strings. */
  mailboxes: string[]
  seq: bigint
  expiresAt: bigint
  /** The SignedContactCard re-encoded canonically (unknown outer fields dropped): what to store
   *  and republish. */
  signed: Uint8Array
}

function signedBytes(card: Uint8Array): Uint8Array {
  return concat(CARD_SIGNATURE_CONTEXT, card)
}

/** Signs a card with the identity key and returns the encoded SignedContactCard. */
export function signContactCard(
  crypto: CryptoProvider,
  identity: IdentityKeyPair,
  card: ContactCardInput,
): Uint8Array {
  const r = encodeRules
  const prekeys = prekeyBundle(r, 'ContactCard.prekeys', card.prekeys)
  if (!equalBytes(prekeys.identityKey, identity.publicKey)) {
    throw new InvalidKeyError('ContactCard: the prekey bundle is not the signing identity')
  }
  const cardMsg = {
    peerId: peerIdBytesFromPublicKey(identity.publicKey),
    addrs: listUpTo(r, 'ContactCard.addrs', card.addrs, MAX_CARD_ADDRS, (w, a) =>
      typeof a === 'string' ? a : r.bad(`${w}: expected a string`),
    ),
    prekeys,
    mailboxes: listUpTo(r, 'ContactCard.mailboxes', card.mailboxes, MAX_CARD_MAILBOXES, (_w, m) =>
      peerIdBytesFromPublicKey(publicKeyFromPeerId(m)),
    ),
    seq: u64(r, 'ContactCard.seq', card.seq),
    expiresAt: u64(r, 'ContactCard.expiresAt', card.expiresAt),
  }
  const encoded = pb.ContactCard.encode(wire<pb.ContactCard>(cardMsg))
  const signature = identity.sign(crypto, signedBytes(encoded))
  const bytes = pb.SignedContactCard.encode({
    card: encoded,
    signature: wire<Uint8Array<ArrayBuffer>>(signature),
  })
  return fits('SignedContactCard', bytes, MAX_CONTACT_CARD_BYTES)
}

const limitedCard = {
  decode: (bytes: Uint8Array): pb.ContactCard =>
    pb.ContactCard.decode(bytes, {
      limits: { addrs: MAX_CARD_ADDRS, mailboxes: MAX_CARD_MAILBOXES },
    }),
  encode: (value: pb.ContactCard): Uint8Array => pb.ContactCard.encode(value),
}

/**
 * Verifies and decodes a SignedContactCard. With `expectedPeerId` the signature is checked with
 * that key before the card is parsed at all. Throws MessageTooLargeError over
 * MAX_CONTACT_CARD_BYTES, MalformedMessageError for bad structure, InvalidSignatureError when the
 * signature does not verify or the card is another peer's, InvalidKeyError when the bundle is
 * not the card owner's, and CardExpiredError (after the signature checked out) when
 * `now` ≥ expiresAt, CardExpiryTooFarError when expiresAt > now + CARD_MAX_FUTURE_MS. `now` is milliseconds since the Unix epoch, from the injected clock.
 */
export function verifyContactCard(
  crypto: CryptoProvider,
  bytes: Uint8Array,
  now: number,
  expectedPeerId?: string,
): ContactCard {
  if (!Number.isFinite(now)) throw new TypeError('now: expected milliseconds since the epoch')
  let expectedKey: Uint8Array | undefined
  if (expectedPeerId !== undefined) {
    try {
      expectedKey = publicKeyFromPeerId(expectedPeerId)
    } catch {
      throw new TypeError('expectedPeerId: not an Ed25519 PeerId')
    }
  }
  const signed = decodeLimited(
    pb.SignedContactCard,
    bytes,
    MAX_CONTACT_CARD_BYTES,
    'SignedContactCard',
  )
  decodeRules.len('SignedContactCard.signature', signed.signature, SIGNATURE_BYTES)
  const verify = (key: Uint8Array): void => {
    if (!crypto.ed25519Verify(key, signedBytes(signed.card), signed.signature)) {
      throw new InvalidSignatureError('ContactCard: signature does not verify')
    }
  }
  // Authenticate before parsing when we know whose card it should be.
  if (expectedKey !== undefined) verify(expectedKey)
  const card = decodeLimited(limitedCard, signed.card, MAX_CONTACT_CARD_BYTES, 'ContactCard')
  decodeRules.len('ContactCard.peerId', card.peerId, PEER_ID_BYTES)
  let key: Uint8Array
  try {
    key = publicKeyFromPeerId(card.peerId)
  } catch {
    throw new MalformedMessageError('ContactCard.peerId: not an Ed25519 PeerId')
  }
  if (expectedKey === undefined) verify(key)
  else if (!equalBytes(key, expectedKey)) {
    throw new InvalidSignatureError('ContactCard: signed by the expected peer for another PeerId')
  }

  const prekeys = wire<DecodedPrekeyBundle>(
    prekeyBundle(decodeRules, 'ContactCard.prekeys', card.prekeys),
  )
  if (!equalBytes(prekeys.identityKey, key)) {
    throw new InvalidKeyError('ContactCard: the prekey bundle is not the card owner’s')
  }
  const mailboxes = card.mailboxes.map((m, i) => {
    try {
      return peerIdFromPublicKey(publicKeyFromPeerId(m))
    } catch {
      throw new MalformedMessageError(`ContactCard.mailboxes[${i}]: not an Ed25519 PeerId`)
    }
  })
  // Expiry is checked last: an expired card is authentic, only stale.
  if (BigInt(Math.floor(now)) >= card.expiresAt) {
    throw new CardExpiredError(`ContactCard: expired at ${card.expiresAt} (now ${Math.floor(now)})`)
  }
  if (card.expiresAt > BigInt(Math.floor(now)) + BigInt(CARD_MAX_FUTURE_MS)) {
    throw new CardExpiryTooFarError(
      `ContactCard: expires at ${card.expiresAt}, more than CARD_MAX_FUTURE_MS after ${Math.floor(now)}`,
    )
  }
  return {
    peerId: peerIdFromPublicKey(key),
    addrs: card.addrs,
    prekeys,
    mailboxes,
    seq: card.seq,
    expiresAt: card.expiresAt,
    signed: pb.SignedContactCard.encode({ card: signed.card, signature: signed.signature }),
  }
}

/**
 * The newer of two verified cards of the same peer, for the DHT record selector: higher seq
 * wins; on equal seq the lexicographically greater signed encoding, so every node picks the same
 * record whatever order it saw them in (Ed25519 signatures are deterministic, so equal cards
 * give equal bytes). Throws TypeError for cards of different peers.
 */
export function selectNewerCard(a: ContactCard, b: ContactCard): ContactCard {
  if (a.peerId !== b.peerId) throw new TypeError('selectNewerCard: cards of different peers')
  if (a.seq !== b.seq) return a.seq > b.seq ? a : b
  return compareBytes(b.signed, a.signed) > 0 ? b : a
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}
