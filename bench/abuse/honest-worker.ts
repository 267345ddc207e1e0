// The honest contact's sends, in a worker thread (HonestClient in victim.ts): one message at a
// time to the victim (POST /v1/messages with `wait`: send → delivered), each timing filed under
// the phase it started in (0: no flood, 1: flood). Messages from the main thread: `phase` starts
// or moves on, `collect` stops after the message in flight and posts the timings of each phase.
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { api, ApiRequestError, type Daemon } from '../lib/dm-daemons.js'
import { sleep } from './attacker.js'
import { HONEST_GAP_MS, HONEST_TIMEOUT_MS, type HonestTimings } from './victim.js'

type Command = { type: 'phase'; name: string; phase: number } | { type: 'collect' }

const honest = workerData as Pick<Daemon, 'api' | 'token'>
let current: { name: string; phase: number } | undefined
let phases: HonestTimings[] = []
let inFlight: Promise<void> | undefined
let wake: (() => void) | undefined
let n = 0

parentPort?.on('message', (c: Command) => {
  if (c.type === 'phase') {
    current = { name: c.name, phase: c.phase }
    wake?.()
    return
  }
  current = undefined
  void (inFlight ?? Promise.resolve()).then(() => {
    parentPort?.postMessage(phases)
    phases = []
  })
})

async function sendOne(name: string, phase: number): Promise<void> {
  const t = (phases[phase] ??= { samples: [], timeouts: 0 })
  const start = performance.now()
  try {
    await api(honest as Daemon, 'POST', '/v1/messages', {
      contact: name,
      text: `honest message ${++n}`,
      wait: true,
      timeoutMs: HONEST_TIMEOUT_MS,
    })
    t.samples.push(performance.now() - start)
  } catch (err) {
    if (!(err instanceof ApiRequestError)) throw err
    // 504: not delivered in time. Any other refusal (the victim gone…) counts the same.
    t.timeouts++
    t.samples.push(Math.max(HONEST_TIMEOUT_MS, performance.now() - start))
  }
}

for (;;) {
  const c = current
  if (c === undefined) {
    await new Promise<void>((r) => (wake = r))
    wake = undefined
    continue
  }
  inFlight = sendOne(c.name, c.phase)
  await inFlight
  inFlight = undefined
  await sleep(HONEST_GAP_MS)
}
