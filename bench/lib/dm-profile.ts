// Where a daemon's CPU time went, from the V8 .cpuprofile that `node --cpu-prof` writes when the
// process exits (the dm bench's `--profile DIR`). Samples can be restricted to a time window (a
// bench phase, in ms since the profile started). Self time is summed by area (a Kith file under
// src/, an npm package, Node's internals, GC) and by function; inclusive time (the function or
// anything it called) is summed for every Kith function on the stack, which shows which step of
// sending or receiving costs what. This module only reads profiles; it knows nothing of the bench.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { table } from './measure.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** `src/service/chat.ts`, `@libp2p/yamux`, `node:internal`, `(garbage collector)`… */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm !== null) return nm[1]!
  const src = /\/((?:src|bench)\/.+)$/.exec(url)
  if (src !== null) return src[1]!
  if (url.startsWith('node:')) return 'node:internal'
  return url
}

const NOT_BUSY = new Set(['(idle)', '(program)'])

export interface ProfileSummary {
  /** Sampled time in the window, ms (busy + idle). */
  totalMs: number
  /** Time the thread ran JavaScript, native code or GC, ms. */
  busyMs: number
  byArea: [string, number][]
  byFunction: [string, number][]
  /** Kith functions (src/), time with them on the stack. */
  inclusive: [string, number][]
}

export interface Window {
  /** ms since the profile's start */
  fromMs: number
  toMs: number
}

/** The profile in `dir` whose file name contains `match` (`.<pid>.0.`: the main thread's). */
export function findProfile(dir: string, match: string): string | undefined {
  const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile') && n.includes(match))
  return f === undefined ? undefined : join(dir, f)
}

export function summarizeProfile(file: string, window?: Window): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const label = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame
    const area = areaOf(url, functionName)
    return `${functionName || '(anonymous)'} ${area}${url === '' ? '' : `:${lineNumber + 1}`}`
  }
  const areas = new Map<string, number>()
  const fns = new Map<string, number>()
  const incl = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
  let total = 0
  let busy = 0
  let t = 0 // µs since startTime
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i] ?? 0
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000 // time until the next sample
    if (window !== undefined && (t / 1000 < window.fromMs || t / 1000 > window.toMs)) return
    const n = byId.get(id)
    if (n === undefined) return
    const area = areaOf(n.callFrame.url, n.callFrame.functionName)
    total += ms
    if (NOT_BUSY.has(area)) return
    busy += ms
    add(areas, area, ms)
    add(fns, label(n), ms)
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur)!
      if (!/\/src\//.test(node.callFrame.url)) continue
      const l = label(node)
      if (!seen.has(l)) {
        seen.add(l)
        add(incl, l, ms)
      }
    }
  })
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((x, y) => y[1] - x[1])
  return {
    totalMs: total,
    busyMs: busy,
    byArea: sorted(areas),
    byFunction: sorted(fns),
    inclusive: sorted(incl),
  }
}

/** The summary as three tables (`top` rows each), per message when `messages` is given. */
export function formatProfile(s: ProfileSummary, messages?: number, top = 15): string {
  const per =
    messages === undefined ? undefined : (ms: number) => ((1000 * ms) / messages).toFixed(0)
  const head = (what: string) => [what, 'ms', 'of busy', ...(per ? ['µs/msg'] : [])]
  const rows = (list: [string, number][]) =>
    list
      .slice(0, top)
      .map(([name, ms]) => [
        name,
        ms.toFixed(0),
        `${((100 * ms) / s.busyMs).toFixed(1)} %`,
        ...(per ? [per(ms)] : []),
      ])
  return [
    `busy ${s.busyMs.toFixed(0)} ms of ${s.totalMs.toFixed(0)} ms sampled` +
      (per ? ` (${per(s.busyMs)} µs per message)` : ''),
    table(head('self time by area'), rows(s.byArea)),
    '',
    table(head('self time by function'), rows(s.byFunction)),
    '',
    table(head('inclusive time of Kith functions'), rows(s.inclusive)),
  ].join('\n')
}
