// The DHT record of a signed contact card (ARCHITECTURE.md "Delivery"): its key, and the
// validator and selector kad-dht runs on every card it stores or returns. Pure: no network, no
// clock of its own. It knows no keys (the service signs cards, src/core/identity/card.ts).
//
//  - Record key: "/kith-card/" ‖ the PeerId's bytes (identity multihash of the Ed25519 key).
//    kad-dht 16 picks a record's validator and selector by the key's first "/" segment
//    (record/validators.js, record/selectors.js: `validators[key.split('/')[1]]`), so the kadDHT
//    init carries `validators: { 'kith-card': … }, selectors: { 'kith-card': … }`.
//  - Validator (kad-dht contract: throw to refuse): verifyContactCard with the PeerId taken from
//    the key, so the signature is checked with the key's own public key and a card under
//    another PeerId is refused; expired cards are refused. It runs on PUT_VALUE from peers, on
//    GET_VALUE answers and on our own stored copy.
//    A card dated more than CARD_MAX_FUTURE_MS (7 days) ahead is refused (CardExpiryTooFarError).
//  - Selector: selectNewerCard (highest seq; deterministic tie-break). Invalid records lose.
//    kad-dht 16 itself stores a PUT_VALUE without running the selector; the node's bounded DHT
//    store (dht/store.ts) runs it on every put, so a replayed older card never displaces a newer
//    one on any Kith node. findCard still compares every answer it sees itself.
//  - cardRecordPolicy: the selector and the expiry the bounded store needs (dht/store.ts).
import { concat, equalBytes, utf8 } from '../../core/bytes.js'
import { MalformedMessageError } from '../../core/errors.js'
import { selectNewerCard, verifyContactCard, type ContactCard } from '../../core/identity/card.js'
import {
  PEER_ID_BYTES,
  peerIdBytesFromPublicKey,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
} from '../../core/identity/identity.js'
import { nodeCrypto } from '../../platform/node-crypto.js'
import type { CryptoProvider } from '../../core/crypto/provider.js'
import type { SelectFn, ValidateFn } from '@libp2p/kad-dht'

/** First segment of a card's DHT key: kad-dht looks validators and selectors up by it. */
export const CARD_KEY_NAMESPACE = 'kith-card'
const CARD_KEY_PREFIX = utf8(`/${CARD_KEY_NAMESPACE}/`)
/** Lifetime of a card: the service sets expiresAt = now + CARD_TTL_MS when it signs one. */
export const CARD_TTL_MS = 24 * 60 * 60_000

/** The DHT record key of `peer`'s card: "/kith-card/" ‖ PeerId bytes. Ed25519 PeerIds only. */
export function cardKey(peer: string): Uint8Array {
  return concat(CARD_KEY_PREFIX, peerIdBytesFromPublicKey(publicKeyFromPeerId(peer)))
}

/** The PeerId string named by a card key. Throws MalformedMessageError / InvalidKeyError. */
export function peerFromCardKey(key: Uint8Array): string {
  const n = CARD_KEY_PREFIX.length
  if (key.length !== n + PEER_ID_BYTES || !equalBytes(key.subarray(0, n), CARD_KEY_PREFIX)) {
    throw new MalformedMessageError('card key: expected /kith-card/ ‖ an Ed25519 PeerId')
  }
  return peerIdFromPublicKey(publicKeyFromPeerId(key.subarray(n)))
}

/** kad-dht validator for "/kith-card/" records: throws unless `value` is an unexpired card
 *  signed by the key's own PeerId (see the header). */
export function cardValidator(
  crypto: CryptoProvider = nodeCrypto,
  now: () => number = Date.now,
): ValidateFn {
  return (key, value) => {
    verifyContactCard(crypto, value, now(), peerFromCardKey(key))
  }
}

/** kad-dht selector for "/kith-card/" records: the index of the newest valid card (0 if none). */
export function cardSelector(
  crypto: CryptoProvider = nodeCrypto,
  now: () => number = Date.now,
): SelectFn {
  return (key, records) => {
    const peer = peerFromCardKey(key)
    const t = now()
    let best: { index: number; card: ContactCard } | undefined
    for (const [index, value] of records.entries()) {
      let card: ContactCard
      try {
        card = verifyContactCard(crypto, value, t, peer)
      } catch {
        continue
      }
      if (best == null || selectNewerCard(best.card, card) !== best.card) best = { index, card }
    }
    return best?.index ?? 0
  }
}

/** The /kith-card/ policy of the bounded DHT store (dht/index.ts): validator, selector, and the
 *  expiry after which a held card is swept or evicted first. */
export function cardRecordPolicy(
  crypto: CryptoProvider = nodeCrypto,
  now: () => number = Date.now,
): {
  validate: ValidateFn
  select: SelectFn
  expiresAt: (key: Uint8Array, value: Uint8Array) => number
} {
  return {
    validate: cardValidator(crypto, now),
    select: cardSelector(crypto, now),
    expiresAt: (key, value) =>
      Number(verifyContactCard(crypto, value, now(), peerFromCardKey(key)).expiresAt),
  }
}
