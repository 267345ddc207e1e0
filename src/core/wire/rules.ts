// Field rules shared by the wire codecs (./codec.ts, ./content.ts, ./invite.ts,
// ../identity/card.ts). One checker per message serves both directions: given `decodeRules` a
// violation is MalformedMessageError (bad input from the network), given `encodeRules` it is a
// TypeError/RangeError naming the field (a caller's bug) or MessageTooLargeError (a limit the
// user can hit, such as a long text).
//
// This module owns how violations are reported. It knows no message.
import { abytes, utf8 } from '../bytes.js'
import { MalformedMessageError, MessageTooLargeError } from '../errors.js'
import { fieldLength } from './decode.js'

/** How a rule violation is reported: as bad input on decode, as a bad argument on encode. */
export interface Rules {
  /** A byte field of exactly one of `lengths`. */
  len(what: string, value: Uint8Array, ...lengths: number[]): Uint8Array
  /** A size or count against its named limit. */
  max(what: string, n: number, limit: number): void
  /** A size or count below its minimum. */
  min(what: string, n: number, least: number): void
  /** Anything else that is not allowed. */
  bad(what: string): never
}

export const decodeRules: Rules = {
  len: fieldLength,
  max(what, n, limit) {
    if (n > limit) throw new MalformedMessageError(`${what}: ${n} exceeds the limit of ${limit}`)
  },
  min(what, n, least) {
    if (n < least) throw new MalformedMessageError(`${what}: ${n} is below ${least}`)
  },
  bad(what) {
    throw new MalformedMessageError(what)
  },
}

export const encodeRules: Rules = {
  len: (what, value, ...lengths) => abytes(what, value, ...lengths),
  max(what, n, limit) {
    if (n > limit) throw new MessageTooLargeError(`${what}: ${n} exceeds the limit of ${limit}`)
  },
  min(what, n, least) {
    if (n < least) throw new RangeError(`${what}: ${n} is below ${least}`)
  },
  bad(what) {
    throw new TypeError(what)
  },
}

/**
 * A canonical X25519 public key: 32 bytes holding u < p = 2^255 − 19, little-endian. RFC 7748 §5
 * has X25519 ignore bit 255 and reduce u mod p, so a non-canonical encoding gives the same shared
 * secret as its canonical twin: accepted, anyone could flip bit 255 of an initial message's EK_A
 * and present the replay as a new base key (a different key for the replay check, the same
 * session). Our own keys are always canonical.
 */
export function x25519Key(r: Rules, what: string, value: Uint8Array): Uint8Array {
  r.len(what, value, 32)
  if (!isCanonicalX25519(value)) r.bad(`${what}: not a canonical X25519 key`)
  return value
}

function isCanonicalX25519(u: Uint8Array): boolean {
  if ((u[31]! & 0x80) !== 0) return false
  // u ≥ p only for 7f ff … ff (ed…ff): 2^255 − 19 … 2^255 − 1.
  if (u[31] !== 0x7f || u[0]! < 0xed) return true
  for (let i = 1; i < 31; i++) if (u[i] !== 0xff) return true
  return false
}

/** A uint32 field (always true of decoded ones; checked for encoding). */
export function u32(r: Rules, what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) r.bad(`${what}: not a uint32`)
  return n
}

/** A uint64 field (always true of decoded ones; checked for encoding). */
export function u64(r: Rules, what: string, n: bigint): bigint {
  if (typeof n !== 'bigint' || n < 0n || n >= 1n << 64n) r.bad(`${what}: not a uint64`)
  return n
}

/** A non-empty byte field of at most `limit` bytes. */
export function bytesUpTo(r: Rules, what: string, value: Uint8Array, limit: number): Uint8Array {
  if (!(value instanceof Uint8Array)) r.bad(`${what}: expected bytes`)
  r.min(`${what} bytes`, value.length, 1)
  r.max(`${what} bytes`, value.length, limit)
  return value
}

/** A string of at most `limit` UTF-8 bytes. */
export function utf8UpTo(r: Rules, what: string, value: string, limit: number): string {
  if (typeof value !== 'string') r.bad(`${what}: expected a string`)
  // Cheap bound first: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (value.length * 3 > limit) r.max(`${what} UTF-8 bytes`, utf8(value).length, limit)
  return value
}

/** A list of at most `limit` items, each checked (and perhaps converted) by `item`. */
export function listUpTo<T, U = T>(
  r: Rules,
  what: string,
  value: readonly T[],
  limit: number,
  item: (what: string, v: T) => U,
): U[] {
  if (!isList(value)) r.bad(`${what}: expected a list`)
  r.max(`${what} count`, value.length, limit)
  return value.map((v, i) => item(`${what}[${i}]`, v))
}

// A plain boolean, so that the check does not narrow `readonly T[]` to `any[]`.
const isList = (v: unknown): boolean => Array.isArray(v)

/** Refuses an encoding its own decoder would refuse as too large. */
export function fits(what: string, encoded: Uint8Array, limit: number): Uint8Array {
  if (encoded.length > limit) {
    throw new MessageTooLargeError(`${what}: ${encoded.length} bytes exceeds the limit of ${limit}`)
  }
  return encoded
}

/**
 * A generated wire type as an encoder accepts it: byte fields widened to any Uint8Array (the
 * generated types say Uint8Array<ArrayBuffer>, which a subarray of a Buffer pool is not).
 */
export type WireInput<T> = T extends Uint8Array
  ? Uint8Array
  : T extends readonly (infer E)[]
    ? WireInput<E>[]
    : T extends object
      ? { [K in keyof T]: WireInput<T[K]> }
      : T

/**
 * Retypes a checked value for the generated codecs (encode) or as the generated type (decode).
 * Sound because protons reads bytes as views of its input and writes any Uint8Array.
 */
export function wire<T>(value: WireInput<T>): T {
  return value as T
}
