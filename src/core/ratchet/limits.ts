// Named bounds of the Double Ratchet (STYLE.md §5). Each is tested at MAX+1 in
// test/core/ratchet/.

/**
 * Largest number of message keys one received chain may skip (Double Ratchet spec §3.5,
 * MAX_SKIP). A header claiming a larger jump is rejected without changing state. Same order as
 * libsignal's MAX_FORWARD_JUMPS (25,000) and vodozemac's MAX_MESSAGE_GAP (2,000); a chat client
 * rarely loses more than a few hundred messages in one chain.
 */
export const MAX_SKIP = 2000

/**
 * Cap on skipped message keys kept per session across all chains (libsignal
 * MAX_MESSAGE_KEYS = 2,000). Beyond it the oldest keys are evicted, so those very late messages
 * can no longer be decrypted; memory stays bounded whatever a peer sends.
 */
export const MAX_SKIPPED_KEYS = 2000

/** Earlier session states kept in a record, tried after the current one (libsignal keeps 40). */
export const MAX_PREVIOUS_STATES = 4

/**
 * Initial-message base keys (EK_A) remembered per peer after their session states are gone, so a
 * replayed initial message cannot push the live session out of the record (PQXDH §4.2 "Replay").
 */
export const MAX_SEEN_BASE_KEYS = 64
