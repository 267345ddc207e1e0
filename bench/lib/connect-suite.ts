// `npm run bench -- connect --suite [--runs N] [--variant V]…`: the whole netns connectivity
// suite (test/netns/connectivity.netns.ts, every case) N times per variant, as issue 12 asks
// ("each case runs ≥ 5 times per variant"): `npm run test:netns` runs it once per variant of the
// day, which is what CI can afford. Each run builds the network from scratch (the suite does);
// the outcome of each case is read from the test runner's TAP output. Prints a table of passes
// per case and variant and `connect-suite <variant>: <passed>/<runs> runs green` lines.
import { spawn } from 'node:child_process'

/** One case's outcome in one run of the suite. */
export type CaseOutcome = 'pass' | 'fail' | 'skip'

/** TAP lines of the suite's cases (nested one level under the describe), in order. */
export function parseCases(tap: string): Map<string, CaseOutcome> {
  const out = new Map<string, CaseOutcome>()
  for (const line of tap.split('\n')) {
    const m = /^ {4}(not )?ok \d+ - (.+?)(?: # (SKIP|TODO)\b.*)?$/.exec(line)
    if (m == null) continue
    const name = m[2]!.trim()
    out.set(name, m[3] != null ? 'skip' : m[1] != null ? 'fail' : 'pass')
  }
  return out
}

/** Runs `node <args>` in `root` for variant `v` (stderr passed through); resolves its exit code
 *  and stdout. Both modes of the connect bench run their variant in a child this way. */
export function variantChild(
  root: string,
  v: string,
  args: readonly string[],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, KITH_NET_VARIANT: v },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code, out }))
  })
}

/** Runs the suite once in variant `v`; resolves each case's outcome and the run's status. */
export async function suiteOnce(
  root: string,
  v: string,
): Promise<{ cases: Map<string, CaseOutcome>; ok: boolean; ms: number }> {
  const started = Date.now()
  const { code, out } = await variantChild(root, v, [
    '--import',
    'tsx',
    '--import',
    './src/platform/polyfill.ts',
    '--test',
    '--test-reporter=tap',
    'test/netns/connectivity.netns.ts',
  ])
  return { cases: parseCases(out), ok: code === 0, ms: Date.now() - started }
}

/** Case name → its number ("3" of "3. NAT ↔ NAT …"), for short column labels. */
const label = (name: string): string => /^(\d+b?)\./.exec(name)?.[1] ?? name.slice(0, 12)

/** Runs the suite `runs` times per variant and prints passes per case (skips shown as "–"). */
export async function runSuites(root: string, variants: string[], runs: number): Promise<void> {
  const rows: string[][] = []
  const names = new Set<string>()
  const byVariant = new Map<string, Array<Map<string, CaseOutcome>>>()
  const green = new Map<string, number>()
  for (const v of variants) {
    const results: Array<Map<string, CaseOutcome>> = []
    for (let i = 1; i <= runs; i++) {
      const r = await suiteOnce(root, v)
      results.push(r.cases)
      for (const n of r.cases.keys()) names.add(n)
      if (r.ok) green.set(v, (green.get(v) ?? 0) + 1)
      const failed = [...r.cases].filter(([, o]) => o === 'fail').map(([n]) => label(n))
      console.log(
        `connect-suite ${v} run ${i}/${runs}: ${r.ok ? 'green' : 'red'} in ` +
          `${(r.ms / 1000).toFixed(0)} s${failed.length > 0 ? `, failed: ${failed.join(' ')}` : ''}`,
      )
    }
    byVariant.set(v, results)
  }
  const cases = [...names]
  for (const v of variants) {
    const results = byVariant.get(v) ?? []
    rows.push([
      v,
      ...cases.map((n) => {
        const outs = results.map((r) => r.get(n)).filter((o) => o !== undefined)
        const ran = outs.filter((o) => o !== 'skip')
        if (ran.length === 0) return '–'
        return `${ran.filter((o) => o === 'pass').length}/${ran.length}`
      }),
    ])
  }
  const head = ['variant', ...cases.map(label)]
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ')
  console.log(line(head))
  for (const r of rows) console.log(line(r))
  for (const [i, n] of cases.entries()) console.log(`  ${head[i + 1]}: ${n}`)
  for (const v of variants)
    console.log(`connect-suite ${v}: ${green.get(v) ?? 0}/${runs} runs green`)
}
