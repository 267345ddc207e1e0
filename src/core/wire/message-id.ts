// Message ids (ChatContent.message_id, MESSAGE_ID_BYTES): the time the message was made, in
// milliseconds since the epoch as 48 bits big-endian, then 80 random bits — the layout of a
// UUIDv7 (RFC 9562 §5.7: unix_ts_ms, then random; no version or variant bits here, it is not a
// UUID). Why not 16 random bytes (issue 17, docs/performance.md "Issue 17, ninth session"): every store
// keys its messages and its outbox by this id, and random keys put each new message on a
// different leaf page of those b-trees, so a batch of n messages wrote ≈ n pages more per commit
// (each page encrypted and MACed by SQLCipher, and copied again at the checkpoint). In time order
// a batch lands on the b-trees' last few pages. The id travels only inside the encrypted content,
// where sent_at already tells the recipient the time; 80 random bits keep ids unguessable and
// unique (one sender would need ≈ 2^40 messages in one millisecond for an even chance of a repeat).
import type { CoreContext } from '../crypto/provider.js'
import { MESSAGE_ID_BYTES } from './content-bodies.js'

/** The time prefix: 48 bits of milliseconds. */
const ID_TIME_BYTES = 6
/** The largest time the 48-bit prefix holds (the year 10889). */
const MAX_ID_TIME_MS = 2 ** 48 - 1

/** A new message id made now (`ctx.clock()`), with fresh randomness from `ctx.rng`. */
export function newMessageId(ctx: Pick<CoreContext, 'clock' | 'rng'>): Uint8Array {
  const id = new Uint8Array(MESSAGE_ID_BYTES)
  id.set(ctx.rng(MESSAGE_ID_BYTES - ID_TIME_BYTES), ID_TIME_BYTES)
  const ms = Math.min(Math.max(Math.floor(ctx.clock()), 0), MAX_ID_TIME_MS)
  const v = new DataView(id.buffer, id.byteOffset, id.byteLength)
  v.setUint16(0, Math.floor(ms / 2 ** 32))
  v.setUint32(2, ms >>> 0)
  return id
}
