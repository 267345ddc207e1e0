// The framing of every Kith stream protocol (/kith/dm, /kith/mailbox, /kith/sync, /kith/card,
// /kith/file, /kith/filebox): each frame is an unsigned LEB128 varint length (the multiformats
// unsigned-varint, as in libp2p's length-prefixed streams) followed by that many bytes; the
// default limit is /kith/dm's (one sealed envelope), the others pass their own. This module owns encoding frames and reading them back from a libp2p v3 stream with a size
// limit and backpressure. It knows nothing of handlers, peers or what a frame contains.
import { Uint8ArrayList } from 'uint8arraylist'
import { MAX_ENVELOPE_BYTES } from '../../core/wire/limits.js'
import { MalformedMessageError, MessageTooLargeError } from '../errors.js'
import { pauseAfterDispatch } from '../libp2p/patches.js'
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'

/** Largest /kith/dm frame: one sealed envelope (core/wire/limits.ts). A length prefix above it
 *  closes the stream before a byte of the frame is buffered. */
export const MAX_DM_FRAME_BYTES = MAX_ENVELOPE_BYTES

/** Bytes of the varint that encodes `n` (7 bits per byte). */
export function varintLength(n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    len++
  }
  return len
}

/** Longest length prefix a valid frame can have: any longer prefix is over the limit. */
export const MAX_DM_LENGTH_PREFIX_BYTES = varintLength(MAX_DM_FRAME_BYTES)

/** Reads buffered bytes above this while the handler is busy pause the stream (yamux then
 *  stops granting send window, so the sender's `send()` returns false and it waits). */
export const DM_READ_HIGH_WATER_BYTES = 2 * MAX_DM_FRAME_BYTES

function writeVarint(n: number, out: Uint8Array, off: number): number {
  while (n >= 0x80) {
    out[off++] = (n & 0x7f) | 0x80
    n = Math.floor(n / 0x80)
  }
  out[off++] = n
  return off
}

/** Encodes frames as one buffer of length-prefixed frames. Validates every frame first. */
export function encodeFrames(
  frames: readonly Uint8Array[],
  maxFrameBytes = MAX_DM_FRAME_BYTES,
): Uint8Array {
  let total = 0
  frames.forEach((f, i) => {
    if (!(f instanceof Uint8Array)) throw new TypeError(`frames[${i}] must be a Uint8Array`)
    if (f.length === 0) throw new RangeError(`frames[${i}] is empty`)
    if (f.length > maxFrameBytes) {
      throw new MessageTooLargeError(`frames[${i}] is ${f.length} bytes > ${maxFrameBytes}`)
    }
    total += varintLength(f.length) + f.length
  })
  const out = new Uint8Array(total)
  let off = 0
  for (const f of frames) {
    off = writeVarint(f.length, out, off)
    out.set(f, off)
    off += f.length
  }
  return out
}

type Header = { length: number; prefixBytes: number } | undefined

/** Parses the length prefix at the start of `buf`; undefined if more bytes are needed. */
export function parseLengthPrefix(buf: Uint8ArrayList, maxFrameBytes: number): Header {
  const maxPrefix = varintLength(maxFrameBytes)
  let value = 0
  let scale = 1
  for (let i = 0; i < buf.byteLength; i++) {
    if (i >= maxPrefix) {
      throw new MessageTooLargeError(`length prefix longer than ${maxPrefix} bytes`)
    }
    const b = buf.get(i)
    value += (b & 0x7f) * scale
    scale *= 0x80
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) throw new MalformedMessageError('non-minimal length prefix')
      if (value > maxFrameBytes) {
        throw new MessageTooLargeError(`frame of ${value} bytes > ${maxFrameBytes}`)
      }
      if (value === 0) throw new MalformedMessageError('empty frame')
      return { length: value, prefixBytes: i + 1 }
    }
  }
  if (buf.byteLength >= maxPrefix) {
    throw new MessageTooLargeError(`length prefix longer than ${maxPrefix} bytes`)
  }
  return undefined
}

