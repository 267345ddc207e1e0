// Sender Keys group encryption (libsignal rust/protocol/src/group_cipher.rs): one symmetric chain
// and one Ed25519 signing key per sender per group, handed to each member once in a
// SenderKeyDistribution over the pairwise (authenticated, encrypted) sessions; then each group
// message is encrypted once with AES-256-GCM under the next chain key and signed.
//
// This module owns the record-level, store-free operations: a fresh own state, encrypt and
// decrypt on a loaded record, each changing the record only when it succeeds. The store-driven
// API over the SenderKeyStore port is ./sender-keys.ts. It never prints or logs plaintext or keys
// and knows nothing of stores, pairwise sessions, membership or the network. Wire encoding lives
// in ./message.ts, the record in ./record.ts, the KDF chain in ./chain.ts.
import { abytes, wipe } from '../bytes.js'
import {
  DecryptionError,
  DuplicateMessageError,
  InvalidSignatureError,
  MalformedMessageError,
  NoSenderKeyError,
  TooManySkippedKeysError,
} from '../errors.js'
import type { CoreContext, CryptoProvider } from '../crypto/provider.js'
import { pad, unpad } from '../wire/padding.js'
import { CHAIN_KEY_BYTES, SenderChainKey, SenderMessageKey } from './chain.js'
import { MAX_FORWARD_JUMPS, MAX_ITERATION, MAX_MESSAGE_KEYS } from './limits.js'
import {
  associatedData,
  checkDistributionId,
  signSenderKeyMessage,
  type SenderKeyMessageFields,
} from './message.js'
import { SenderKeyRecord, SenderKeyState, SIGNING_KEY_BYTES } from './record.js'
import { provesSignature, type VerifiedSenderKeyMessage } from './validate.js'

/** What the group operations are given: crypto and randomness, nothing else. */
export type SenderKeyContext = Pick<CoreContext, 'crypto' | 'rng'>

// ---- Record-level operations (pure: no store) ------------------------------------------------

/**
 * A fresh own state (group_cipher.rs `create_sender_key_distribution_message`). Draws, in this
 * order: 4 bytes for the chain id, 32 for the chain key, 32 for the Ed25519 signing seed.
 */
export function createOwnState(ctx: SenderKeyContext): SenderKeyState {
  const idBytes = abytes('rng(4)', ctx.rng(4), 4)
  // group_cipher.rs: "libsignal-protocol-java uses 31-bit integers for sender key chain IDs".
  const chainId = new DataView(idBytes.buffer, idBytes.byteOffset, 4).getUint32(0, false) >>> 1
  const chainKey = abytes('rng(32)', ctx.rng(CHAIN_KEY_BYTES), CHAIN_KEY_BYTES)
  const signingPrivate = abytes('rng(32)', ctx.rng(SIGNING_KEY_BYTES), SIGNING_KEY_BYTES)
  const state = new SenderKeyState({
    chainId,
    chain: new SenderChainKey(0, chainKey),
    signingPublic: ctx.crypto.ed25519PublicKey(signingPrivate),
    signingPrivate,
  })
  wipe(chainKey, signingPrivate)
  return state
}

/**
 * group_cipher.rs `group_encrypt` on a loaded record: encrypts with the newest (own) state's
 * current message key, signs the content, then advances the chain. The record changes only if
 * it returns. Throws NoSenderKeyError without an own state (or when its chain is exhausted:
 * rotate), MessageTooLargeError for a plaintext over MAX_PLAINTEXT_BYTES. The plaintext is
 * padded to its size bucket (wire/padding.ts) before encryption, as 1:1 messages are, so the
 * group topic sees only the bucket.
 */
export function encryptWithRecord(
  crypto: CryptoProvider,
  record: SenderKeyRecord,
  distributionId: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  checkDistributionId(distributionId)
  const padded = pad(abytes('plaintext', plaintext))
  const state = record.newest()
  const signingPrivate = state?.signingPrivate
  if (state === undefined || signingPrivate === undefined) {
    throw new NoSenderKeyError('no own sender key for this group')
  }
  if (state.chain.exhausted) throw new NoSenderKeyError('own sender chain is exhausted: rotate it')
  const { chainId } = state
  const { iteration } = state.chain
  const key = state.chain.messageKey(crypto)
  const ad = associatedData(distributionId, chainId, iteration)
  const ciphertext = crypto.aesGcmEncrypt(key.cipherKey, key.nonce, padded, ad)
  key.wipe()
  const message = signSenderKeyMessage(crypto, signingPrivate, {
    distributionId,
    chainId,
    iteration,
    ciphertext,
  })
  // group_cipher.rs: `set_sender_chain_key(sender_chain_key.next())` — after everything else.
  state.chain = state.chain.next(crypto)
  return message
}

