// The requester's side of /kith/sync/1.0.0 (./index.ts is the protocol and its responder): one
// request written, one answer read within the request's deadline; a bad answer is counted by
// error name in the protocol's StreamHost and resets the stream. It knows nothing of keys,
// members or messages.
import { MalformedMessageError, MessageTooLargeError } from '../../core/errors.js'
import { NodeNotStartedError } from '../errors.js'
import { FrameReader } from '../stream/frames.js'
import type { StreamHost } from '../stream/host.js'
import { withTimeout, writeFrame } from '../stream/io.js'
import { asError, openStream, type OpenComponents } from '../stream/open.js'
import { decodeResponse, encodeRequest } from './codec.js'
import { SyncProtocolError, SyncRefusedError, SyncStreamError, SyncTimeoutError } from './errors.js'
import { MAX_SYNC_REQUEST_BYTES, MAX_SYNC_RESPONSE_BYTES, SYNC_PROTOCOL } from './limits.js'
import type { SyncRequest, SyncResponse } from '../types.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a fetch needs of the protocol that runs it. */
export interface SyncClientContext {
  components: OpenComponents
  /** The protocol's streams and refusal counts (shared with the responder). */
  host: Pick<StreamHost, 'started' | 'track' | 'count'>
  /** SYNC_REQUEST_TIMEOUT_MS unless a test shortens it. */
  requestTimeoutMs: number
}

/** Asks `peer` (dialled if needed, `addrs` merged into the peer store); one exchange. */
export async function fetchSync(
  ctx: SyncClientContext,
  peer: PeerId,
  req: SyncRequest,
  addrs: readonly Multiaddr[] = [],
): Promise<SyncResponse> {
  const bytes = encodeRequest(req)
  if (!ctx.host.started) throw new NodeNotStartedError('node is not started')
  const deadline = Date.now() + ctx.requestTimeoutMs
  const signal = AbortSignal.timeout(ctx.requestTimeoutMs)
  const timeout = () => new SyncTimeoutError(`no answer within ${ctx.requestTimeoutMs} ms`)
  const stream = await openSyncStream(ctx.components, peer, addrs, signal)
  const untrack = ctx.host.track(stream)
  const reader = new FrameReader(stream, MAX_SYNC_RESPONSE_BYTES, MAX_SYNC_RESPONSE_BYTES)
  try {
    try {
      await writeFrame(stream, bytes, MAX_SYNC_REQUEST_BYTES, signal)
      await stream.close({ signal })
    } catch (err) {
      throw signal.aborted
        ? timeout()
        : new SyncStreamError('sync stream failed while writing', { cause: err })
    }
    let frame: Uint8Array | null
    try {
      const left = Math.max(1, deadline - Date.now())
      frame = await withTimeout(reader.next(), left, timeout, (e) => stream.abort(e))
    } catch (err) {
      if (SyncTimeoutError.is(err) || signal.aborted) throw timeout()
      if (MessageTooLargeError.is(err) || MalformedMessageError.is(err)) {
        throw protocolError(ctx, `bad frame: ${asError(err).message}`)
      }
      throw new SyncStreamError('the peer reset the sync stream', { cause: err })
    }
    if (frame == null) throw new SyncStreamError('the peer closed the sync stream unanswered')
    let res: SyncResponse
    try {
      res = decodeResponse(frame)
    } catch (err) {
      throw protocolError(ctx, `bad answer: ${asError(err).message}`)
    }
    return res
  } catch (err) {
    if (stream.status === 'open') stream.abort(asError(err))
    throw err
  } finally {
    reader.dispose()
    untrack()
  }
}

function protocolError(ctx: SyncClientContext, message: string): SyncProtocolError {
  const e = new SyncProtocolError(message)
  ctx.host.count(e.name)
  return e
}

function openSyncStream(
  c: OpenComponents,
  peer: PeerId,
  addrs: readonly Multiaddr[],
  signal: AbortSignal,
): Promise<Stream> {
  const errors = {
    timeout: (m: string) => new SyncTimeoutError(m),
    refused: (m: string, o: { cause: unknown }) => new SyncRefusedError(m, o),
    stream: (m: string, o: { cause: unknown }) => new SyncStreamError(m, o),
  }
  return openStream(c, peer, addrs, SYNC_PROTOCOL, errors, { signal })
}
