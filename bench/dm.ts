// `npm run bench -- dm [--smoke] [--only PHASES] [--profile DIR]`: 1:1 messages between two real
// Kith daemons on loopback, against Nostr NIP-17 DMs through a local relay and against a raw
// libp2p stream, in one run. Phases (all by default; `--only latency,rate,bytes,start,floor`):
//   latency  one message at a time, ≥ 1,000 of them: POST /v1/messages at daemon A → the
//            `message` event on daemon B's /v1/events WebSocket; p50 and p99. Baselines: a NIP-17
//            gift wrap from wrapping at the sender to unwrapped at the recipient, and a raw
//            libp2p length-prefixed echo (TCP + Noise + yamux) in this process.
//   rate     5,000 messages POSTed by 8 concurrent clients; time until B announced them all, and
//            B's stored history checked for every one (lost, duplicates). Baseline: 5,000 NIP-17
//            DMs published by 8 concurrent senders through the relay. Then the same count again
//            in batches of MAX_SEND_BATCH (POST /v1/messages with "texts", as `kith send -
//            --lines`) from BATCH_CLIENTS clients: the `batch rate` figure, same checks.
//   bytes    the /kith/dm frame of one short text (computed with the core; plus TCP bytes per
//            message measured on the daemons' connection during `latency`), against the JSON
//            of the NIP-17 gift wrap event for the same text.
//   start    spawn → ready line of a daemon whose store holds 100,000 messages, against an empty
//            one; idle RSS of the daemons, against a bare libp2p node in its own process.
//   floor    each step of the latency phase's critical path measured alone as a primitive in this
//            run (./lib/dm-floor.ts): an HTTP POST to a minimal server in a child process, A's and
//            B's one-message SQLCipher transactions in real stores, the ratchet encrypt and
//            decrypt, the raw libp2p one-way figure, a WebSocket push of B's event from a child;
//            their p50s summed, against the latency phase's p50 when it ran.
// `--profile DIR` runs daemons A and B under `node --cpu-prof` and prints where their CPU went.
// The last lines are the summary, one per figure: `dm <metric>: kith <x> <baseline> <y> ratio
// <z>`, where the ratio is always oriented so that > 1 means Kith does better (baseline ÷ kith for
// times, bytes and memory; kith ÷ baseline for rates).
// A benchmark, not a test: it asserts nothing about speed, only that every message arrived once.
import '../src/platform/polyfill.js'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { UsageError, type BenchOptions } from './lib/bench.js'
import {
  closeApiClients,
  cpuMs,
  openEvents,
  rssMiB,
  startPair,
  stopAll,
  stopChild,
  type Daemon,
} from './lib/dm-daemons.js'
import { kithLatencies, kithRate } from './lib/dm-kith.js'
import { giftWrapOf, nostrLatencies, nostrPair, nostrRate, startRelay } from './lib/dm-nostr.js'
import { findProfile, formatProfile, summarizeProfile } from './lib/dm-profile.js'
import { MAX_SEND_BATCH } from '../src/service/direct/outbox.js'
import { kithBatchRate } from './lib/dm-batch.js'
import { rawEcho } from './lib/dm-raw.js'
import { SETTLE_MS, startFigures, type StartSample } from './lib/dm-start.js'
import { kithWireSizes, tcpCounters } from './lib/dm-wire.js'
import { fixed, int, median, percentile, table } from './lib/measure.js'
import { formatFloor, measureFloor } from './lib/dm-floor.js'

/** The short message of every figure (30 bytes). */
export const SHORT_TEXT = 'hello, this is a short message'

const PHASES = ['latency', 'rate', 'bytes', 'start', 'floor'] as const

/** Concurrent clients of the batch-rate figure: two, so A queues the next batch while it
 *  flushes the previous one (`kith send - --lines` has one). */
const BATCH_CLIENTS = 2
type Phase = (typeof PHASES)[number]

interface Config {
  latencyWarmup: number
  latencyMessages: number
  /** Untimed messages between the latency figure and its warm repeat (the daemons' JIT). */
  latencyWarmMore: number
  nostrLatencyMessages: number
  rateMessages: number
  inFlight: number
  rateTimeoutMs: number
  historyMessages: number
  historyConversations: number
  startRounds: number
  idleMs: number
  /** Rounds of each primitive of the floor, and its warm-up rounds. */
  floorRounds: number
  floorWarmup: number
}

