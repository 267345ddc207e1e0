// Decoding with a named size limit: every protobuf decode in Kith goes through here, so bytes
// over the limit never reach the parser and a parse failure is always a typed error.
import { equalBytes } from '../bytes.js'
import { MalformedMessageError, MessageTooLargeError } from '../errors.js'

interface Decoder<T> {
  decode(buf: Uint8Array): T
  encode?(value: NoInfer<T>): Uint8Array
}

export interface DecodeOptions {
  /**
   * Require the canonical encoding (default true when the codec can encode): re-encoding the
   * decoded value must give back the exact input bytes. Protobuf parsers accept many encodings
   * of one value (a field's wire type, unknown fields, explicit defaults), so without this a
   * flipped framing bit can still decode to the same message; with it, the wire is not
   * malleable. Local records may opt out to save the re-encoding.
   */
  canonical?: boolean
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
  options: DecodeOptions = {},
): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what}: expected Uint8Array`)
  if (bytes.length > max) {
    throw new MessageTooLargeError(`${what}: ${bytes.length} bytes exceeds the limit of ${max}`)
  }
  let value: T
  try {
    value = codec.decode(bytes)
  } catch {
    throw new MalformedMessageError(`${what}: does not parse`)
  }
  if (
    options.canonical !== false &&
    codec.encode !== undefined &&
    !equalBytes(codec.encode(value), bytes)
  ) {
    throw new MalformedMessageError(`${what}: not in canonical encoding`)
  }
  return value
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
