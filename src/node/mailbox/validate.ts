// What a mailbox checks before it stores a deposit (issue 11 finding 5: 300 random bytes were
// held for a recipient): the bytes must be a Kith 1:1 envelope as the core's wire codec decodes
// it — wire version, PREKEY or RATCHET type, every field within its size bound, an encrypted
// header of exactly its length, and a body whose length is a padding bucket plus the AEAD tag
// (every 1:1 plaintext is padded before encryption: core/wire/padding.ts). It cannot check more
// without the keys: a mailbox never opens an envelope. Pure; no state.
import { parseEnvelope } from '../../core/session/session.js'
import { AEAD_TAG_BYTES } from '../../core/wire/codec.js'
import { PADDING_BUCKETS } from '../../core/wire/padding.js'
import { MailboxEnvelopeError } from './errors.js'

/** The body is the padded plaintext + the AES-256-GCM tag (core/ratchet/kdf.ts encryptBody). */
const BODY_LENGTHS = new Set(PADDING_BUCKETS.map((b) => b + AEAD_TAG_BYTES))

/** Throws MailboxEnvelopeError unless `bytes` decodes as a 1:1 envelope of a padded message. */
export function validateEnvelope(bytes: Uint8Array): void {
  let ciphertext: Uint8Array
  try {
    const incoming = parseEnvelope(bytes)
    const ratchet = incoming.type === 'prekey' ? incoming.message.message : incoming.message
    if (ratchet === undefined) throw new Error('no ratchet message')
    ciphertext = ratchet.ciphertext
  } catch (err) {
    // The codec's own error names the field; the refusal carries only its class name.
    throw new MailboxEnvelopeError(
      `not a Kith envelope (${err instanceof Error ? err.name : 'Error'})`,
    )
  }
  if (!BODY_LENGTHS.has(ciphertext.length)) {
    throw new MailboxEnvelopeError(`envelope body of ${ciphertext.length} bytes is not padded`)
  }
}
