// The dm bench's WAL reader (bench/lib/wal.ts), checked against SQLite's own count of the frames
// in the log (`PRAGMA wal_checkpoint` answers it) on a store keyed as the product keys it: the
// frame headers must be readable through SQLCipher, and a restarted WAL counted from its start.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { walFramesBetween, walPosition } from '../../bench/lib/wal.js'
import { DB_FILE, openDatabase } from '../../src/store/database.js'
import { tempHome } from '../store/helpers.js'

describe('bench WAL reader', () => {
  it('counts the frames SQLite reports, across a restart of the WAL', () => {
    const { home, cleanup } = tempHome()
    const wal = join(home, `${DB_FILE}-wal`)
    assert.deepEqual(walPosition(wal), { salts: '', frames: 0 })
    const db = openDatabase(home)
    try {
      db.pragma('wal_autocheckpoint = 0')
      db.exec('CREATE TABLE t (x BLOB)')
      const insert = db.prepare('INSERT INTO t VALUES (?)')
      const logFrames = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log
      const start = walPosition(wal)
      for (let i = 0; i < 5; i++) insert.run(Buffer.alloc(3000 * (i + 1), i))
      const grown = walPosition(wal, start)
      assert.ok(grown.frames > start.frames)
      // A PASSIVE checkpoint with no reader copies everything back but leaves the log as it is.
      assert.equal(grown.frames, logFrames())
      // Counting on from a position gives what counting from the start gives.
      assert.deepEqual(walPosition(wal, start), walPosition(wal))
      // The next write transaction restarts the fully checkpointed log: new salts, frames
      // counted from the start again, and the old generation's frames beyond them ignored.
      insert.run(Buffer.alloc(100, 7))
      const restarted = walPosition(wal, grown)
      assert.notEqual(restarted.salts, grown.salts)
      assert.ok(restarted.frames < grown.frames)
      assert.equal(walFramesBetween(grown, restarted), restarted.frames)
      assert.equal(restarted.frames, logFrames())
    } finally {
      db.close()
      cleanup()
    }
  })

  it('refuses a file that is not a WAL', () => {
    const { dir, cleanup } = tempHome()
    try {
      const path = join(dir, 'not-a-wal')
      writeFileSync(path, Buffer.alloc(64, 1))
      assert.throws(() => walPosition(path), /not a WAL file/)
    } finally {
      cleanup()
    }
  })
})
