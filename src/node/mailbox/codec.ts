// The /kith/mailbox messages (pb/mailbox.proto) as the rest of the module sees them: encoding,
// decoding through decodeLimited with the named limits (limits.ts), the "exactly one field" rule
// of Request and Response, PeerId bytes and item ids, and the fetch challenge message. It knows
// nothing of streams, holdings or policy.
import { concat, utf8 } from '../../core/bytes.js'
import { InvalidKeyError, MalformedMessageError, MessageTooLargeError } from '../../core/errors.js'
import {
  peerIdBytesFromPublicKey,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
} from '../../core/identity/identity.js'
import { decodeLimited } from '../../core/wire/decode.js'
import {
  MAILBOX_FETCH_CONTEXT,
  MAILBOX_NONCE_BYTES,
  MAX_MAILBOX_CONFIRM_IDS,
  MAX_MAILBOX_ENVELOPE_BYTES,
  MAX_MAILBOX_REQUEST_BYTES,
  MAX_MAILBOX_RESPONSE_BYTES,
  MAILBOX_BATCH_MAX_ITEMS,
} from './limits.js'
import * as pb from './pb/mailbox.js'

export type Request = pb.Request
export type Response = pb.Response

/** The generated codecs type byte fields as ArrayBuffer-backed; ours may be views of anything. */
const wire = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>

const MAX_ID = (1n << 64n) - 1n

const requestCodec = {
  decode: (bytes: Uint8Array): pb.Request =>
    pb.Request.decode(bytes, { limits: { pull: { confirm: MAX_MAILBOX_CONFIRM_IDS } } }),
  encode: (value: pb.Request): Uint8Array => pb.Request.encode(value),
}

const responseCodec = {
  decode: (bytes: Uint8Array): pb.Response =>
    pb.Response.decode(bytes, { limits: { batch: { items: MAILBOX_BATCH_MAX_ITEMS } } }),
  encode: (value: pb.Response): Uint8Array => pb.Response.encode(value),
}

function setFields(msg: object): string[] {
  return Object.entries(msg)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
}

function exactlyOne(what: string, msg: object): void {
  const set = setFields(msg)
  if (set.length !== 1) {
    throw new MalformedMessageError(`${what}: expected exactly one field, got ${set.length}`)
  }
}

export function encodeRequest(req: pb.Request): Uint8Array {
  exactlyOne('mailbox Request', req)
  return pb.Request.encode(req)
}

export function encodeResponse(res: pb.Response): Uint8Array {
  exactlyOne('mailbox Response', res)
  return pb.Response.encode(res)
}

/** Decodes a client's frame: MessageTooLargeError over MAX_MAILBOX_REQUEST_BYTES,
 *  MalformedMessageError for anything else that is not one canonical Request. */
export function decodeRequest(bytes: Uint8Array): pb.Request {
  const req = decodeLimited(requestCodec, bytes, MAX_MAILBOX_REQUEST_BYTES, 'mailbox Request')
  exactlyOne('mailbox Request', req)
  if (req.deposit !== undefined) {
    const { envelope } = req.deposit
    if (envelope.length === 0) throw new MalformedMessageError('Deposit.envelope: empty')
    if (envelope.length > MAX_MAILBOX_ENVELOPE_BYTES) {
      throw new MessageTooLargeError(
        `Deposit.envelope: ${envelope.length} bytes exceeds ${MAX_MAILBOX_ENVELOPE_BYTES}`,
      )
    }
  }
  return req
}

/** Decodes a mailbox's frame (limit MAX_MAILBOX_RESPONSE_BYTES). */
export function decodeResponse(bytes: Uint8Array): pb.Response {
  const res = decodeLimited(responseCodec, bytes, MAX_MAILBOX_RESPONSE_BYTES, 'mailbox Response')
  exactlyOne('mailbox Response', res)
  return res
}

/** The 38 PeerId bytes of an Ed25519 PeerId string. Throws TypeError naming `field`. */
export function peerIdBytes(field: string, peerId: string): Uint8Array {
  try {
    return peerIdBytesFromPublicKey(publicKeyFromPeerId(peerId))
  } catch {
    throw new TypeError(`${field} is not an Ed25519 PeerId`)
  }
}

/** The PeerId string of 38 PeerId bytes from the wire. Throws MalformedMessageError. */
export function peerIdFromWire(field: string, bytes: Uint8Array): string {
  try {
    // Only the exact 38-byte Ed25519 identity-multihash form is accepted.
    return peerIdFromPublicKey(publicKeyFromPeerId(bytes))
  } catch (err) {
    if (InvalidKeyError.is(err)) throw new MalformedMessageError(`${field}: not an Ed25519 PeerId`)
    throw err
  }
}

/** An item id from the wire (uint64) as the API's opaque string. */
export function idToString(id: bigint): string {
  return id.toString(10)
}

/** An API item id back to its uint64. Throws TypeError naming `field`. */
export function idFromString(field: string, id: string): bigint {
  if (typeof id !== 'string' || !/^[0-9]{1,20}$/.test(id)) {
    throw new TypeError(`${field} is not a mailbox item id`)
  }
  const n = BigInt(id)
  if (n > MAX_ID) throw new TypeError(`${field} is not a mailbox item id`)
  return n
}

/**
 * What the recipient signs to fetch: utf8("kith-mailbox-fetch-v1") ‖ mailbox PeerId bytes ‖
 * recipient PeerId bytes ‖ nonce. Naming both peers binds the signature to this mailbox and this
 * recipient (a mailbox cannot replay it to another), the nonce to this stream; the context string
 * keeps it from meaning anything in another Kith signature (cards, prekeys).
 */
export function fetchChallengeMessage(
  mailbox: Uint8Array,
  recipient: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  if (nonce.length !== MAILBOX_NONCE_BYTES) {
    throw new RangeError(`nonce must be ${MAILBOX_NONCE_BYTES} bytes`)
  }
  return concat(utf8(MAILBOX_FETCH_CONTEXT), mailbox, recipient, nonce)
}

export { wire }
