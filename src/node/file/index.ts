// The /kith/file/1.0.0 protocol (docs/files.md, docs/protocol.md): one request for a run of
// sealed chunks of one file and the chunks the responder holds, one frame each, per stream. The
// responder authenticates nothing itself: before a byte of the request is read the service's
// `allowPeer` must accept the asker (a contact or group co-member: a stranger gets nothing), then
// `entitled` must accept it for that file id (the file's conversation), and the inbound stream
// must fit the per-peer, per-network-prefix and node-wide caps. Hostile bytes, a stalled partial
// frame or a stalled reader reset the stream and are counted by error name (fileRejected); so is
// a bad answer on the requester's side, where `onChunk` (the service's hash check) may throw too.
//
// Never over a limited (relayed) connection: the handler and our streams do not set
// runOnLimitedConnection, so libp2p refuses both on a circuit (LimitedConnectionError): a relay's
// allowance per circuit — js-libp2p's default 128 KiB, a `kith relay`'s RELAY_DATA_LIMIT_BYTES
// 1 MiB (docs/relay.md) — is under one or four chunks, and a file would burn it for every chat
// message on that circuit. The download waits for a direct connection (hole punching). It knows nothing of manifests, keys, disks or conversations.
//
// Shaped like js-libp2p's ping (STYLE.md §3): `file(init)(components)` is a libp2p service. The
// handler's registration, open streams and refusal counts live in a StreamHost, the dial in
// openStream (../stream/), as for /kith/card and /kith/sync. This module is the protocol and its
// responder; the requester's side is ./client.ts, who may open a stream ./admission.ts.
import debug from 'debug'
import { MalformedMessageError } from '../../core/errors.js'
import { HASH_LIST_PART_BYTES } from '../../core/file/limits.js'
import { FrameReader } from '../stream/frames.js'
import { NodeNotStartedError } from '../errors.js'
import { asError } from '../stream/open.js'
import { withTimeout, writeFrame } from '../stream/io.js'
import { networkPrefix } from '../connectivity/net-prefix.js'
import { StreamHost, type HostRegistrar } from '../stream/host.js'
import { decodeRequest, encodeChunk, type FileRequest } from './codec.js'
import { fetchFile } from './client.js'
import { FileAdmission } from './admission.js'
import {
  FileIdleTimeoutError,
  FileNoHandlerError,
  FileNotEntitledError,
  FileStallError,
} from './errors.js'
import {
  FILE_CHUNK_STALL_MS,
  FILE_CLOSE_GRACE_MS,
  FILE_MAX_INBOUND_PER_PEER,
  FILE_MAX_STREAMS_PER_CONNECTION,
  FILE_PROTOCOL,
  FILE_REQUEST_IDLE_MS,
  MAX_FILE_FRAME_BYTES,
  MAX_FILE_REQUEST_BYTES,
} from './limits.js'
import type {
  AbortOptions,
  Connection,
  PeerData,
  PeerId,
  Startable,
  Stream,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type { FileChunk, FileRequest } from './codec.js'

const log = debug('kith:node:file')

/** What the service decides for the node (src/service/files/). */
export interface FileServeHandler {
  /** Before a byte is read: is `peer` anyone we share files with? */
  allowPeer(peer: string): boolean
  /** After the request: may `peer` have chunks of this file? */
  entitled(peer: string, fileId: Uint8Array): boolean
  /** The sealed chunk `index` of the file, or undefined when we do not hold it (yet). */
  chunk(fileId: Uint8Array, index: number): Promise<Uint8Array | undefined>
  /** The file's whole chunk-hash list (docs/files.md "Hash list"), or undefined when we do not
   *  hold it (a small file's hashes are inline; a download whose list is not fetched yet). */
  hashList?(fileId: Uint8Array): Promise<Uint8Array | undefined>
}

export interface FileMetrics {
  chunksServed: number
  chunksFetched: number
  /** Hostile or failed streams, by error name, on either side. */
  rejected: Record<string, number>
}

export interface FileComponents {
  peerId: PeerId
  registrar: HostRegistrar
  connectionManager: {
    openConnection(peer: PeerId, options?: AbortOptions): Promise<Connection>
  }
  peerStore: { merge(peerId: PeerId, data: PeerData): Promise<unknown> }
}

/** Timings and caps the tests shorten; production passes nothing. */
export interface FileInit {
  requestIdleMs?: number
  chunkStallMs?: number
  maxInboundPerPeer?: number
}

/** Part `i` of a hash list (undefined past its end or when not held). */
function hashListPart(list: Uint8Array | undefined, i: number): Uint8Array | undefined {
  if (list === undefined || i * HASH_LIST_PART_BYTES >= list.length) return undefined
  return list.subarray(i * HASH_LIST_PART_BYTES, (i + 1) * HASH_LIST_PART_BYTES)
}

export class FileProtocol implements Startable {
  readonly #c: FileComponents
  readonly #idleMs: number
  readonly #stallMs: number
  readonly #admission: FileAdmission
  readonly #host: StreamHost
  #served = 0
  #fetched = 0
  #handler: FileServeHandler | undefined

  constructor(components: FileComponents, init: FileInit = {}) {
    this.#c = components
    this.#idleMs = init.requestIdleMs ?? FILE_REQUEST_IDLE_MS
    this.#stallMs = init.chunkStallMs ?? FILE_CHUNK_STALL_MS
    this.#admission = new FileAdmission(init.maxInboundPerPeer ?? FILE_MAX_INBOUND_PER_PEER)
    this.#host = new StreamHost(
      components.registrar,
      FILE_PROTOCOL,
      {
        maxInboundStreams: FILE_MAX_STREAMS_PER_CONNECTION,
        maxOutboundStreams: FILE_MAX_STREAMS_PER_CONNECTION,
        // runOnLimitedConnection stays false: see the header.
      },
      (stream, connection) => this.#serve(stream, connection),
    )
  }

  readonly [Symbol.toStringTag] = 'kith:file'

  isStarted(): boolean {
    return this.#host.started
  }

  start(): Promise<void> {
    return this.#host.start()
  }

  stop(): Promise<void> {
    return this.#host.stop()
  }

  setHandler(handler: FileServeHandler | undefined): void {
    this.#handler = handler
  }

  metrics(): FileMetrics {
    return {
      chunksServed: this.#served,
      chunksFetched: this.#fetched,
      rejected: this.#host.rejected(),
    }
  }

  #count(name: string): void {
    this.#host.count(name)
  }

  /** Serves one inbound stream: one request, its chunks. Never rejects. */
  async #serve(stream: Stream, connection: Connection): Promise<void> {
    const remote = connection.remotePeer.toString()
    const prefix = networkPrefix(connection.remoteAddr)
    if (!this.#host.started) {
      stream.abort(new NodeNotStartedError('node is not started'))
      return
    }
    const refusal = this.#admission.refusal(this.#handler, remote, prefix)
    if (refusal !== undefined) {
      this.#count(refusal.name)
      log('refused a file stream from %s: %s', remote, refusal.name)
      stream.abort(refusal)
      return
    }
    const release = this.#admission.admit(remote, prefix)
    const untrack = this.#host.track(stream)
    const reader = new FrameReader(stream, MAX_FILE_REQUEST_BYTES, MAX_FILE_REQUEST_BYTES)
    try {
      const frame = await withTimeout(
        reader.next(),
        this.#idleMs,
        () => new FileIdleTimeoutError(`no request for ${this.#idleMs} ms`),
        (err) => stream.abort(err),
      )
      if (frame == null) throw new MalformedMessageError('stream ended without a request')
      const req = decodeRequest(frame)
      const h = this.#handler
      if (h === undefined) throw new FileNoHandlerError('no file handler installed')
      if (!h.entitled(remote, req.fileId)) throw new FileNotEntitledError('not entitled to file')
      // A hash-list request: the same frames, each a HASH_LIST_PART_BYTES slice of the list.
      const list = req.hashList === true ? await h.hashList?.(req.fileId) : undefined
      for (let i = req.first; i < req.first + req.count; i++) {
        const data = req.hashList === true ? hashListPart(list, i) : await h.chunk(req.fileId, i)
        if (data === undefined) continue
        const signal = AbortSignal.timeout(this.#stallMs)
        try {
          await writeFrame(stream, encodeChunk({ index: i, data }), MAX_FILE_FRAME_BYTES, signal)
        } catch (err) {
          throw signal.aborted ? new FileStallError('the reader stopped reading') : err
        }
        this.#served++
      }
      await stream.close({ signal: AbortSignal.timeout(FILE_CLOSE_GRACE_MS) })
    } catch (err) {
      const e = asError(err)
      if (this.#host.started) {
        this.#count(e.name)
        log('reset file stream from %s: %s', remote, e.name)
      }
      if (stream.status === 'open') stream.abort(e)
    } finally {
      release()
      reader.dispose()
      untrack()
    }
  }

  /**
   * Asks `peer` for chunks `req.first`…`+count` of a file (./client.ts fetchFile: its order,
   * counting and errors). Resolves how many chunks came.
   */
  async fetch(
    peer: PeerId,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
    addrs: readonly Multiaddr[] = [],
  ): Promise<number> {
    return await fetchFile(
      {
        components: this.#c,
        host: this.#host,
        stallMs: this.#stallMs,
        fetched: () => this.#fetched++,
      },
      peer,
      req,
      onChunk,
      addrs,
    )
  }
}

/** The /kith/file service factory: `services: { file: file() }`. */
export function file(init: FileInit = {}): (components: FileComponents) => FileProtocol {
  return (components) => new FileProtocol(components, init)
}

export {
  FILE_CHUNK_STALL_MS,
  FILE_MAX_CHUNKS_PER_REQUEST,
  FILE_MAX_INBOUND_PER_PEER,
  FILE_MAX_INBOUND_PER_PREFIX,
  FILE_MAX_INBOUND_STREAMS,
  FILE_PROTOCOL,
  FILE_REQUEST_IDLE_MS,
  MAX_FILE_FRAME_BYTES,
  MAX_FILE_REQUEST_BYTES,
} from './limits.js'
export {
  FileBusyError,
  FileIdleTimeoutError,
  FileNoHandlerError,
  FileNotAllowedError,
  FileNotEntitledError,
  FileProtocolError,
  FileRefusedError,
  FileStallError,
  FileStreamError,
} from './errors.js'
