// `npm run bench -- search [--smoke]`: `kith search` on a large history (docs/cli.md "Search,
// backup and restore"). A real encrypted store (SQLCipher, WAL) with N = 100,000 messages
// (2,000 with --smoke) over 20 conversations, each text two of 8 common words, a number and one
// of 1,000 rarer words. Per query: the FTS5 index (src/store/search.ts, newest 50) against the
// baseline a store without an index would do, `text LIKE '%word%'` over every row (also newest
// 50). Median of 9 runs each. The last lines are the summary, `search <query>: fts <ms> like <ms>
// ratio <like ÷ fts>` (> 1: the index is faster). Also the cost the index adds per insert: one
// message per write transaction with the index kept in the commit (migration 10) against the
// deferred index of migration 13 and no FTS trigger at all, and the deferred catch-up per row
// (./lib/search-insert.ts); summary `search insert: in-commit <µs> deferred <µs> ratio <÷>`.
// Measured here (100k): a rare word 0.09 ms vs 10.6 ms, two words 1.1 vs 21.8, no match 0.04 vs
// 18.2; a word in a quarter of all messages 4.0 vs 0.10 ms — the scan walks the newest rows in
// display order and stops after 50 hits, while the index collects every match to sort it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IdentityKeyPair } from '../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../src/platform/node-crypto.js'
import { createNodeStore } from '../src/store/sqlite.js'
import type { SqliteDatabase } from '../src/store/database.js'
import { noExtraArgs, type BenchOptions } from './lib/bench.js'
import { median, table } from './lib/measure.js'
import { measureInsertCost } from './lib/search-insert.js'

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']
const RUNS = 9

function fill(db: SqliteDatabase, n: number, offset: number): number {
  const insert = db.prepare(
    `INSERT INTO messages (id, conversation, sender, direction, seq, text, sent_at, received_at,
      status, sort_at) VALUES (?, ?, ?, 'in', ?, ?, ?, ?, 'delivered', ?)`,
  )
  const t0 = performance.now()
  db.transaction(() => {
    for (let j = 0; j < n; j++) {
      const i = offset + j
      const text = `${WORDS[i % 8]} ${WORDS[(i * 7) % 8]} message number ${i} rare${i % 1000}`
      insert.run(`m${i}`, `c${i % 20}`, `c${i % 20}`, i, text, i, i, i)
    }
  })()
  return performance.now() - t0
}

export async function run({ smoke, args }: BenchOptions): Promise<void> {
  noExtraArgs('search', args)
  const n = smoke ? 2_000 : 100_000
  const dir = mkdtempSync(join(tmpdir(), 'kith-bench-search-'))
  const store = createNodeStore(
    join(dir, 'home'),
    IdentityKeyPair.generate(nodeCrypto, nodeRng),
    'bench',
  )
  try {
    const db = (store as unknown as { db: SqliteDatabase }).db
    const inserted = fill(db, n, 0) // deferred: not indexed yet (migration 13)
    const t0 = performance.now()
    store.search.catchUp()
    const indexed = performance.now() - t0
    db.exec('DROP TRIGGER messages_fts_insert')
    const without = fill(db, n / 10, n) // a tenth more rows, unindexed, for the insert cost
    db.exec(`DELETE FROM messages WHERE rowid > ${n}`)
    const like = db.prepare(
      `SELECT id FROM messages WHERE text LIKE ? ORDER BY sort_at DESC, sender DESC, seq DESC,
        id DESC LIMIT 50`,
    )
    const time = (fn: () => unknown) =>
      median(
        Array.from({ length: RUNS }, () => {
          const t = performance.now()
          fn()
          return performance.now() - t
        }),
      )
    const rows: string[][] = []
    const summary: string[] = []
    for (const q of ['rare999', 'alpha', 'alpha bravo', 'absent']) {
      const fts = time(() => store.search.search(q))
      const scan = time(() =>
        q.split(' ').length === 1 ? like.all(`%${q}%`) : like.all(`%${q.replace(' ', '%')}%`),
      )
      rows.push([q, fts.toFixed(2), scan.toFixed(2), (scan / fts).toFixed(2)])
      summary.push(
        `search ${q}: fts ${fts.toFixed(2)} ms like ${scan.toFixed(2)} ms ratio ${(scan / fts).toFixed(2)}`,
      )
    }
    const us = (ms: number, count: number) => ((ms / count) * 1000).toFixed(1)
    console.log(
      `search bench: ${n} messages${smoke ? ' (smoke: numbers mean nothing)' : ''}, all in one ` +
        `transaction: insert ${us(inserted, n)} µs per message (index deferred), then the ` +
        `catch-up ${us(indexed, n)} µs per message; ${us(without, n / 10)} µs with no FTS trigger`,
    )
    console.log(table(['query', 'fts ms', 'like ms', 'ratio'], rows))
    const cost = measureInsertCost(smoke)
    const p = cost.cpu
    const inCommit = p['indexed in the commit (migration 10)']
    const deferred = p['deferred (migration 13)']
    console.log(
      `\none message per write transaction (SQLCipher, WAL), µs per insert, median of ` +
        `${cost.rounds} rounds × ${cost.rows}:`,
    )
    console.log(
      table(
        ['store', 'CPU µs', 'wall µs'],
        Object.entries(p).map(([v, x]) => [
          v,
          x.toFixed(1),
          cost.wall[v as keyof typeof p].toFixed(1),
        ]),
      ),
    )
    console.log(
      `deferred (CPU): the W lookup in the trigger ${(deferred - p['no FTS trigger']).toFixed(1)} µs; ` +
        `the catch-up ${cost.catchUpPerRow.toFixed(1)} µs per row (${cost.rows} per transaction); ` +
        `saved per message (in-commit − deferred − catch-up) ` +
        `${(inCommit - deferred - cost.catchUpPerRow).toFixed(1)} µs`,
    )
    for (const s of summary) console.log(s)
    console.log(
      `search insert (CPU): in-commit ${inCommit.toFixed(1)} us deferred ${deferred.toFixed(1)} us ` +
        `ratio ${(inCommit / deferred).toFixed(2)}`,
    )
  } finally {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return Promise.resolve()
}
