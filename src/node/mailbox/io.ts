// Frames on a /kith/mailbox stream, both ways: the /kith/dm framing (varint length + bytes, read
// with dm/frames.ts's FrameReader under a size limit and backpressure), written in chunks that
// wait for the muxer to drain. It knows nothing of what a frame means.
import { encodeFrames } from '../dm/frames.js'
import { MAILBOX_WRITE_CHUNK_BYTES } from './limits.js'
import type { Stream } from '@libp2p/interface'

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

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
  for (let off = 0; off < bytes.length; off += MAILBOX_WRITE_CHUNK_BYTES) {
    signal.throwIfAborted()
    if (!stream.send(bytes.subarray(off, off + MAILBOX_WRITE_CHUNK_BYTES))) {
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
