// `npm run bench -- <name> [--smoke] [bench arguments…]`: runs one benchmark.
//
// This is only a dispatcher. Each bench lives in its own module and is imported when it is
// asked for, so running one never loads another's dependencies (libp2p, SQLite…). To add one,
// write bench/<name>.ts exporting `run(options: BenchOptions)` (bench/lib/bench.ts) and add a
// line to BENCHES. Every bench supports `--smoke` (CI runs it to check the bench still works)
// and prints ratios against a baseline measured in the same run (STYLE.md "bench/").
import type { BenchModule } from './lib/bench.js'
import { UsageError } from './lib/bench.js'

interface Entry {
  describe: string
  load(): Promise<BenchModule>
}

const BENCHES: Record<string, Entry> = {
  abuse: {
    describe: 'hostile floods against one daemon (issue 11): victim RSS, CPU, honest p99 vs none',
    load: () => import('./abuse.js'),
  },
  connect: {
    describe:
      'NAT traversal per netns topology variant (root): punch rate, time to direct, first message',
    load: () => import('./connect.js'),
  },
  core: {
    describe: '1:1 session (PQXDH + header-encrypted Double Ratchet) vs libsignal, in memory',
    load: () => import('./core.js'),
  },
  dm: {
    describe: '1:1 messages between two daemons (latency, rate, bytes, start-up) vs Nostr NIP-17',
    load: () => import('./dm.js'),
  },
  files: {
    describe: 'file transfer over loopback: /kith/file vs a raw libp2p stream vs cat, RSS',
    load: () => import('./files.js'),
  },
  group: {
    describe:
      'group message latency to all (10/30/100 nodes, 1 and 50 msg/s): gossipsub vs fan-out',
    load: () => import('./group.js'),
  },
  search: {
    describe: 'full-text search over 100,000 stored messages: FTS5 index vs a LIKE scan',
    load: () => import('./search.js'),
  },
  web: {
    describe: 'the web app in Chromium: bundle gzip, page load, send page → page vs API → socket',
    load: () => import('./web.js'),
  },
  offline: {
    describe: 'offline delivery through a kith relay mailbox (return → stored, bytes) vs NIP-17',
    load: () => import('./offline.js'),
  },
}

function usage(): string {
  const width = Math.max(...Object.keys(BENCHES).map((n) => n.length))
  const lines = Object.entries(BENCHES).map(([n, e]) => `  ${n.padEnd(width)}  ${e.describe}`)
  return [
    'usage: npm run bench -- <name> [--smoke] [options]',
    '',
    'benches:',
    ...lines,
    '',
    '  --smoke  a very short run that only checks the bench still runs (CI); numbers mean nothing',
  ].join('\n')
}

async function main(argv: readonly string[]): Promise<number> {
  // `--smoke` may come before or after the name; everything else after the name is the bench's.
  const smoke = argv.includes('--smoke')
  const [name, ...args] = argv.filter((a) => a !== '--smoke')
  if (name === '--help' || name === '-h') {
    console.log(usage())
    return 0
  }
  const entry = name === undefined ? undefined : BENCHES[name]
  if (entry === undefined) {
    console.error(name === undefined ? 'no bench named' : `unknown bench: ${name}`)
    console.error(usage())
    return 2
  }
  try {
    const bench = await entry.load()
    await bench.run({ smoke, args })
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message)
      console.error(usage())
      return 2
    }
    throw err
  }
  return 0
}

process.exitCode = await main(process.argv.slice(2))
