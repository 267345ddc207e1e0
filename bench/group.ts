// `npm run bench -- group [--smoke] [--sizes 10,30,100] [--rates 1,50]`: delivery latency of a
// group message to all members, p50 and p99, for groups of 10, 30 and 100 in-process Kith nodes on
// 127.0.0.1 at 1 and 50 msg/s, with real encryption, for the design's method (Sender Keys over
// gossipsub, bench/lib/group-methods.ts) side by side with pairwise fan-out (the same text as N−1
// Double Ratchet direct messages) in the same run and on the same nodes. Latency to all = from
// the moment the message is due (its slot in the schedule; a sender still busy with its previous
// message delays it) to the moment the last other member has decrypted it. Senders
// rotate over 4 members. Nodes are linked as a random regular-ish graph of degree ≈ 8
// (bench/lib/group-net.ts), not a full mesh. All N nodes share this one process (2 cores here):
// every figure includes N−1 members' receive work on one event loop, which real members spread
// over N machines. So each cell also reports the process CPU per message, the sender's median
// time in send() (one device's work per message) and the event-loop delay (p99, max) during the
// cell: a delay near the latency means the host, not the protocol, set the figure.
// The last lines are the summary, one per (N, rate): `group p99 N=<n> <r>/s: gossipsub <x> ms
// fan-out <y> ms ratio <y/x>` (> 1: gossipsub does better), then the design goal's line.
// A benchmark, not a test: it asserts nothing about speed, only reports losses and duplicates.
//
// Then the multi-process mode (issue 17; bench/lib/group-procs.ts, `--procs PxK`, default 10x10):
// the members in P child processes of K nodes each, so N − 1 members' work no longer shares one
// event loop; 10 msg/s; latency to all (p50/p99) and CPU per member per message from
// /proc/<pid>/stat of every child. Its summary lines: `group procs N=<n> <r>/s: p50 <x> ms p99
// <y> ms cpu/member/msg <z> ms` and the issue's goal line. `--mode inproc|procs|all` picks the
// modes (default all); `--profile FILE` writes a V8 CPU profile of child 0 during the cell (a
// baseline's or variant's cell to FILE with its label added: x-bare-streams.cpuprofile);
// `--profile-idle FILE` the same during the idle window before it (`--idle-ms N` long);
// `--variant JSON` (repeatable; e.g. '{"pubsub":{"D":3,"Dlo":2}}' or '{"transport":{"writeBatch":
// false}}') runs the procs cell again with that node tuning after the product's, and prints each
// variant's CPU and p99 against the product's from the same run. `--baselines` (on in the full
// run, off in `--smoke`) runs two baselines after the product's procs cell (bench/lib/group-bare.ts:
// bare gossipsub carrying opaque bytes of a group message's size, and the same copies flooded over
// plain libp2p streams), a table of the cells and `group procs baseline N=<n>: product <x>
// bare-gossipsub <y> bare-streams <z> ms cpu/member/msg`.
import '../src/platform/polyfill.js'
import { PUBSUB_SCORE_THRESHOLDS } from '../src/node/pubsub/index.js'
import { cpus } from 'node:os'
import { UsageError, type BenchOptions } from './lib/bench.js'
import { FanoutMethod, GossipsubMethod, type Sink } from './lib/group-methods.js'
import { startGroupNet } from './lib/group-net.js'
import type { ProcsConfig } from './lib/group-procs.js'
import {
  parseVariant,
  reportProcs,
  runMultiProcess,
  type Variant,
} from './lib/group-procs-report.js'
import { Tracker, runCell, type CellResult, type GroupMethod } from './lib/group-run.js'
import { fixed, int, table } from './lib/measure.js'

interface Config {
  sizes: number[]
  rates: number[]
  /** Messages per cell at each rate. */
  messages: (rate: number) => number
  senders: number
  drainMs: number
  meshTimeoutMs: number
  mode: 'all' | 'inproc' | 'procs'
  procs: ProcsConfig
  /** `--variant JSON`: procs cells run again with these tunings, after the product's. */
  variants: Variant[]
  /** `--baselines`: the procs mode also runs group-bare.ts's two baselines. */
  baselines: boolean
}

