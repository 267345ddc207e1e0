// Safety numbers: Signal's NumericFingerprint over Kith identity keys (ARCHITECTURE.md
// "Identity"), ported from libsignal rust/protocol/src/fingerprint.rs (cited below as
// fingerprint.rs:LINE at signalapp/libsignal b056faa6). Both users see the same 60 digits, and a
// QR payload carries the same data for scanning.
// This module owns the iterated-hash fingerprint, its digit encoding and display text, and the
// scannable payload format. It knows nothing of contacts, trust decisions or the network: whether
// a changed key is accepted is the caller's business.
import { base64urlnopad } from '@scure/base'
import { abytes, concat, equalBytes, utf8 } from '../bytes.js'
import { MalformedMessageError, MessageTooLargeError, UnsupportedVersionError } from '../errors.js'
import { decodeLimited } from '../wire/decode.js'
import { peerIdBytesFromPublicKey } from './identity.js'
import type { CryptoProvider } from '../crypto/provider.js'

/** Version hashed into every fingerprint, 2 bytes big-endian (fingerprint.rs:170, `0x0000`). */
export const FINGERPRINT_VERSION = 0
/** SHA-512 invocations per side; Signal's apps use 5200 (fingerprint.rs test vectors). */
export const ITERATIONS = 5200
/** libsignal refuses counts outside 2..=1,000,000 (fingerprint.rs:166); so do we. */
export const MAX_ITERATIONS = 1_000_000
/** Digits in one side's fingerprint: six 5-digit chunks (fingerprint.rs:55). */
export const SIDE_DIGITS = 30
/** Digits in a safety number: both sides (fingerprint.rs:32-39). */
export const SAFETY_NUMBER_DIGITS = 2 * SIDE_DIGITS
/** Longest text parseSafetyNumber looks at: 60 digits with generous whitespace. */
export const MAX_SAFETY_NUMBER_TEXT_CHARS = 256

/** Version of the scannable payload below (libsignal's CombinedFingerprints.version). */
export const SCANNABLE_VERSION = 1
/** Bytes of each side's fingerprint in the scannable form (fingerprint.rs:86-87). */
export const SCANNABLE_FINGERPRINT_BYTES = 32
/**
 * Largest decoded scannable payload. Version 1 is 68 bytes; the headroom lets a longer future
 * version be reported as UnsupportedVersionError rather than as too large.
 */
export const MAX_SCANNABLE_BYTES = 128

/** Scannable payload, version 1: "KSN" ‖ version (u8) ‖ local fingerprint ‖ remote fingerprint,
 *  each fingerprint the first 32 bytes of that side's final hash, then base64url without padding.
 *  It carries what libsignal's protobuf CombinedFingerprints carries (fingerprint.proto). */
const SCANNABLE_MAGIC = utf8('KSN')
const SCANNABLE_HEADER_BYTES = SCANNABLE_MAGIC.length + 1
const SCANNABLE_V1_BYTES = SCANNABLE_HEADER_BYTES + 2 * SCANNABLE_FINGERPRINT_BYTES
/** Base64 characters needed for MAX_SCANNABLE_BYTES, checked before decoding. */
const MAX_SCANNABLE_CHARS = Math.ceil((MAX_SCANNABLE_BYTES * 4) / 3)

const SHA512_BYTES = 64
const CHUNK_BYTES = 5
const CHUNK_MODULUS = 100_000

/**
 * One side's fingerprint: the final SHA-512 output after `iterations` hashes
 * (libsignal `Fingerprint::get_fingerprint`, fingerprint.rs:161-192). Exposed for the
 * known-answer tests, which feed it libsignal's 33-byte serialized keys.
 * @internal
 */
