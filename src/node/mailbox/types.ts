// What /kith/mailbox needs from the rest of the node and gives to it: the holdings (where held
// envelopes live: SQLite in src/store/mailbox.ts), the deposit policy, the fetch signer, and
// the usage and metrics it reports. Plain types only.

/** Which quota a refused deposit hit (MailboxQuotaError.quota, DepositResult.detail). */
export type MailboxQuotaName =
  | 'recipient-bytes'
  | 'recipient-count'
  | 'depositor-bytes'
  | 'depositor-count'
  | 'prefix-bytes'
  | 'prefix-count'
  | 'total-bytes'
  | 'total-count'

export const MAILBOX_QUOTA_NAMES: readonly MailboxQuotaName[] = [
  'recipient-bytes',
  'recipient-count',
  'depositor-bytes',
  'depositor-count',
  'prefix-bytes',
  'prefix-count',
  'total-bytes',
  'total-count',
]

/** The quotas a holdings store enforces (defaults in ./limits.ts). */
export interface MailboxQuotas {
  recipientBytes: number
  recipientCount: number
  depositorBytes: number
  depositorCount: number
  /** Over every depositor of one network prefix (./prefix.ts). */
  prefixBytes: number
  prefixCount: number
  totalBytes: number
  totalCount: number
}

/** One held envelope as released to its recipient. `id` is opaque (decimal digits). */
export interface MailboxItem {
  id: string
  envelope: Uint8Array
}

export interface MailboxUsage {
  /** Envelopes held (not yet expired or confirmed). */
  items: number
  /** Envelope bytes held. */
  bytes: number
  /** Distinct recipients with anything held. */
  recipients: number
  /** Distinct depositors with anything held. */
  depositors: number
  /** Distinct depositor network prefixes with anything held. */
  prefixes: number
  quotas: MailboxQuotas
}

export interface MailboxListOptions {
  /** Only items after this id (the last one a stream released); from the oldest when absent. */
  after?: string
  maxItems: number
  /** Stop before exceeding this many envelope bytes (the first item is always included). */
  maxBytes: number
  /** Items expired at `now` are not released. */
  now: number
}

type MaybePromise<T> = T | Promise<T>

/**
 * Where a mailbox keeps envelopes for others. Methods may be synchronous (SQLite) or not.
 * `put` enforces the quotas (MailboxQuotaError) and the expiry time; a second put of the same
 * envelope for the same recipient returns the first one's id without using more quota.
 */
export interface MailboxHoldings {
  /** `prefix`: the depositor's network (./prefix.ts); '' (a local deposit) counts under none. */
  put(
    recipient: string,
    depositor: string,
    envelope: Uint8Array,
    now: number,
    prefix?: string,
  ): MaybePromise<string>
  /** The recipient's items, oldest first, bounded by count and bytes. */
  list(recipient: string, opts: MailboxListOptions): MaybePromise<MailboxItem[]>
  /** Deletes those of `ids` held for `recipient` (others' ids are ignored); returns how many. */
  delete(recipient: string, ids: readonly string[]): MaybePromise<number>
  /** Deletes every item whose expiry is ≤ now; returns how many. */
  expire(now: number): MaybePromise<number>
  usage(): MaybePromise<MailboxUsage>
}

/** Decides whether this node holds mail deposited by `depositor` for `recipient` (PeerIds). */
export type MailboxPolicy = (recipient: string, depositor: string) => boolean | Promise<boolean>

/** Signs a fetch challenge message with the recipient's identity key (Ed25519, 64 bytes). */
export type MailboxSign = (challenge: Uint8Array) => Uint8Array | Promise<Uint8Array>

export interface MailboxMetrics {
  /** Deposits this node accepted as a mailbox (idempotent repeats included). */
  depositsIn: number
  /** Deposits other mailboxes accepted from this node. */
  depositsOut: number
  /** Deposits refused, by error name (MailboxQuotaError, MailboxRefusedError,
   *  MailboxEnvelopeError). */
  refused: Record<string, number>
  /** Refused MailboxQuotaError deposits by the quota they hit ('prefix-count', …). */
  refusedQuota: Record<string, number>
  /** Successful fetch authentications served. */
  fetches: number
  /** Envelopes released to recipients (a re-fetch counts again). */
  released: number
  /** Envelopes deleted on the recipient's confirmation. */
  confirmed: number
  /** Envelopes deleted by expiry sweeps. */
  expired: number
  /** Streams reset or refused, by error name (MalformedMessageError, MessageTooLargeError,
   *  MailboxAuthError, …). */
  rejected: Record<string, number>
  /** What this node holds for others; absent when it is no mailbox (no holdings). */
  usage?: MailboxUsage
  /** Fetching from our own mailboxes (the service adds it: src/service/mailboxes.ts). */
  fetch?: MailboxFetchMetrics
}

/** The recipient's side: what fetching from the mailboxes we chose cost and found. */
export interface MailboxFetchMetrics {
  /** Fetch rounds from one mailbox. */
  rounds: number
  /** Envelopes fetched (and confirmed, so the mailbox deletes them). */
  envelopes: number
  /** Fetched envelopes received as messages. */
  received: number
  /** Fetched envelopes that were not ours or did not decrypt (junk, copies), by error name;
   *  MailboxTrialBudgetError: trial decryption gave up at MAILBOX_TRIAL_MAX_KEYS header keys. */
  junk: Record<string, number>
  /** Rounds cut short by the per-round budget (MAILBOX_FETCH_MAX_*_PER_ROUND), by which one:
   *  'pages', 'envelopes', 'bytes'. */
  budgetHits: Record<string, number>
  /** Fetches from a peer we did not choose, refused before dialling (never happens by design;
   *  counted to prove it). */
  notChosen: number
  /** Fetched envelopes left at the mailbox for the next round because receiving failed on our
   *  side (the store closing, a busy database), not because of the envelope. */
  deferred: number
}