const FULL: Config = {
  sizes: [10, 30, 100],
  rates: [1, 50],
  messages: (rate) => (rate <= 1 ? 10 : 200),
  senders: 4,
  drainMs: 10_000,
  meshTimeoutMs: 20_000,
  mode: 'all',
  variants: [],
  baselines: true,
  procs: {
    processes: 10,
    perProcess: 10,
    rate: 10,
    messages: 300,
    senders: 4,
    drainMs: 10_000,
    meshTimeoutMs: 30_000,
    idleMs: 5_000,
  },
}

const SMOKE: Config = {
  sizes: [5],
  rates: [50],
  messages: () => 10,
  senders: 2,
  drainMs: 5_000,
  meshTimeoutMs: 10_000,
  mode: 'all',
  variants: [],
  // Two more cells of fresh children would double the smoke's ≈ 12 s.
  baselines: false,
  procs: {
    processes: 2,
    perProcess: 2,
    rate: 10,
    messages: 10,
    senders: 2,
    drainMs: 5_000,
    meshTimeoutMs: 10_000,
    idleMs: 500,
  },
}

/** The design's goal (issue 6): 100 members, p99 ≤ 250 ms at 50 msg/s. */
const GOAL = { members: 100, rate: 50, p99Ms: 250 }

function parseList(flag: string, value: string | undefined): number[] {
  const out = (value ?? '').split(',').map(Number)
  if (out.length === 0 || out.some((x) => !Number.isFinite(x) || x <= 0)) {
    throw new UsageError(`group: ${flag} takes positive numbers, e.g. ${flag} 10,30`)
  }
  return out
}

function config(opts: BenchOptions): Config {
  const base = opts.smoke ? SMOKE : FULL
  const cfg = { ...base, procs: { ...base.procs }, variants: [] as Variant[] }
  for (let i = 0; i < opts.args.length; i += 2) {
    const flag = opts.args[i]
    const value = opts.args[i + 1]
    if (flag === '--baselines') {
      cfg.baselines = true
      i-- // takes no value
    } else if (flag === '--sizes') cfg.sizes = parseList(flag, value)
    else if (flag === '--rates') cfg.rates = parseList(flag, value)
    else if (flag === '--procs') {
      const [p, k] = (value ?? '').split('x').map(Number)
      if (!(Number.isInteger(p) && Number.isInteger(k) && p! > 0 && k! > 0)) {
        throw new UsageError('group: --procs takes PxK, e.g. --procs 10x10')
      }
      cfg.procs.processes = p!
      cfg.procs.perProcess = k!
    } else if (flag === '--profile') {
      if (value === undefined) throw new UsageError('group: --profile takes a file name')
      cfg.procs.profile = value
    } else if (flag === '--idle-ms') {
      cfg.procs.idleMs = parseList(flag, value)[0]!
    } else if (flag === '--profile-idle') {
      if (value === undefined) throw new UsageError('group: --profile-idle takes a file name')
      cfg.procs.profileIdle = value
    } else if (flag === '--mode') {
      if (value !== 'all' && value !== 'inproc' && value !== 'procs') {
        throw new UsageError('group: --mode takes all, inproc or procs')
      }
      cfg.mode = value
    } else if (flag === '--variant') cfg.variants.push(parseVariant(value))
    else throw new UsageError(`group: unknown argument ${flag}`)
  }
  return cfg
}

interface Row {
  n: number
  rate: number
  method: string
  r: CellResult
}

const ms = (x: number): string =>
  Number.isNaN(x) ? '—' : x < 1 ? fixed(x, 2) : x < 10 ? fixed(x, 1) : int(x)

export async function run(opts: BenchOptions): Promise<void> {
  const cfg = config(opts)
  const inproc = cfg.mode !== 'procs' ? await runInProcess(cfg) : []
  const procs =
    cfg.mode !== 'inproc'
      ? await runMultiProcess(cfg.procs, cfg.variants, cfg.baselines)
      : undefined
  if (inproc.length > 0) report(inproc)
  if (procs !== undefined) reportProcs(procs, cfg.procs.rate)
}

