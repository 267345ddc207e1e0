// The dm bench's start-up and memory figures. A daemon's cold start is the time from spawning
// `kith daemon` to its ready line; its idle RSS is VmRSS after it has sat idle a while. Two homes
// are compared — an empty store and one holding a long history — plus three baseline processes run
// the way bin/kith runs the daemon (bench/lib/dm-rss-child.ts): Node + the polyfill alone, a bare
// libp2p node, and Kith's libp2p node without store, service or API, which together show where
// start-up time and memory go. When bin/kith runs the bundle (dist/bundle/kith.mjs, fresh), each
// baseline is bundled the same way first (scripts/bundle-options.mjs), else run through tsx. Rounds alternate the order; the caller takes medians. This module knows nothing of
// the output.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { build, type BuildOptions } from 'esbuild'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  api,
  NODE_LOADER_ARGS,
  newHome,
  rssMiB,
  spawnUntilReady,
  startDaemon,
  stopChild,
  type Child,
} from './dm-daemons.js'
import { fillHistory, initHome } from './dm-store.js'

const here = new URL('.', import.meta.url).pathname
const CHILD = join(here, 'dm-rss-child.ts')
const ROOT = join(here, '..', '..')

/** Whether bin/kith runs the bundle: the same test as bin/kith's (a stamp no source is newer than). */
function daemonIsBundled(): boolean {
  const stamp = join(ROOT, 'dist', '.stamp')
  if (!existsSync(stamp) || !existsSync(join(ROOT, 'dist', 'bundle', 'kith.mjs'))) return false
  const built = statSync(stamp).mtimeMs
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > built,
    )
  return !newer(join(ROOT, 'src'))
}

/** The command line of a baseline child: bundled like the daemon (the polyfill too) when the
 *  daemon runs bundled, else the TypeScript through tsx, as bin/kith would run it. */
async function childCommand(): Promise<(mode: BaselineMode) => string[]> {
  if (!daemonIsBundled()) return (mode) => [...NODE_LOADER_ARGS, CHILD, mode]
  // Under dist/, so that the native packages left out of the bundle resolve from node_modules.
  mkdirSync(join(ROOT, 'dist', 'bench'), { recursive: true })
  const dir = mkdtempSync(join(ROOT, 'dist', 'bench', 'child-'))
  const { bundleOptions } = (await import(join(ROOT, 'scripts', 'bundle-options.mjs'))) as {
    bundleOptions: (entry: string, outfile: string) => BuildOptions
  }
  const child = join(dir, 'child.mjs')
  const polyfill = join(dir, 'polyfill.mjs')
  await build(bundleOptions(CHILD, child))
  await build(bundleOptions(join(ROOT, 'src', 'platform', 'polyfill.ts'), polyfill))
  return (mode) => ['--import', `file://${polyfill}`, child, mode]
}
export const BASELINE_MODES = ['node', 'bare', 'kith-node'] as const
export type BaselineMode = (typeof BASELINE_MODES)[number]

export interface StartSample {
  readyMs: number
  rssMiB: number
  /** GET /v1/messages?limit=50 right after start (the first screen of a chat app), ms. */
  firstPageMs?: number
}

/** How long a process idles before its settled RSS is read. Right after start V8's heap still
 *  holds the start's garbage: a daemon's RSS fell 8–13 MiB between 2 s and 20 s idle (V8's memory
 *  reducer runs a few seconds after allocation stops), 2026-12-05. */
export const SETTLE_MS = 30_000

export interface StartResult {
  historyMessages: number
  historyConversations: number
  fillMs: number
  /** First start of each home (creates prekeys, warms tsx's cache); not in the samples. */
  firstStartMs: { empty: number; history: number }
  empty: StartSample[]
  history: StartSample[]
  baselines: Record<BaselineMode, StartSample[]>
  /** RSS (MiB) after SETTLE_MS idle, every process started at once (RSS does not depend on
   *  the others; ready times do, so they come from the rounds). Undefined in parallel (smoke) runs. */
  settled?: Record<'empty' | 'history' | BaselineMode, number>
}

