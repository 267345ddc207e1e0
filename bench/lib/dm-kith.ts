// The Kith side of the dm bench's message figures, driven as a user's client drives a daemon:
// POST /v1/messages on the sender's local API, the `message` event on the recipient's /v1/events
// WebSocket. This module owns the two measurements — one message at a time, and a burst from a
// few concurrent HTTP clients — and the check that every message arrived exactly once with its
// text. It knows nothing of baselines or output.
import { performance } from 'node:perf_hooks'
import { api, type Daemon, type Events } from './dm-daemons.js'

/** A message that has not reached the recipient this long after it was queued is a failure. */
export const MESSAGE_TIMEOUT_MS = 30_000

interface Sent {
  id: string
  status: string
}

/**
 * Sends `count` messages of `text` from `a` to `b` one at a time, each after the previous one
 * arrived, and returns each one's latency in ms: from the start of the POST at A to the arrival of
 * B's `message` event (direction "in") with that id.
 */
export async function kithLatencies(
  a: Daemon,
  b: Daemon,
  eventsB: Events,
  text: string,
  count: number,
): Promise<number[]> {
  const arrived = new Map<string, number>()
  const waiting = new Map<string, (at: number) => void>()
  let wrong = 0
  const off = eventsB.onMessage((e, at) => {
    const m = e.message
    if (m.direction !== 'in') return
    if (m.text !== text || m.from !== a.peerId) wrong++
    const w = waiting.get(m.id)
    if (w === undefined) arrived.set(m.id, at)
    else {
      waiting.delete(m.id)
      w(at)
    }
  })
  const out: number[] = []
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now()
      const { id } = await api<Sent>(a, 'POST', '/v1/messages', { contact: b.peerId, text })
      let at = arrived.get(id)
      if (at === undefined) {
        let timer: NodeJS.Timeout | undefined
        at = await new Promise<number>((resolve, reject) => {
          waiting.set(id, resolve)
          timer = setTimeout(
            () => reject(new Error(`kith: message ${i} not received in ${MESSAGE_TIMEOUT_MS} ms`)),
            MESSAGE_TIMEOUT_MS,
          )
        }).finally(() => clearTimeout(timer))
      }
      arrived.delete(id)
      out.push(at - t0)
    }
  } finally {
    off()
  }
  if (wrong > 0) throw new Error(`kith: ${wrong} received messages differ from what was sent`)
  return out
}

export interface KithRateResult {
  /** First POST started → B's event for the last message, ms (or → the timeout). */
  ms: number
  /** First POST started → the last POST answered (all durably queued at A), ms. */
  postMs: number
  /** Messages B announced with a `message` event. */
  received: number
  /** Of the messages posted, how many B's GET /v1/messages lists (each id once). */
  stored: number
  /** Posted but not stored at B. */
  lost: number
  /** Ids B lists more than once (must be 0: "shown exactly once"). */
  duplicates: number
  /** Per message: POST started → B's event, ms (queueing included). */
  latencies: number[]
}

/**
 * POSTs `count` messages to A as fast as `inFlight` concurrent HTTP clients can (each sends its
 * next one when the previous POST is answered), then waits until B has announced them all (or
 * `timeoutMs` passes), then checks B's stored history.
 */
export function kithRate(
  a: Daemon,
  b: Daemon,
  eventsB: Events,
  text: (i: number) => string,
  count: number,
  inFlight: number,
  timeoutMs: number,
): Promise<KithRateResult> {
  return measureRate(a, b, eventsB, count, 1, inFlight, timeoutMs, async (first) => {
    const { id } = await api<Sent>(a, 'POST', '/v1/messages', {
      contact: b.peerId,
      text: text(first),
    })
    return [id]
  })
}

/**
 * The rate harness of kithRate and kithBatchRate (./dm-batch.ts): `inFlight` clients each claim
 * the next `per` of the `count` messages and `post` them (resolving their ids once A answered,
 * i.e. durably queued), then it waits until B has announced them all (or `timeoutMs` passes) and
 * checks B's stored history: every posted id listed exactly once.
 */
export async function measureRate(
  a: Daemon,
  b: Daemon,
  eventsB: Events,
  count: number,
  per: number,
  inFlight: number,
  timeoutMs: number,
  post: (first: number, n: number) => Promise<string[]>,
): Promise<KithRateResult> {
  const arrivedAt = new Map<string, number>()
  let allIn: () => void = () => undefined
  const done = new Promise<void>((resolve) => (allIn = resolve))
  const off = eventsB.onMessage((e, at) => {
    if (e.message.direction !== 'in' || arrivedAt.has(e.message.id)) return
    arrivedAt.set(e.message.id, at)
    if (arrivedAt.size === count) allIn()
  })
  const startedAt = new Map<string, number>()
  const start = performance.now()
  let next = 0
  const client = async () => {
    while (next < count) {
      const first = next
      next = Math.min(count, next + per)
      const t0 = performance.now()
      for (const id of await post(first, next - first)) startedAt.set(id, t0)
    }
  }
  let postMs: number
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.all(Array.from({ length: inFlight }, client))
    postMs = performance.now() - start
    await Promise.race([done, new Promise((r) => (timer = setTimeout(r, timeoutMs)))])
  } finally {
    clearTimeout(timer)
    off()
  }
  const posted = [...startedAt.keys()]
  const received = posted.filter((id) => arrivedAt.has(id)).length
  let end = performance.now()
  if (received === count) {
    end = 0
    for (const at of arrivedAt.values()) end = Math.max(end, at)
  }
  const history = await api<{ id: string; direction: string }[]>(
    b,
    'GET',
    `/v1/messages?contact=${encodeURIComponent(a.peerId)}&limit=100000`,
  )
  const listed = new Map<string, number>()
  for (const m of history) if (m.direction === 'in') listed.set(m.id, (listed.get(m.id) ?? 0) + 1)
  const stored = posted.filter((id) => listed.has(id)).length
  return {
    ms: end - start,
    postMs,
    received,
    stored,
    lost: count - stored,
    duplicates: [...listed.values()].filter((n) => n > 1).length,
    latencies: posted
      .filter((id) => arrivedAt.has(id))
      .map((id) => arrivedAt.get(id)! - startedAt.get(id)!),
  }
}
