// The checks of the node commands' option values (CLI.md "Node"): each parses one flag or throws
// UsageError (exit 2) naming it. Pure; the bounds they check are the daemon's (src/api/limits.ts)
// or their own, named here.
import { multiaddr } from '@multiformats/multiaddr'
import { MAILBOX_MAX_TTL_MS } from '../api/limits.js'
import { UsageError } from './output.js'

/** `--mailbox MA`: a multiaddr naming its peer (/p2p/<id>), or UsageError. */
export function parseMailboxAddr(value: string): string {
  let peer: string | undefined
  try {
    peer = multiaddr(value)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value
  } catch {
    peer = undefined
  }
  if (peer === undefined) {
    throw new UsageError(`--mailbox must be a multiaddr ending in /p2p/<PeerId>, not "${value}"`)
  }
  return value
}

/** Longest `--file-hold-hours` (30 days): a file box is a short-term courier, not storage. */
export const MAX_FILE_HOLD_HOURS = 720

/** `--file-hold-hours N` (1 to MAX_FILE_HOLD_HOURS), or UsageError. */
export function parseFileHoldHours(value: string): number {
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN
  if (!(n >= 1 && n <= MAX_FILE_HOLD_HOURS)) {
    throw new UsageError(`--file-hold-hours must be 1 to ${MAX_FILE_HOLD_HOURS}, not "${value}"`)
  }
  return n * 3_600_000
}

/** `--mailbox-ttl N[d|h|m]` (bare N: days), 1 minute to MAILBOX_MAX_TTL_MS, or UsageError. */
export function parseMailboxTtl(value: string): number {
  const m = /^(\d{1,6})(d|h|m)?$/.exec(value)
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[m?.[2] ?? 'd'] ?? 86_400_000
  const ms = Number(m?.[1]) * unit
  if (m === null || ms < 60_000 || ms > MAILBOX_MAX_TTL_MS) {
    throw new UsageError(
      `--mailbox-ttl must be 1m to ${MAILBOX_MAX_TTL_MS / 86_400_000}d (e.g. 14d, 36h), not "${value}"`,
    )
  }
  return ms
}
