// The length-prefixed frames of one inbound /meshsub stream, tracked without buffering them
// (./guard.ts charges the unfinished bytes to its budgets and runs the partial-frame clock). It
// reads the varint prefixes as it-length-prefixed does (multiformats unsigned-varint) and knows
// nothing of budgets, timers' meaning, RPCs or gossipsub.
import { MessageTooLargeError } from '../../core/errors.js'
import type { Stream } from '@libp2p/interface'

/** Longest varint length prefix the meter reads (8 bytes hold 2^56). */
export const MAX_VARINT_BYTES = 8

/** Tracks the length-prefixed frames of one inbound stream without buffering them. */
export class FrameMeter {
  readonly peer: string
  readonly stream: Stream
  /** Bytes received of the current, unfinished frame (prefix included). */
  partial = 0
  startedAt = 0
  timer: ReturnType<typeof setTimeout> | undefined
  #prefix = 0
  #scale = 1
  #prefixBytes = 0
  /** Body bytes still to come of the current frame; -1 while reading a prefix. */
  #remaining = -1

  constructor(peer: string, stream: Stream) {
    this.peer = peer
    this.stream = stream
  }

  /**
   * Consumes `n` bytes (read through `byteAt`); returns how many frames it completed and the
   * change of `partial`. Throws MessageTooLargeError for a prefix over `max`.
   */
  feed(n: number, byteAt: (i: number) => number, max: number): { completed: number } {
    let completed = 0
    let i = 0
    while (i < n) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, n - i)
        this.#remaining -= take
        this.partial += take
        i += take
      } else {
        // A varint length prefix (multiformats unsigned-varint, as it-length-prefixed reads it).
        const b = byteAt(i++)
        this.partial++
        this.#prefix += (b & 0x7f) * this.#scale
        this.#scale *= 0x80
        this.#prefixBytes++
        if (this.#prefix > max || this.#prefixBytes > MAX_VARINT_BYTES) {
          throw new MessageTooLargeError(`pubsub frame over ${max} bytes`)
        }
        if ((b & 0x80) === 0) {
          this.#remaining = this.#prefix
          this.#prefix = 0
          this.#scale = 1
          this.#prefixBytes = 0
        }
      }
      if (this.#remaining === 0) {
        completed++
        this.partial = 0
        this.#remaining = -1
      }
    }
    return { completed }
  }
}
