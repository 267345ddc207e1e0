// The dm bench's batch-send figure (issue 17): the durable rate of one pair when the sender's
// client queues messages in batches — `POST /v1/messages` with `{"contact","texts":[…]}`, as
// `kith send <contact> - --lines` does — instead of one request per message. Same check as the
// one-at-a-time burst (./dm-kith.ts): every posted id must be listed by B exactly once. It knows
// nothing of baselines or output.
import { performance } from 'node:perf_hooks'
import { api, type Daemon, type Events } from './dm-daemons.js'
import type { KithRateResult } from './dm-kith.js'

/**
 * POSTs `count` messages to A in batches of `batch` texts from `inFlight` concurrent clients (each
 * sends its next batch when the previous one is answered: durably queued), waits until B has
 * announced them all (or `timeoutMs` passes), then checks B's stored history.
 */
export async function kithBatchRate(
  a: Daemon,
  b: Daemon,
  eventsB: Events,
  text: (i: number) => string,
  count: number,
  batch: number,
  inFlight: number,
  timeoutMs: number,
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
      next = Math.min(count, next + batch)
      const texts = Array.from({ length: next - first }, (_, k) => text(first + k))
      const t0 = performance.now()
      const { ids } = await api<{ ids: string[] }>(a, 'POST', '/v1/messages', {
        contact: b.peerId,
        texts,
      })
      for (const id of ids) startedAt.set(id, t0)
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
