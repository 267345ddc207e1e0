// The /kith/sync messages (pb/sync.proto) as the rest of the node sees them: the string-typed
// SyncRequest / SyncResponse of types.ts to and from the wire, every decode through decodeLimited
// with the named limits (limits.ts), every field checked, and the responder's answer trimmed to
// the limits (trailing envelopes, then ops, dropped and `more` set). It knows nothing of streams,
// groups or members.
import { MalformedMessageError, MessageTooLargeError } from '../../core/errors.js'
import { decodeLimited } from '../../core/wire/decode.js'
import { varintLength } from '../stream/frames.js'
import { peerIdBytes, peerIdFromWire } from '../mailbox/codec.js'
import {
  MAX_SYNC_ENVELOPE_BYTES,
  MAX_SYNC_ENVELOPES,
  MAX_SYNC_GROUP_ID_BYTES,
  MAX_SYNC_MARKS,
  MAX_SYNC_OP_BYTES,
  MAX_SYNC_OP_HASHES,
  MAX_SYNC_OPS,
  MAX_SYNC_REQUEST_BYTES,
  MAX_SYNC_RESPONSE_BYTES,
  MAX_SYNC_SECRET_BYTES,
  MAX_SYNC_SEQ,
  SYNC_OP_HASH_BYTES,
} from './limits.js'
import * as pb from './pb/sync.js'
import type { SyncEnvelope, SyncRequest, SyncResponse } from '../types.js'

/** The generated codecs type byte fields as ArrayBuffer-backed; ours may be views of anything. */
const wire = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>

const requestCodec = {
  decode: (bytes: Uint8Array): pb.Request =>
    pb.Request.decode(bytes, { limits: { opHashes: MAX_SYNC_OP_HASHES, marks: MAX_SYNC_MARKS } }),
  encode: (value: pb.Request): Uint8Array => pb.Request.encode(value),
}

const responseCodec = {
  decode: (bytes: Uint8Array): pb.Response =>
    pb.Response.decode(bytes, {
      limits: { ops: MAX_SYNC_OPS, secrets: MAX_SYNC_OPS, envelopes: MAX_SYNC_ENVELOPES },
    }),
  encode: (value: pb.Response): Uint8Array => pb.Response.encode(value),
}