const FULL: Config = {
  latencyWarmup: 100,
  latencyMessages: 1000,
  latencyWarmMore: 4000,
  nostrLatencyMessages: 1000,
  rateMessages: 5000,
  inFlight: 8,
  rateTimeoutMs: 300_000,
  historyMessages: 100_000,
  historyConversations: 50,
  startRounds: 3,
  idleMs: 2000,
  floorRounds: 1000,
  floorWarmup: 100,
}
// CI only checks that everything still runs end to end.
const SMOKE: Config = {
  latencyWarmup: 3,
  latencyMessages: 20,
  latencyWarmMore: 20,
  nostrLatencyMessages: 10,
  rateMessages: 100,
  inFlight: 8,
  rateTimeoutMs: 30_000,
  historyMessages: 1000,
  historyConversations: 5,
  startRounds: 1,
  idleMs: 100,
  floorRounds: 20,
  floorWarmup: 3,
}

interface Args {
  phases: Set<Phase>
  profileDir: string | undefined
}

function parseArgs(args: readonly string[]): Args {
  const out: Args = { phases: new Set(PHASES), profileDir: undefined }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const value = () => {
      const v = args[++i]
      if (v === undefined) throw new UsageError(`dm: ${a} needs a value`)
      return v
    }
    if (a === '--only') {
      const names = value().split(',')
      for (const n of names) {
        if (!(PHASES as readonly string[]).includes(n)) {
          throw new UsageError(`dm: unknown phase ${n} (phases: ${PHASES.join(', ')})`)
        }
      }
      out.phases = new Set(names as Phase[])
    } else if (a === '--profile') {
      out.profileDir = resolve(value())
    } else {
      throw new UsageError(`dm: unknown argument ${a}`)
    }
  }
  return out
}

const ms = (x: number) => (x < 10 ? fixed(x, 2) : x < 100 ? fixed(x, 1) : int(x))
const ratio = (x: number) => (Number.isFinite(x) ? fixed(x, 2) : 'n/a')
const log = (s: string) => console.error(`dm: ${s}`)

function latencyRow(name: string, v: readonly number[]): string[] {
  return [
    name,
    String(v.length),
    ms(percentile(v, 50)),
    ms(percentile(v, 90)),
    ms(percentile(v, 99)),
    ms(Math.max(...v)),
    ms(v.reduce((s, x) => s + x, 0) / v.length),
  ]
}

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  const { phases, profileDir } = parseArgs(args)
  const cfg = smoke ? SMOKE : FULL
  const nodeFlags: string[] = []
  if (profileDir !== undefined) {
    mkdirSync(profileDir, { recursive: true })
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`)
  }
  console.log(
    `dm bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
      `load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}${smoke ? ' (smoke: numbers mean nothing)' : ''}`,
  )
  const summary: string[] = []
  const line = (metric: string, kith: string, base: string, baseValue: string, r: number) =>
    summary.push(`dm ${metric}: kith ${kith} ${base} ${baseValue} ratio ${ratio(r)}`)

  try {
    let latency: LatencyFigures = {}
    if (phases.has('latency') || phases.has('rate')) {
      latency = await messagePhases(cfg, phases, nodeFlags, line, profileDir)
    }
    if (phases.has('bytes')) await bytesPhase(line, latency.perMessageTcp)
    if (phases.has('start')) await startPhase(cfg, smoke, line)
    if (phases.has('floor')) summary.push(await floorPhase(cfg, smoke, latency))
  } finally {
    await stopAll()
    closeApiClients()
  }
  console.log('')
  for (const s of summary) console.log(s)
}

/** CPU time of A, B and this process between two points, per message. */
function cpuMeter(a: Daemon, b: Daemon): () => (messages: number) => string {
  return () => {
    const a0 = cpuMs(a.pid)
    const b0 = cpuMs(b.pid)
    const self0 = process.cpuUsage()
    return (messages) => {
      const self = process.cpuUsage(self0)
      const per = (x: number) => fixed(x / messages, 2)
      return (
        `CPU per message (ms): daemon A ${per(cpuMs(a.pid) - a0)}, daemon B ${per(cpuMs(b.pid) - b0)}, ` +
        `bench process ${per((self.user + self.system) / 1000)}`
      )
    }
  }
}

