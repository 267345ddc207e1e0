// Disappearing messages (CLI.md `kith disappearing`; docs/protocol.md §4.8.5, modelled on Signal's
// DataMessage.expireTimer and its "timer set" update): a conversation's timer, set by either side
// and told to the other side(s) as a Disappearing body, shown on both as a `"kind":"event"` line
// ("… set disappearing messages to 30 s"); the latest setting (setter's clock) wins. Messages
// stored while a timer is on carry it (`ttlSeconds`): our own disappear ttl after they were
// sent, incoming ones ttl after they were read (as Signal does; store migration 8's trigger). A
// receiver applies its own current timer to what arrives: the wire carries the timer only in the
// Disappearing body (ChatContent has no per-message timer field). The sweeper wipes what is due
// every DISAPPEAR_SWEEP_MS (also right after a restart), DISAPPEAR_SWEEP_BATCH at a time: a
// tombstone stays (a retried copy must not come back), its text and reactions are gone.
// It knows no SQL and no transport.
import debug from 'debug'
import { newMessageId, toHex } from '../core/index.js'
import type { ChatContent } from '../core/index.js'
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from '../core/wire/limits.js'
import type { StoredMessage } from '../store/types.js'
import type { KithNode } from '../node/index.js'
import type { WithNode } from './context.js'
import type { EditHooks } from './edits.js'
import { InvalidArgumentError } from './errors.js'
import { eventSentence, type GroupEvent } from './group-event.js'
import type { ServiceEvent } from './types.js'
import { toMessageView } from './views.js'
import { errorName } from '../core/errors.js'

/** The slice of the node disappearing uses (a narrow port: context.ts WithNode). */
export type DisappearingNode = Pick<KithNode, 'peerId'>

const log = debug('kith:service:disappearing')

export { MAX_TTL_SECONDS, MIN_TTL_SECONDS }
/** How often the sweeper looks for expired messages: one indexed query (messages_expiring), so
 *  cheap; 1 s keeps a message at most that long past its time (the shortest timer is 5 s). */
export const DISAPPEAR_SWEEP_MS = 1000
/** Messages wiped per sweep transaction (the rest follow on the next tick). */
export const DISAPPEAR_SWEEP_BATCH = 256
/** The `from` of timer history lines: outside every sender's seq order (store/chat.ts). */
const TIMER_SENDER = ':timer'

export class Disappearing {
  readonly #cx: WithNode<DisappearingNode> & EditHooks
  #timer: NodeJS.Timeout | undefined

  constructor(cx: WithNode<DisappearingNode> & EditHooks) {
    this.#cx = cx
  }

  start(): void {
    this.sweep()
    this.#timer = setInterval(() => this.sweep(), DISAPPEAR_SWEEP_MS)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** The timer (seconds) new messages of `conversation` carry, or undefined when off. */
  ttl(conversation: string): number | undefined {
    const t = this.#cx.store.edits.timer(conversation)
    return t === undefined || t.ttl === 0 ? undefined : t.ttl
  }

  /** Sets the timer of `conversation` (resolved by the caller) and tells the other side(s). */
  set(conversation: string, ttlSeconds: number): { conversation: string; ttlSeconds: number } {
    if (
      !Number.isSafeInteger(ttlSeconds) ||
      (ttlSeconds !== 0 && (ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS))
    )
      throw new InvalidArgumentError(
        `a timer is off (0) or ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS} seconds`,
      )
    const cx = this.#cx
    const now = cx.ctx.clock()
    const id = toHex(newMessageId(cx.ctx))
    const events: ServiceEvent[] = []
    cx.store.transaction(() => {
      cx.store.edits.setTimer(conversation, ttlSeconds, now)
      this.#line(conversation, cx.node.peerId, id, now, ttlSeconds, 'out', events)
      this.#cx.send(conversation, id, now, { disappearing: { ttlSeconds } })
    })
    for (const e of events) cx.emit(e)
    return { conversation, ttlSeconds }
  }

  /** A Disappearing body from `from` (inside the receive transaction). */
  receive(conversation: string, from: string, content: ChatContent, events: ServiceEvent[]): void {
    const ttl = content.disappearing?.ttlSeconds
    if (ttl === undefined) return
    const at = Number(content.sentAt)
    if (!this.#cx.store.edits.setTimer(conversation, ttl, at)) return
    this.#line(conversation, from, toHex(content.messageId), at, ttl, 'in', events)
  }

  /** The history line "X set disappearing messages to …": id from the body's id, one per side. */
  #line(
    conversation: string,
    by: string,
    bodyId: string,
    at: number,
    ttlSeconds: number,
    direction: 'in' | 'out',
    events: ServiceEvent[],
  ): void {
    const cx = this.#cx
    const e: GroupEvent = { type: 'timer', by, members: [], ttlSeconds }
    const name = (p: string): string => cx.store.getContact(p, { includeBlocked: true })?.name ?? p
    const m: StoredMessage = {
      // Not the body's own id: a 1:1 body is acked by it, and a receipt naming a stored message
      // would not dequeue the body (receive.ts). The last byte flipped keeps it unique per side.
      id:
        bodyId.slice(0, -2) + (0xff ^ parseInt(bodyId.slice(-2), 16)).toString(16).padStart(2, '0'),
      conversation,
      from: TIMER_SENDER,
      direction,
      seq: at,
      text: JSON.stringify({ ...e, text: eventSentence(e, cx.node.peerId, name) }),
      sentAt: at,
      receivedAt: cx.ctx.clock(),
      status: direction === 'out' ? 'delivered' : 'read',
      kind: 'event',
    }
    if (cx.store.insertMessage(m)) {
      const stored = cx.store.getMessage(m.id)
      if (stored !== undefined) events.push({ event: 'message', message: toMessageView(stored) })
    }
  }

  /** Wipes what is due; emits an `update` for each. Never throws. */
  sweep(): void {
    const cx = this.#cx
    if (cx.stopped()) return
    const events: ServiceEvent[] = []
    try {
      cx.store.transaction(() => {
        for (const id of cx.store.edits.expired(cx.ctx.clock(), DISAPPEAR_SWEEP_BATCH)) {
          cx.store.edits.wipe(id)
          cx.store.dequeue(id)
          const m = cx.store.getMessage(id)
          if (m !== undefined) events.push({ event: 'update', message: toMessageView(m) })
        }
      })
    } catch (err) {
      log('sweep failed: %s', errorName(err))
    }
    for (const e of events) cx.emit(e)
  }
}
