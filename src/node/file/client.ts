// The requester's side of /kith/file/1.0.0 and of a /kith/filebox fetch (./index.ts, ./box.ts
// are the protocols and their responders): one request written, then the chunks read in
// increasing index order and handed to the caller, within the stall time each; a stall or a bad
// answer resets the stream, counted by error name in the protocol's StreamHost. The exchange
// itself is ../stream/exchange.ts. Never over a limited (relayed) connection (./index.ts header).
// It knows nothing of manifests, keys, disks or conversations.
import {
  exchange,
  type ExchangeContext,
  type ExchangeErrors,
  type ExchangeSpec,
} from '../stream/exchange.js'
import { asError } from '../stream/open.js'
import { decodeChunk, type FileRequest } from './codec.js'
import { FileProtocolError, FileRefusedError, FileStallError, FileStreamError } from './errors.js'
import { FILE_OPEN_TIMEOUT_MS, FILE_READ_HIGH_WATER_BYTES, MAX_FILE_FRAME_BYTES } from './limits.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The requester's errors of /kith/file (types.ts FilePort.fileFetch). */
export const FILE_ERRORS: ExchangeErrors = {
  timeout: (m) => new FileStallError(m),
  refused: (m, o) => new FileRefusedError(m, o),
  // The cause's name (e.g. LimitedConnectionError on a relayed circuit) says why.
  stream: (m, o) => new FileStreamError(`${m} (${asError(o.cause).name})`, o),
  reset: (m, o) => new FileStreamError(m, o),
  protocol: (m) => new FileProtocolError(m),
}

/** The file protocols' exchange: never over a limited (relayed) connection, the dial within
 *  FILE_OPEN_TIMEOUT_MS, then each write and each answer frame within the stall time. */
export function fileExchange(o: {
  protocol: string
  request?: Uint8Array
  maxRequestBytes: number
  maxAnswerBytes: number
  /** FILE_CHUNK_STALL_MS unless a test shortens it. */
  stallMs: number
  errors: ExchangeErrors
}): ExchangeSpec {
  const timing = { openMs: FILE_OPEN_TIMEOUT_MS, stallMs: o.stallMs }
  return { ...o, highWater: FILE_READ_HIGH_WATER_BYTES, limited: false, timing }
}

/** A chunk request of one of the file protocols. */
export interface ChunksSpec {
  protocol: string
  request: Uint8Array
  maxRequestBytes: number
  /** FILE_CHUNK_STALL_MS unless a test shortens it. */
  stallMs: number
  errors: ExchangeErrors
}

/**
 * Asks `peer` for chunks `req.first`…`+count` of a file with `spec.request`; hands each chunk
 * received to `onChunk` (in increasing index order; a throw there, e.g. the service's
 * ChunkHashError, aborts the stream, is counted and rethrown). Resolves how many chunks came.
 * Rejects with PeerUnreachableError or `spec.errors`: FileRefusedError, FileStreamError (reset,
 * refused, or only a limited connection), FileStallError, FileProtocolError.
 */
export async function fetchChunks(
  ctx: ExchangeContext,
  peer: PeerId,
  addrs: readonly Multiaddr[],
  spec: ChunksSpec,
  req: FileRequest,
  onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
): Promise<number> {
  const exchangeSpec = fileExchange({ ...spec, maxAnswerBytes: MAX_FILE_FRAME_BYTES })
  return await exchange(ctx, peer, addrs, exchangeSpec, async (answers) => {
    let got = 0
    let next = req.first
    for (;;) {
      const frame = await answers.next(spec.stallMs)
      if (frame == null) return got
      const chunk = answers.decode(frame, decodeChunk)
      if (chunk.index < next || chunk.index >= req.first + req.count) {
        throw new FileProtocolError(`chunk ${chunk.index} outside or out of order`)
      }
      next = chunk.index + 1
      await onChunk(chunk.index, chunk.data)
      got++
    }
  })
}
