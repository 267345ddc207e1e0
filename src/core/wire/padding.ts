// Plaintext padding before encryption, so a ciphertext's length reveals only a size bucket.
//
// This module owns the padding scheme and its bucket table. It knows nothing of what is padded
// (an encoded ChatContent, in practice) nor of the cipher that follows.
//
// Scheme: ISO/IEC 7816-4 padding, as Signal uses for message bodies: append one 0x80 byte, then
// zeros up to the bucket size. The marker is unambiguous because the padded tail is all zeros,
// so any plaintext (including one ending in zeros or 0x80) round-trips, and every plaintext
// needs at least one byte of padding.
//
// Buckets (padded bytes → plaintexts it holds, marker included):
//
//      256      0 …   255     one bucket for every short text, receipt and ack: the bulk of
//      512    256 …   511     traffic looks the same on the wire;
//     1024    512 …  1023     then powers of two: the overhead is < 2× and the length leaks
//     2048   1024 …  2047     at most log2 of the size (~9 distinct values in all),
//     4096   2048 …  4095
//     8192   4096 …  8191
//    16384   8192 … 16383
//    32768  16384 … 32767
//    65536  32768 … 65535
//    69632  65536             MAX_PADDED_BYTES: MAX_PLAINTEXT_BYTES itself plus its marker byte
//                             does not fit 65536, so the last bucket adds one 4 KiB step rather
//                             than doubling to 128 KiB.
//
// Padding happens inside the authenticated encryption, so `unpad` only ever sees bytes that
// authenticated; it still rejects anything our `pad` would not produce.
import { abytes } from '../bytes.js'
import { MalformedMessageError, MessageTooLargeError } from '../errors.js'
import { MAX_PADDED_BYTES, MAX_PLAINTEXT_BYTES } from './limits.js'

/** The padded sizes, ascending; the last is MAX_PADDED_BYTES. */
export const PADDING_BUCKETS: readonly number[] = Object.freeze([
  256,
  512,
  1024,
  2048,
  4096,
  8192,
  16384,
  32768,
  65536,
  MAX_PADDED_BYTES,
])

/** ISO/IEC 7816-4 §5.2.3 padding indicator: the first padding byte is 0x80, the rest 0x00. */
const MARKER = 0x80

/**
 * The padded length of an `n`-byte plaintext: the smallest bucket holding n + 1 bytes (the
 * marker needs one). Throws MessageTooLargeError when n > MAX_PLAINTEXT_BYTES.
 */
export function paddedLength(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n: expected a length, got ${n}`)
  if (n > MAX_PLAINTEXT_BYTES) {
    throw new MessageTooLargeError(
      `plaintext: ${n} bytes exceeds the limit of ${MAX_PLAINTEXT_BYTES}`,
    )
  }
  for (const bucket of PADDING_BUCKETS) if (n < bucket) return bucket
  // Unreachable: the last bucket is > MAX_PLAINTEXT_BYTES (checked by the padding tests).
  throw new MessageTooLargeError(`plaintext: ${n} bytes fits no padding bucket`)
}

/** Returns a new buffer: `plaintext ‖ 0x80 ‖ 0x00…` of length paddedLength(plaintext.length). */
export function pad(plaintext: Uint8Array): Uint8Array {
  abytes('plaintext', plaintext)
  const out = new Uint8Array(paddedLength(plaintext.length)) // zero-filled
  out.set(plaintext)
  out[plaintext.length] = MARKER
  return out
}

/**
 * Strips the padding and returns a copy of the plaintext. Throws MessageTooLargeError over
 * MAX_PADDED_BYTES (or when what remains exceeds MAX_PLAINTEXT_BYTES) and MalformedMessageError
 * when there is no 0x80 marker after the last non-zero byte.
 *
 * The padded length need not be a bucket size: a later version may change the table, and the
 * bytes authenticated before reaching here. The scan is not constant-time, for the same reason.
 */
export function unpad(padded: Uint8Array): Uint8Array {
  abytes('padded', padded)
  if (padded.length > MAX_PADDED_BYTES) {
    throw new MessageTooLargeError(
      `padded plaintext: ${padded.length} bytes exceeds the limit of ${MAX_PADDED_BYTES}`,
    )
  }
  let i = padded.length - 1
  while (i >= 0 && padded[i] === 0) i--
  if (i < 0) throw new MalformedMessageError('padded plaintext: no 0x80 padding marker')
  if (padded[i] !== MARKER) {
    throw new MalformedMessageError('padded plaintext: last non-zero byte is not the 0x80 marker')
  }
  if (i > MAX_PLAINTEXT_BYTES) {
    throw new MessageTooLargeError(
      `plaintext: ${i} bytes exceeds the limit of ${MAX_PLAINTEXT_BYTES}`,
    )
  }
  return padded.slice(0, i)
}