async function runInProcess(cfg: Config): Promise<Row[]> {
  console.log(
    `group delivery latency to all members; ${cpus().length} cores, Node ${process.version};` +
      ` ${cfg.senders} rotating senders; all nodes in this process`,
  )
  const rows: Row[] = []
  for (const n of cfg.sizes) {
    const net = await startGroupNet(n, 0x6b697468 + n)
    try {
      const senders = Array.from({ length: Math.min(cfg.senders, n) }, (_, k) =>
        Math.floor((k * n) / Math.min(cfg.senders, n)),
      )
      const sink: Sink = { tracker: undefined }
      const gossip = new GossipsubMethod(net.nodes, senders, sink)
      const meshOk = await gossip.meshReady(cfg.meshTimeoutMs)
      const fanout = await FanoutMethod.create(net.nodes, senders, sink)
      console.log(
        `\nN=${n}: ${net.edges.length} links (${fixed((2 * net.edges.length) / n, 1)} per node,` +
          ` ${net.failedLinks} failed),` +
          ` nodes started in ${int(net.startMs)} ms, linked in ${int(net.connectMs)} ms,` +
          ` gossipsub mesh ${meshOk ? 'ready' : 'NOT ready (timed out)'},` +
          ` fan-out sender dials failed: ${fanout.failedDials}`,
      )
      // One untimed round of each method first (streams, JIT, mesh).
      for (const m of [gossip, fanout] as GroupMethod[]) {
        sink.tracker = new Tracker(n)
        await runCell(m, sink.tracker, senders, 5, 10, cfg.drainMs)
      }
      for (const rate of cfg.rates) {
        for (const m of [gossip, fanout] as GroupMethod[]) {
          sink.tracker = new Tracker(n)
          const r = await runCell(m, sink.tracker, senders, cfg.messages(rate), rate, cfg.drainMs)
          rows.push({ n, rate, method: m.name, r })
          console.log(
            `  ${m.name.padEnd(9)} ${String(rate).padStart(2)}/s: p50 ${ms(r.p50)} ms, p99 ` +
              `${ms(r.p99)} ms, ${r.complete}/${r.sent} to all, send ${ms(r.sendMs)} ms,` +
              ` CPU ${fixed(r.cpuMsPerMessage, 1)} ms/msg, event loop delay p99 ${ms(r.loopP99)} ms`,
          )
        }
      }
      sink.tracker = undefined
      console.log(
        `  lowest gossipsub peer score after the run: ${fixed(gossip.minScore(), 2)}` +
          ` (graylisted below ${PUBSUB_SCORE_THRESHOLDS.graylistThreshold})`,
      )
      gossip.close()
      if (gossip.rejected > 0) console.log(`  (validator rejected ${gossip.rejected} messages)`)
    } finally {
      await net.stop()
    }
  }
  return rows
}

function report(rows: Row[]): void {
  console.log('\nlatency to all members (ms), per group size, rate and method:')
  console.log(
    table(
      [
        'N',
        'msg/s',
        'method',
        'p50',
        'p99',
        'max',
        'to all',
        'dup',
        'send ms',
        'CPU ms/msg',
        'loop p99',
        'loop max',
      ],
      rows.map(({ n, rate, method, r }) => [
        String(n),
        String(rate),
        method,
        ms(r.p50),
        ms(r.p99),
        ms(r.max),
        `${r.complete}/${r.sent}`,
        String(r.duplicates),
        ms(r.sendMs),
        fixed(r.cpuMsPerMessage, 1),
        ms(r.loopP99),
        ms(r.loopMax),
      ]),
    ),
  )
  console.log('')
  const find = (n: number, rate: number, method: string) =>
    rows.find((x) => x.n === n && x.rate === rate && x.method === method)?.r
  const seen = new Set<string>()
  for (const { n, rate } of rows) {
    const key = `${n}/${rate}`
    if (seen.has(key)) continue
    seen.add(key)
    const g = find(n, rate, 'gossipsub')
    const f = find(n, rate, 'fan-out')
    if (g === undefined || f === undefined) continue
    const ratio = f.p99 / g.p99
    console.log(
      `group p99 N=${n} ${rate}/s: gossipsub ${ms(g.p99)} ms fan-out ${ms(f.p99)} ms ratio ` +
        `${Number.isFinite(ratio) ? fixed(ratio, 2) : '—'} (p50 ratio ${fixed(f.p50 / g.p50, 2)})`,
    )
  }
  const goal = find(GOAL.members, GOAL.rate, 'gossipsub')
  if (goal !== undefined) {
    const met = goal.complete === goal.sent && goal.p99 <= GOAL.p99Ms
    console.log(
      `group goal (N=${GOAL.members}, ${GOAL.rate}/s, p99 ≤ ${GOAL.p99Ms} ms): ` +
        `${met ? 'met' : 'NOT met'}, p99 ${ms(goal.p99)} ms, ${goal.complete}/${goal.sent} to all`,
    )
  }
}
