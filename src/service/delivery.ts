// Delivery timing for the outbox (ARCHITECTURE.md "Delivery"): how long to wait for an ack
// before sending a message again. Named limits, exponential backoff with "equal" jitter
// (uniform in [cap/2, cap]), so a
// thousand queued messages to a returning peer do not all retry in lockstep.

/** First ack timeout: generous, so a slow receiver's backlog is not re-sent needlessly. */
export const ACK_TIMEOUT_BASE_MS = 5_000
/** The ack timeout never grows beyond this. */
export const ACK_TIMEOUT_MAX_MS = 5 * 60_000
/** Most messages encrypted and written in one batch (bounds memory for a large outbox). */
export const MAX_BATCH = 256
/** Receipts batch up to this many message ids (and MAX_RECEIPT_IDS in the wire limits). */
export const MAX_ACK_BATCH = 512

/** When to try again after `attempts` sends without an ack; random in [base/2, base]. */
export function nextAttemptDelay(attempts: number, random: () => number = Math.random): number {
  const cap = Math.min(ACK_TIMEOUT_MAX_MS, ACK_TIMEOUT_BASE_MS * 2 ** Math.min(attempts, 16))
  return Math.round(cap / 2 + (random() * cap) / 2)
}
