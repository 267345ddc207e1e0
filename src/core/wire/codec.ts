// Typed codecs for Kith's wire messages (pb/wire.proto). Every decoder goes through
// decodeLimited with its named limit from ./limits.ts, then checks each field's length, so a
// decoded value has the shape its type claims; every failure is a typed error. Encoders apply
// the same rules and refuse to produce what the decoders would reject.
//
// This module owns the byte layout and bounds of the envelope, ratchet, PQXDH and prekey-bundle
// messages (chat content is in ./content.ts). It knows nothing of what the bytes mean: it
// verifies no signature, decrypts nothing and looks up no prekey (handshake/, ratchet/ and
// session/ do). Sender-key messages are group/'s.
//
// Decoded byte fields are views into the input buffer: do not reuse that buffer while they live.
import { abytes } from '../bytes.js'
import { MalformedMessageError, UnsupportedVersionError } from '../errors.js'
import { decodeLimited } from './decode.js'
import {
  MAX_ENVELOPE_BYTES,
  MAX_PADDED_BYTES,
  MAX_PREKEY_BUNDLE_BYTES,
  MAX_PREKEY_MESSAGE_BYTES,
  MAX_RATCHET_MESSAGE_BYTES,
} from './limits.js'
import * as pb from './pb/wire.js'
import {
  decodeRules,
  encodeRules,
  fits,
  u32,
  wire,
  x25519Key,
  type Rules,
  type WireInput,
} from './rules.js'

export { EnvelopeType } from './pb/wire.js'

/** The Envelope version this code writes and the only one it reads. */
export const WIRE_VERSION = 1

export const X25519_KEY_BYTES = 32
export const ED25519_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
/** FIPS 203 Table 3, ML-KEM-768: encapsulation key 1,184 B, ciphertext 1,088 B. */
export const MLKEM768_PUBLIC_KEY_BYTES = 1184
export const MLKEM768_CIPHERTEXT_BYTES = 1088
/** AES-256-GCM tag (the ratchet's AEAD, NIST SP 800-38D with a 128-bit tag). */
export const AEAD_TAG_BYTES = 16
/** Double Ratchet §4 header encryption: nonce(12) ‖ AES-256-GCM(HK, dh(32) ‖ pn(4) ‖ n(4)) ‖ tag(16). */
export const RATCHET_HEADER_BYTES = 12 + 40 + AEAD_TAG_BYTES
/** A ratchet ciphertext is a padded plaintext (./padding.ts) plus the AEAD tag. */
export const MAX_RATCHET_CIPHERTEXT_BYTES = MAX_PADDED_BYTES + AEAD_TAG_BYTES

export type { PrekeyBundle, PrekeyMessage, RatchetMessage } from './pb/wire.js'

/** A decoded PrekeyMessage: its ratchet message is present and checked. */
export type DecodedPrekeyMessage = pb.PrekeyMessage & { message: pb.RatchetMessage }
/** A decoded PrekeyBundle: both signed prekeys are present (signatures not yet verified). */
export type DecodedPrekeyBundle = pb.PrekeyBundle & {
  signedPrekey: pb.SignedPrekey
  kemPrekey: pb.SignedKemPrekey
}

// ---- Envelope --------------------------------------------------------------------------------

const BODY_TYPES: ReadonlySet<unknown> = new Set([
  pb.EnvelopeType.PREKEY,
  pb.EnvelopeType.RATCHET,
  pb.EnvelopeType.SENDER_KEY,
])

/** The outer frame: `body` is an encoded PrekeyMessage, RatchetMessage or SenderKeyMessage. */
export function encodeEnvelope(type: pb.EnvelopeType, body: Uint8Array): Uint8Array {
  if (!BODY_TYPES.has(type)) throw new TypeError(`type: not a message type: ${String(type)}`)
  if (abytes('body', body).length === 0) throw new RangeError('body: empty')
  const env = { version: WIRE_VERSION, type, body }
  return fits('Envelope', pb.Envelope.encode(wire<pb.Envelope>(env)), MAX_ENVELOPE_BYTES)
}

