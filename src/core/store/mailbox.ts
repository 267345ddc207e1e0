// The storage port of /kith/mailbox: what a mailbox's holdings (the sealed envelopes a node keeps
// for others) must do, the quotas and limits they enforce and the error a refused deposit throws.
// Shared by the node's mailbox (src/node/mailbox/, which uses it and owns the default numbers:
// MAILBOX_HOLDINGS in limits.ts) and the store (src/store/mailbox.ts, which implements it over
// SQLite), which never import each other; the composition root (src/daemon) passes the numbers
// in. Like ./types.ts for the protocol store: types, names and one error class, no I/O.
import { defineError } from '../errors.js'

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

/** The quotas a holdings store enforces (defaults: MAILBOX_HOLDINGS in src/node/mailbox/limits.ts). */
export interface MailboxQuotas {
  recipientBytes: number
  recipientCount: number
  depositorBytes: number
  depositorCount: number
  /** Over every depositor of one network prefix (src/node/mailbox/prefix.ts). */
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
  /** `prefix`: the depositor's network (src/node/mailbox/prefix.ts); '' (a local deposit) counts under none. */
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

/** The numbers a holdings store enforces, passed in by whoever builds it (the node's defaults:
 *  MAILBOX_HOLDINGS in src/node/mailbox/limits.ts). */
export interface MailboxHoldingsLimits {
  quotas: MailboxQuotas
  /** How long an envelope is held unfetched. */
  ttlMs: number
  /** The longest `ttlMs` accepted. */
  maxTtlMs: number
  /** Largest envelope held (one sealed envelope, as on /kith/dm). */
  maxEnvelopeBytes: number
}

/** A deposit would take the mailbox past one of its quotas; `quota` says which. */
export class MailboxQuotaError extends defineError('MailboxQuotaError') {
  readonly quota: MailboxQuotaName
  constructor(quota: MailboxQuotaName, message?: string) {
    super(message ?? `mailbox quota exceeded: ${quota}`)
    this.quota = quota
  }
}