export function fingerprintHash(
  crypto: CryptoProvider,
  iterations: number,
  keyBytes: Uint8Array,
  stableId: Uint8Array,
): Uint8Array {
  if (!Number.isInteger(iterations) || iterations <= 1 || iterations > MAX_ITERATIONS) {
    throw new RangeError(
      `iterations: expected an integer in 2..${MAX_ITERATIONS}, got ${iterations}`,
    )
  }
  abytes('keyBytes', keyBytes)
  abytes('stableId', stableId)
  const version = Uint8Array.of(FINGERPRINT_VERSION >> 8, FINGERPRINT_VERSION & 0xff)
  // fingerprint.rs:175-181: hash 0 is SHA-512(version ‖ key ‖ stableId ‖ key). (The Java
  // original writes it as hash = version ‖ key ‖ id, then hash = SHA-512(hash ‖ key) each round.)
  let hash = crypto.sha512(concat(version, keyBytes, stableId, keyBytes))
  // fingerprint.rs:183-189: each further round is SHA-512(previous hash ‖ key).
  const round = new Uint8Array(SHA512_BYTES + keyBytes.length)
  round.set(keyBytes, SHA512_BYTES)
  for (let i = 1; i < iterations; i++) {
    round.set(hash, 0)
    hash = crypto.sha512(round)
  }
  return hash
}

/**
 * The 30 digits of one side: the first 30 bytes as six 5-byte big-endian integers, each mod
 * 100000 and zero-padded to 5 digits (fingerprint.rs:42-64, `read5_mod_100k` and `{n:05}`).
 * @internal
 */
export function fingerprintDigits(hash: Uint8Array): string {
  if (hash.length < CHUNK_BYTES * 6)
    throw new RangeError(`hash: expected at least 30 bytes, got ${hash.length}`)
  let out = ''
  for (let chunk = 0; chunk < 6; chunk++) {
    let x = 0 // at most 2^40 − 1: exact in a double
    for (let i = 0; i < CHUNK_BYTES; i++) x = x * 256 + hash[chunk * CHUNK_BYTES + i]!
    out += String(x % CHUNK_MODULUS).padStart(5, '0')
  }
  return out
}

/**
 * The displayable number from both sides' digits: the smaller string first, so both users see
 * the same 60 digits (fingerprint.rs:32-39, `if self.local < self.remote`).
 * @internal
 */
export function combineDigits(localDigits: string, remoteDigits: string): string {
  return localDigits < remoteDigits ? localDigits + remoteDigits : remoteDigits + localDigits
}

/** Kith's inputs to the construction: the raw 32-byte Ed25519 key, and its PeerId bytes as the
 *  stable identifier (libsignal's apps use the ACI/phone number there). */
function sideHash(crypto: CryptoProvider, publicKey: Uint8Array, field: string): Uint8Array {
  abytes(field, publicKey, 32)
  return fingerprintHash(crypto, ITERATIONS, publicKey, peerIdBytesFromPublicKey(publicKey))
}

/** The 60-digit safety number of two identity public keys; the same whichever side asks. */
export function safetyNumber(
  crypto: CryptoProvider,
  localPublicKey: Uint8Array,
  remotePublicKey: Uint8Array,
): string {
  const local = fingerprintDigits(sideHash(crypto, localPublicKey, 'localPublicKey'))
  const remote = fingerprintDigits(sideHash(crypto, remotePublicKey, 'remotePublicKey'))
  return combineDigits(local, remote)
}

/** Display form: 12 groups of 5 digits separated by single spaces. */
export function formatSafetyNumber(digits: string): string {
  if (typeof digits !== 'string' || !/^[0-9]{60}$/.test(digits)) {
    throw new RangeError(`digits: expected ${SAFETY_NUMBER_DIGITS} ASCII digits`)
  }
  return digits.match(/[0-9]{5}/g)!.join(' ')
}

/**
 * Reads a safety number typed or pasted by a user: any whitespace between digits is ignored;
 * anything else, or a count other than 60, is MalformedMessageError.
 */
