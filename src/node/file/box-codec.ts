// /kith/filebox/1.0.0 frames (docs/protocol.md §15, docs/files.md "Offline delivery"), fixed
// binary layouts (no protobuf: every field has a fixed width but the chunk, which runs to the
// frame's end), each decode bounded and every field checked. Requests, client → mailbox:
//   Deposit: 0x01 ‖ recipient PeerId (38 B) ‖ file id (16 B) ‖ u32be index ‖ sealed chunk
//   Fetch:   0x02 ‖ file id (16 B) ‖ u32be first ‖ u8 count (1..FILE_MAX_CHUNKS_PER_REQUEST)
// A deposit is answered by one status byte (FILEBOX_STATUS); a fetch by /kith/file Chunk frames
// (./codec.ts). It knows nothing of streams or disks.
import { MalformedMessageError, MessageTooLargeError } from '../../core/errors.js'
import { MAX_FILE_CHUNKS, MAX_SEALED_CHUNK_BYTES } from '../../core/file/limits.js'
import { peerIdBytes, peerIdFromWire } from '../mailbox/codec.js'
import { FILE_MAX_CHUNKS_PER_REQUEST, FILE_REQUEST_ID_BYTES } from './limits.js'

export const FILEBOX_PROTOCOL = '/kith/filebox/1.0.0'
/** An Ed25519 PeerId on the wire (identity multihash). */
const PEER_BYTES = 38
const DEPOSIT_HEAD = 1 + PEER_BYTES + FILE_REQUEST_ID_BYTES + 4
/** Largest request frame: a deposit of one full sealed chunk (256 KiB + 16) and its 59-byte head.
 *  A length prefix above it resets the stream before a byte of the frame is buffered. */
export const MAX_FILEBOX_REQUEST_BYTES = DEPOSIT_HEAD + MAX_SEALED_CHUNK_BYTES
/** A fetch request's exact size. */
export const FILEBOX_FETCH_BYTES = 1 + FILE_REQUEST_ID_BYTES + 4 + 1
/** A deposit's answer: one byte. */
export const FILEBOX_STATUS = { ok: 0, notAllowed: 1, quota: 2, refused: 3, disabled: 4 } as const

export type BoxRequest =
  | { op: 'deposit'; recipient: string; fileId: Uint8Array; index: number; data: Uint8Array }
  | { op: 'fetch'; fileId: Uint8Array; first: number; count: number }

export function encodeDeposit(
  recipient: string,
  fileId: Uint8Array,
  index: number,
  data: Uint8Array,
): Uint8Array {
  if (fileId.length !== FILE_REQUEST_ID_BYTES) throw new RangeError('bad file id')
  if (!Number.isInteger(index) || index < 0 || index >= MAX_FILE_CHUNKS) {
    throw new RangeError('bad chunk index')
  }
  if (data.length === 0 || data.length > MAX_SEALED_CHUNK_BYTES) {
    throw new RangeError('chunk over MAX_SEALED_CHUNK_BYTES')
  }
  const out = new Uint8Array(DEPOSIT_HEAD + data.length)
  out[0] = 1
  out.set(peerIdBytes('recipient', recipient), 1)
  out.set(fileId, 1 + PEER_BYTES)
  new DataView(out.buffer).setUint32(1 + PEER_BYTES + FILE_REQUEST_ID_BYTES, index)
  out.set(data, DEPOSIT_HEAD)
  return out
}

export function encodeFetch(fileId: Uint8Array, first: number, count: number): Uint8Array {
  if (fileId.length !== FILE_REQUEST_ID_BYTES) throw new RangeError('bad file id')
  if (!Number.isInteger(first) || first < 0 || first >= MAX_FILE_CHUNKS) {
    throw new RangeError('bad first')
  }
  if (!Number.isInteger(count) || count < 1 || count > FILE_MAX_CHUNKS_PER_REQUEST) {
    throw new RangeError('bad count')
  }
  const out = new Uint8Array(FILEBOX_FETCH_BYTES)
  out[0] = 2
  out.set(fileId, 1)
  const v = new DataView(out.buffer)
  v.setUint32(1 + FILE_REQUEST_ID_BYTES, first)
  out[FILEBOX_FETCH_BYTES - 1] = count
  return out
}

/** MessageTooLargeError over MAX_FILEBOX_REQUEST_BYTES; MalformedMessageError otherwise. */
export function decodeBoxRequest(b: Uint8Array): BoxRequest {
  if (b.length > MAX_FILEBOX_REQUEST_BYTES) throw new MessageTooLargeError('FileBox request')
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  if (b[0] === 1 && b.length > DEPOSIT_HEAD) {
    const index = v.getUint32(1 + PEER_BYTES + FILE_REQUEST_ID_BYTES)
    if (index >= MAX_FILE_CHUNKS) throw new MalformedMessageError('FileBox: index out of range')
    return {
      op: 'deposit',
      recipient: peerIdFromWire('recipient', b.subarray(1, 1 + PEER_BYTES)),
      fileId: b.slice(1 + PEER_BYTES, 1 + PEER_BYTES + FILE_REQUEST_ID_BYTES),
      index,
      data: b.subarray(DEPOSIT_HEAD),
    }
  }
  if (b[0] === 2 && b.length === FILEBOX_FETCH_BYTES) {
    const first = v.getUint32(1 + FILE_REQUEST_ID_BYTES)
    const count = b[FILEBOX_FETCH_BYTES - 1] ?? 0
    if (first >= MAX_FILE_CHUNKS || count < 1 || count > FILE_MAX_CHUNKS_PER_REQUEST) {
      throw new MalformedMessageError('FileBox: fetch range out of bounds')
    }
    return { op: 'fetch', fileId: b.slice(1, 1 + FILE_REQUEST_ID_BYTES), first, count }
  }
  throw new MalformedMessageError('FileBox: unknown request or bad length')
}
