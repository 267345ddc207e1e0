// What /kith/mailbox needs from the rest of the node and gives to it: the holdings (where held
// envelopes live: the port is src/core/store/mailbox.ts, shared with src/store/mailbox.ts, which
// implements it), the deposit policy, the fetch signer, and the usage and metrics it reports.

export type {
  MailboxHoldings,
  MailboxHoldingsLimits,
  MailboxItem,
  MailboxListOptions,
  MailboxQuotaName,
  MailboxQuotas,
  MailboxUsage,
} from '../../core/store/mailbox.js'
export { MAILBOX_QUOTA_NAMES } from '../../core/store/mailbox.js'
import type { MailboxUsage } from '../../core/store/mailbox.js'

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
  /** Fetching from our own mailboxes (the service adds it: src/service/offline/mailboxes.ts). */
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
