// Named limits and timings of /kith/sync/1.0.0 (STYLE.md §5; design §4), documented in one place.
// Each size and count limit is tested at MAX and MAX+1 (test/node/sync.test.ts).
import {
  GROUP_SECRET_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_OP_BYTES,
  MAX_GROUP_OPS,
  MAX_ID_BYTES,
  MAX_SENDER_KEY_MESSAGE_BYTES,
} from '../../core/wire/limits.js'

export const SYNC_PROTOCOL = '/kith/sync/1.0.0'

// ---- Fields ----------------------------------------------------------------------------------
/** An op hash: SHA-256 of the encoded signed op (design §1). Fixed length. */
export const SYNC_OP_HASH_BYTES = 32
/** Largest group id (the core fixes 16 bytes; the node only bounds it). */
export const MAX_SYNC_GROUP_ID_BYTES = MAX_ID_BYTES
/** Op hashes one request may list: every op of a group (the core's MAX_GROUP_OPS, 10,000). */
export const MAX_SYNC_OP_HASHES = MAX_GROUP_OPS
/** Marks one request may list: one per member (MAX_GROUP_MEMBERS). */
export const MAX_SYNC_MARKS = MAX_GROUP_MEMBERS
/** Largest op in a response: one encoded signed op (the core's MAX_GROUP_OP_BYTES). */
export const MAX_SYNC_OP_BYTES = MAX_GROUP_OP_BYTES
/** Ops one response may carry (the responder's answer is trimmed to it, `more` set). */
export const MAX_SYNC_OPS = 1024
/** Largest secret in a response: a topic secret (GROUP_SECRET_BYTES, 32) or empty (none). The
 *  node bounds it; the service checks the exact length. */
export const MAX_SYNC_SECRET_BYTES = GROUP_SECRET_BYTES
/** Envelopes one response may carry (trimmed to it, `more` set). */
export const MAX_SYNC_ENVELOPES = 256
/** Largest envelope data: one core SenderKeyMessage. */
export const MAX_SYNC_ENVELOPE_BYTES = MAX_SENDER_KEY_MESSAGE_BYTES
/** Largest seq or mark: sequence numbers stay exact JavaScript integers. */
export const MAX_SYNC_SEQ = Number.MAX_SAFE_INTEGER

// ---- Frames ----------------------------------------------------------------------------------
/** Largest request frame: a group id (≤ 66 B framed), MAX_SYNC_OP_HASHES hashes at 34 B and
 *  MAX_SYNC_MARKS marks at ≤ 54 B (sender 40, seq ≤ 11, framing) make 394,066 B; rounded up.
 *  A length prefix above it resets the stream before a byte of the frame is buffered. */
export const MAX_SYNC_REQUEST_BYTES = 400 * 1024
/** Largest response frame. The responder fills it greedily (ops, then envelopes) and sets
 *  `more` for what did not fit; one maximum-size op plus one maximum-size envelope always fit. */
export const MAX_SYNC_RESPONSE_BYTES = 2 * 1024 * 1024

// ---- Timings and streams ---------------------------------------------------------------------
/** A whole exchange as the requester sees it (dial, request, answer). */
export const SYNC_REQUEST_TIMEOUT_MS = 15_000
/** The responder resets a stream that sent no complete request for this long. */
export const SYNC_STREAM_IDLE_MS = 10_000
/** The responder resets the stream when its handler takes longer. */
export const SYNC_HANDLER_TIMEOUT_MS = 10_000
/** Bound of a graceful close. */
export const SYNC_CLOSE_GRACE_MS = 5_000
/** /kith/sync streams one connection may carry at once, each way. */
export const SYNC_MAX_STREAMS_PER_CONNECTION = 4
/** Inbound /kith/sync streams served at once, node-wide (issue 11 finding 15). A member heals
 *  one group from a few members at a time; 16 answers (each ≤ MAX_SYNC_REQUEST_BYTES buffered)
 *  bound the memory to ≈ 6.4 MiB of requests whatever number of peers ask. */
export const SYNC_MAX_INBOUND_STREAMS = 16