/** Throws UnsupportedVersionError for a version other than WIRE_VERSION. */
export function decodeEnvelope(bytes: Uint8Array): {
  type: pb.EnvelopeType
  body: Uint8Array<ArrayBuffer>
} {
  const env = decodeLimited(pb.Envelope, bytes, MAX_ENVELOPE_BYTES, 'Envelope')
  if (env.version !== WIRE_VERSION) {
    throw new UnsupportedVersionError(`Envelope: version ${env.version}, expected ${WIRE_VERSION}`)
  }
  // Unknown enum values already failed to parse (protons rejects them).
  if (!BODY_TYPES.has(env.type)) throw new MalformedMessageError('Envelope: no message type')
  if (env.body.length === 0) throw new MalformedMessageError('Envelope: empty body')
  return { type: env.type, body: env.body }
}

// ---- RatchetMessage (Double Ratchet §4) ------------------------------------------------------

type RatchetIn = WireInput<pb.RatchetMessage>

function ratchetMessage(r: Rules, what: string, m: RatchetIn | undefined): RatchetIn {
  if (m == null) return r.bad(`${what}: missing`)
  const header = r.len(`${what}.header`, m.header, RATCHET_HEADER_BYTES)
  const { ciphertext } = m
  // AES-256-GCM of a padded plaintext: at least the tag, at most the largest bucket plus tag.
  if (!(ciphertext instanceof Uint8Array)) r.bad(`${what}.ciphertext: expected bytes`)
  r.min(`${what}.ciphertext bytes`, ciphertext.length, AEAD_TAG_BYTES)
  r.max(`${what}.ciphertext bytes`, ciphertext.length, MAX_RATCHET_CIPHERTEXT_BYTES)
  return { header, ciphertext }
}

export function encodeRatchetMessage(m: RatchetIn): Uint8Array {
  const checked = ratchetMessage(encodeRules, 'RatchetMessage', m)
  const bytes = pb.RatchetMessage.encode(wire<pb.RatchetMessage>(checked))
  return fits('RatchetMessage', bytes, MAX_RATCHET_MESSAGE_BYTES)
}

export function decodeRatchetMessage(bytes: Uint8Array): pb.RatchetMessage {
  const m = decodeLimited(pb.RatchetMessage, bytes, MAX_RATCHET_MESSAGE_BYTES, 'RatchetMessage')
  return wire<pb.RatchetMessage>(ratchetMessage(decodeRules, 'RatchetMessage', m))
}

// ---- PrekeyMessage (PQXDH §3.3 initial message) ----------------------------------------------

type PrekeyMessageIn = WireInput<pb.PrekeyMessage>

function prekeyMessage(r: Rules, m: PrekeyMessageIn): WireInput<DecodedPrekeyMessage> {
  const w = 'PrekeyMessage'
  const out: WireInput<DecodedPrekeyMessage> = {
    identityKey: r.len(`${w}.identityKey`, m.identityKey, ED25519_KEY_BYTES), // IK_A
    ephemeralKey: x25519Key(r, `${w}.ephemeralKey`, m.ephemeralKey), // EK_A
    signedPrekeyId: u32(r, `${w}.signedPrekeyId`, m.signedPrekeyId),
    kemPrekeyId: u32(r, `${w}.kemPrekeyId`, m.kemPrekeyId),
    kemCiphertext: r.len(`${w}.kemCiphertext`, m.kemCiphertext, MLKEM768_CIPHERTEXT_BYTES), // CT
    message: ratchetMessage(r, `${w}.message`, m.message),
  }
  if (m.oneTimePrekeyId != null) {
    out.oneTimePrekeyId = u32(r, `${w}.oneTimePrekeyId`, m.oneTimePrekeyId)
  }
  return out
}

/** Throws TypeError when `message` (the first ratchet message) is missing. */
export function encodePrekeyMessage(m: PrekeyMessageIn): Uint8Array {
  const bytes = pb.PrekeyMessage.encode(wire<pb.PrekeyMessage>(prekeyMessage(encodeRules, m)))
  return fits('PrekeyMessage', bytes, MAX_PREKEY_MESSAGE_BYTES)
}

