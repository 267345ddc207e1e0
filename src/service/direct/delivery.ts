// Delivery timing for the outbox (ARCHITECTURE.md "Delivery"): how long to wait for an ack
// before sending a message again. Named limits, exponential backoff with "equal" jitter
// (uniform in [cap/2, cap]), so a
// thousand queued messages to a returning peer do not all retry in lockstep; and the per-peer
// retry timers (RetryTimers) the outbox arms for the next attempt.

/** First ack timeout: generous, so a slow receiver's backlog is not re-sent needlessly. */
export const ACK_TIMEOUT_BASE_MS = 5_000
/** The ack timeout never grows beyond this. */
export const ACK_TIMEOUT_MAX_MS = 5 * 60_000
/** Most messages encrypted and written in one batch (bounds memory for a large outbox). */
export const MAX_BATCH = 256
/** Receipts batch up to this many message ids (and MAX_RECEIPT_IDS in the wire limits). */
export const MAX_ACK_BATCH = 512

/**
 * How long a delivery receipt waits for more ids before it is encrypted and sent (issue 17). Every
 * receipt answers the sender's ratchet key, so acking each message at once made every message of a
 * burst a DH ratchet step on both sides (two X25519 agreements and a key generation each) plus a
 * receipt frame and a commit. Waiting 5 ms acks a burst in one receipt per window: a burst of N
 * messages costs O(N·5 ms / its duration) DH steps instead of N, while a DH step still happens
 * at least once per round trip of traffic (the first message after each receipt, and the
 * receipt itself). 5 ms is ≪ ACK_TIMEOUT_BASE_MS, so the sender never retries because of it;
 * it adds 5 ms to `send --wait`.
 */
export const ACK_DELAY_MS = 5

/**
 * ACK_DELAY_MS counts from the LAST message a pending receipt acks, so a stream of messages that
 * arrive less than ACK_DELAY_MS apart — sent one at a time as fast as the sender's POSTs go, or a
 * burst that crosses several windows — waits for its pause, and is acked at the latest this long
 * after its first message (issue 17). Each receipt is a DH ratchet step at both ends, an
 * encryption and a commit at the receiver and a decryption and a commit at the sender, ≈ 0.5–1 ms
 * of CPU between them, paid per ≈ 3 ms message one at a time before. A stream thus still turns
 * the ratchet ten times a second; a lone message is acked after ACK_DELAY_MS as before; the
 * sender's retry (ACK_TIMEOUT_BASE_MS) is 50 × this.
 */
export const ACK_MAX_DELAY_MS = 100

/** When to try again after `attempts` sends without an ack; random in [base/2, base]; `random`
 *  uniform in [0, 1) (the outbox draws it from the injected rng: ../random.ts unitRandom). */
export function nextAttemptDelay(attempts: number, random: () => number): number {
  const cap = Math.min(ACK_TIMEOUT_MAX_MS, ACK_TIMEOUT_BASE_MS * 2 ** Math.min(attempts, 16))
  return Math.round(cap / 2 + (random() * cap) / 2)
}

/** One retry timer per peer (unref'd: it never keeps the process alive). The outbox sets it to
 *  its peer's next attempt (./outbox.ts); it knows nothing of what firing does. */
export class RetryTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>()
  readonly #fire: (peer: string) => void

  constructor(fire: (peer: string) => void) {
    this.#fire = fire
  }

  /** Replaces `peer`'s timer: `fire(peer)` in `delayMs` (at once if ≤ 0); none if undefined. */
  set(peer: string, delayMs: number | undefined): void {
    clearTimeout(this.#timers.get(peer))
    this.#timers.delete(peer)
    if (delayMs === undefined) return
    const t = setTimeout(
      () => {
        this.#timers.delete(peer)
        this.#fire(peer)
      },
      Math.max(0, delayMs),
    )
    t.unref()
    this.#timers.set(peer, t)
  }

  /** Clears every timer. */
  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
  }
}
