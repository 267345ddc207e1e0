// The search index's cost on the message's own commit (issue 17, migration 13), for
// `npm run bench -- search`: one message stored per write transaction (ChatStore.insertMessage,
// what a received DM's or a POSTed one's commit holds), on three real encrypted stores in the same
// process — the triggers of migration 10 (indexed inside the commit), today's (deferred: the
// trigger only reads the watermark W; src/store/search.ts), and no FTS trigger at all (the floor:
// what the W lookup costs is deferred − none) — plus what the later catch-up costs per row, batched.
// Rounds alternate the stores' order; medians of the rounds. It knows nothing of daemons.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { SEARCH_INDEX_BATCH } from '../../src/service/search-index.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { SqliteDatabase } from '../../src/store/database.js'
import { SEARCH_MIGRATION } from '../../src/store/search.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { median } from './measure.js'

type Variant = 'indexed in the commit (migration 10)' | 'deferred (migration 13)' | 'no FTS trigger'
const VARIANTS: readonly Variant[] = [
  'indexed in the commit (migration 10)',
  'deferred (migration 13)',
  'no FTS trigger',
]
const NEW_TRIGGERS = ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_update']

export interface InsertCost {
  /** CPU µs per one-message write transaction, median of rounds, per variant. */
  cpu: Record<Variant, number>
  /** The same in wall time. */
  wall: Record<Variant, number>
  /** CPU µs per row of the deferred store's catch-up (one transaction per round's rows). */
  catchUpPerRow: number
  rows: number
  rounds: number
}

export function measureInsertCost(smoke: boolean): InsertCost {
  // Messages per store per round, one transaction each; the catch-up then indexes them in one
  // transaction, as the service's does (SEARCH_INDEX_BATCH).
  const rows = smoke ? 64 : SEARCH_INDEX_BATCH
  const rounds = smoke ? 2 : 15
  const dir = mkdtempSync(join(tmpdir(), 'kith-bench-search-insert-'))
  const stores = new Map<Variant, SqliteNodeStore>()
  try {
    for (const [i, v] of VARIANTS.entries()) {
      const s = createNodeStore(
        join(dir, `home${i}`),
        IdentityKeyPair.generate(nodeCrypto, nodeRng),
        'bench',
      )
      const db = (s as unknown as { db: SqliteDatabase }).db
      if (v !== 'deferred (migration 13)') {
        for (const t of NEW_TRIGGERS) db.exec(`DROP TRIGGER ${t}`)
      }
      if (v === 'indexed in the commit (migration 10)') {
        db.exec(SEARCH_MIGRATION.slice(SEARCH_MIGRATION.indexOf('CREATE TRIGGER')))
      }
      stores.set(v, s)
    }
    // CPU time (this process's user + system: SQLite runs in it, its writes are system time) is
    // the figure: on a loaded machine wall time mostly measures waiting for a core. The stores
    // take turns in blocks of BLOCK inserts, so load drifts hit all three alike.
    const BLOCK = 32
    const cpu = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]))
    const wall = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]))
    const catchUp: number[] = []
    let seq = 0
    for (let r = 0; r < rounds; r++) {
      const sum = new Map<Variant, { cpu: number; wall: number }>(
        VARIANTS.map((v) => [v, { cpu: 0, wall: 0 }]),
      )
      for (let b = 0; b < rows / BLOCK; b++) {
        const order = (r + b) % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()
        for (const v of order) {
          const s = stores.get(v)!
          const c0 = process.cpuUsage()
          const t0 = performance.now()
          for (let i = 0; i < BLOCK; i++) {
            seq++
            s.insertMessage({
              id: `b${seq}`,
              conversation: 'peer',
              from: 'peer',
              direction: 'in',
              seq,
              text: `hello, this is a short message number ${seq}`,
              sentAt: seq,
              receivedAt: seq,
              status: 'delivered',
            })
          }
          const c = process.cpuUsage(c0)
          const acc = sum.get(v)!
          acc.cpu += c.user + c.system
          acc.wall += (performance.now() - t0) * 1000
        }
      }
      for (const v of VARIANTS) {
        cpu.get(v)!.push(sum.get(v)!.cpu / rows)
        wall.get(v)!.push(sum.get(v)!.wall / rows)
      }
      const c0 = process.cpuUsage()
      stores.get('deferred (migration 13)')!.search.catchUp()
      const c = process.cpuUsage(c0)
      catchUp.push((c.user + c.system) / rows)
    }
    const med = (m: Map<Variant, number[]>) =>
      Object.fromEntries(VARIANTS.map((v) => [v, median(m.get(v)!)])) as Record<Variant, number>
    return { cpu: med(cpu), wall: med(wall), catchUpPerRow: median(catchUp), rows, rounds }
  } finally {
    for (const s of stores.values()) s.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
