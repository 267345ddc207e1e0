// Named limits and timings of /kith/dm (STYLE.md §5). The frame size limit lives in ../stream/frames.ts.

export const DM_PROTOCOL = '/kith/dm/1.0.0'
/** The sender closes a reused stream after this long without a send. */
export const DM_OUTBOUND_IDLE_MS = 60_000
/** The listener closes an inbound stream that delivered no whole frame for this long. Longer
 *  than DM_OUTBOUND_IDLE_MS so that honest senders close first. */
export const DM_INBOUND_IDLE_MS = 120_000
/** After an idle close, how long the remote has to close its side before the stream is reset;
 *  also the bound of a graceful close of our own. */
export const DM_CLOSE_GRACE_MS = 5_000
/** A write that cannot drain for this long (the peer stopped reading) fails the send. */
export const DM_WRITE_TIMEOUT_MS = 30_000
/** Bytes handed to `stream.send()` at once; backpressure is checked between chunks. */
export const DM_WRITE_CHUNK_BYTES = 64 * 1024
/** /kith/dm streams one connection may carry at once, each way (a sender needs one, plus one
 *  while an idle-closed stream drains). */
export const DM_MAX_STREAMS_PER_CONNECTION = 8
