// Named limits, quotas and timings of /kith/mailbox (STYLE.md §5), documented in one place.
// Each size limit is tested at MAX and MAX+1 (test/node/mailbox.test.ts, test/store/mailbox.test.ts).
// docs/mailbox.md explains the protocol they bound.
import type { MailboxHoldingsLimits, MailboxQuotas } from '../../core/store/mailbox.js'
import { MAX_ENVELOPE_BYTES } from '../../core/wire/limits.js'

export const MAILBOX_PROTOCOL = '/kith/mailbox/1.0.0'

// ---- Fetch challenge ---------------------------------------------------------------------
/** Domain separation of the fetch signature: the recipient signs
 *  utf8(MAILBOX_FETCH_CONTEXT) ‖ mailbox PeerId bytes ‖ recipient PeerId bytes ‖ nonce. */
export const MAILBOX_FETCH_CONTEXT = 'kith-mailbox-fetch-v1'
/** Random bytes of a fetch challenge (fresh per stream, single use). */
export const MAILBOX_NONCE_BYTES = 32
/** An Ed25519 signature (RFC 8032 §5.1.6). */
export const MAILBOX_SIGNATURE_BYTES = 64

// ---- Sizes on the wire -------------------------------------------------------------------
/** Largest envelope a mailbox holds: one sealed envelope, as on /kith/dm. */
export const MAX_MAILBOX_ENVELOPE_BYTES = MAX_ENVELOPE_BYTES
/** Largest client → mailbox frame (a Request). The biggest is a Deposit: the envelope, a 38-byte
 *  recipient and at most 10 bytes of tags and lengths; a Pull at MAX_MAILBOX_CONFIRM_IDS ids is
 *  ≈2.8 KiB. A length prefix above it resets the stream before a byte is buffered. */
export const MAX_MAILBOX_REQUEST_BYTES = MAX_MAILBOX_ENVELOPE_BYTES + 128
/** Items the mailbox puts in one Batch. */
export const MAILBOX_BATCH_MAX_ITEMS = 32
/** Envelope bytes the mailbox puts in one Batch (one envelope always fits: it is far above
 *  MAX_MAILBOX_ENVELOPE_BYTES). The mailbox reads at most one batch from its holdings at a time,
 *  and the client holds at most one batch per fetch call. */
export const MAILBOX_BATCH_MAX_BYTES = 1024 * 1024
/** Largest mailbox → client frame (a Response): a full Batch plus ≤19 bytes of framing per item
 *  (id varint, tags, lengths) and the `deleted` count, rounded up. */
export const MAX_MAILBOX_RESPONSE_BYTES = MAILBOX_BATCH_MAX_BYTES + 4096
/** Ids one Pull may confirm (the client splits longer confirmations). */
export const MAX_MAILBOX_CONFIRM_IDS = 256
/** Characters of a refusal's `detail` the client keeps in its error message. */
export const MAX_MAILBOX_DETAIL_CHARS = 200

// ---- Quotas of a mailbox (defaults; SqliteMailboxHoldings takes overrides) ---------------------
// The per-depositor quotas are well below the per-recipient ones, so a single stranger flooding a
// recipient is cut off before the recipient's own quota is full and other senders still get
// through. Sizes count envelope bytes only (the row overhead is ≈100 bytes).
/** Envelope bytes held for one recipient (≈900 maximum-size envelopes, ≈60,000 short ones). */
export const MAILBOX_QUOTA_PER_RECIPIENT_BYTES = 64 * 1024 * 1024
/** Envelopes held for one recipient. */
export const MAILBOX_QUOTA_PER_RECIPIENT_COUNT = 10_000
/** Envelope bytes one depositor may have held, over all recipients. */
export const MAILBOX_QUOTA_PER_DEPOSITOR_BYTES = 16 * 1024 * 1024
/** Envelopes one depositor may have held, over all recipients. */
export const MAILBOX_QUOTA_PER_DEPOSITOR_COUNT = 2_500
/** Envelope bytes held in total (a relay's disk budget; a normal node may pass less). */
export const MAILBOX_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
/** Envelopes held in total: a global cap on rows whatever their size (a relay's index and
 *  sweep cost), ≈10 recipients' full count quotas' worth ×10. */
