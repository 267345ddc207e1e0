// Floods on /kith/mailbox (issue 11 findings 5 and 9): deposits for the victim's honest contact,
// whose mail the victim holds, from identities that are nobody's contact. Requests are the
// mailbox codec's (src/node/mailbox/codec.ts), pipelined a batch at a time; every DepositResult
// is read, and its refusals are counted by name.
import { randomBytes } from 'node:crypto'
import { FrameReader } from '../../src/node/stream/frames.js'
import { decodeResponse, encodeRequest, peerIdBytes, wire } from '../../src/node/mailbox/codec.js'
import { MAILBOX_PROTOCOL, MAX_MAILBOX_RESPONSE_BYTES } from '../../src/node/mailbox/limits.js'
import { cat, lp, writeAll, type Hostile } from './attacker.js'
import { hold, workers, type FloodContext } from './flood.js'
import { newSealer } from './sealer.js'

/** Deposits written before their answers are read. */
export const DEPOSIT_BATCH = 32
/** Deposits per sybil identity: the per-depositor count quota of today's main
 *  (MAILBOX_QUOTA_PER_DEPOSITOR_COUNT); the issue filled a 10,000-item recipient quota with 4. */
export const SYBIL_DEPOSITS_PER_IDENTITY = 2_500
/** Sybil identities one run uses at most. */
export const SYBIL_MAX_IDENTITIES = 16
/** Size of one junk deposit (the issue: 300 random bytes, not even an Envelope). */
export const JUNK_DEPOSIT_BYTES = 300
/** Junk deposits per identity before a fresh one takes over. */
export const JUNK_DEPOSITS_PER_IDENTITY = 500
/** Junk deposits one run makes at most. */
export const JUNK_MAX_DEPOSITS = 20_000

/**
 * Deposits envelopes from `make()` for the honest contact from `h`, DEPOSIT_BATCH at a time, as
 * long as `claim(n)` grants some of the n asked for. Returns false once the victim refuses
 * everything in a batch (a quota is full for this identity, or it refuses what we send).
 */
async function depositAll(
  cx: FloodContext,
  h: Hostile,
  claim: (n: number) => number,
  make: () => Promise<Uint8Array>,
): Promise<boolean> {
  const recipient = wire(peerIdBytes('recipient', cx.victim.contact))
  const conn = await cx.pool.connect(h)
  const s = await cx.pool.stream(conn, MAILBOX_PROTOCOL)
  const reader = new FrameReader(s, MAX_MAILBOX_RESPONSE_BYTES, 2 * MAX_MAILBOX_RESPONSE_BYTES)
  try {
    while (!cx.signal.aborted) {
      const n = claim(DEPOSIT_BATCH)
      if (n === 0) return true
      const frames: Uint8Array[] = []
      for (let i = 0; i < n; i++) {
        const envelope = wire(await make())
        frames.push(lp(encodeRequest({ deposit: { recipient, envelope } })))
      }
      await writeAll(s, cat(...frames), cx.stats, cx.signal)
      let refused = 0
      for (let i = 0; i < n; i++) {
        const frame = await reader.next()
        if (frame == null) throw new Error('mailbox closed the stream')
        const res = decodeResponse(frame)
        const error = res.deposit?.error ?? res.failure?.error ?? 'unexpected answer'
        if (error === '') cx.stats.ops++
        else {
          refused++
          const detail = res.deposit?.detail ?? ''
          cx.stats.count(
            cx.stats.refused,
            detail !== '' && detail.length < 40 ? `${error} (${detail})` : error,
          )
        }
      }
      if (refused === n) return false
    }
    return true
  } finally {
    reader.dispose()
    s.abort(new Error('done'))
  }
}

/** Finding 9: many fresh identities, each depositing up to its per-depositor quota of real
 *  (sealed, undecryptable by anyone but the recipient) PREKEY envelopes for the honest contact. */
export async function mailboxSybil(cx: FloodContext): Promise<void> {
  const maxIds = cx.smoke ? 2 : SYBIL_MAX_IDENTITIES
  const perId = cx.smoke ? 100 : SYBIL_DEPOSITS_PER_IDENTITY
  let ids = 0
  await workers(cx, 2, async () => {
    if (ids >= maxIds) return false
    ids++
    const sealer = await newSealer(cx.victim.contactInvite)
    const h = await cx.pool.spawn(sealer.seed)
    let left = perId
    const claim = (n: number) => {
      const k = Math.min(n, left)
      left -= k
      return k
    }
    try {
      await depositAll(cx, h, claim, () => sealer.seal('sybil'))
    } finally {
      await cx.pool.retire(h)
    }
    return true
  })
  if (ids >= maxIds) cx.stats.note = `${ids} identities × ${perId} deposits done`
  await hold(cx)
}

/** Finding 5: JUNK_DEPOSIT_BYTES of random bytes per deposit for the honest contact. */
export async function mailboxJunk(cx: FloodContext): Promise<void> {
  const cap = cx.smoke ? 500 : JUNK_MAX_DEPOSITS
  let claimed = 0
  const junk = () => Promise.resolve(randomBytes(JUNK_DEPOSIT_BYTES))
  await workers(cx, 2, async () => {
    if (claimed >= cap) return false
    let left = JUNK_DEPOSITS_PER_IDENTITY
    const claim = (n: number) => {
      const k = Math.min(n, left, cap - claimed)
      left -= k
      claimed += k
      return k
    }
    const h = await cx.pool.spawn()
    try {
      await depositAll(cx, h, claim, junk)
    } finally {
      await cx.pool.retire(h)
    }
    return true
  })
  if (claimed >= cap) cx.stats.note = `cap of ${cap} deposits reached`
  await hold(cx)
}
