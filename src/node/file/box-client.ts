// The requester side of /kith/filebox/1.0.0 (./box.ts has the protocol's rules): deposits a
// file's sealed chunks with a mailbox, one answered frame at a time, and fetches runs of chunks
// a mailbox holds for us. Both are exchanges of ../stream/exchange.ts (bounded frames, stall
// timeouts, failures counted by error name on the owner's StreamHost, never on a relayed
// connection). It knows nothing of what a mailbox keeps or who may deposit.
import { exchange, type ExchangeErrors } from '../stream/exchange.js'
import type { StreamHost } from '../stream/host.js'
import {
  encodeDeposit,
  encodeFetch,
  FILEBOX_FETCH_BYTES,
  FILEBOX_PROTOCOL,
  FILEBOX_STATUS,
  MAX_FILEBOX_REQUEST_BYTES,
} from './box-codec.js'
import { FILE_ERRORS, fetchChunks, fileExchange } from './client.js'
import type { FileRequest } from './codec.js'
import {
  FileBoxDisabledError,
  FileBoxNotAllowedError,
  FileBoxQuotaError,
  FileBoxRefusedError,
  FileProtocolError,
  FileStreamError,
} from './errors.js'
import { FILE_CLOSE_GRACE_MS } from './limits.js'
import type { FileComponents } from './index.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const STATUS_ERROR: Record<number, (m: string) => Error> = {
  [FILEBOX_STATUS.notAllowed]: (m) => new FileBoxNotAllowedError(m),
  [FILEBOX_STATUS.quota]: (m) => new FileBoxQuotaError(m),
  [FILEBOX_STATUS.refused]: (m) => new FileBoxRefusedError(m),
  [FILEBOX_STATUS.disabled]: (m) => new FileBoxDisabledError(m),
}

/** The requester's errors of /kith/filebox: as /kith/file's, but a mailbox that does not speak
 *  the protocol is a stream failure (the depositor tries its next mailbox). */
const FILEBOX_ERRORS: ExchangeErrors = {
  ...FILE_ERRORS,
  refused: (m, o) => new FileStreamError(m, o),
}

export interface FileBoxClientOptions {
  components: FileComponents
  stallMs: number
  /** The owner's host: failures counted by error name, open streams aborted at its stop. */
  host: StreamHost
}

export class FileBoxClient {
  readonly #o: FileBoxClientOptions
  /** Chunks a mailbox accepted from us. */
  deposited = 0

  constructor(o: FileBoxClientOptions) {
    this.#o = o
  }

  /**
   * Deposits chunks of one file for `recipient` with `mailbox`, one stream, each chunk answered
   * before the next is sent, from `first` (a resumed deposit) to count-1. `chunk(i)` reads chunk
   * i (sealed), so when it is asked for i the box acknowledged every chunk before i. Resolves
   * when all are held;
   * rejects with the mailbox's refusal (FileBoxNotAllowedError, FileBoxQuotaError,
   * FileBoxRefusedError, FileBoxDisabledError) or a stream error.
   */
  async deposit(
    mailbox: PeerId,
    recipient: string,
    fileId: Uint8Array,
    count: number,
    chunk: (index: number) => Promise<Uint8Array>,
    addrs: readonly Multiaddr[] = [],
    first = 0,
  ): Promise<void> {
    const { stallMs } = this.#o
    const spec = fileExchange({
      protocol: FILEBOX_PROTOCOL,
      maxRequestBytes: MAX_FILEBOX_REQUEST_BYTES,
      maxAnswerBytes: 1,
      stallMs,
      errors: FILEBOX_ERRORS,
    })
    const status = (ack: Uint8Array): number => ack[0] ?? FILEBOX_STATUS.refused
    await exchange(this.#o, mailbox, addrs, spec, async (rs) => {
      // From `first`: a deposit resumed after a restart skips what the box acknowledged.
      for (let i = first; i < count; i++) {
        const frame = encodeDeposit(recipient, fileId, i, await chunk(i))
        await rs.write(frame, MAX_FILEBOX_REQUEST_BYTES, stallMs)
        const s = await rs.answer(stallMs, status)
        if (s !== FILEBOX_STATUS.ok) {
          throw (STATUS_ERROR[s] ?? ((m) => new FileProtocolError(m)))('deposit refused')
        }
        this.deposited++
      }
      await rs.stream.close({ signal: AbortSignal.timeout(FILE_CLOSE_GRACE_MS) })
    })
  }

  /** Fetches chunks of a file held for us by `mailbox`; as FileProtocol.fetch (./index.ts). */
  async fetch(
    mailbox: PeerId,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
    addrs: readonly Multiaddr[] = [],
  ): Promise<number> {
    // A file box holds sealed chunks only, never a hash list (docs/files.md "Hash list").
    if (req.hashList === true) throw new FileBoxRefusedError('a file box holds no hash list')
    const spec = {
      protocol: FILEBOX_PROTOCOL,
      request: encodeFetch(req.fileId, req.first, req.count),
      maxRequestBytes: FILEBOX_FETCH_BYTES,
      stallMs: this.#o.stallMs,
      errors: FILEBOX_ERRORS,
    }
    return await fetchChunks(this.#o, mailbox, addrs, spec, req, onChunk)
  }
}