export const MAILBOX_MAX_TOTAL_COUNT = 1_000_000
// Identities are free (issue 11 finding 9: 4 fresh PeerIds × 2,500 deposits filled one
// recipient's 10,000-item quota). A network prefix is not: the per-prefix quotas bound what one
// host, or one /24 (IPv4) or /48 (IPv6) network, holds over all its identities. They are half of
// the per-recipient ones, so one network can never fill a recipient's quota alone and depositors
// from any other network still get through. A relayed depositor counts under the relay's
// circuit ("circuit/<relay PeerId>"), a connection without an IP under "other".
/** Envelopes deposited from one network prefix, over all its depositors and recipients. */
export const MAILBOX_QUOTA_PER_PREFIX_COUNT = 5_000
/** Envelope bytes deposited from one network prefix. */
export const MAILBOX_QUOTA_PER_PREFIX_BYTES = 32 * 1024 * 1024
/** How long an envelope is held before it expires unfetched (14 days). */
export const MAILBOX_TTL_MS = 14 * 24 * 60 * 60_000
/** Longest expiry `kith relay --mailbox-ttl` accepts (90 days): beyond it, mail for recipients
 *  that never return just fills the disk. */
export const MAILBOX_MAX_TTL_MS = 90 * 24 * 60 * 60_000
/** How often the mailbox deletes expired envelopes (they are never released after expiry). */
export const MAILBOX_SWEEP_INTERVAL_MS = 10 * 60_000

/** The quotas above, as the holdings take them. */
export const DEFAULT_MAILBOX_QUOTAS: Readonly<MailboxQuotas> = Object.freeze({
  recipientBytes: MAILBOX_QUOTA_PER_RECIPIENT_BYTES,
  recipientCount: MAILBOX_QUOTA_PER_RECIPIENT_COUNT,
  depositorBytes: MAILBOX_QUOTA_PER_DEPOSITOR_BYTES,
  depositorCount: MAILBOX_QUOTA_PER_DEPOSITOR_COUNT,
  prefixBytes: MAILBOX_QUOTA_PER_PREFIX_BYTES,
  prefixCount: MAILBOX_QUOTA_PER_PREFIX_COUNT,
  totalBytes: MAILBOX_MAX_TOTAL_BYTES,
  totalCount: MAILBOX_MAX_TOTAL_COUNT,
})

/** Everything a holdings store enforces, as the composition root passes it to the store
 *  (`store.mailboxHoldings(MAILBOX_HOLDINGS)`; the store never imports node/). */
export const MAILBOX_HOLDINGS: Readonly<MailboxHoldingsLimits> = Object.freeze({
  quotas: DEFAULT_MAILBOX_QUOTAS,
  ttlMs: MAILBOX_TTL_MS,
  maxTtlMs: MAILBOX_MAX_TTL_MS,
  maxEnvelopeBytes: MAX_MAILBOX_ENVELOPE_BYTES,
})

// ---- Timings and streams -----------------------------------------------------------------
/** The mailbox resets a stream that sent no request for this long. */
export const MAILBOX_STREAM_IDLE_MS = 30_000
/** The client keeps an authenticated fetch stream this long after its last use, so a confirm
 *  (or the next fetch) reuses it without a new challenge. Below MAILBOX_STREAM_IDLE_MS, so
 *  honest clients close first. */
export const MAILBOX_SESSION_IDLE_MS = 10_000
/** A client request (dial, stream, answer) that takes longer fails with MailboxTimeoutError. */
export const MAILBOX_REQUEST_TIMEOUT_MS = 30_000
/** Bound of a graceful close. */
export const MAILBOX_CLOSE_GRACE_MS = 5_000
/** /kith/mailbox streams one connection may carry at once, each way. */
export const MAILBOX_MAX_STREAMS_PER_CONNECTION = 4

// ---- For the service -------------------------------------------------------------------------
/** Mailboxes a sender deposits an envelope with when the recipient is unreachable (ISSUE: "at
 *  least two of the recipient's mailboxes"). The node does not enforce it; the service does. */
export const MAILBOX_DEPOSIT_REPLICAS = 2

// ---- The recipient's side: fetching from our own mailboxes (src/service/offline/mailboxes.ts) ----------
// One round fetches from each chosen mailbox in turn (on start, every MAILBOX_FETCH_INTERVAL_MS
// and when one connects). Each mailbox gets this budget per round; what is left waits for the
// next round, so a mailbox full of junk costs at most one budget of trial decryption per round.
/** Pages (Pulls of up to MAILBOX_BATCH_MAX_ITEMS) fetched from one mailbox in one round. */
export const MAILBOX_FETCH_MAX_PAGES_PER_ROUND = 16
/** Envelopes taken from one mailbox in one round (16 pages × 32 items). */
export const MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND = 512
/** Envelope bytes taken from one mailbox in one round (8 full batches). */
export const MAILBOX_FETCH_MAX_BYTES_PER_ROUND = 8 * 1024 * 1024
