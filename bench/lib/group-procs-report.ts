// The multi-process group cells as bench/group.ts runs and prints them: the product's
// configuration first, then each `--variant` (a node tuning: gossipsub's degree or IDONTWANT size,
// the transport's write batching or lazy window updates) on fresh children with the same seed,
// each printed beside the product's figures from the same run (CPU per member per message is the
// figure to compare: /proc measures it whatever the load; latency moves with the machine's load).
// With `--baselines` (on in the full run) the two baselines of group-bare.ts follow the product's
// cell (bare gossipsub carrying opaque bytes, the same copies over plain streams), then a table of
// every cell and the line `group procs baseline N=<n>: product <x> bare-gossipsub <y> bare-streams
// <z> ms cpu/member/msg`. It owns the printing and the variants; the cells are group-procs.ts.
import { loadavg } from 'node:os'
import { UsageError } from './bench.js'
import { BASELINES } from './group-bare.js'
import type { GroupTuning } from './group-child.js'
import { runProcs, type ProcsConfig, type ProcsResult } from './group-procs.js'
import { fixed, int, table } from './measure.js'

/** Issue 17's goal, members in separate processes: 100 members at 10 msg/s, p99 ≤ 250 ms to
 *  all, ≤ 0.3 ms of CPU per member per message. */
export const PROCS_GOAL = { members: 100, rate: 10, p99Ms: 250, cpuMs: 0.3 }

/** A tuning to measure against the product's, as given on the command line. */
export interface Variant {
  label: string
  tuning: GroupTuning
}

export function parseVariant(value: string | undefined): Variant {
  try {
    const t = JSON.parse(value ?? '') as GroupTuning
    if (typeof t !== 'object' || t === null) throw new Error('not an object')
    const keys = Object.keys(t)
    if (
      keys.length === 0 ||
      keys.some((k) => !['pubsub', 'transport', 'connectionMonitor'].includes(k))
    ) {
      throw new Error('keys')
    }
    return { label: JSON.stringify(t), tuning: t }
  } catch {
    throw new UsageError(
      `group: --variant takes JSON with "pubsub", "transport" and/or "connectionMonitor", e.g. '{"pubsub":{"D":3}}'`,
    )
  }
}

const ms = (x: number): string =>
  Number.isNaN(x) ? '—' : x < 1 ? fixed(x, 2) : x < 10 ? fixed(x, 1) : int(x)

/** A profile file of the cell `label`: the product's as given, another cell's with its label
 *  before the extension (`x.cpuprofile` → `x-bare-streams.cpuprofile`), so none overwrites another. */
export function cellFile(file: string, label: string): string {
  if (label === 'product') return file
  return file.replace(/(\.cpuprofile)?$/, `-${label.replace(/[^A-Za-z0-9-]+/g, '_')}$1`)
}

async function runOne(cell: ProcsConfig, label: string): Promise<ProcsResult> {
  const p: ProcsConfig = { ...cell }
  if (p.profile !== undefined) p.profile = cellFile(p.profile, label)
  if (p.profileIdle !== undefined) p.profileIdle = cellFile(p.profileIdle, label)
  console.log(
    `\ngroup, members in separate processes (${label}): ${p.processes} × ${p.perProcess} nodes,` +
      ` ${p.messages} messages at ${p.rate} msg/s from ${p.senders} senders; load ${fixed(loadavg()[0]!, 1)}`,
  )
  const r = await runProcs(p, 0x6b697468 + p.processes * p.perProcess, (line) =>
    console.log(`  ${line}`),
  )
  // A baseline decrypts nothing: its members' first receipts of a message count instead.
  const [many, one] =
    p.baseline === undefined ? ['decryptions', 'decryption'] : ['deliveries', 'delivery']
  console.log(
    `  ${p.baseline === 'bare-streams' ? 'streams' : 'gossipsub'} ${p.rate}/s: p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, max ${ms(r.max)} ms,` +
      ` ${r.complete}/${r.sent} to all (${r.deliveries}/${(r.n - 1) * r.sent} ${many}),` +
      ` ${r.duplicates} duplicates,` +
      ` CPU ${fixed(r.cpuPerMemberMsg, 3)} ms per member per message` +
      ` (${int(100 * r.sysShare)} % in the kernel;` +
      ` ${fixed(r.cpuPerMemberMsgNet, 3)} above idle; idle ${fixed(r.idlePerMemberSec, 1)} ms/s per member;` +
      ` ${fixed(r.cpuPerDelivery, 3)} per ${one}, ${fixed(r.cpuPerDeliveryNet, 3)} above idle),` +
      ` ${fixed(r.writesPerMemberMsg, 1)} socket writes` +
      ` and ${fixed(r.copiesPerMemberMsg, 1)} copies received per member per message,` +
      ` rejected ${r.rejected}, send errors ${r.sendErrors}, load ${fixed(r.load, 1)}`,
  )
  return r
}