function bytesField(what: string, v: unknown, min: number, max: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`)
  if (v.length < min || v.length > max) {
    throw new RangeError(`${what} must be ${min}..${max} bytes, got ${v.length}`)
  }
  return v
}

function seqField(what: string, v: unknown, min: number): bigint {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_SYNC_SEQ) {
    throw new RangeError(`${what} must be an integer in ${min}..${MAX_SYNC_SEQ}`)
  }
  return BigInt(v)
}

function seqFromWire(what: string, v: bigint, min: number): number {
  if (v < BigInt(min) || v > BigInt(MAX_SYNC_SEQ)) {
    throw new MalformedMessageError(`${what}: out of range`)
  }
  return Number(v)
}

function wireBytes(what: string, v: Uint8Array, min: number, max: number): Uint8Array {
  if (v.length < min || v.length > max) {
    throw new MalformedMessageError(`${what}: expected ${min}..${max} bytes, got ${v.length}`)
  }
  return v
}

/** Encodes a request, checking every field first (TypeError / RangeError /
 *  MessageTooLargeError, before anything is sent). */
export function encodeRequest(req: SyncRequest): Uint8Array {
  if (req == null || typeof req !== 'object') throw new TypeError('req must be an object')
  const groupId = bytesField('req.groupId', req.groupId, 1, MAX_SYNC_GROUP_ID_BYTES)
  if (!Array.isArray(req.opHashes)) throw new TypeError('req.opHashes must be an array')
  if (!Array.isArray(req.marks)) throw new TypeError('req.marks must be an array')
  if (req.opHashes.length > MAX_SYNC_OP_HASHES) {
    throw new MessageTooLargeError(`${req.opHashes.length} op hashes > ${MAX_SYNC_OP_HASHES}`)
  }
  if (req.marks.length > MAX_SYNC_MARKS) {
    throw new MessageTooLargeError(`${req.marks.length} marks > ${MAX_SYNC_MARKS}`)
  }
  const opHashes = req.opHashes.map((h, i) =>
    wire(bytesField(`req.opHashes[${i}]`, h, SYNC_OP_HASH_BYTES, SYNC_OP_HASH_BYTES)),
  )
  const marks = req.marks.map((m, i) => ({
    sender: wire(peerIdBytes(`req.marks[${i}].sender`, m.sender)),
    seq: seqField(`req.marks[${i}].seq`, m.seq, 0),
  }))
  const bytes = pb.Request.encode({ groupId: wire(groupId), opHashes, marks })
  if (bytes.length > MAX_SYNC_REQUEST_BYTES) {
    throw new MessageTooLargeError(`request is ${bytes.length} bytes > ${MAX_SYNC_REQUEST_BYTES}`)
  }
  return bytes
}

/** Decodes a request from the wire. Throws MessageTooLargeError / MalformedMessageError. */
export function decodeRequest(bytes: Uint8Array): SyncRequest {
  const r = decodeLimited(requestCodec, bytes, MAX_SYNC_REQUEST_BYTES, 'sync Request')
  wireBytes('sync Request.groupId', r.groupId, 1, MAX_SYNC_GROUP_ID_BYTES)
  r.opHashes.forEach((h) =>
    wireBytes('sync Request.opHashes[]', h, SYNC_OP_HASH_BYTES, SYNC_OP_HASH_BYTES),
  )
  const senders = new PeerIdCache()
  return {
    groupId: r.groupId,
    opHashes: r.opHashes,
    marks: r.marks.map((m) => ({
      sender: senders.fromWire('sync Mark.sender', m.sender),
      seq: seqFromWire('sync Mark.seq', m.seq, 0),
    })),
  }
}

/** Bytes a length-delimited field of `len` bytes takes (one-byte tag). */
const fieldBytes = (len: number): number => 1 + varintLength(len) + len

/**
 * Encodes the handler's answer, trimmed to the limits: ops (with their secrets) then envelopes
 * are taken in order while they fit MAX_SYNC_OPS / MAX_SYNC_ENVELOPES / MAX_SYNC_RESPONSE_BYTES;
 * what is left out sets `more` (the requester asks again). A malformed answer (a programming
 * error of the handler) throws TypeError / RangeError.
 */
export function encodeResponse(res: SyncResponse): { bytes: Uint8Array; trimmed: boolean } {
  if (res == null || typeof res !== 'object') throw new TypeError('response must be an object')
  if (!Array.isArray(res.ops) || !Array.isArray(res.secrets) || !Array.isArray(res.envelopes)) {
    throw new TypeError('response.ops, .secrets and .envelopes must be arrays')
  }
  if (res.secrets.length !== res.ops.length) {
    throw new RangeError('response.secrets must be parallel to response.ops')
  }
  let budget = MAX_SYNC_RESPONSE_BYTES - 2 // `more`
  const out: pb.Response = { ops: [], secrets: [], envelopes: [], more: res.more === true }
  let trimmed = false
  for (let i = 0; i < res.ops.length; i++) {
    const op = bytesField(`response.ops[${i}]`, res.ops[i], 1, MAX_SYNC_OP_BYTES)
    const secret = bytesField(`response.secrets[${i}]`, res.secrets[i], 0, MAX_SYNC_SECRET_BYTES)
    const cost = fieldBytes(op.length) + fieldBytes(secret.length)
    if (out.ops.length >= MAX_SYNC_OPS || cost > budget) {
      trimmed = true
      break
    }
    budget -= cost
    out.ops.push(wire(op))
    out.secrets.push(wire(secret))
  }
  for (let i = 0; i < res.envelopes.length && !trimmed; i++) {
    const e = envelopeToWire(i, res.envelopes[i])
    const inner = fieldBytes(e.sender.length) + 1 + varintLength(Number(e.seq))
    const cost = fieldBytes(inner + fieldBytes(e.data.length))
    if (out.envelopes.length >= MAX_SYNC_ENVELOPES || cost > budget) {
      trimmed = true
      break
    }
    budget -= cost
    out.envelopes.push(e)
  }
  if (trimmed) out.more = true
  return { bytes: pb.Response.encode(out), trimmed }
}

function envelopeToWire(i: number, e: SyncEnvelope | undefined): pb.Envelope {
  if (e == null || typeof e !== 'object') throw new TypeError(`response.envelopes[${i}] missing`)
  return {
    sender: wire(peerIdBytes(`response.envelopes[${i}].sender`, e.sender)),
    seq: seqField(`response.envelopes[${i}].seq`, e.seq, 1),
    data: wire(bytesField(`response.envelopes[${i}].data`, e.data, 1, MAX_SYNC_ENVELOPE_BYTES)),
  }
}

/** Decodes an answer from the wire. Throws MessageTooLargeError / MalformedMessageError. */
export function decodeResponse(bytes: Uint8Array): SyncResponse {
  const r = decodeLimited(responseCodec, bytes, MAX_SYNC_RESPONSE_BYTES, 'sync Response')
  if (r.more === undefined) throw new MalformedMessageError('sync Response: no `more` field')
  if (r.secrets.length !== r.ops.length) {
    throw new MalformedMessageError('sync Response: secrets not parallel to ops')
  }
  r.ops.forEach((op) => wireBytes('sync Response.ops[]', op, 1, MAX_SYNC_OP_BYTES))
  r.secrets.forEach((s) => wireBytes('sync Response.secrets[]', s, 0, MAX_SYNC_SECRET_BYTES))
  const senders = new PeerIdCache()
  return {
    ops: r.ops,
    secrets: r.secrets,
    envelopes: r.envelopes.map((e) => ({
      sender: senders.fromWire('sync Envelope.sender', e.sender),
      seq: seqFromWire('sync Envelope.seq', e.seq, 1),
      data: wireBytes('sync Envelope.data', e.data, 1, MAX_SYNC_ENVELOPE_BYTES),
    })),
    more: r.more,
  }
}

/** PeerId bytes → string, once per distinct sender of a message (senders repeat). */
class PeerIdCache {
  readonly #seen = new Map<string, string>()
  fromWire(what: string, bytes: Uint8Array): string {
    const key = Buffer.from(bytes).toString('latin1')
    let id = this.#seen.get(key)
    if (id === undefined) {
      id = peerIdFromWire(what, bytes)
      this.#seen.set(key, id)
    }
    return id
  }
}
