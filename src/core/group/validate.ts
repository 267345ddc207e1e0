// Judging a published group message without changing any state (design §3): the gossipsub topic
// validator's question "is this a valid, correctly signed message from this member's current
// sender key, not seen before?". This module owns that verdict. It decrypts nothing, never
// mutates a record (the service decrypts afterwards with decryptWithRecord) and knows nothing of
// members, topics or the network: the caller picks the record by chain id. An accepted message
// comes with a VerifiedSenderKeyMessage, which decryptWithRecord takes to skip verifying the same
// signature with the same key a second time; only this module can make one.
import { equalBytes } from '../bytes.js'
import type { CryptoProvider } from '../crypto/provider.js'
import { KithError } from '../errors.js'
import { decodeSenderKeyMessage, type SenderKeyMessageFields } from './message.js'
import type { SenderKeyRecord } from './record.js'

/** A message whose signature over `fields.content` verified with `signingPublic`. */
export interface VerifiedSenderKeyMessage {
  readonly fields: SenderKeyMessageFields
  readonly signingPublic: Uint8Array
}

/** The VerifiedSenderKeyMessage objects judgeSenderKeyMessage made: a look-alike built elsewhere
 *  (a cast, a copy) is not in it, so it never spares a verification. */
const VERIFIED = new WeakSet<VerifiedSenderKeyMessage>()

/**
 * Whether `v` proves that `fields` (the very object) verified under `signingPublic`: made by
 * judgeSenderKeyMessage, for these fields, with an equal key. Never throws.
 */
export function provesSignature(
  v: VerifiedSenderKeyMessage | undefined,
  fields: SenderKeyMessageFields,
  signingPublic: Uint8Array,
): boolean {
  return (
    v !== undefined &&
    VERIFIED.has(v) &&
    v.fields === fields &&
    equalBytes(v.signingPublic, signingPublic)
  )
}

/** What the validator does with a message; every verdict but 'ok' is a rejection reason. */
export type GroupMessageVerdict =
  'ok' | 'malformed' | 'badSignature' | 'replay' | 'oldKey' | 'noKey'

/**
 * The routing fields of a SenderKeyMessage (decoded with MAX_SENDER_KEY_MESSAGE_BYTES; nothing
 * authenticated yet), so the caller can find the sender's record by chain id. Throws
 * MalformedMessageError or MessageTooLargeError.
 */
export function peekSenderKeyMessage(bytes: Uint8Array): {
  distributionId: Uint8Array
  chainId: number
  iteration: number
} {
  const m = decodeSenderKeyMessage(bytes)
  return {
    distributionId: Uint8Array.from(m.distributionId),
    chainId: m.chainId,
    iteration: m.iteration,
  }
}

/**
 * The verdict on `bytes` against one sender's record, in this order: 'malformed' (does not
 * decode), 'noKey' (no state with that chain id), 'oldKey' (the state is not the newest: the
 * sender rotated), 'badSignature' (Ed25519 over the content fails with that state's signing
 * key), 'replay' (the iteration is behind the state's chain and not among its skipped keys),
 * else 'ok'. Never mutates `record`. An 'ok' message may still fail to decrypt (a forward jump
 * over MAX_FORWARD_JUMPS, a bad AEAD tag from the sender itself): decryption reports that.
 */
export function checkSenderKeyMessage(
  crypto: CryptoProvider,
  record: SenderKeyRecord,
  bytes: Uint8Array,
): GroupMessageVerdict {
  let m: SenderKeyMessageFields
  try {
    m = decodeSenderKeyMessage(bytes)
  } catch (err) {
    if (err instanceof KithError) return 'malformed'
    throw err
  }
  return judgeSenderKeyMessage(crypto, record, m).verdict
}

/**
 * checkSenderKeyMessage on already decoded fields (the caller decoded them once, to pick the
 * record). With 'ok' comes the proof decryptWithRecord takes to skip its own verification.
 */
export function judgeSenderKeyMessage(
  crypto: CryptoProvider,
  record: SenderKeyRecord,
  m: SenderKeyMessageFields,
): { verdict: GroupMessageVerdict; verified?: VerifiedSenderKeyMessage } {
  const state = record.stateForChainId(m.chainId)
  if (state === undefined) return { verdict: 'noKey' }
  // design §3: "chain of a rotated key → reject oldKey". Sync fetches use decryptWithRecord,
  // which accepts old states, instead.
  if (state !== record.newest()) return { verdict: 'oldKey' }
  if (!crypto.ed25519Verify(state.signingPublic, m.content, m.signature)) {
    return { verdict: 'badSignature' }
  }
  // group_cipher.rs get_sender_key: an iteration behind the chain needs a kept skipped key.
  if (m.iteration < state.chain.iteration && !state.skippedIterations.includes(m.iteration)) {
    return { verdict: 'replay' }
  }
  const verified: VerifiedSenderKeyMessage = {
    fields: m,
    signingPublic: Uint8Array.from(state.signingPublic),
  }
  VERIFIED.add(verified)
  return { verdict: 'ok', verified }
}
