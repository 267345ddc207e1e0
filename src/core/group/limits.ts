// Named bounds of the Sender Keys protocol and of group op replay (STYLE.md §5), each tested at
// MAX+1 in test/core/group/. The first three are libsignal's (rust/protocol/src/consts.rs `limits`).
// This module owns numbers only; it knows nothing of keys, records or stores.

/**
 * Largest gap a receiver steps its copy of a sender chain forward in one message
 * (libsignal consts.rs `MAX_FORWARD_JUMPS = 25_000`, checked in group_cipher.rs
 * `get_sender_key`). A jump of exactly this many iterations is accepted; one more is refused
 * with TooManySkippedKeysError, so a forged iteration cannot make us hash for minutes.
 */
export const MAX_FORWARD_JUMPS = 25_000

/**
 * Most skipped message keys (seeds) kept per sender-key state for late, out-of-order messages
 * (libsignal consts.rs `MAX_MESSAGE_KEYS = 2000`, sender_keys.rs `add_sender_message_key`).
 * Beyond it the oldest is evicted; its message then fails as a DuplicateMessageError.
 */
export const MAX_MESSAGE_KEYS = 2_000

/**
 * Most sender-key states kept per (sender, group) record, newest first (libsignal consts.rs
 * `MAX_SENDER_KEY_STATES = 5`, sender_keys.rs `add_sender_key_state`). Adding one more evicts
 * the oldest, after which messages on its chain fail with NoSenderKeyError.
 */
export const MAX_SENDER_KEY_STATES = 5

/**
 * Largest chain iteration. Iterations are protobuf uint32; a chain at this iteration cannot step
 * forward (libsignal sender_keys.rs `SenderChainKey::next` fails on `checked_add` overflow), so
 * a message naming it is refused rather than wrapping the stored counter to 0.
 */
export const MAX_ITERATION = 0xffff_ffff

/**
 * Longest distribution id (the group's id on the wire). libsignal uses a 16-byte UUID; Kith
 * accepts 1..64 bytes so the service may use a hash-sized group id.
 */
export const MAX_DISTRIBUTION_ID_BYTES = 64

/**
 * Largest step an op's epoch may take above the highest epoch known from the ops that sort before
 * it (docs/protocol.md §13.2). An honest actor signs with 1 + the epoch of its state, which is the
 * epoch of an op it holds, so honest epochs never skip a value; a larger step can only come from a
 * modified client, and is refused (GroupEpochError at ingestion, skipped by replay). With it a
 * group's epoch is at most its number of ops (≤ MAX_GROUP_OPS), far below 2⁵³ − 1: a departing
 * member can no longer sign a LEAVE at 2⁵³ − 1 and leave every admin unable to sign again.
 */
export const MAX_EPOCH_STEP = 1

/**
 * Most replaced chain ids remembered per sender and group (SenderKeyEntry.retired, newest kept).
 * A distribution for a retired chain is ignored, so a retried old distribution never replaces a
 * newer chain; 32 covers far more rotations than a retry can lag behind (each membership change
 * rotates at most once), while the entry stays a few hundred bytes.
 */
export const MAX_RETIRED_CHAINS = 32
