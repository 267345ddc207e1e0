// `npm run bench -- abuse [--smoke] [--only a,b] [--seconds N]`: hostile floods against one
// victim daemon (issue 11 "Tests and figures"). A benchmark, not a test: it asserts nothing.
//
// One honest contact daemon H and, per flood, a victim daemon V in a fresh home (with --smoke one
// V serves every flood, restarted only if it died), both real `./bin/kith daemon` processes on
// 127.0.0.1. H adds V from V's invite. Per flood: H's send → delivered times without a flood
// (BASELINE), then the flood runs for FLOOD (30 s; --smoke 3 s) from in-process js-libp2p nodes
// with fresh keys (bench/abuse/*) while H keeps sending; then every hostile node is stopped and
// V's RSS read again AFTER later. V's RSS is sampled from /proc/<pid>/status every 100 ms, its
// CPU from /proc/<pid>/stat (utime + stime) over the flood. The last lines are the summary, one
// per flood: `abuse <flood>: rss-peak <MB> cpu <s> honest-p99 <ms> ratio <x>` (ratio = H's p99
// under the flood ÷ without), or `abuse <flood>: error <name>` when the flood could not run.
import '../src/platform/polyfill.js'
import { setMaxListeners } from 'node:events'
import { cpus, loadavg } from 'node:os'
import { multiaddr } from '@multiformats/multiaddr'
import { UsageError, type BenchOptions } from './lib/bench.js'
import { closeApiClients, startDaemon, stopAll, type Daemon } from './lib/dm-daemons.js'
import { fixed, int, percentile } from './lib/measure.js'
import { DIAL_RATE_PER_S, FloodStats, HostilePool, Pacer, sleep } from './abuse/attacker.js'
import { FLOODS } from './abuse/floods.js'
import {
  alive,
  cpuSeconds,
  HonestClient,
  invite,
  RssSampler,
  startVictim,
  stopVictim,
  type HonestTimings,
  type Victim,
} from './abuse/victim.js'
import type { DecodedInvite } from '../src/core/wire/invite.js'
import type { Flood } from './abuse/flood.js'

/** The issue's goals, printed beside the figures. */
export const GOAL_RSS_PEAK_MB = 250
export const GOAL_HONEST_P99_MS = 1_000
/** Victim CPU-seconds per second of flood (one core). */
export const GOAL_CPU_CORES = 1
/** A flood is stopped early when the victim's RSS passes this: the machine is shared. */
export const VICTIM_RSS_GUARD_MB = 3_072
/** A flood that has not returned this long after its deadline is abandoned. */
const FLOOD_STOP_GRACE_MS = 15_000

interface Timing {
  floodMs: number
  baselineMs: number
  afterMs: number
}
const FULL: Timing = { floodMs: 30_000, baselineMs: 4_000, afterMs: 3_000 }
const SMOKE: Timing = { floodMs: 3_000, baselineMs: 1_000, afterMs: 1_000 }

interface Row {
  flood: string
  rssBefore: number
  rssPeak: number
  rssAfter: number
  cpuS: number
  base: HonestTimings
  during: HonestTimings
  stats: FloodStats
}

const NO_TIMINGS: HonestTimings = { samples: [], timeouts: 0 }
const log = (s: string) => console.error(`abuse: ${s}`)
const errName = (err: unknown) => (err instanceof Error ? err.name : 'Error')
const mb = (bytes: number) => fixed(bytes / 1e6, 1)

function parseArgs(args: readonly string[], smoke: boolean): { floods: Flood[]; t: Timing } {
  let floods = [...FLOODS]
  const t = { ...(smoke ? SMOKE : FULL) }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const v = args[i + 1]
    if (a === '--only' && v !== undefined) {
      const names = v.split(',')
      const unknown = names.find((n) => !FLOODS.some((f) => f.name === n))
      if (unknown !== undefined) throw new UsageError(`abuse: unknown flood ${unknown}`)
      floods = FLOODS.filter((f) => names.includes(f.name))
      i++
    } else if (a === '--seconds' && v !== undefined && /^\d+$/.test(v) && Number(v) > 0) {
      t.floodMs = Number(v) * 1000
      i++
    } else {
      throw new UsageError(`abuse: unknown argument ${a}`)
    }
  }
  return { floods, t }
}

