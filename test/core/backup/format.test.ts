// The backup file format (src/core/backup/format.ts): round trips at chunk-boundary sizes; a
// wrong passphrase is BackupPassphraseError; a file cut at every chunk boundary and inside chunks,
// a flipped bit anywhere, chunks swapped or spliced from another file are refused; the bounds
// (chunk size, scrypt memory, version) hold at MAX and fail at MAX+1. Cheap scrypt parameters
// (N = 2^10) except one round trip at the defaults.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  BACKUP_HEADER_BYTES,
  BackupCorruptError,
  BackupPassphraseError,
  MAX_BACKUP_CHUNK_BYTES,
  MAX_BACKUP_SCRYPT_BYTES,
  openBackup,
  sealBackup,
} from '../../../src/core/backup/format.js'

const rng = (n: number) => new Uint8Array(randomBytes(n))
const cheap = { log2N: 10, r: 8, p: 1 }
const CHUNK = 64
const seal = (payload: Uint8Array, pass = 'correct horse', chunkBytes = CHUNK) =>
  sealBackup(payload, pass, rng, { kdf: cheap, chunkBytes })
const isBackupError = (e: unknown) => BackupCorruptError.is(e) || BackupPassphraseError.is(e)

void describe('backup format', () => {
  void it('round trips payloads at and around chunk boundaries', () => {
    for (const n of [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5]) {
      const payload = rng(n)
      const file = seal(payload)
      assert.deepEqual(openBackup(file, 'correct horse'), payload, `size ${n}`)
      assert.equal(file.length, BACKUP_HEADER_BYTES + n + 16 * (Math.floor(n / CHUNK) + 1))
    }
  })

  void it('the NFC and NFD spellings of a passphrase open the same file', () => {
    const file = seal(rng(10), 'caf\u00e9')
    assert.equal(openBackup(file, 'cafe\u0301').length, 10)
  })

  void it('a wrong passphrase is BackupPassphraseError', () => {
    const file = seal(rng(200))
    assert.throws(
      () => openBackup(file, 'wrong'),
      (e) => BackupPassphraseError.is(e),
    )
  })

  void it('truncation at every chunk boundary and inside chunks is refused', () => {
    const payload = rng(4 * CHUNK) // four full chunks and an empty final one
    const file = seal(payload)
    for (let cut = 0; cut < file.length; cut++) {
      assert.throws(
        () => openBackup(file.subarray(0, cut), 'correct horse'),
        (e) => BackupCorruptError.is(e),
        `cut at ${cut}`,
      )
    }
  })

  void it('a flipped bit anywhere is refused', () => {
    const file = seal(rng(2 * CHUNK + 7))
    for (let i = 0; i < file.length; i++) {
      for (const bit of [0, 7]) {
        const bad = file.slice()
        bad[i]! ^= 1 << bit
        assert.throws(() => openBackup(bad, 'correct horse'), isBackupError, `byte ${i} bit ${bit}`)
      }
    }
  })

  void it('chunks swapped, repeated or taken from another file are refused', () => {
    const payload = rng(3 * CHUNK)
    const file = seal(payload)
    const sealed = CHUNK + 16
    const chunk = (f: Uint8Array, i: number) =>
      f.subarray(BACKUP_HEADER_BYTES + i * sealed, BACKUP_HEADER_BYTES + (i + 1) * sealed)
    const header = file.subarray(0, BACKUP_HEADER_BYTES)
    const join = (...parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
      let at = 0
      for (const p of parts) out.set(p, (at += p.length) - p.length)
      return out
    }
    const last = file.subarray(BACKUP_HEADER_BYTES + 3 * sealed)
    const swapped = join(header, chunk(file, 1), chunk(file, 0), chunk(file, 2), last)
    const repeated = join(header, chunk(file, 0), chunk(file, 0), chunk(file, 2), last)
    const other = seal(rng(3 * CHUNK)) // same passphrase, another salt and nonce prefix
    const spliced = join(header, chunk(file, 0), chunk(other, 1), chunk(file, 2), last)
    for (const [what, f] of [
      ['swapped', swapped],
      ['repeated', repeated],
      ['spliced', spliced],
    ] as const) {
      assert.throws(
        () => openBackup(f, 'correct horse'),
        (e) => BackupCorruptError.is(e),
        what,
      )
    }
  })

  void it('bounds: chunk size and scrypt memory at MAX and MAX+1, version and magic', () => {
    assert.doesNotThrow(() =>
      sealBackup(rng(1), 'p', rng, { kdf: cheap, chunkBytes: MAX_BACKUP_CHUNK_BYTES }),
    )
    assert.throws(
      () => sealBackup(rng(1), 'p', rng, { kdf: cheap, chunkBytes: MAX_BACKUP_CHUNK_BYTES + 1 }),
      RangeError,
    )
    assert.throws(() => sealBackup(rng(1), '', rng, { kdf: cheap }), RangeError)
    // 128 · 2^20 · 8 = 1 GiB is the most memory allowed; r = 9 asks for more.
    assert.equal(128 * 2 ** 20 * 8, MAX_BACKUP_SCRYPT_BYTES)
    const file = seal(rng(5))
    const heavy = file.slice()
    heavy.set([20, 9, 1], 9)
    assert.throws(
      () => openBackup(heavy, 'correct horse'),
      (e) => BackupCorruptError.is(e),
    )
    const bigChunk = file.slice()
    new DataView(bigChunk.buffer).setUint32(12 + 32, MAX_BACKUP_CHUNK_BYTES + 1)
    assert.throws(
      () => openBackup(bigChunk, 'correct horse'),
      (e) => BackupCorruptError.is(e),
    )
    const v2 = file.slice()
    v2[7] = 2
    assert.throws(() => openBackup(v2, 'correct horse'), /unsupported version/)
    assert.throws(() => openBackup(rng(200), 'x'), /not a Kith backup/)
  })

  void it('round trips at the default cost parameters (diagnostic: time)', (tc) => {
    const payload = rng(300_000)
    const t0 = performance.now()
    const file = sealBackup(payload, 'pw', rng)
    const t1 = performance.now()
    assert.deepEqual(openBackup(file, 'pw'), payload)
    tc.diagnostic(
      `seal ${(t1 - t0).toFixed(0)} ms, open ${(performance.now() - t1).toFixed(0)} ms (scrypt N=2^18 r=8)`,
    )
  })
})
