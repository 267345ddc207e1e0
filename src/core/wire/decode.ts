// Decoding with a named size limit: every protobuf decode in Kith goes through here, so bytes
// over the limit never reach the parser and a parse failure is always a typed error.
import { MalformedMessageError, MessageTooLargeError } from '../errors.js'

interface Decoder<T> {
  decode(buf: Uint8Array): T
}

/**
 * Decodes `bytes` as `what` with `codec`, refusing anything longer than `max` bytes with
 * MessageTooLargeError and anything that does not parse with MalformedMessageError.
 */
export function decodeLimited<T>(
  codec: Decoder<T>,
  bytes: Uint8Array,
  max: number,
  what: string,
): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`)
  if (bytes.length > max) {
    throw new MessageTooLargeError(`${what}: ${bytes.length} bytes exceeds the limit of ${max}`)
  }
  try {
    return codec.decode(bytes)
  } catch {
    throw new MalformedMessageError(`${what}: does not parse`)
  }
}

/** Asserts a decoded byte field has exactly one of the expected lengths. */
export function fieldLength(what: string, value: Uint8Array, ...lengths: number[]): Uint8Array {
  if (!lengths.includes(value.length)) {
    throw new MalformedMessageError(
      `${what}: expected ${lengths.join(' or ')} bytes, got ${value.length}`,
    )
  }
  return value
}
