// The group control outbox, drained by the 1:1 outbox's flush for each peer (./outbox.ts):
// GroupUpdate contents queued by ../groups/ for one member, under the same discipline as 1:1
// messages — encrypted afresh per attempt over the pairwise session (./sessions.ts), backoff
// (./delivery.ts), a mailbox deposit when the member is not connected. It owns no state; it knows
// nothing of what the contents say (the groups, the profile and edits queue them; a receipt
// dequeues them). The outbox sees it only through its ControlQueue port (./outbox.ts).
import type { KithNode } from '../../node/index.js'
import type { WithNode } from '../context.js'
import type { Mailboxes } from '../offline/mailboxes.js'
import { MAX_BATCH, nextAttemptDelay } from './delivery.js'
import { encryptAll, loadRecord } from './sessions.js'

/** What draining the control outbox uses (a narrow port): the service context's store, session
 *  gate and node, and the mailboxes a frame is deposited with when the member is away. */
export type ControlOutboxContext = Pick<
  WithNode<Pick<KithNode, 'sendDm'>>,
  'ctx' | 'store' | 'node' | 'outgoing' | 'stopped'
> & { readonly mailboxes: Pick<Mailboxes, 'deposit'> }

export interface ControlOutboxHooks {
  /** Connected, or a mailbox of it known (its card looked up if missing). */
  reachable: (peer: string) => Promise<boolean>
  /** Uniform in [0, 1): the backoff's jitter. */
  jitter: () => number
}

/** The control outbox as the 1:1 outbox drains it (./outbox.ts OutboxPorts.control). */
export interface ControlQueue {
  /** Sends what is due (`everything`: all of it) to `peer`, as the 1:1 entries. */
  flush(peer: string, everything: boolean, now: number, hooks: ControlOutboxHooks): Promise<void>
  /** When the peer's next control entry is due, if any. */
  nextAttemptAt(peer: string): number | undefined
}

/** The control outbox over `cx`, as the 1:1 outbox's port. */
export function controlQueue(cx: ControlOutboxContext): ControlQueue {
  return {
    flush: (peer, everything, now, hooks) => flushGroupControl(cx, peer, everything, now, hooks),
    nextAttemptAt: (peer) => cx.store.groups.nextControlAttemptAt(peer),
  }
}

/**
 * Group control contents (GroupUpdate) in the same outbox discipline: encrypted afresh per
 * attempt, retried with backoff until the peer's receipt names their id. Only over an existing
 * session: with a member who is not a contact, the lower PeerId starts it (groups/keys.ts); with
 * a member we removed, we do (groups/removal.ts).
 */
export async function flushGroupControl(
  cx: ControlOutboxContext,
  peer: string,
  everything: boolean,
  now: number,
  hooks: ControlOutboxHooks,
): Promise<void> {
  const due = cx.store.groups.controlFor(peer).filter((e) => everything || e.nextAttemptAt <= now)
  if (due.length === 0) return
  // No session yet (the member with the lower PeerId starts it) or nowhere to send: wait with
  // backoff rather than retry at once; the session's first message flushes everything.
  const wait = () =>
    cx.store.transaction(() => {
      for (const e of due) {
        const next = now + nextAttemptDelay(e.attempts, hooks.jitter)
        cx.store.groups.rescheduleControl(e.messageId, e.attempts + 1, next)
      }
    })
  if (loadRecord(cx.store, peer)?.current === undefined) return wait()
  for (let i = 0; i < due.length; i += MAX_BATCH) {
    if (cx.stopped()) return
    if (!(await hooks.reachable(peer))) return wait()
    const batch = due.slice(i, i + MAX_BATCH)
    const frames = encryptAll(
      cx,
      peer,
      batch.map((e) => e.content),
      () => {
        for (const e of batch) {
          const next = now + nextAttemptDelay(e.attempts, hooks.jitter)
          cx.store.groups.rescheduleControl(e.messageId, e.attempts + 1, next)
        }
      },
    )
    try {
      await cx.node.sendDm(peer, frames)
    } catch (err) {
      if ((await cx.mailboxes.deposit(peer, frames)) === 0) throw err
    }
  }
}