export interface StartConfig {
  historyMessages: number
  /** Conversations the history is spread over (one contact each). */
  historyConversations: number
  rounds: number
  /** How long a process sits idle after its ready line before its RSS is read. */
  idleMs: number
  /** Start everything at once (smoke: the numbers mean nothing, only the time does). */
  parallel: boolean
  text: string
}

async function sampleDaemon(home: string, cfg: StartConfig): Promise<StartSample> {
  const d = await startDaemon('start', { home })
  try {
    const t0 = performance.now()
    await api(d, 'GET', '/v1/messages?limit=50')
    const firstPageMs = performance.now() - t0
    await sleep(cfg.idleMs)
    return { readyMs: d.readyMs, rssMiB: rssMiB(d.pid), firstPageMs }
  } finally {
    await stopChild(d.proc)
  }
}

async function sampleChild(
  mode: BaselineMode,
  cfg: StartConfig,
  command: (mode: BaselineMode) => string[],
): Promise<StartSample> {
  const c: Child = await spawnUntilReady(mode, process.execPath, command(mode))
  try {
    await sleep(cfg.idleMs)
    return { readyMs: c.readyMs, rssMiB: rssMiB(c.pid) }
  } finally {
    await stopChild(c.proc)
  }
}

export async function startFigures(cfg: StartConfig): Promise<StartResult> {
  const empty = newHome('empty')
  const history = newHome('history')
  initHome(empty, 'empty')
  initHome(history, 'history')
  const t0 = performance.now()
  fillHistory(history, cfg.historyMessages, cfg.historyConversations, cfg.text)
  const fillMs = performance.now() - t0
  const command = await childCommand()

  const result: StartResult = {
    historyMessages: cfg.historyMessages,
    historyConversations: cfg.historyConversations,
    fillMs,
    firstStartMs: { empty: 0, history: 0 },
    empty: [],
    history: [],
    baselines: { node: [], bare: [], 'kith-node': [] },
  }
  type Job = () => Promise<void>
  const daemonJob =
    (which: 'empty' | 'history'): Job =>
    async () => {
      result[which].push(await sampleDaemon(which === 'empty' ? empty : history, cfg))
    }
  const childJob =
    (mode: BaselineMode): Job =>
    async () => {
      result.baselines[mode].push(await sampleChild(mode, cfg, command))
    }
  const run = async (jobs: Job[]) => {
    if (cfg.parallel) await Promise.all(jobs.map((j) => j()))
    else for (const j of jobs) await j()
  }

  if (!cfg.parallel) {
    // The first start of a store generates its prekeys; tsx compiles what it has not cached.
    await run([daemonJob('empty'), daemonJob('history')])
    result.firstStartMs = { empty: result.empty[0]!.readyMs, history: result.history[0]!.readyMs }
    result.empty = []
    result.history = []
  }
  for (let r = 0; r < cfg.rounds; r++) {
    const daemons = [daemonJob('empty'), daemonJob('history')]
    const children = BASELINE_MODES.map(childJob)
    if (r % 2 === 1) {
      daemons.reverse()
      children.reverse()
    }
    await run([...daemons, ...children])
  }
  if (!cfg.parallel) {
    const settle = { ...cfg, idleMs: SETTLE_MS }
    const [e, h, ...b] = await Promise.all([
      sampleDaemon(empty, settle),
      sampleDaemon(history, settle),
      ...BASELINE_MODES.map((m) => sampleChild(m, settle, command)),
    ])
    result.settled = {
      empty: e.rssMiB,
      history: h.rssMiB,
      ...(Object.fromEntries(BASELINE_MODES.map((m, i) => [m, b[i]!.rssMiB])) as Record<
        BaselineMode,
        number
      >),
    }
  }
  return result
}
