// The dm bench's batch-send figure (issue 17): the durable rate of one pair when the sender's
// client queues messages in batches — `POST /v1/messages` with `{"contact","texts":[…]}`, as
// `kith send <contact> - --lines` does — instead of one request per message. Same check as the
// one-at-a-time burst (./dm-kith.ts): every posted id must be listed by B exactly once. It knows
// nothing of baselines or output.
import { api, type Daemon, type Events } from './dm-daemons.js'
import { measureRate, type KithRateResult } from './dm-kith.js'

/**
 * POSTs `count` messages to A in batches of `batch` texts from `inFlight` concurrent clients (each
 * sends its next batch when the previous one is answered: durably queued), waits until B has
 * announced them all (or `timeoutMs` passes), then checks B's stored history.
 */
export function kithBatchRate(
  a: Daemon,
  b: Daemon,
  eventsB: Events,
  text: (i: number) => string,
  count: number,
  batch: number,
  inFlight: number,
  timeoutMs: number,
): Promise<KithRateResult> {
  return measureRate(a, b, eventsB, count, batch, inFlight, timeoutMs, async (first, n) => {
    const texts = Array.from({ length: n }, (_, k) => text(first + k))
    const { ids } = await api<{ ids: string[] }>(a, 'POST', '/v1/messages', {
      contact: b.peerId,
      texts,
    })
    return ids
  })
}
