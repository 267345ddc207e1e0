// Floods on /kith/dm with real PQXDH initial messages (issue 11 findings 5 and 11): strangers
// that each start a session from the victim's invite bundle and write, and one corrupted PREKEY
// frame resent on fresh streams. Frames are the /kith/dm framing (src/node/stream/frames.ts: varint
// length ‖ envelope).
import { DM_PROTOCOL } from '../../src/node/dm/constants.js'
import { lp, sleep, whenEnded, writeAll } from './attacker.js'
import { hold, workers, type FloodContext } from './flood.js'
import { newSealer } from './sealer.js'

/** Strangers one run sends (the issue: 100 became contacts in 6 s). */
export const STRANGERS_MAX = 1_000
/** Corrupted frames one identity resends before a fresh identity takes over (a per-peer failure
 *  budget alone must not be enough: the same frame from many identities is the next step). */
export const PREKEY_FRAMES_PER_IDENTITY = 200
/** A stream the victim neither closes nor resets within this long is abandoned. */
export const PREKEY_STREAM_WAIT_MS = 5_000

/** Fresh identities, each starting a session from the victim's invite and writing one message
 *  (then leaving): with today's main each becomes a contact. */
export async function strangerRequests(cx: FloodContext): Promise<void> {
  const cap = cx.smoke ? 20 : STRANGERS_MAX
  let started = 0
  await workers(cx, 4, async () => {
    if (started >= cap) return false
    started++
    const sealer = await newSealer(cx.victim.invite)
    const frame = await sealer.seal(`hello, I am stranger ${started}`)
    const h = await cx.pool.spawn(sealer.seed)
    try {
      const conn = await cx.pool.connect(h)
      const s = await cx.pool.stream(conn, DM_PROTOCOL)
      await writeAll(s, lp(frame), cx.stats, cx.signal)
      cx.stats.ops++
      await s.close({ signal: AbortSignal.timeout(PREKEY_STREAM_WAIT_MS) })
    } finally {
      await cx.pool.retire(h)
    }
    return true
  })
  if (started >= cap) cx.stats.note = `cap of ${cap} strangers reached`
  await hold(cx)
}

/** A valid PREKEY envelope with its last byte (the AEAD tag of the first ratchet message)
 *  flipped: PQXDH and ML-KEM run before the tag fails. Resent on fresh streams. */
export async function prekeyDrain(cx: FloodContext): Promise<void> {
  await workers(cx, 4, async () => {
    const sealer = await newSealer(cx.victim.invite)
    const bad = await sealer.seal('this frame is corrupted below')
    bad[bad.length - 1]! ^= 0x01
    const frame = lp(bad)
    const h = await cx.pool.spawn(sealer.seed)
    try {
      const conn = await cx.pool.connect(h)
      for (let i = 0; i < PREKEY_FRAMES_PER_IDENTITY && !cx.signal.aborted; i++) {
        const s = await cx.pool.stream(conn, DM_PROTOCOL)
        await writeAll(s, frame, cx.stats, cx.signal)
        cx.stats.ops++
        await Promise.race([whenEnded(s, cx.signal), sleep(PREKEY_STREAM_WAIT_MS, cx.signal)])
        if (s.status === 'open') s.abort(new Error('abandoned'))
        else if (s.status === 'reset' || s.status === 'aborted')
          cx.stats.count(cx.stats.refused, 'stream reset')
      }
    } finally {
      await cx.pool.retire(h)
    }
    return true
  })
}
