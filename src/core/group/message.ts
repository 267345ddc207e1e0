// The two Sender Keys wire messages (wire/wire.proto `SenderKeyDistribution`, `SenderKeyMessage`
// with its signed `SenderKeyContent`; libsignal rust/protocol/src/protocol.rs). This module owns
// their encoding, bounded decoding (every decode through decodeLimited) and field checks, and
// the AEAD associated data. It holds no state, derives no keys and never sees a store.
import { abytes, concat, u32be } from '../bytes.js'
import { MalformedMessageError } from '../errors.js'
import type { CryptoProvider } from '../crypto/provider.js'
import { decodeLimited, fieldLength } from '../wire/decode.js'
import { MAX_SENDER_KEY_DISTRIBUTION_BYTES, MAX_SENDER_KEY_MESSAGE_BYTES } from '../wire/limits.js'
import { SenderKeyContent, SenderKeyDistribution, SenderKeyMessage } from '../wire/pb/wire.js'
import { CHAIN_KEY_BYTES, SenderChainKey } from './chain.js'
import { MAX_DISTRIBUTION_ID_BYTES } from './limits.js'
import { SenderKeyState, SIGNING_KEY_BYTES } from './record.js'

/** Ed25519 signature length (RFC 8032 §5.1.6). */
export const SIGNATURE_BYTES = 64
/** AES-GCM tag length (NIST SP 800-38D, 128-bit tag): the shortest ciphertext. */
export const TAG_BYTES = 16

function badDistributionId(id: Uint8Array): boolean {
  return id.length === 0 || id.length > MAX_DISTRIBUTION_ID_BYTES
}

/** Checks a caller's distribution id: a Uint8Array of 1..MAX_DISTRIBUTION_ID_BYTES bytes. */
export function checkDistributionId(distributionId: Uint8Array): Uint8Array {
  if (badDistributionId(abytes('distributionId', distributionId))) {
    throw new RangeError(`distributionId: expected 1..${MAX_DISTRIBUTION_ID_BYTES} bytes`)
  }
  return distributionId
}

/** AES-GCM associated data: distributionId ‖ u32be(chainId) ‖ u32be(iteration). */
export function associatedData(
  distributionId: Uint8Array,
  chainId: number,
  iteration: number,
): Uint8Array {
  return concat(distributionId, u32be(chainId), u32be(iteration))
}

/** The SenderKeyDistribution of a state: its current iteration, chain key and public key. */
export function encodeDistribution(distributionId: Uint8Array, state: SenderKeyState): Uint8Array {
  return SenderKeyDistribution.encode({
    distributionId: Uint8Array.from(checkDistributionId(distributionId)),
    chainId: state.chainId,
    iteration: state.chain.iteration,
    chainKey: Uint8Array.from(state.chain.key),
    signingKey: Uint8Array.from(state.signingPublic),
  })
}

/**
 * Parses a distribution into the remote sender's state (no signing private key). Key lengths are
 * checked (MalformedMessageError); the keys themselves are authenticated only by the pairwise
 * session that carried the distribution.
 */
export function decodeDistribution(bytes: Uint8Array): {
  distributionId: Uint8Array
  state: SenderKeyState
} {
  const what = 'sender key distribution'
  const pb = decodeLimited<SenderKeyDistribution>(
    SenderKeyDistribution,
    bytes,
    MAX_SENDER_KEY_DISTRIBUTION_BYTES,
    what,
  )
  if (badDistributionId(pb.distributionId)) {
    throw new MalformedMessageError(`${what}: bad distribution id length`)
  }
  const chainKey = fieldLength(`${what}: chain key`, pb.chainKey, CHAIN_KEY_BYTES)
  const state = new SenderKeyState({
    chainId: pb.chainId,
    chain: new SenderChainKey(pb.iteration, chainKey),
    signingPublic: fieldLength(`${what}: signing key`, pb.signingKey, SIGNING_KEY_BYTES),
  })
  return { distributionId: Uint8Array.from(pb.distributionId), state }
}

/** The fields of a SenderKeyContent. */
export interface SenderKeyContentFields {
  distributionId: Uint8Array
  chainId: number
  iteration: number
  ciphertext: Uint8Array
}

/** A parsed, not yet authenticated, SenderKeyMessage. */
export interface SenderKeyMessageFields extends SenderKeyContentFields {
  /** The encoded SenderKeyContent: the exact bytes the signature covers. */
  content: Uint8Array
  signature: Uint8Array
}

/**
 * Encodes the content and signs it. protocol.rs `SenderKeyMessage::new` signs the serialized
 * message ahead of the signature; here that is the encoded SenderKeyContent, carried as is.
 */
export function signSenderKeyMessage(
  crypto: CryptoProvider,
  signingPrivate: Uint8Array,
  fields: SenderKeyContentFields,
): Uint8Array {
  const content = SenderKeyContent.encode({
    distributionId: Uint8Array.from(fields.distributionId),
    chainId: fields.chainId,
    iteration: fields.iteration,
    ciphertext: Uint8Array.from(fields.ciphertext),
  })
  const signature = Uint8Array.from(crypto.ed25519Sign(signingPrivate, content))
  return SenderKeyMessage.encode({ content, signature })
}

/** Parses a SenderKeyMessage and its content with size limits; authenticates nothing. */
export function decodeSenderKeyMessage(bytes: Uint8Array): SenderKeyMessageFields {
  const what = 'sender key message'
  const msg = decodeLimited<SenderKeyMessage>(
    SenderKeyMessage,
    bytes,
    MAX_SENDER_KEY_MESSAGE_BYTES,
    what,
  )
  const max = MAX_SENDER_KEY_MESSAGE_BYTES
  const c = decodeLimited<SenderKeyContent>(SenderKeyContent, msg.content, max, `${what} content`)
  if (badDistributionId(c.distributionId)) {
    throw new MalformedMessageError(`${what}: bad distribution id length`)
  }
  if (c.ciphertext.length < TAG_BYTES) {
    throw new MalformedMessageError(`${what}: ciphertext shorter than the tag`)
  }
  return {
    distributionId: c.distributionId,
    chainId: c.chainId,
    iteration: c.iteration,
    ciphertext: c.ciphertext,
    content: msg.content,
    signature: fieldLength(`${what}: signature`, msg.signature, SIGNATURE_BYTES),
  }
}