export function parseSafetyNumber(text: string): string {
  if (typeof text !== 'string') throw new TypeError('text: expected string')
  if (text.length > MAX_SAFETY_NUMBER_TEXT_CHARS) {
    throw new MessageTooLargeError(
      `safety number text: ${text.length} characters exceeds the limit of ${MAX_SAFETY_NUMBER_TEXT_CHARS}`,
    )
  }
  const digits = text.replace(/\s+/g, '')
  if (!/^[0-9]*$/.test(digits))
    throw new MalformedMessageError('safety number: only digits and whitespace allowed')
  if (digits.length !== SAFETY_NUMBER_DIGITS) {
    throw new MalformedMessageError(
      `safety number: expected ${SAFETY_NUMBER_DIGITS} digits, got ${digits.length}`,
    )
  }
  return digits
}

/** What we show in our QR code: our fingerprint first, theirs second (fingerprint.rs:83-89). */
export function scannablePayload(
  crypto: CryptoProvider,
  localPublicKey: Uint8Array,
  remotePublicKey: Uint8Array,
): string {
  const local = sideHash(crypto, localPublicKey, 'localPublicKey')
  const remote = sideHash(crypto, remotePublicKey, 'remotePublicKey')
  return base64urlnopad.encode(
    concat(
      SCANNABLE_MAGIC,
      Uint8Array.of(SCANNABLE_VERSION),
      local.subarray(0, SCANNABLE_FINGERPRINT_BYTES),
      remote.subarray(0, SCANNABLE_FINGERPRINT_BYTES),
    ),
  )
}

interface ScannableFingerprint {
  version: number
  local: Uint8Array
  remote: Uint8Array
}

/** Parses the header; a version other than ours is reported after decodeLimited, as its own error. */
const scannableCodec = {
  decode(buf: Uint8Array): { version: number; body: Uint8Array } {
    if (buf.length < SCANNABLE_HEADER_BYTES) throw new Error('short')
    for (let i = 0; i < SCANNABLE_MAGIC.length; i++) {
      if (buf[i] !== SCANNABLE_MAGIC[i]) throw new Error('magic')
    }
    return { version: buf[SCANNABLE_MAGIC.length]!, body: buf.subarray(SCANNABLE_HEADER_BYTES) }
  },
}

/** Decodes a scannable payload with its named limit; throws the typed errors compareScanned lists. */
function decodeScannable(payload: string, what: string): ScannableFingerprint {
  if (typeof payload !== 'string') throw new TypeError(`${what}: expected string`)
  if (payload.length > MAX_SCANNABLE_CHARS) {
    throw new MessageTooLargeError(
      `${what}: ${payload.length} characters exceeds the limit of ${MAX_SCANNABLE_CHARS}`,
    )
  }
  let bytes: Uint8Array
  try {
    bytes = base64urlnopad.decode(payload)
  } catch {
    throw new MalformedMessageError(`${what}: not base64url`)
  }
  const { version, body } = decodeLimited(scannableCodec, bytes, MAX_SCANNABLE_BYTES, what)
  // fingerprint.rs:130: a different version is its own error, not a mismatch.
  if (version !== SCANNABLE_VERSION) {
    throw new UnsupportedVersionError(`${what}: version ${version}, expected ${SCANNABLE_VERSION}`)
  }
  if (bytes.length !== SCANNABLE_V1_BYTES) {
    throw new MalformedMessageError(
      `${what}: expected ${SCANNABLE_V1_BYTES} bytes, got ${bytes.length}`,
    )
  }
  return {
    version,
    local: body.subarray(0, SCANNABLE_FINGERPRINT_BYTES),
    remote: body.subarray(SCANNABLE_FINGERPRINT_BYTES),
  }
}

/**
 * True when `scanned` (the other device's QR payload) is the mirror of `local` (ours): their
 * local fingerprint is our remote one and vice versa (libsignal `ScannableFingerprint::compare`,
 * fingerprint.rs:124-151, constant-time like its `ct_eq`). Throws MessageTooLargeError,
 * MalformedMessageError or UnsupportedVersionError for a payload it cannot read.
 */
export function compareScanned(local: string, scanned: string): boolean {
  const ours = decodeScannable(local, 'local scannable payload')
  const theirs = decodeScannable(scanned, 'scanned payload')
  const same1 = equalBytes(theirs.local, ours.remote)
  const same2 = equalBytes(theirs.remote, ours.local)
  return same1 && same2
}
