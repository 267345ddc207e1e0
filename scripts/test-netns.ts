// `npm run test:netns` (root): the network-namespace tests (docs/connectivity.md). The NAT
// connectivity suite runs once per topology variant of this run: `base` always, plus one more
// variant that rotates with the day of the year, so CI stays short and still sweeps every
// variant over a week (the full matrix, several runs each, is `npm run bench -- connect`).
// KITH_NET_VARIANTS="a b" picks the variants; every other test/netns/*.netns.ts runs once.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { VARIANTS } from '../test/netns/variants.js'

const others = VARIANTS.filter((v) => v.name !== 'base').map((v) => v.name)
const day = Math.floor(Date.now() / 86_400_000)
const chosen = (process.env.KITH_NET_VARIANTS ?? `base ${others[day % others.length]}`)
  .split(/\s+/)
  .filter((v) => v !== '')
const node = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './src/platform/polyfill.ts', '--test', ...args],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  ).status ?? 1

let failed = 0
for (const v of chosen) {
  console.log(`\n== connectivity, variant ${v}`)
  failed += node(['test/netns/connectivity.netns.ts'], { KITH_NET_VARIANT: v }) === 0 ? 0 : 1
}
const rest = readdirSync('test/netns')
  .filter((f) => f.endsWith('.netns.ts') && f !== 'connectivity.netns.ts')
  .map((f) => `test/netns/${f}`)
if (rest.length > 0) failed += node(rest) === 0 ? 0 : 1
process.exit(failed === 0 ? 0 : 1)