type Line = (metric: string, kith: string, base: string, baseValue: string, r: number) => void

/** What the latency phase hands on: the TCP bytes per message, and for the floor its p50 and
 *  the raw libp2p one-way times. */
interface LatencyFigures {
  perMessageTcp?: { aToB: number; bToA: number }
  kithP50?: number
  /** The same after the warm-up of "Cold and warm" (docs/performance.md). */
  kithWarmP50?: number
  rawOneWay?: number[]
}

async function messagePhases(
  cfg: Config,
  phases: Set<Phase>,
  nodeFlags: string[],
  line: Line,
  profileDir: string | undefined,
): Promise<LatencyFigures> {
  log('starting daemons A and B')
  const { a, b } = await startPair({ nodeFlags })
  const eventsB = await openEvents(b)
  const figures: LatencyFigures = {}
  const windows: ProfileWindow[] = []
  const cpu = cpuMeter(a, b)
  try {
    // Dial, PQXDH, the first ack: then every message is a plain ratchet message on a warm path.
    await kithLatencies(a, b, eventsB, SHORT_TEXT, cfg.latencyWarmup)

    if (phases.has('latency')) {
      log(`kith latency: ${cfg.latencyMessages} messages one at a time`)
      const before = tcpCounters(b.port)
      const t0 = performance.now()
      const cpuDone = cpu()
      const kith = await kithLatencies(a, b, eventsB, SHORT_TEXT, cfg.latencyMessages)
      const cpuLine = cpuDone(kith.length)
      windows.push({ phase: 'latency', from: t0, to: performance.now(), messages: kith.length })
      const after = tcpCounters(b.port)
      if (before !== undefined && after !== undefined && after.connections > 0) {
        figures.perMessageTcp = {
          aToB: (after.received - before.received) / cfg.latencyMessages,
          bToA: (after.sent - before.sent) / cfg.latencyMessages,
        }
      }
      // The same again on daemons that have run a while: the first thousand messages after a
      // start run partly in V8's interpreter and baseline tiers (docs/performance.md "Cold and
      // warm"); a node that has been up for a day is past that.
      log(`kith latency, warm: ${cfg.latencyWarmMore} more untimed, then ${cfg.latencyMessages}`)
      await kithLatencies(a, b, eventsB, SHORT_TEXT, cfg.latencyWarmMore)
      const warmCpu = cpu()
      const warm = await kithLatencies(a, b, eventsB, SHORT_TEXT, cfg.latencyMessages)
      const warmCpuLine = warmCpu(warm.length)
      const frame = (await kithWireSizes(SHORT_TEXT)).frameBytes
      log(`raw libp2p: ${cfg.latencyMessages} echoes of ${frame} B`)
      const raw = await rawEcho(frame, cfg.latencyMessages, cfg.latencyWarmup)
      log(`nostr latency: ${cfg.nostrLatencyMessages} NIP-17 DMs one at a time`)
      const relay = await startRelay()
      const pair = await nostrPair(relay.url)
      await nostrLatencies(pair, SHORT_TEXT, Math.min(20, cfg.latencyWarmup))
      const nostr = await nostrLatencies(pair, SHORT_TEXT, cfg.nostrLatencyMessages)
      pair.close()
      await relay.close()

      console.log('\nlatency, one message at a time (ms):')
      console.log(
        table(
          ['path', 'n', 'p50', 'p90', 'p99', 'max', 'mean'],
          [
            latencyRow('kith: POST at A → event at B', kith),
            latencyRow(`kith, warm (after ${cfg.latencyWarmMore} more)`, warm),
            latencyRow('nostr NIP-17: wrap → relay → unwrapped', nostr),
            latencyRow(`raw libp2p ${frame} B: write → handler`, raw.oneWay),
            latencyRow(`raw libp2p ${frame} B: round trip`, raw.rtt),
          ],
        ),
      )
      console.log(`kith: ${cpuLine}`)
      console.log(`kith, warm: ${warmCpuLine}`)
      const k50 = percentile(kith, 50)
      const k99 = percentile(kith, 99)
      const n50 = percentile(nostr, 50)
      line('latency p50 (ms)', ms(k50), 'nostr', ms(n50), n50 / k50)
      line(
        'latency p99 (ms)',
        ms(k99),
        'nostr',
        ms(percentile(nostr, 99)),
        percentile(nostr, 99) / k99,
      )
      const w50 = percentile(warm, 50)
      line('latency warm p50 (ms)', ms(w50), 'cold', ms(k50), k50 / w50)
      line(
        'latency warm p99 (ms)',
        ms(percentile(warm, 99)),
        'cold',
        ms(k99),
        k99 / percentile(warm, 99),
      )
      const r50 = percentile(raw.oneWay, 50)
      line('latency p50 vs raw libp2p (ms)', ms(k50), 'raw', ms(r50), r50 / k50)
      figures.kithP50 = k50
      figures.kithWarmP50 = w50
      figures.rawOneWay = raw.oneWay
    }

    if (phases.has('rate')) {
      log(`kith rate: ${cfg.rateMessages} messages, ${cfg.inFlight} clients`)
      const t0 = performance.now()
      const cpuDone = cpu()
      const kith = await kithRate(
        a,
        b,
        eventsB,
        () => SHORT_TEXT,
        cfg.rateMessages,
        cfg.inFlight,
        cfg.rateTimeoutMs,
      )
      const cpuLine = cpuDone(cfg.rateMessages)
      windows.push({ phase: 'rate', from: t0, to: t0 + kith.ms, messages: kith.stored })
      const rss = { a: rssMiB(a.pid), b: rssMiB(b.pid) }
      // The same count again, queued in batches (issue 17: POST /v1/messages with "texts", as
      // `kith send - --lines` does), on the same pair.
      log(`kith batch rate: ${cfg.rateMessages} messages in batches of ${MAX_SEND_BATCH}`)
      const tb = performance.now()
      const cpuBatchDone = cpu()
      const batch = await kithBatchRate(
        a,
        b,
        eventsB,
        (i) => `${SHORT_TEXT} ${i}`,
        cfg.rateMessages,
        MAX_SEND_BATCH,
        BATCH_CLIENTS,
        cfg.rateTimeoutMs,
      )
      const cpuBatchLine = cpuBatchDone(cfg.rateMessages)
      windows.push({ phase: 'rate', from: tb, to: tb + batch.ms, messages: batch.stored })
      log(`nostr rate: ${cfg.rateMessages} NIP-17 DMs, ${cfg.inFlight} senders`)
      const relay = await startRelay()
      const pair = await nostrPair(relay.url)
      const nostr = await nostrRate(
        pair,
        (i) => `${SHORT_TEXT} ${i}`,
        cfg.rateMessages,
        cfg.inFlight,
        cfg.rateTimeoutMs,
      )
      pair.close()
      await relay.close()
      const kithRateS = (kith.stored * 1000) / kith.ms
      const nostrRateS = (nostr.received * 1000) / nostr.ms
      const batchRateS = (batch.stored * 1000) / batch.ms
      console.log(`\nsustained rate, ${cfg.rateMessages} messages, ${cfg.inFlight} in flight:`)
      console.log(
        table(
          ['path', 'msg/s', 'seconds', 'stored', 'lost', 'duplicates'],
          [
            [
              'kith: POSTs at A → stored at B',
              int(kithRateS),
              fixed(kith.ms / 1000, 2),
              String(kith.stored),
              String(kith.lost),
              String(kith.duplicates),
            ],
            [
              'kith: POSTs answered (queued at A)',
              int((cfg.rateMessages * 1000) / kith.postMs),
              fixed(kith.postMs / 1000, 2),
              '—',
              '—',
              '—',
            ],
            [
              `kith batches of ${MAX_SEND_BATCH}: POSTs → stored at B`,
              int(batchRateS),
              fixed(batch.ms / 1000, 2),
              String(batch.stored),
              String(batch.lost),
              String(batch.duplicates),
            ],
            [
              `kith batches of ${MAX_SEND_BATCH}: POSTs answered`,
              int((cfg.rateMessages * 1000) / batch.postMs),
              fixed(batch.postMs / 1000, 2),
              '—',
              '—',
              '—',
            ],
            [
              'nostr NIP-17: wrap → relay → unwrapped',
              int(nostrRateS),
              fixed(nostr.ms / 1000, 2),
              String(nostr.received),
              String(nostr.lost),
              '—',
            ],
          ],
        ),
      )
      const l = kith.latencies
      console.log(
        `kith under load, POST → event at B (ms): p50 ${ms(percentile(l, 50))} ` +
          `p99 ${ms(percentile(l, 99))} max ${ms(Math.max(...l))}; ` +
          `RSS after: A ${int(rss.a)} MiB, B ${int(rss.b)} MiB`,
      )
      console.log(`kith: ${cpuLine}`)
      const lb = batch.latencies
      console.log(
        `kith batches, POST → event at B (ms): p50 ${ms(percentile(lb, 50))} ` +
          `p99 ${ms(percentile(lb, 99))}; ${cpuBatchLine}`,
      )
      line('rate (msg/s)', int(kithRateS), 'nostr', int(nostrRateS), kithRateS / nostrRateS)
      line(
        `lost (of ${cfg.rateMessages})`,
        String(kith.lost),
        'nostr',
        String(nostr.lost),
        nostr.lost / kith.lost,
      )
      line('batch rate (msg/s)', int(batchRateS), 'nostr', int(nostrRateS), batchRateS / nostrRateS)
      line(
        `batch lost (of ${cfg.rateMessages})`,
        String(batch.lost),
        'nostr',
        String(nostr.lost),
        nostr.lost / batch.lost,
      )
    }
  } finally {
    eventsB.close()
    await Promise.all([stopChild(a.proc), stopChild(b.proc)])
  }
  if (profileDir !== undefined) printProfiles(profileDir, [a, b], windows)
  return figures
}

