// One cell of the group bench: M messages at a fixed rate from a few senders through one
// delivery method, and the latency to all members of each (from the moment it is due to the
// moment the last other member has decrypted it). It owns the message tags, the
// per-message bookkeeping and the send schedule; the methods (group-methods.ts) own encryption
// and transport, and report each decrypted plaintext back here.
import { randomBytes } from 'node:crypto'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'

/** What a delivery method does for the bench. */
export interface GroupMethod {
  readonly name: string
  /** Encrypts `plaintext` as member `sender` and hands it to the network. Calls for one sender
   *  are serialized by the caller. */
  send(sender: number, plaintext: Uint8Array): Promise<void>
}

/** Tag of a bench message: 8 random bytes of the cell, then the message index (uint32). */
const TAG_BYTES = 12
const TEXT = new TextEncoder().encode('hello group, this is a short message')

export interface CellResult {
  sent: number
  /** Messages every other member decrypted within the drain time. */
  complete: number
  /** Deliveries of a message to a member that already had it (must be 0). */
  duplicates: number
  sendErrors: number
  /** Latency to all, ms, of the complete messages. */
  p50: number
  p99: number
  max: number
  /** Median time the sender spent in send() (encrypt + hand to the network), ms: the work one
   *  device does per message, whatever the others do. */
  sendMs: number
  /** CPU time of the whole process (all N nodes) per message, ms. */
  cpuMsPerMessage: number
  /** Event-loop delay during the cell, ms (p99, max): how long the one thread all N nodes
   *  share was busy before it could run the next ready callback. */
  loopP99: number
  loopMax: number
}

/** Collects deliveries of one cell. */
export class Tracker {
  readonly cell = randomBytes(8)
  readonly #members: number
  readonly #sentAt: number[] = []
  readonly #count: number[] = []
  readonly #doneAt: number[] = []
  readonly #seen = new Set<number>()
  duplicates = 0

  constructor(members: number) {
    this.#members = members
  }

  /** The plaintext of message `i`. */
  plaintext(i: number): Uint8Array {
    const out = new Uint8Array(TAG_BYTES + TEXT.length)
    out.set(this.cell, 0)
    new DataView(out.buffer).setUint32(8, i)
    out.set(TEXT, TAG_BYTES)
    return out
  }

  markSent(i: number): void {
    this.#sentAt[i] = performance.now()
    this.#count[i] = 0
  }

  /** A member decrypted `plaintext`; plaintexts of other cells are ignored. */
  delivered(member: number, plaintext: Uint8Array): void {
    if (plaintext.length < TAG_BYTES) return
    for (let k = 0; k < 8; k++) if (plaintext[k] !== this.cell[k]) return
    const i = new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(8)
    if (this.#sentAt[i] === undefined) return
    const key = i * 4096 + member
    if (this.#seen.has(key)) {
      this.duplicates++
      return
    }
    this.#seen.add(key)
    const c = (this.#count[i] ?? 0) + 1
    this.#count[i] = c
    if (c === this.#members - 1) this.#doneAt[i] = performance.now()
  }

  complete(i: number): boolean {
    return this.#doneAt[i] !== undefined
  }

  /** Latencies (ms) of the messages delivered to all. */
  latencies(): number[] {
    const out: number[] = []
    this.#doneAt.forEach((done, i) => {
      if (done !== undefined) out.push(done - this.#sentAt[i]!)
    })
    return out
  }
}

/** Nearest-rank percentile (q in 0..1) of a non-empty list. */
export function percentile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)))

/**
 * Sends `messages` messages at `rate` per second, round-robin over `senders`, through `method`;
 * waits up to `drainMs` after the last send for every message to reach every member.
 */
export async function runCell(
  method: GroupMethod,
  tracker: Tracker,
  senders: readonly number[],
  messages: number,
  rate: number,
  drainMs: number,
): Promise<CellResult> {
  const interval = 1000 / rate
  const tails = new Map<number, Promise<void>>()
  let sendErrors = 0
  const sendTimes: number[] = []
  const cpu0 = process.cpuUsage()
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const t0 = performance.now()
  for (let i = 0; i < messages; i++) {
    await sleep(t0 + i * interval - performance.now())
    const sender = senders[i % senders.length]!
    const pt = tracker.plaintext(i)
    const prev = tails.get(sender) ?? Promise.resolve()
    // The clock starts when the message is due, not when its sender gets to it: a sender still
    // busy with its previous message (fan-out's N−1 encryptions) delays this one, as it would
    // delay a user's next message.
    tracker.markSent(i)
    const next = prev.then(async () => {
      const start = performance.now()
      await method.send(sender, pt)
      sendTimes.push(performance.now() - start)
    })
    tails.set(
      sender,
      next.catch(() => {
        sendErrors++
      }),
    )
  }
  await Promise.all(tails.values())
  const end = performance.now() + drainMs
  const all = (): boolean => {
    for (let i = 0; i < messages; i++) if (!tracker.complete(i)) return false
    return true
  }
  while (!all() && performance.now() < end) await sleep(20)
  const cpu = process.cpuUsage(cpu0)
  loop.disable()
  const lat = tracker.latencies()
  return {
    sent: messages,
    complete: lat.length,
    duplicates: tracker.duplicates,
    sendErrors,
    p50: lat.length > 0 ? percentile(lat, 0.5) : NaN,
    p99: lat.length > 0 ? percentile(lat, 0.99) : NaN,
    max: lat.length > 0 ? Math.max(...lat) : NaN,
    sendMs: sendTimes.length > 0 ? percentile(sendTimes, 0.5) : NaN,
    cpuMsPerMessage: (cpu.user + cpu.system) / 1000 / messages,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
  }
}
