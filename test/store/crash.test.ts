// Crash safety (ARCHITECTURE.md "Storage"): a writer killed with SIGKILL mid-stream loses no
// transaction it reported committed, duplicates none, and leaves a database that opens cleanly.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../../src/store/database.js'
import { createNodeStore, openNodeStore } from '../../src/store/sqlite.js'
import { newIdentity, tempHome } from './helpers.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url))
/** Kill the writer once it has reported this many commits. */
const KILL_AFTER = 200
const TIMEOUT_MS = 60_000

/** Runs the writer until it has printed KILL_AFTER ids, SIGKILLs it, returns the ids printed
 *  (complete lines only: a line cut by the kill is not a report). */
function runAndKill(home: string): Promise<{ ids: string[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, home], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let killed = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`writer made no progress in ${TIMEOUT_MS} ms: ${err}`))
    }, TIMEOUT_MS)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      if (!killed && out.split('\n').length - 1 >= KILL_AFTER) {
        killed = child.kill('SIGKILL')
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    child.on('error', reject)
    child.on('exit', (_code, signal) => {
      clearTimeout(timer)
      if (!killed) return reject(new Error(`writer exited by itself: ${err}`))
      const lines = out.split('\n')
      lines.pop() // the part after the last newline: incomplete
      resolve({ ids: lines, signal })
    })
  })
}

void describe('crash safety', () => {
  void it('after kill -9 every reported commit is present exactly once and the DB is sound', async (t) => {
    const { home, cleanup } = tempHome()
    try {
      createNodeStore(home, newIdentity(), 'me').close()
      const { ids, signal } = await runAndKill(home)
      assert.equal(signal, 'SIGKILL')
      assert.ok(ids.length >= KILL_AFTER, `only ${ids.length} ids reported`)

      // The raw database first: recovery from the WAL, then SQLite's own checks.
      const db = openDatabase(home)
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
        assert.deepEqual(db.pragma('foreign_key_check'), [])
      } finally {
        db.close()
      }
      const store = openNodeStore(home)
      try {
        const stored = store.listMessages({ conversation: 'peerA' })
        const count = new Map<string, number>()
        for (const m of stored) count.set(m.id, (count.get(m.id) ?? 0) + 1)
        for (const id of ids)
          assert.equal(count.get(id), 1, `${id} reported but stored ${count.get(id) ?? 0}×`)
        // Every transaction is all or nothing: each stored message has its outbox entry and
        // the sequence counter moved past every stored seq.
        t.diagnostic(`reported ${ids.length} commits, found ${stored.length} messages`)
        assert.equal(store.outboxFor('peerA').length, stored.length)
        const maxSeq = Math.max(...stored.map((m) => m.seq))
        assert.equal(store.nextSeq('peerA'), maxSeq + 1)
        // Sequence order is intact: seqs 1..n, no gaps.
        assert.deepEqual(
          stored.map((m) => m.seq),
          stored.map((_, i) => i + 1),
        )
      } finally {
        store.close()
      }
    } finally {
      cleanup()
    }
  })
})