/**
 * The floor of one message (./lib/dm-floor.ts): each step of the latency phase's critical path
 * measured alone, summed, against the latency phase's p50 when it ran. Returns the summary line.
 */
async function floorPhase(cfg: Config, smoke: boolean, latency: LatencyFigures): Promise<string> {
  log(`floor: ${cfg.floorRounds} rounds of each primitive`)
  const frameBytes = (await kithWireSizes(SHORT_TEXT)).frameBytes
  const r = await measureFloor({
    rounds: cfg.floorRounds,
    warmup: cfg.floorWarmup,
    text: SHORT_TEXT,
    frameBytes,
    ...(latency.rawOneWay !== undefined ? { rawOneWay: latency.rawOneWay } : {}),
    overlapChildStart: smoke,
  })
  const report = formatFloor(r, latency.kithP50)
  console.log(`
floor of one message: its steps alone, one at a time (ms; CPU µs per call):`)
  console.log(report.text)
  const vs = (label: string, kith: number | undefined): string =>
    `dm latency ${label}floor (ms): sum ${fixed(report.sum, 2)} kith p50 ` +
    `${kith === undefined ? 'n/a' : ms(kith)} ratio ${kith === undefined ? 'n/a' : ratio(kith / report.sum)}`
  return `${vs('', latency.kithP50)}\n${vs('warm ', latency.kithWarmP50)}`
}

