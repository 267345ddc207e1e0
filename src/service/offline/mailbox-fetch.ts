// One fetch round from one of our mailboxes (docs/mailbox.md "Which mailboxes are ours"): pages
// of envelopes fetched, each handed to `receive`, then confirmed so the mailbox deletes them,
// within the per-mailbox budget of a round (MAILBOX_FETCH_MAX_PAGES / _ENVELOPES /
// _BYTES_PER_ROUND, src/node/mailbox/limits.ts); what is left waits for the next round. It owns
// that loop, the fetch metrics and the line between a verdict on an envelope (junk: confirmed,
// dropped) and a failure of ours (deferred: left at the mailbox). It knows nothing of which
// mailboxes are ours (./mailboxes.ts) or of sessions (the `receive` callback).
import debug from 'debug'
import {
  MAILBOX_FETCH_MAX_BYTES_PER_ROUND,
  MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND,
  MAILBOX_FETCH_MAX_PAGES_PER_ROUND,
} from '../../node/index.js'
import type { KithNode, MailboxFetchMetrics, MailboxSign } from '../../node/index.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:mailbox')

export function newFetchMetrics(): MailboxFetchMetrics {
  return {
    rounds: 0,
    envelopes: 0,
    received: 0,
    junk: {},
    budgetHits: {},
    notChosen: 0,
    deferred: 0,
  }
}

export interface FetchRoundContext {
  node: Pick<KithNode, 'mailboxFetch' | 'mailboxConfirm'>
  sign: MailboxSign
  /** Addresses to dial the mailbox at. */
  addrs: () => string[]
  /** Decrypts and stores one envelope; throws a typed error if it is not ours. */
  receive: (frame: Uint8Array) => void
  stopped: () => boolean
  metrics: MailboxFetchMetrics
}

/** Fetches, stores and confirms what `mailbox` holds for us, within one round's budget. Never
 *  rejects (a failed fetch is logged; the next round tries again). */
export async function fetchRound(cx: FetchRoundContext, mailbox: string): Promise<void> {
  const m = cx.metrics
  m.rounds++
  let envelopes = 0
  let bytes = 0
  try {
    for (let page = 0; ; page++) {
      const hit =
        page >= MAILBOX_FETCH_MAX_PAGES_PER_ROUND
          ? 'pages'
          : envelopes >= MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND
            ? 'envelopes'
            : bytes >= MAILBOX_FETCH_MAX_BYTES_PER_ROUND
              ? 'bytes'
              : undefined
      if (hit !== undefined) {
        m.budgetHits[hit] = (m.budgetHits[hit] ?? 0) + 1
        log('fetch from %s stopped at the round budget (%s)', mailbox, hit)
        return
      }
      if (cx.stopped()) return
      const items = await cx.node.mailboxFetch(mailbox, cx.sign, cx.addrs())
      if (items.length === 0) return
      const done: string[] = []
      for (const item of items) {
        if (cx.stopped()) break
        envelopes++
        bytes += item.envelope.length
        m.envelopes++
        try {
          cx.receive(item.envelope)
          m.received++
          done.push(item.id)
        } catch (err) {
          const name = err instanceof Error ? err.name : 'Error'
          if (!isVerdict(err)) {
            // Our failure, not the envelope's (the store closing, a busy database): it stays at
            // the mailbox for the next round.
            m.deferred++
            log('held envelope %s from %s deferred: %s', item.id, mailbox, name)
            continue
          }
          // Not ours or not decryptable (junk, a copy already received directly, a replay):
          // counted and confirmed, so the mailbox drops it.
          m.junk[name] = (m.junk[name] ?? 0) + 1
          done.push(item.id)
          log('held envelope %s from %s refused: %s', item.id, mailbox, name)
        }
      }
      if (done.length > 0) await cx.node.mailboxConfirm(mailbox, done, cx.sign, cx.addrs())
    }
  } catch (err) {
    log('fetch from %s failed: %s', mailbox, errorName(err))
  }
}

/** A typed verdict on the envelope (Kith errors carry a string `code`: core, node and service
 *  errors alike), as opposed to a failure of ours such as the database (better-sqlite3's
 *  SqliteError has a code too, so it is named). */
function isVerdict(err: unknown): boolean {
  return (
    err instanceof Error &&
    typeof (err as { code?: unknown }).code === 'string' &&
    err.name !== 'SqliteError'
  )
}