export function decodePrekeyMessage(bytes: Uint8Array): DecodedPrekeyMessage {
  const m = decodeLimited(pb.PrekeyMessage, bytes, MAX_PREKEY_MESSAGE_BYTES, 'PrekeyMessage')
  return wire<DecodedPrekeyMessage>(prekeyMessage(decodeRules, m))
}

// ---- PrekeyBundle (PQXDH §3.2) ---------------------------------------------------------------

type BundleIn = WireInput<pb.PrekeyBundle>
type SignedPrekeyIn = WireInput<pb.SignedPrekey>
type KemPrekeyIn = WireInput<pb.SignedKemPrekey>

function signedPrekey(r: Rules, what: string, k: SignedPrekeyIn | undefined): SignedPrekeyIn {
  if (k == null) return r.bad(`${what}: missing`)
  return {
    id: u32(r, `${what}.id`, k.id),
    publicKey: x25519Key(r, `${what}.publicKey`, k.publicKey),
    // Ed25519 by IK over Encode(key) (PQXDH §2.5): verified by handshake/, not here.
    signature: r.len(`${what}.signature`, k.signature, SIGNATURE_BYTES),
  }
}

function kemPrekey(r: Rules, what: string, k: KemPrekeyIn | undefined): KemPrekeyIn {
  if (k == null) return r.bad(`${what}: missing`)
  if (typeof k.lastResort !== 'boolean') r.bad(`${what}.lastResort: not a boolean`)
  return {
    id: u32(r, `${what}.id`, k.id),
    publicKey: r.len(`${what}.publicKey`, k.publicKey, MLKEM768_PUBLIC_KEY_BYTES),
    signature: r.len(`${what}.signature`, k.signature, SIGNATURE_BYTES),
    lastResort: k.lastResort,
  }
}

/**
 * Checks a bundle's shape (decoded, or about to be encoded: pass decodeRules or encodeRules) and
 * returns a copy of its known fields. For bundles nested in invites and contact cards.
 */
export function prekeyBundle(
  r: Rules,
  what: string,
  b: BundleIn | undefined,
): WireInput<DecodedPrekeyBundle> {
  if (b == null) return r.bad(`${what}: missing`)
  const out: WireInput<DecodedPrekeyBundle> = {
    identityKey: r.len(`${what}.identityKey`, b.identityKey, ED25519_KEY_BYTES), // IK_B
    signedPrekey: signedPrekey(r, `${what}.signedPrekey`, b.signedPrekey), // SPK_B
    kemPrekey: kemPrekey(r, `${what}.kemPrekey`, b.kemPrekey), // last-resort PQSPK_B
  }
  if (b.oneTimePrekey != null) {
    const k = b.oneTimePrekey // OPK_B
    out.oneTimePrekey = {
      id: u32(r, `${what}.oneTimePrekey.id`, k.id),
      publicKey: x25519Key(r, `${what}.oneTimePrekey.publicKey`, k.publicKey),
    }
  }
  if (b.oneTimeKemPrekey != null) {
    out.oneTimeKemPrekey = kemPrekey(r, `${what}.oneTimeKemPrekey`, b.oneTimeKemPrekey) // PQOPK_B
  }
  return out
}

/** Encodes a bundle's checked shape. Its signatures are not checked here. */
export function encodePrekeyBundle(b: BundleIn): Uint8Array {
  const checked = prekeyBundle(encodeRules, 'PrekeyBundle', b)
  const bytes = pb.PrekeyBundle.encode(wire<pb.PrekeyBundle>(checked))
  return fits('PrekeyBundle', bytes, MAX_PREKEY_BUNDLE_BYTES)
}

/** Decodes a bundle's shape. Callers must verify its prekey signatures before using it. */
export function decodePrekeyBundle(bytes: Uint8Array): DecodedPrekeyBundle {
  const b = decodeLimited(pb.PrekeyBundle, bytes, MAX_PREKEY_BUNDLE_BYTES, 'PrekeyBundle')
  return wire<DecodedPrekeyBundle>(prekeyBundle(decodeRules, 'PrekeyBundle', b))
}
