// Named limits and timings of /kith/file/1.0.0 (STYLE.md §5; docs/files.md "Limits"), in one
// place. Each size limit is tested at MAX and MAX+1 (test/node/file.test.ts).
import { FILE_ID_BYTES, MAX_SEALED_CHUNK_BYTES } from '../../core/file/limits.js'

export const FILE_PROTOCOL = '/kith/file/1.0.0'

// ---- Frames ----------------------------------------------------------------------------------
/** Largest request frame: a 16-byte id (18 B framed), `first` (≤ 6 B), `count` (≤ 16: 2 B) and
 *  the hash-list flag (2 B) make 28 B. A length prefix above it resets the stream before a byte
 *  of the frame is buffered. */
export const MAX_FILE_REQUEST_BYTES = 32
/** Largest chunk frame: one sealed chunk (256 KiB + 16) with its framing (index ≤ 6 B, data tag
 *  and length ≤ 5 B). Anything longer is refused before it is buffered. */
export const MAX_FILE_FRAME_BYTES = MAX_SEALED_CHUNK_BYTES + 16
/** Chunks one request may ask for: 16 × 256 KiB = 4 MiB per exchange. Large enough that the
 *  request round trip is amortised over seconds of transfer, small enough that one slow source
 *  holds few chunks back and that the requester spreads a file over several sources. */
export const FILE_MAX_CHUNKS_PER_REQUEST = 16
/** The file id on the wire: FILE_ID_BYTES (16). */
export const FILE_REQUEST_ID_BYTES = FILE_ID_BYTES
/** Bytes the requester lets wait unread before pausing the stream: two frames (backpressure;
 *  yamux resets a stream at 4 MiB unread). */
export const FILE_READ_HIGH_WATER_BYTES = 2 * MAX_FILE_FRAME_BYTES

// ---- Streams and peers -----------------------------------------------------------------------
/** /kith/file streams one connection may carry at once, each way (libp2p's per-protocol cap). */
export const FILE_MAX_STREAMS_PER_CONNECTION = 4
/** Inbound streams served at once for one peer: a downloader runs FILE_PARALLEL_PER_SOURCE
 *  requests per source (service), so 4 is a fair share and bounds what one peer costs us. */
export const FILE_MAX_INBOUND_PER_PEER = 4
/** Inbound streams served at once for one network prefix (net-prefix.ts: an IPv4 /24, an IPv6
 *  /48, or one relay): many identities on one network share it. */
export const FILE_MAX_INBOUND_PER_PREFIX = 8
/** Inbound streams served at once node-wide: each holds at most one chunk (≈256 KiB) being
 *  written, so 32 bound the node's file-serving memory to ≈8 MiB whatever number of peers ask. */
export const FILE_MAX_INBOUND_STREAMS = 32

// ---- Timings ---------------------------------------------------------------------------------
/** The responder resets a stream that sent no complete request for this long (a stalled partial
 *  frame costs a slot for at most this). */
export const FILE_REQUEST_IDLE_MS = 10_000
/** Either side gives up on a stream whose next chunk (written by the responder, or read by the
 *  requester) does not move for this long: 256 KiB in 30 s is ≈ 70 kbit/s, slower than any link
 *  worth waiting on; the requester then asks another source. */
export const FILE_CHUNK_STALL_MS = 30_000
/** Opening the stream (dial included) to a source. */
export const FILE_OPEN_TIMEOUT_MS = 15_000
/** Bound of a graceful close. */
export const FILE_CLOSE_GRACE_MS = 5_000