/** The product's cell, then the baselines' (`baselines`), then each variant's; returns the
 *  product's (the summary's figures). */
export async function runMultiProcess(
  p: ProcsConfig,
  variants: Variant[],
  baselines = false,
): Promise<ProcsResult> {
  const base = await runOne(p, 'product')
  const bare: Array<[string, ProcsResult]> = []
  if (baselines) for (const b of BASELINES) bare.push([b, await runOne({ ...p, baseline: b }, b)])
  const rows: Array<[string, ProcsResult]> = []
  for (const v of variants) rows.push([v.label, await runOne({ ...p, tuning: v.tuning }, v.label)])
  if (bare.length > 0 || rows.length > 0) printCells([['product', base], ...bare, ...rows])
  for (const [label, r] of rows) {
    console.log(
      `group procs variant ${label}: cpu/member/msg ${fixed(r.cpuPerMemberMsg, 3)} ms vs product` +
        ` ${fixed(base.cpuPerMemberMsg, 3)} (ratio ${fixed(r.cpuPerMemberMsg / base.cpuPerMemberMsg, 2)});` +
        ` per decryption ${fixed(r.cpuPerDelivery, 3)} vs ${fixed(base.cpuPerDelivery, 3)}` +
        ` (ratio ${fixed(r.cpuPerDelivery / base.cpuPerDelivery, 2)}), above idle` +
        ` ${fixed(r.cpuPerDeliveryNet, 3)} vs ${fixed(base.cpuPerDeliveryNet, 3)}` +
        ` (ratio ${fixed(r.cpuPerDeliveryNet / base.cpuPerDeliveryNet, 2)}); socket writes per member per` +
        ` message ${fixed(r.writesPerMemberMsg, 1)} vs ${fixed(base.writesPerMemberMsg, 1)},` +
        ` p99 ${ms(r.p99)} vs ${ms(base.p99)} ms, ${r.complete}/${r.sent} to all`,
    )
  }
  if (bare.length > 0) {
    const cpu = (label: string): string =>
      fixed(bare.find(([l]) => l === label)?.[1].cpuPerMemberMsg ?? NaN, 3)
    console.log(
      `group procs baseline N=${base.n}: product ${fixed(base.cpuPerMemberMsg, 3)}` +
        ` bare-gossipsub ${cpu('bare-gossipsub')} bare-streams ${cpu('bare-streams')}` +
        ` ms cpu/member/msg (goal ≤ ${PROCS_GOAL.cpuMs})`,
    )
  }
  return base
}

/** One row per cell: the figures runOne prints, side by side. "per delivery" is a decryption in
 *  the product's cell, a first receipt of the opaque message in the baselines'. */
function printCells(cells: Array<[string, ProcsResult]>): void {
  console.log('\nmembers in separate processes, one row per cell (CPU in ms):')
  console.log(
    table(
      [
        'cell',
        'to all',
        'p50',
        'p99',
        'cpu/member/msg',
        'kernel',
        'above idle',
        'per delivery',
        'above idle',
        'writes/member/msg',
        'copies in/member/msg',
      ],
      cells.map(([label, r]) => [
        label,
        `${r.complete}/${r.sent}`,
        ms(r.p50),
        ms(r.p99),
        fixed(r.cpuPerMemberMsg, 3),
        `${int(100 * r.sysShare)} %`,
        fixed(r.cpuPerMemberMsgNet, 3),
        fixed(r.cpuPerDelivery, 3),
        fixed(r.cpuPerDeliveryNet, 3),
        fixed(r.writesPerMemberMsg, 1),
        fixed(r.copiesPerMemberMsg, 1),
      ]),
    ),
  )
}

export function reportProcs(r: ProcsResult, rate: number): void {
  console.log(
    `group procs N=${r.n} ${rate}/s: p50 ${ms(r.p50)} ms p99 ${ms(r.p99)} ms` +
      ` cpu/member/msg ${fixed(r.cpuPerMemberMsg, 3)} ms (above idle ${fixed(r.cpuPerMemberMsgNet, 3)})`,
  )
  if (r.n === PROCS_GOAL.members && rate === PROCS_GOAL.rate) {
    const met =
      r.complete === r.sent && r.p99 <= PROCS_GOAL.p99Ms && r.cpuPerMemberMsg <= PROCS_GOAL.cpuMs
    console.log(
      `group goal (N=${PROCS_GOAL.members} in separate processes, ${PROCS_GOAL.rate}/s,` +
        ` p99 ≤ ${PROCS_GOAL.p99Ms} ms, CPU ≤ ${PROCS_GOAL.cpuMs} ms/member/msg): ` +
        `${met ? 'met' : 'NOT met'}, p99 ${ms(r.p99)} ms, CPU ${fixed(r.cpuPerMemberMsg, 3)} ms,` +
        ` ${r.complete}/${r.sent} to all`,
    )
  }
}
