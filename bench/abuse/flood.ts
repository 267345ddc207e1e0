// What a flood of `npm run bench -- abuse` is handed and how it spends its time: the victim it
// aims at, a pool of hostile nodes, its counters and the signal that fires at its deadline; and
// `workers()`, which runs k copies of a loop until the deadline or a cap. No flood lives here.
import type { DecodedInvite } from '../../src/core/wire/invite.js'
import type { FloodStats, HostilePool } from './attacker.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface VictimInfo {
  peerId: string
  /** Its TCP address on 127.0.0.1, with /p2p/<peerId>. */
  addr: Multiaddr
  /** Its invite (GET /v1/invite, decoded): the prekey bundle strangers start sessions from. */
  invite: DecodedInvite
  /** The honest contact: a recipient the victim holds mailbox deposits for. */
  contact: string
  /** The honest contact's invite: real envelopes addressed to it can be sealed. */
  contactInvite: DecodedInvite
}

export interface FloodContext {
  victim: VictimInfo
  pool: HostilePool
  stats: FloodStats
  /** Aborts at the flood's deadline (or on SIGINT). */
  signal: AbortSignal
  /** A short CI run: floods scale their caps down. */
  smoke: boolean
}

export type FloodFn = (cx: FloodContext) => Promise<void>

export interface Flood {
  name: string
  /** Which finding of issue 11 it reproduces, and how. */
  describe: string
  run: FloodFn
}

/**
 * Runs `k` copies of `loop` (each gets its index) until the signal aborts or `loop` returns
 * false. A loop that throws is counted in the stats and restarted, so one refused dial does not
 * end the flood.
 */
export async function workers(
  cx: FloodContext,
  k: number,
  loop: (i: number) => Promise<boolean>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: k }, async (_, i) => {
      while (!cx.signal.aborted) {
        try {
          if (!(await loop(i))) return
        } catch (err) {
          if (cx.signal.aborted) return
          cx.stats.error(err)
          // A victim that refuses us: do not spin.
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    }),
  )
}

/** Holds what the flood opened (connections stay up, silent) until the deadline. */
export function hold(cx: FloodContext): Promise<void> {
  if (cx.signal.aborted) return Promise.resolve()
  return new Promise((resolve) => cx.signal.addEventListener('abort', () => resolve()))
}