/**
 * group_cipher.rs `get_sender_key`: the message key for `iteration`, taken from the skipped
 * seeds or by stepping `state`'s chain forward (keeping skipped seeds). Changes `state`.
 */
function messageKeyFor(
  crypto: CryptoProvider,
  state: SenderKeyState,
  iteration: number,
): SenderMessageKey {
  const current = state.chain.iteration
  if (iteration < current) {
    const seed = state.takeSkipped(iteration)
    // An iteration behind the chain without a kept seed was used (or evicted): a duplicate.
    if (seed === undefined) {
      throw new DuplicateMessageError(`sender key iteration ${iteration} already used`)
    }
    const key = SenderMessageKey.fromSeed(crypto, iteration, seed)
    wipe(seed)
    return key
  }
  // group_cipher.rs: `if jump > consts::MAX_FORWARD_JUMPS` → "message from too far into the future".
  if (iteration - current > MAX_FORWARD_JUMPS) {
    throw new TooManySkippedKeysError(
      `sender key jump of ${iteration - current} exceeds ${MAX_FORWARD_JUMPS}`,
    )
  }
  // The chain must step past `iteration`; at MAX_ITERATION it cannot (uint32 would wrap).
  if (iteration === MAX_ITERATION) {
    throw new MalformedMessageError('sender key iteration out of range')
  }
  // Only the last MAX_MESSAGE_KEYS skipped seeds would survive add_sender_message_key's
  // eviction, so the older ones are not derived at all (same record, fewer HMACs).
  const keepFrom = Math.max(current, iteration - MAX_MESSAGE_KEYS)
  // `start` may be shared with the caller's committed state: never wipe it.
  const start = state.chain
  let chain = start
  while (chain.iteration < iteration) {
    if (chain.iteration >= keepFrom) state.addSkipped(chain.iteration, chain.messageSeed(crypto))
    const next = chain.next(crypto)
    if (chain !== start) chain.wipe()
    chain = next
  }
  state.chain = chain.next(crypto)
  const key = chain.messageKey(crypto)
  if (chain !== start) chain.wipe()
  return key
}

/**
 * group_cipher.rs `group_decrypt` on a loaded record: finds the chain (NoSenderKeyError),
 * verifies the signature (InvalidSignatureError), derives the key (DuplicateMessageError,
 * TooManySkippedKeysError) and opens the AEAD (DecryptionError). It works on a copy of the state
 * and commits it to `record` only when the plaintext is returned. `verified` (the topic
 * validator's judgeSenderKeyMessage proof for these very fields and this state's key) spares the
 * second Ed25519 verification; anything else is verified here.
 */
export function decryptWithRecord(
  crypto: CryptoProvider,
  record: SenderKeyRecord,
  message: SenderKeyMessageFields,
  verified?: VerifiedSenderKeyMessage,
): Uint8Array {
  const live = record.stateForChainId(message.chainId)
  if (live === undefined) {
    throw new NoSenderKeyError(`no sender key state for chain ${message.chainId}`)
  }
  if (
    !provesSignature(verified, message, live.signingPublic) &&
    !crypto.ed25519Verify(live.signingPublic, message.content, message.signature)
  ) {
    throw new InvalidSignatureError('sender key message signature does not verify')
  }
  const state = live.clone()
  const key = messageKeyFor(crypto, state, message.iteration)
  const ad = associatedData(message.distributionId, message.chainId, message.iteration)
  const plaintext = crypto.aesGcmDecrypt(key.cipherKey, key.nonce, message.ciphertext, ad)
  key.wipe()
  if (plaintext === undefined) throw new DecryptionError('sender key message does not authenticate')
  const unpadded = unpad(plaintext)
  record.replaceState(state)
  return unpadded
}
