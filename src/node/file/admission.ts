// Who may open an inbound /kith/file stream now (./index.ts is the protocol): the service's
// `allowPeer` (a contact or group co-member; a stranger gets nothing), then the per-peer,
// per-network-prefix and node-wide caps on streams being served. It owns those counts; it knows
// nothing of requests, chunks or streams.
import { bump } from '../tally.js'
import { FileBusyError, FileNoHandlerError, FileNotAllowedError } from './errors.js'
import { FILE_MAX_INBOUND_PER_PREFIX, FILE_MAX_INBOUND_STREAMS } from './limits.js'

export class FileAdmission {
  readonly #perPeer: number
  readonly #byPeer = new Map<string, number>()
  readonly #byPrefix = new Map<string, number>()
  #serving = 0

  /** `perPeer`: FILE_MAX_INBOUND_PER_PEER unless a test lowers it. */
  constructor(perPeer: number) {
    this.#perPeer = perPeer
  }

  /** Why a stream from `remote` (on network `prefix`) is refused now, or undefined. */
  refusal(
    handler: { allowPeer(peer: string): boolean } | undefined,
    remote: string,
    prefix: string,
  ): Error | undefined {
    if (handler === undefined) return new FileNoHandlerError('no file handler installed')
    let allowed = false
    try {
      allowed = handler.allowPeer(remote)
    } catch {
      allowed = false
    }
    if (!allowed) return new FileNotAllowedError('not a peer we share files with')
    if ((this.#byPeer.get(remote) ?? 0) >= this.#perPeer) {
      return new FileBusyError(`${this.#perPeer} file streams already served for this peer`)
    }
    if ((this.#byPrefix.get(prefix) ?? 0) >= FILE_MAX_INBOUND_PER_PREFIX) {
      return new FileBusyError(`${FILE_MAX_INBOUND_PER_PREFIX} file streams served for its network`)
    }
    if (this.#serving >= FILE_MAX_INBOUND_STREAMS) {
      return new FileBusyError(`${FILE_MAX_INBOUND_STREAMS} file streams already served`)
    }
    return undefined
  }

  /** Counts a stream from `remote` as served until the returned release() is called (once). */
  admit(remote: string, prefix: string): () => void {
    this.#serving++
    bump(this.#byPeer, remote, 1)
    bump(this.#byPrefix, prefix, 1)
    return () => {
      this.#serving--
      bump(this.#byPeer, remote, -1)
      bump(this.#byPrefix, prefix, -1)
    }
  }
}
