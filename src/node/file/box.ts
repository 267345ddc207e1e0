// /kith/filebox/1.0.0 (docs/files.md "Offline delivery"): a sender deposits the sealed chunks
// of a file with the recipient's mailboxes (a relay, or a contact serving as mailbox), and the
// recipient fetches them from there after the sender went offline. The mailbox side accepts a
// deposit only when the node's mailbox policy accepts (recipient, depositor) — the same rule as
// /kith/mailbox envelopes: an accepted contact of ours as recipient on a daemon, anyone within
// quotas on a relay — and serves a fetch only to the recipient itself (the Noise-authenticated
// remote PeerId is the recipient key of what it may read). Chunks live on disk (./box-store.ts).
// Bounded frames, a partial-frame timeout, per-peer and node-wide stream caps, refusals counted
// by error name. Never over a limited (relayed) connection, as /kith/file (./index.ts header).
// The requester side lives in ./box-client.ts; it is a StreamHost (../stream/host.ts:
// registration, open streams, the responder's tail, refusal counts), as /kith/file. It knows
// nothing of manifests, keys or conversations.
import debug from 'debug'
import { toHex } from '../../core/bytes.js'
import { asError } from '../stream/open.js'
import { bump } from '../tally.js'
import type { MailboxPolicy } from '../mailbox/types.js'
import { StreamHost, type Inbound } from '../stream/host.js'
import { networkPrefix } from '../connectivity/net-prefix.js'
import {
  decodeBoxRequest,
  type BoxRequest,
  FILEBOX_PROTOCOL,
  FILEBOX_STATUS,
  MAX_FILEBOX_REQUEST_BYTES,
} from './box-codec.js'
import { FileBoxClient } from './box-client.js'
import { FileBoxStore, FILEBOX_SWEEP_MS, type FileBoxLimits } from './box-store.js'
import { encodeChunk, type FileRequest } from './codec.js'
import {
  FileBoxNotEntitledError,
  FileBoxQuotaError,
  FileBusyError,
  FileIdleTimeoutError,
  FileStallError,
} from './errors.js'
import {
  FILE_CHUNK_STALL_MS,
  FILE_CLOSE_GRACE_MS,
  FILE_MAX_STREAMS_PER_CONNECTION,
  FILE_REQUEST_IDLE_MS,
  MAX_FILE_FRAME_BYTES,
} from './limits.js'
import type { FileComponents } from './index.js'

/** Inbound /kith/filebox streams served at once for one peer: a depositor sends one stream at a
 *  time, a recipient fetches with FILE_PARALLEL_PER_SOURCE (2). */
export const FILEBOX_MAX_INBOUND_PER_PEER = 2
/** Inbound /kith/filebox streams served at once node-wide: each holds at most one 256 KiB frame. */
export const FILEBOX_MAX_INBOUND_STREAMS = 16

export interface FileBoxInit {
  /** Where chunks are kept; without it the node keeps no file box (deposits refused). */
  dir?: string
  limits?: FileBoxLimits
  /** Who may deposit for whom (default: no one; setPolicy replaces it). */
  policy?: MailboxPolicy
  requestIdleMs?: number
  chunkStallMs?: number
}

export interface FileBoxMetrics {
  /** Chunks accepted from depositors, chunks served to recipients, chunks we deposited. */
  depositsIn: number
  served: number
  depositsOut: number
  usage: { bytes: number; chunks: number; files: number }
  /** Refused or failed streams and deposits, by error name, on either side. */
  rejected: Record<string, number>
}

export class FileBoxProtocol extends StreamHost {
  readonly #store: FileBoxStore | undefined
  readonly #stallMs: number
  readonly #byPeer = new Map<string, number>()
  #policy: MailboxPolicy
  #in = 0
  #served = 0
  readonly #client: FileBoxClient
  #timer: NodeJS.Timeout | undefined

  constructor(components: FileComponents, init: FileBoxInit = {}) {
    super(components.registrar, {
      protocol: FILEBOX_PROTOCOL,
      streamsPerConnection: FILE_MAX_STREAMS_PER_CONNECTION,
      limited: false, // as /kith/file (./index.ts header)
      maxRequestBytes: MAX_FILEBOX_REQUEST_BYTES,
      idleMs: init.requestIdleMs ?? FILE_REQUEST_IDLE_MS,
      idle: (ms) => new FileIdleTimeoutError(`no complete request for ${ms} ms`),
      closeGraceMs: FILE_CLOSE_GRACE_MS,
      log: debug('kith:node:filebox'),
    })
    this.#store = init.dir === undefined ? undefined : new FileBoxStore(init.dir, init.limits)
    this.#policy = init.policy ?? (() => false)
    this.#stallMs = init.chunkStallMs ?? FILE_CHUNK_STALL_MS
    this.#client = new FileBoxClient({ components, stallMs: this.#stallMs, host: this })
  }

