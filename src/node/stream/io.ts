// Writing frames of a request/response protocol (/kith/mailbox, /kith/sync, /kith/card,
// /kith/file, /kith/filebox) in chunks that wait for the muxer to drain, and bounding a read by a
// deadline. Frames are ./frames.ts's (varint length + bytes; read back with its FrameReader).
// It knows nothing of what a frame means.
import { encodeFrames } from './frames.js'
import type { Stream } from '@libp2p/interface'

/** Bytes handed to `stream.send()` at once; backpressure is checked between chunks, so a peer
 *  that stops reading holds at most this much of ours beyond the muxer's window. */
export const STREAM_WRITE_CHUNK_BYTES = 64 * 1024

/**
 * Writes one length-prefixed frame of at most `maxFrameBytes`, waiting for the stream to drain
 * between chunks, so a peer that stops reading holds at most one chunk of ours in the stream's
 * buffer. Rejects with `signal`'s reason when it aborts first, or the stream's error.
 */
export async function writeFrame(
  stream: Stream,
  frame: Uint8Array,
  maxFrameBytes: number,
  signal: AbortSignal,
): Promise<void> {
  const bytes = encodeFrames([frame], maxFrameBytes)
  for (let off = 0; off < bytes.length; off += STREAM_WRITE_CHUNK_BYTES) {
    signal.throwIfAborted()
    if (!stream.send(bytes.subarray(off, off + STREAM_WRITE_CHUNK_BYTES))) {
      await stream.onDrain({ signal })
    }
  }
}

/** Resolves `p`, or rejects with `onTimeout()` after `ms` (and calls `abort` first). */
export async function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  abort: (err: Error) => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = onTimeout()
      abort(err)
      reject(err)
    }, ms)
    timer.unref()
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}