interface ProfileWindow {
  phase: Phase
  /** performance.now() in this process */
  from: number
  to: number
  messages: number
}

function printProfiles(dir: string, daemons: Daemon[], windows: ProfileWindow[]): void {
  for (const w of windows) {
    for (const d of daemons) {
      const file = findProfile(dir, `.${d.pid}.0.`)
      if (file === undefined) continue
      // The profile starts with the process: a few ms after spawn, close enough for a window.
      const window = { fromMs: w.from - d.spawnedAt, toMs: w.to - d.spawnedAt }
      console.log(`\nCPU profile of daemon ${d.name} during '${w.phase}' (${w.messages} messages):`)
      console.log(formatProfile(summarizeProfile(file, window), w.messages))
    }
  }
}

async function bytesPhase(
  line: Line,
  perMessageTcp: { aToB: number; bToA: number } | undefined,
): Promise<void> {
  const k = await kithWireSizes(SHORT_TEXT)
  const wraps = Array.from({ length: 20 }, () => JSON.stringify(giftWrapOf(SHORT_TEXT)).length)
  const nostr = wraps.reduce((s, x) => s + x, 0) / wraps.length
  const nostrFrame = `["EVENT",${JSON.stringify(giftWrapOf(SHORT_TEXT))}]`.length
  console.log(`\nbytes for "${SHORT_TEXT}" (${k.textBytes} B of text):`)
  const rows = [
    ['kith /kith/dm frame (computed with the core)', String(k.frameBytes)],
    ['kith first frame of a session (PQXDH prekey header)', String(k.firstFrameBytes)],
    ['kith frame + yamux header + Noise framing (computed)', String(k.tcpBytes)],
    ['kith ack frame (delivery receipt, one id)', String(k.ackFrameBytes)],
    ['nostr NIP-17 gift wrap event JSON (mean of 20)', int(nostr)],
    ['nostr ["EVENT", wrap] as sent to the relay', String(nostrFrame)],
  ]
  if (perMessageTcp !== undefined) {
    rows.push(
      ['kith TCP payload A→B per message (measured, `latency`)', int(perMessageTcp.aToB)],
      ['kith TCP payload B→A per message (measured: acks etc.)', int(perMessageTcp.bToA)],
    )
  }
  console.log(table(['what', 'bytes'], rows))
  line(
    'bytes per short message (B)',
    String(k.frameBytes),
    'nostr',
    int(nostr),
    nostr / k.frameBytes,
  )
}