  readonly [Symbol.toStringTag] = 'kith:filebox'

  override async start(): Promise<void> {
    if (this.started) return
    await this.#store?.init()
    await super.start()
    this.#timer = setInterval(
      () => void this.#store?.sweep().catch(() => undefined),
      FILEBOX_SWEEP_MS,
    )
    this.#timer.unref()
  }

  override async stop(): Promise<void> {
    clearInterval(this.#timer)
    await super.stop()
  }

  /** Who may deposit for whom: the node's mailbox policy (libp2p.ts sets both together). */
  setPolicy(policy: MailboxPolicy): void {
    this.#policy = policy
  }

  metrics(): FileBoxMetrics {
    return {
      depositsIn: this.#in,
      served: this.#served,
      depositsOut: this.#client.deposited,
      usage: this.#store?.usage() ?? { bytes: 0, chunks: 0, files: 0 },
      rejected: this.rejected(),
    }
  }

  protected override admit(remote: string): () => void {
    if (
      (this.#byPeer.get(remote) ?? 0) >= FILEBOX_MAX_INBOUND_PER_PEER ||
      this.serving >= FILEBOX_MAX_INBOUND_STREAMS
    ) {
      throw new FileBusyError('too many file box streams')
    }
    bump(this.#byPeer, remote, 1)
    return () => bump(this.#byPeer, remote, -1)
  }

  /** Deposits, each answered by a status frame, until one is refused or the depositor ends;
   *  or one fetch and its chunks. */
  protected async respond(inbound: Inbound): Promise<void> {
    const prefix = networkPrefix(inbound.connection.remoteAddr)
    for (;;) {
      const frame = await inbound.next()
      if (frame == null) return
      const req = decodeBoxRequest(frame)
      if (req.op === 'fetch') return await this.#serveFetch(inbound, req)
      const status = await this.#deposit(inbound.remote, prefix, req)
      await inbound.answer(Uint8Array.of(status), 1, { ms: this.#stallMs })
      if (status !== FILEBOX_STATUS.ok) return
    }
  }

  async #deposit(
    depositor: string,
    prefix: string,
    { recipient, fileId, index, data }: Extract<BoxRequest, { op: 'deposit' }>,
  ): Promise<number> {
    if (this.#store === undefined) {
      this.count('FileBoxDisabledError')
      return FILEBOX_STATUS.disabled
    }
    let allowed = false
    try {
      allowed = recipient !== depositor && (await this.#policy(recipient, depositor))
    } catch {
      allowed = false
    }
    if (!allowed) {
      this.count('FileBoxNotAllowedError')
      return FILEBOX_STATUS.notAllowed
    }
    try {
      await this.#store.put(recipient, depositor, prefix, toHex(fileId), index, data)
      this.#in++
      return FILEBOX_STATUS.ok
    } catch (err) {
      const name = asError(err).name
      this.count(name)
      return FileBoxQuotaError.is(err) ? FILEBOX_STATUS.quota : FILEBOX_STATUS.refused
    }
  }

  async #serveFetch(inbound: Inbound, req: FileRequest): Promise<void> {
    const { remote } = inbound
    const id = toHex(req.fileId)
    // Only the recipient: what is held is keyed by the asker's authenticated PeerId.
    if (this.#store?.holds(remote, id) !== true) {
      throw new FileBoxNotEntitledError('nothing held for this peer and file')
    }
    for (let i = req.first; i < req.first + req.count; i++) {
      const data = await this.#store.get(remote, id, i)
      if (data === undefined) continue
      await inbound.answer(encodeChunk({ index: i, data }), MAX_FILE_FRAME_BYTES, {
        ms: this.#stallMs,
        stalled: () => new FileStallError('the reader stopped reading'),
      })
      this.#served++
    }
  }

  /** As FileBoxClient.deposit (./box-client.ts). */
  deposit(...args: Parameters<FileBoxClient['deposit']>): Promise<void> {
    return this.#client.deposit(...args)
  }

  /** As FileBoxClient.fetch (./box-client.ts). */
  fetch(...args: Parameters<FileBoxClient['fetch']>): Promise<number> {
    return this.#client.fetch(...args)
  }
}

/** The /kith/filebox service factory: `services: { filebox: filebox(init) }`. */
export function filebox(init: FileBoxInit = {}): (c: FileComponents) => FileBoxProtocol {
  return (components) => new FileBoxProtocol(components, init)
}
