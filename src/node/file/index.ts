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
// message on that circuit. The download waits for a direct connection (hole punching). It knows
// nothing of manifests, keys, disks or conversations.
//
// Shaped like js-libp2p's ping (STYLE.md §3): `file(init)(components)` is a libp2p service. It
// is a StreamHost (../stream/host.ts: registration, open streams, the responder's tail and the
// refusal counts), as /kith/card, /kith/sync and /kith/filebox are. This module says who is
// admitted (./admission.ts) and what is answered; the requester's side is ./client.ts.
import debug from 'debug'
import { HASH_LIST_PART_BYTES } from '../../core/file/limits.js'
import { networkPrefix } from '../connectivity/net-prefix.js'
import { StreamHost, type HostRegistrar, type Inbound } from '../stream/host.js'
import type { OpenComponents } from '../stream/open.js'
import { decodeRequest, encodeChunk, encodeRequest, type FileRequest } from './codec.js'
import { FILE_ERRORS, fetchChunks } from './client.js'
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
import type { Connection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type { FileChunk, FileRequest } from './codec.js'

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

export interface FileComponents extends OpenComponents {
  peerId: PeerId
  registrar: HostRegistrar
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

export class FileProtocol extends StreamHost {
  readonly #c: FileComponents
  readonly #stallMs: number
  readonly #admission: FileAdmission
  #served = 0
  #fetched = 0
  #handler: FileServeHandler | undefined

  constructor(components: FileComponents, init: FileInit = {}) {
    super(components.registrar, {
      protocol: FILE_PROTOCOL,
      streamsPerConnection: FILE_MAX_STREAMS_PER_CONNECTION,
      limited: false, // see the header
      maxRequestBytes: MAX_FILE_REQUEST_BYTES,
      idleMs: init.requestIdleMs ?? FILE_REQUEST_IDLE_MS,
      idle: (ms) => new FileIdleTimeoutError(`no request for ${ms} ms`),
      closeGraceMs: FILE_CLOSE_GRACE_MS,
      log: debug('kith:node:file'),
    })
    this.#c = components
    this.#stallMs = init.chunkStallMs ?? FILE_CHUNK_STALL_MS
    this.#admission = new FileAdmission(init.maxInboundPerPeer ?? FILE_MAX_INBOUND_PER_PEER)
  }

  readonly [Symbol.toStringTag] = 'kith:file'

  setHandler(handler: FileServeHandler | undefined): void {
    this.#handler = handler
  }

  metrics(): FileMetrics {
    return { chunksServed: this.#served, chunksFetched: this.#fetched, rejected: this.rejected() }
  }

  protected override admit(remote: string, connection: Connection): () => void {
    const prefix = networkPrefix(connection.remoteAddr)
    const refusal = this.#admission.refusal(this.#handler, remote, prefix)
    if (refusal !== undefined) throw refusal
    return this.#admission.admit(remote, prefix)
  }

  /** One request, its chunks (or hash-list parts), one frame each. */
  protected async respond(inbound: Inbound): Promise<void> {
    const req = decodeRequest(await inbound.request())
    const h = this.#handler
    if (h === undefined) throw new FileNoHandlerError('no file handler installed')
    if (!h.entitled(inbound.remote, req.fileId)) {
      throw new FileNotEntitledError('not entitled to file')
    }
    // A hash-list request: the same frames, each a HASH_LIST_PART_BYTES slice of the list.
    const list = req.hashList === true ? await h.hashList?.(req.fileId) : undefined
    for (let i = req.first; i < req.first + req.count; i++) {
      const data = req.hashList === true ? hashListPart(list, i) : await h.chunk(req.fileId, i)
      if (data === undefined) continue
      await inbound.answer(encodeChunk({ index: i, data }), MAX_FILE_FRAME_BYTES, {
        ms: this.#stallMs,
        stalled: () => new FileStallError('the reader stopped reading'),
      })
      this.#served++
    }
  }

  /**
   * Asks `peer` for chunks `req.first`…`+count` of a file (./client.ts fetchChunks: its order,
   * counting and errors). Resolves how many chunks came.
   */
  async fetch(
    peer: PeerId,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
    addrs: readonly Multiaddr[] = [],
  ): Promise<number> {
    const spec = {
      protocol: FILE_PROTOCOL,
      request: encodeRequest(req),
      maxRequestBytes: MAX_FILE_REQUEST_BYTES,
      stallMs: this.#stallMs,
      errors: FILE_ERRORS,
    }
    return await fetchChunks(
      { components: this.#c, host: this },
      peer,
      addrs,
      spec,
      req,
      async (i, d) => {
        await onChunk(i, d)
        this.#fetched++
      },
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
