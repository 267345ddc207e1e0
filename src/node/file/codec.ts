// The /kith/file messages (pb/file.proto) to and from the wire: every decode through
// decodeLimited with the named limits, every field checked. It knows nothing of streams or files.
import { MAX_SEALED_CHUNK_BYTES } from '../../core/file/limits.js'
import { MalformedMessageError } from '../../core/errors.js'
import { decodeLimited } from '../../core/wire/decode.js'
import {
  FILE_MAX_CHUNKS_PER_REQUEST,
  FILE_REQUEST_ID_BYTES,
  MAX_FILE_FRAME_BYTES,
  MAX_FILE_REQUEST_BYTES,
} from './limits.js'
import * as pb from './pb/file.js'

export interface FileRequest {
  fileId: Uint8Array
  first: number
  count: number
  /** Parts of the file's chunk-hash list (HASH_LIST_PART_BYTES each) instead of chunks. */
  hashList?: boolean
}

export interface FileChunk {
  index: number
  data: Uint8Array
}

function checkRequest(r: FileRequest): FileRequest {
  if (!(r.fileId instanceof Uint8Array) || r.fileId.length !== FILE_REQUEST_ID_BYTES) {
    throw new RangeError(`fileId must be ${FILE_REQUEST_ID_BYTES} bytes`)
  }
  if (!Number.isInteger(r.first) || r.first < 0 || r.first > 0xffff_ffff) {
    throw new RangeError('first must be a uint32')
  }
  if (!Number.isInteger(r.count) || r.count < 1 || r.count > FILE_MAX_CHUNKS_PER_REQUEST) {
    throw new RangeError(`count must be 1..${FILE_MAX_CHUNKS_PER_REQUEST}`)
  }
  return r
}

export function encodeRequest(r: FileRequest): Uint8Array {
  checkRequest(r)
  return pb.Request.encode({
    fileId: r.fileId as Uint8Array<ArrayBuffer>,
    first: r.first,
    count: r.count,
    hashList: r.hashList === true,
  })
}

/** MessageTooLargeError over MAX_FILE_REQUEST_BYTES; MalformedMessageError for bad fields. */
export function decodeRequest(bytes: Uint8Array): FileRequest {
  const m = decodeLimited(pb.Request, bytes, MAX_FILE_REQUEST_BYTES, 'FileRequest')
  try {
    const r = checkRequest(m)
    return m.hashList ? r : { fileId: r.fileId, first: r.first, count: r.count }
  } catch (err) {
    throw new MalformedMessageError(`FileRequest: ${(err as Error).message}`)
  }
}

export function encodeChunk(c: FileChunk): Uint8Array {
  if (c.data.length > MAX_SEALED_CHUNK_BYTES)
    throw new RangeError('chunk over MAX_SEALED_CHUNK_BYTES')
  return pb.Chunk.encode({ index: c.index, data: c.data as Uint8Array<ArrayBuffer> })
}

/** MessageTooLargeError over MAX_FILE_FRAME_BYTES; MalformedMessageError for bad fields. */
export function decodeChunk(bytes: Uint8Array): FileChunk {
  // Not canonical-checked: re-encoding a 256 KiB chunk per frame doubles the copying, and the
  // chunk's own hash (core/file verifyChunk) is what authenticates it.
  const m = decodeLimited(pb.Chunk, bytes, MAX_FILE_FRAME_BYTES, 'FileChunk', { canonical: false })
  if (m.data.length === 0 || m.data.length > MAX_SEALED_CHUNK_BYTES) {
    throw new MalformedMessageError('FileChunk: data length out of bounds')
  }
  return { index: m.index, data: m.data }
}
