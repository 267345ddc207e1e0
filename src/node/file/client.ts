// The requester's side of /kith/file/1.0.0 (./index.ts is the protocol and its responder): one
// request written, then the chunks read in increasing index order and handed to the caller, the
// stream reset on a stall or a bad answer (counted by error name in the protocol's StreamHost).
// Never over a limited (relayed) connection (./index.ts header). It knows nothing of manifests,
// keys, disks or conversations.
import { MalformedMessageError, MessageTooLargeError } from '../../core/errors.js'
import { NodeNotStartedError } from '../errors.js'
import { FrameReader } from '../stream/frames.js'
import type { StreamHost } from '../stream/host.js'
import { withTimeout, writeFrame } from '../stream/io.js'
import { asError, openStream, type OpenComponents } from '../stream/open.js'
import { decodeChunk, encodeRequest, type FileRequest } from './codec.js'
import { FileProtocolError, FileRefusedError, FileStallError, FileStreamError } from './errors.js'
import {
  FILE_OPEN_TIMEOUT_MS,
  FILE_PROTOCOL,
  FILE_READ_HIGH_WATER_BYTES,
  MAX_FILE_FRAME_BYTES,
  MAX_FILE_REQUEST_BYTES,
} from './limits.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a fetch needs of the protocol that runs it. */
export interface FileClientContext {
  components: OpenComponents
  /** The protocol's streams and refusal counts (shared with the responder). */
  host: Pick<StreamHost, 'started' | 'track' | 'count'>
  /** FILE_CHUNK_STALL_MS unless a test shortens it. */
  stallMs: number
  /** Counts one chunk fetched (FileMetrics.chunksFetched). */
  fetched(): void
}

/**
 * Asks `peer` for chunks `req.first`…`+count` of a file; hands each chunk received to `onChunk`
 * (in increasing index order; a throw there, e.g. the service's ChunkHashError, aborts the
 * stream, is counted and rethrown). Resolves how many chunks came. Rejects with
 * PeerUnreachableError, FileRefusedError, FileStreamError (reset, refused, or only a limited
 * connection), FileStallError, FileProtocolError.
 */
export async function fetchFile(
  ctx: FileClientContext,
  peer: PeerId,
  req: FileRequest,
  onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
  addrs: readonly Multiaddr[] = [],
): Promise<number> {
  const bytes = encodeRequest(req)
  if (!ctx.host.started) throw new NodeNotStartedError('node is not started')
  const stream = await openFileStream(ctx.components, peer, addrs)
  const untrack = ctx.host.track(stream)
  const reader = new FrameReader(stream, MAX_FILE_FRAME_BYTES, FILE_READ_HIGH_WATER_BYTES)
  let got = 0
  let next = req.first
  const stall = () => new FileStallError(`no chunk for ${ctx.stallMs} ms`)
  try {
    try {
      const signal = AbortSignal.timeout(ctx.stallMs)
      await writeFrame(stream, bytes, MAX_FILE_REQUEST_BYTES, signal)
      await stream.close({ signal })
    } catch (err) {
      throw new FileStreamError('file stream failed while writing', { cause: err })
    }
    for (;;) {
      let frame: Uint8Array | null
      try {
        frame = await withTimeout(reader.next(), ctx.stallMs, stall, (e) => stream.abort(e))
      } catch (err) {
        if (FileStallError.is(err)) throw err
        if (MessageTooLargeError.is(err) || MalformedMessageError.is(err)) {
          throw new FileProtocolError(`bad frame: ${asError(err).message}`)
        }
        throw new FileStreamError('the peer reset the file stream', { cause: err })
      }
      if (frame == null) return got
      let chunk
      try {
        chunk = decodeChunk(frame)
      } catch (err) {
        throw new FileProtocolError(`bad chunk frame: ${asError(err).message}`)
      }
      if (chunk.index < next || chunk.index >= req.first + req.count) {
        throw new FileProtocolError(`chunk ${chunk.index} outside or out of order`)
      }
      next = chunk.index + 1
      await onChunk(chunk.index, chunk.data)
      got++
      ctx.fetched()
    }
  } catch (err) {
    const e = asError(err)
    ctx.host.count(e.name)
    if (stream.status === 'open') stream.abort(e)
    throw e
  } finally {
    reader.dispose()
    untrack()
  }
}

/** No runOnLimitedConnection: libp2p refuses a relayed circuit (LimitedConnectionError). */
function openFileStream(
  c: OpenComponents,
  peer: PeerId,
  addrs: readonly Multiaddr[],
): Promise<Stream> {
  const signal = AbortSignal.timeout(FILE_OPEN_TIMEOUT_MS)
  const errors = {
    timeout: (m: string) => new FileStallError(m),
    refused: (m: string, o: { cause: unknown }) => new FileRefusedError(m, o),
    // The cause's name (e.g. LimitedConnectionError on a relayed circuit) says why.
    stream: (m: string, o: { cause: unknown }) =>
      new FileStreamError(`${m} (${asError(o.cause).name})`, o),
  }
  return openStream(c, peer, addrs, FILE_PROTOCOL, errors, { signal, limited: false })
}