async function runFlood(
  flood: Flood,
  honest: Daemon,
  client: HonestClient,
  honestInvite: DecodedInvite,
  v: Victim,
  t: Timing,
  smoke: boolean,
  stop: AbortSignal,
): Promise<Row> {
  const pid = v.daemon.pid
  client.phase(v.name, 0)
  await sleep(t.baselineMs, stop)
  const ctrl = new AbortController()
  const signal = AbortSignal.any([stop, ctrl.signal])
  // Every pending sleep, dial and stream of the flood listens to it.
  setMaxListeners(Infinity, signal)
  const stats = new FloodStats()
  const sampler = new RssSampler(pid, (rss) => {
    if (rss > VICTIM_RSS_GUARD_MB && !ctrl.signal.aborted) {
      stats.note += `${stats.note === '' ? '' : '; '}stopped early: victim RSS over ${VICTIM_RSS_GUARD_MB} MB`
      ctrl.abort()
    }
  })
  const rssBefore = sampler.last
  const cpu0 = cpuSeconds(pid)
  let cpu1 = NaN
  signal.addEventListener('abort', () => (cpu1 = cpuSeconds(pid)), { once: true })
  const deadline = setTimeout(() => ctrl.abort(), t.floodMs)
  const pool = new HostilePool(v.addr, new Pacer(DIAL_RATE_PER_S), stats, signal)
  const cx = {
    victim: {
      peerId: v.daemon.peerId,
      addr: multiaddr(v.addr.toString()),
      invite: v.invite,
      contact: honest.peerId,
      contactInvite: honestInvite,
    },
    pool,
    stats,
    signal,
    smoke,
  }
  let failure: Error | undefined
  const running = flood.run(cx).catch((err: unknown) => {
    failure = err instanceof Error ? err : new Error(errName(err))
    ctrl.abort()
  })
  client.phase(v.name, 1)
  await Promise.race([running, new Promise((r) => signal.addEventListener('abort', r))])
  clearTimeout(deadline)
  await Promise.race([running, sleep(FLOOD_STOP_GRACE_MS)])
  const [base = NO_TIMINGS, during = NO_TIMINGS] = await client.collect()
  await pool.stopAll()
  await sleep(t.afterMs)
  sampler.stop()
  if (failure !== undefined) throw failure
  if (!alive(v.daemon)) throw Object.assign(new Error('victim exited'), { name: 'VictimExited' })
  return {
    flood: flood.name,
    rssBefore,
    rssPeak: sampler.peak,
    rssAfter: sampler.last,
    cpuS: cpu1 - cpu0,
    base,
    during,
    stats,
  }
}

