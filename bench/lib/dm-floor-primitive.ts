// One primitive of the dm bench's floor (./dm-floor.ts): its name, the processes it crosses and
// its samples; and the timing of an in-process call, wall and CPU. Shared by the floor's modules.
import { performance } from 'node:perf_hooks'

export interface Primitive {
  name: string
  /** Which processes it crosses, as the real path does. */
  where: string
  /** Wall time per round, ms. */
  ms: number[]
  /** CPU time of this process per round, ms (in-process primitives only). */
  cpuMs?: number[]
  /** WAL frames appended per transaction (transactions only). */
  walFrames?: number[]
}

/** `fn()`, its wall and CPU time appended to `p` when `counted` (a warm-up round is not). */
export function timed<T>(p: Primitive, counted: boolean, fn: () => T): T {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const r = fn()
  const t1 = performance.now()
  const c = process.cpuUsage(c0)
  if (counted) {
    p.ms.push(t1 - t0)
    p.cpuMs?.push((c.user + c.system) / 1000)
  }
  return r
}