async function startPhase(cfg: Config, smoke: boolean, line: Line): Promise<void> {
  log(`cold start: filling a store with ${cfg.historyMessages} messages, ${cfg.startRounds} rounds`)
  const r = await startFigures({
    historyMessages: cfg.historyMessages,
    historyConversations: cfg.historyConversations,
    rounds: cfg.startRounds,
    idleMs: cfg.idleMs,
    parallel: smoke,
    text: SHORT_TEXT,
  })
  const med = (s: StartSample[], f: (x: StartSample) => number | undefined) =>
    median(s.map((x) => f(x) ?? NaN))
  const row = (name: string, s: StartSample[]) => [
    name,
    int(med(s, (x) => x.readyMs)),
    s.map((x) => int(x.readyMs)).join(' '),
    int(med(s, (x) => x.rssMiB)),
    s[0]?.firstPageMs === undefined
      ? '—'
      : fixed(
          med(s, (x) => x.firstPageMs),
          1,
        ),
  ]
  const history = `kith daemon, ${cfg.historyMessages} messages in ${cfg.historyConversations} chats`
  console.log(
    `\nstart-up: spawn → ready line, median of ${cfg.startRounds}; RSS after ${cfg.idleMs} ms idle ` +
      `(store filled in ${int(r.fillMs)} ms; first starts: empty ${int(r.firstStartMs.empty)} ms, ` +
      `history ${int(r.firstStartMs.history)} ms):`,
  )
  console.log(
    table(
      ['process', 'ready ms', 'each', 'RSS MiB', 'first page ms'],
      [
        row(history, r.history),
        row('kith daemon, empty store', r.empty),
        row('createKithNode() only (no store/service/API)', r.baselines['kith-node']),
        row('bare libp2p node (TCP, Noise, yamux)', r.baselines.bare),
        row('node + tsx + polyfill, nothing else', r.baselines.node),
      ],
    ),
  )
  const hist = med(r.history, (x) => x.readyMs)
  const empty = med(r.empty, (x) => x.readyMs)
  line(
    `cold start with ${cfg.historyMessages} messages (ms)`,
    int(hist),
    'empty',
    int(empty),
    empty / hist,
  )
  const rss = med(r.empty, (x) => x.rssMiB)
  const bare = med(r.baselines.bare, (x) => x.rssMiB)
  line('idle RSS (MiB)', int(rss), 'bare-libp2p', int(bare), bare / rss)
  const st = r.settled
  if (st !== undefined) {
    console.log(
      `\nRSS after ${SETTLE_MS / 1000} s idle (all at once), MiB: history ${fixed(st.history, 1)}, ` +
        `empty ${fixed(st.empty, 1)}, createKithNode ${fixed(st['kith-node'], 1)}, ` +
        `bare libp2p ${fixed(st.bare, 1)}, node ${fixed(st.node, 1)}`,
    )
    line(
      `settled RSS, ${cfg.historyMessages} messages (MiB)`,
      fixed(st.history, 1),
      'bare-libp2p',
      fixed(st.bare, 1),
      st.bare / st.history,
    )
  }
}