/**
 * Pulls whole frames out of an inbound stream, one `next()` at a time. Bytes arrive as
 * 'message' events; while more than `highWater` bytes wait unread the stream is paused, and
 * resumed when the consumer asks for more. Throws MessageTooLargeError / MalformedMessageError
 * on bad framing, the stream's own error if it was reset or aborted, and returns null at a clean
 * end (the remote closed its write side on a frame boundary).
 */
export class FrameReader {
  readonly #stream: Stream
  readonly #maxFrameBytes: number
  readonly #highWater: number
  readonly #buf = new Uint8ArrayList()
  #wake: (() => void) | undefined
  #ended = false
  #endedEarly = false
  #error: Error | undefined

  #pauseQueued = false

  readonly #onMessage = (evt: StreamMessageEvent): void => {
    this.#buf.append(evt.data)
    if (this.#buf.byteLength > this.#highWater && !this.#pauseQueued) {
      // Not here: this event may be dispatched from inside yamux's resume() (../libp2p/patches.ts).
      this.#pauseQueued = true
      pauseAfterDispatch(this.#stream, () => {
        this.#pauseQueued = false
        return this.#buf.byteLength > this.#highWater
      })
    }
    this.#notify()
  }
  readonly #onEnd = (): void => {
    this.#ended = true
    this.#notify()
  }
  readonly #onClose = (evt: StreamCloseEvent): void => {
    this.#ended = true
    if (evt.error != null) this.#error = evt.error
    this.#notify()
  }

  constructor(
    stream: Stream,
    maxFrameBytes = MAX_DM_FRAME_BYTES,
    highWater = DM_READ_HIGH_WATER_BYTES,
  ) {
    this.#stream = stream
    this.#maxFrameBytes = maxFrameBytes
    this.#highWater = highWater
    stream.addEventListener('message', this.#onMessage)
    stream.addEventListener('remoteCloseWrite', this.#onEnd)
    stream.addEventListener('close', this.#onClose)
    // The remote may have sent its whole request and closed its write side before this reader
    // existed (a short request under load: the protocol handler ran late). Its bytes then wait
    // in the stream's read buffer, handed to our 'message' listener in a microtask
    // (@libp2p/utils abstract-message-stream.js addEventListener); the end event is gone. So the
    // end counts only once that buffer is empty (next()), else an honest request was read as
    // "stream ended without a request" (test/node/sync-abuse.test.ts, 2026-12-05).
    if (stream.status !== 'open' || stream.remoteWriteStatus !== 'writable') this.#endedEarly = true
  }

  /** Whether the remote's end was seen: its event, or (see the constructor) an end that came
   *  before us once the bytes the stream buffered for us were handed over. */
  #atEnd(): boolean {
    return this.#ended || (this.#endedEarly && this.#stream.readBufferLength === 0)
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  /** The next whole frame, or null at a clean end of stream. */
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#error != null) throw this.#error
      const header = parseLengthPrefix(this.#buf, this.#maxFrameBytes)
      if (header != null && this.#buf.byteLength >= header.prefixBytes + header.length) {
        const frame = this.#buf.slice(header.prefixBytes, header.prefixBytes + header.length)
        this.#buf.consume(header.prefixBytes + header.length)
        return frame
      }
      // Need more bytes: let them flow again if we had paused the stream. resume() dispatches
      // what the stream buffered meanwhile synchronously, so look at the buffer again first.
      // Before the end check: the remote may have closed its write side while we were paused,
      // with its last bytes still held by the paused stream (seen with /kith/file's 256 KiB
      // frames: "stream ended inside a frame" on an honest stream).
      if (this.#stream.readStatus === 'paused') {
        this.#stream.resume()
        continue
      }
      if (this.#atEnd()) {
        if (this.#buf.byteLength === 0) return null
        throw new MalformedMessageError('stream ended inside a frame')
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
    }
  }

  /** Detaches from the stream (drops buffered bytes). */
  dispose(): void {
    this.#stream.removeEventListener('message', this.#onMessage)
    this.#stream.removeEventListener('remoteCloseWrite', this.#onEnd)
    this.#stream.removeEventListener('close', this.#onClose)
    this.#buf.consume(this.#buf.byteLength)
    this.#ended = true
    this.#notify()
  }
}