function describe(r: Row, floodMs: number): string[] {
  const s = r.stats
  const p = (h: HonestTimings, q: number) => int(percentile(h.samples, q))
  const cores = r.cpuS / (floodMs / 1000)
  const ok = (good: boolean) => (good ? 'ok' : 'MISSED')
  const dict = (m: Map<string, number>) =>
    m.size === 0 ? '–' : [...m].map(([k, n]) => `${k} ×${n}`).join(', ')
  return [
    `${r.flood}: rss ${int(r.rssBefore)} → peak ${int(r.rssPeak)} → after ${int(r.rssAfter)} MB ` +
      `(${ok(r.rssPeak <= GOAL_RSS_PEAK_MB)}); cpu ${fixed(r.cpuS, 1)} s = ${fixed(cores, 2)} cores ` +
      `(${ok(cores <= GOAL_CPU_CORES)}); honest p50/p99 ${p(r.during, 50)}/${p(r.during, 99)} ms ` +
      `over ${r.during.samples.length} (${r.during.timeouts} timeouts; no flood ` +
      `${p(r.base, 50)}/${p(r.base, 99)} ms over ${r.base.samples.length}) ` +
      `(${ok(percentile(r.during.samples, 99) <= GOAL_HONEST_P99_MS)})`,
    `  attack: ${s.identities} identities, ${s.connections} connections, ${s.streams} streams, ` +
      `${mb(s.bytesSent)} MB sent, ${s.ops} ops${s.note === '' ? '' : `; ${s.note}`}`,
    `  victim refused: ${dict(s.refused)}; our errors: ${dict(s.errors)}`,
  ]
}

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  const { floods, t } = parseArgs(args, smoke)
  console.log(
    `abuse bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; ${floods.length} floods × ${t.floodMs / 1000} s` +
      `${smoke ? ' (smoke: numbers mean nothing)' : ''}`,
  )
  console.log(
    `goals: rss-peak ≤ ${GOAL_RSS_PEAK_MB} MB, honest-p99 ≤ ${GOAL_HONEST_P99_MS} ms, ` +
      `victim cpu ≤ ${GOAL_CPU_CORES} core on average (≤ ${(GOAL_CPU_CORES * t.floodMs) / 1000} s per flood)`,
  )
  const interrupted = new AbortController()
  const onSigint = () => {
    log('interrupted: stopping every node and daemon')
    interrupted.abort()
    void stopAll().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSigint)
  const summary: string[] = []
  const details: string[] = []
  let victim: Victim | undefined
  let honest: Daemon | undefined
  let client: HonestClient | undefined
  try {
    honest = await startDaemon('honest')
    const honestInvite = await invite(honest)
    client = new HonestClient(honest)
    for (const [i, flood] of floods.entries()) {
      if (interrupted.signal.aborted) break
      log(`${flood.name} (${flood.describe})`)
      try {
        if (victim !== undefined && (!smoke || !alive(victim.daemon))) {
          await stopVictim(honest, victim)
          victim = undefined
        }
        victim ??= await startVictim(honest, `victim-${i + 1}`)
        const row = await runFlood(
          flood,
          honest,
          client,
          honestInvite,
          victim,
          t,
          smoke,
          interrupted.signal,
        )
        details.push(...describe(row, t.floodMs))
        const r = percentile(row.during.samples, 99) / percentile(row.base.samples, 99)
        summary.push(
          `abuse ${flood.name}: rss-peak ${int(row.rssPeak)} cpu ${fixed(row.cpuS, 1)} ` +
            `honest-p99 ${int(percentile(row.during.samples, 99))} ratio ${Number.isFinite(r) ? fixed(r, 2) : 'n/a'}`,
        )
      } catch (err) {
        log(`${flood.name} failed: ${errName(err)}: ${err instanceof Error ? err.message : ''}`)
        summary.push(`abuse ${flood.name}: error ${errName(err)}`)
        await client.collect() // drop what the failed flood's honest sends timed
      }
    }
  } finally {
    await client?.close()
    if (victim !== undefined && honest !== undefined) await stopVictim(honest, victim)
    await stopAll()
    closeApiClients()
    process.off('SIGINT', onSigint)
  }
  console.log('')
  for (const d of details) console.log(d)
  console.log('')
  for (const s of summary) console.log(s)
  // CI runs --smoke to check that the bench still works: a flood that could not run fails it.
  const failed = summary.filter((s) => s.includes(': error ')).length
  if (smoke && failed > 0)
    throw new AbuseSmokeError(`${failed} of ${summary.length} floods could not run`)
}

/** --smoke (CI): a flood could not run, so the bench is broken. */
export class AbuseSmokeError extends Error {
  override readonly name = 'AbuseSmokeError'
}
