// `npm run bench -- connect [--smoke] [--suite] [--runs N] [--variant NAME]…`: connectivity across NATs in
// every topology variant of the netns test network (test/netns/variants.ts; issue 12,
// docs/connectivity.md "Variants"). Needs root (network namespaces). Each variant runs in its
// own process (bench/lib/connect-run.ts), N times (default 5; --smoke: the base variant once).
// Prints per variant: punch success rate of the cone ↔ cone pair (direct within 15 s of adding
// the contact), time to direct p50/p95, first-message latency p50/p95 for the cone pair and the
// symmetric pair (relayed); then `connect <variant>: direct <rate> first-msg-p95 <ms>` lines,
// and the ratio of each variant's first-message p95 to the base variant's in the same run.
// `--suite`: instead, the whole netns suite N times per variant, passes per case
// (bench/lib/connect-suite.ts).
import { cpus, loadavg } from 'node:os'
import { UsageError, type BenchOptions } from './lib/bench.js'
import type { ConnectRun } from './lib/connect-run.js'
import { fixed, int, table } from './lib/measure.js'
import { VARIANTS } from '../test/netns/variants.js'
import { runSuites, variantChild } from './lib/connect-suite.js'

interface Result {
  variant: string
  about: string
  punchable: boolean
  runs: ConnectRun[]
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}

function parse(
  args: readonly string[],
  smoke: boolean,
): { runs: number; variants: string[]; suite: boolean } {
  let runs = smoke ? 1 : 5
  let suite = false
  const variants: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--runs') runs = Number(args[++i])
    else if (a === '--suite') suite = true
    else if (a === '--variant') variants.push(String(args[++i]))
    else throw new UsageError(`connect: unknown argument ${a}`)
  }
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError('connect: --runs must be ≥ 1')
  for (const v of variants)
    if (!VARIANTS.some((x) => x.name === v)) throw new UsageError(`connect: no variant ${v}`)
  if (variants.length === 0) variants.push(...(smoke ? ['base'] : VARIANTS.map((v) => v.name)))
  return { runs, variants, suite }
}

/** Runs bench/lib/connect-run.ts for variant `v`; resolves its last stdout line (JSON). */
async function variantRun(root: string, v: string, runs: number): Promise<string> {
  const { code, out } = await variantChild(root, v, [
    '--import',
    'tsx',
    'bench/lib/connect-run.ts',
    String(runs),
  ])
  if (code !== 0) throw new Error(`connect ${v}: exited ${code}`)
  return out.trim().split('\n').at(-1) ?? ''
}

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  const { runs, variants, suite } = parse(args, smoke)
  console.log(
    `connect bench: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ${runs} run(s) per variant${smoke ? ' (smoke: numbers mean nothing)' : ''}`,
  )
  if (process.getuid?.() !== 0) {
    console.log('connect: skipped: network namespaces need root')
    return
  }
  const root = new URL('../', import.meta.url).pathname
  if (suite) return runSuites(root, variants, runs)
  const results: Result[] = []
  for (const v of variants) {
    const line = await variantRun(root, v, runs)
    results.push(JSON.parse(line) as Result)
  }
  const ms = (x: number) => (Number.isFinite(x) ? int(x) : 'n/a')
  const rows = results.map((res) => {
    const direct = res.runs.map((x) => x.directMs).filter((x): x is number => x !== null)
    const cone = res.runs.map((x) => x.firstMsgCone)
    const sym = res.runs.map((x) => x.firstMsgSymmetric)
    return [
      res.variant,
      res.punchable ? 'yes' : 'no',
      `${direct.length}/${res.runs.length}`,
      ms(pct(direct, 50)),
      ms(pct(direct, 95)),
      ms(pct(cone, 50)),
      ms(pct(cone, 95)),
      ms(pct(sym, 50)),
      ms(pct(sym, 95)),
    ]
  })
  console.log(
    table(
      [
        'variant',
        'punchable',
        'direct',
        'to direct p50',
        'p95',
        'first msg cone p50',
        'p95',
        'first msg sym p50',
        'p95',
      ],
      rows,
    ),
  )
  const p95 = (res: Result) =>
    pct([...res.runs.map((x) => x.firstMsgCone), ...res.runs.map((x) => x.firstMsgSymmetric)], 95)
  const base = results.find((x) => x.variant === 'base')
  for (const res of results) {
    const direct = res.runs.filter((x) => x.directMs !== null).length / res.runs.length
    const ratio = base === undefined ? 'n/a' : fixed(p95(res) / p95(base), 2)
    console.log(
      `connect ${res.variant}: direct ${fixed(direct, 2)} first-msg-p95 ${ms(p95(res))} ` +
        `ratio-to-base ${ratio}`,
    )
  }
}
