// Files on disk (src/service/files/disk.ts): sealed chunks land in any order and a restart finds
// exactly the verified ones (a torn chunk is not counted); the finished file is written
// atomically under a sanitised name that never overwrites; names from peers cannot escape the
// target directory or carry control characters.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHUNK_BYTES, FileSealer, type FileManifest } from '../../src/core/file/index.js'
import {
  openChunks,
  safeName,
  verifiedChunks,
  writeChunk,
  writeOut,
} from '../../src/service/files/disk.js'

const dir = mkdtempSync(join(tmpdir(), 'kith-disk-'))
const data = Uint8Array.from({ length: 3 * CHUNK_BYTES + 77 }, (_, i) => (i * 7) & 255)

function sealed(name: string): { m: FileManifest; path: string; chunks: Uint8Array[] } {
  const s = new FileSealer(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2), data.length)
  const chunks: Uint8Array[] = []
  for (let i = 0; i < s.count; i++) {
    chunks.push(
      s.next(data.subarray(i * CHUNK_BYTES, Math.min(data.length, (i + 1) * CHUNK_BYTES))),
    )
  }
  return { m: s.manifest(name, ''), path: join(dir, `${name}.chunks`), chunks }
}

void describe('files on disk', () => {
  after(() => rmSync(dir, { recursive: true, force: true }))

  void it('chunks written out of order, one torn: exactly the verified ones are found', async () => {
    const { m, path, chunks } = sealed('a')
    const fh = await openChunks(path)
    await writeChunk(fh, 3, chunks[3]!)
    await writeChunk(fh, 0, chunks[0]!)
    await writeChunk(fh, 1, chunks[1]!.subarray(0, 1000)) // torn by a kill -9
    await fh.close()
    assert.deepEqual(await verifiedChunks(path, m), [true, false, false, true])
  })

  void it('writes the file atomically, never overwriting, with the right bytes', async () => {
    const { m, path, chunks } = sealed('../../etc/passwd')
    const fh = await openChunks(path)
    for (const [i, c] of chunks.entries()) await writeChunk(fh, i, c)
    await fh.close()
    const out = join(dir, 'dl')
    mkdirSync(out)
    const p1 = await writeOut(path, m, 'ab', out)
    assert.equal(p1, join(out, 'passwd'))
    assert.deepEqual(new Uint8Array(readFileSync(p1)), data)
    const p2 = await writeOut(path, m, 'ab', out)
    assert.equal(p2, join(out, 'passwd (1)'))
    assert.deepEqual(readdirSync(out).sort(), ['passwd', 'passwd (1)'])
  })

  void it('a missing chunk fails typed, leaves no temporary file', async () => {
    const { m, path, chunks } = sealed('b')
    const fh = await openChunks(path)
    await writeChunk(fh, 0, chunks[0]!)
    await fh.close()
    const out = join(dir, 'dl2')
    await assert.rejects(writeOut(path, m, 'cd', join(out, 'x.bin')), { name: 'FileWrite' })
    assert.deepEqual(readdirSync(out), [])
  })

  void it('names: no directories, control or bidi characters, dot files or empty names', () => {
    assert.equal(safeName('../../x'), 'x')
    assert.equal(safeName('a\\b\\c.txt'), 'c.txt')
    assert.equal(safeName('evil\u202egnp.exe'), 'evilgnp.exe')
    assert.equal(safeName('bell\u0007\n.txt'), 'bell.txt')
    assert.equal(safeName('.bashrc'), 'bashrc')
    assert.equal(safeName('...'), 'file')
    assert.equal(safeName(''), 'file')
    assert.ok(safeName('x'.repeat(500) + '.jpg').endsWith('.jpg'))
    assert.ok(safeName('x'.repeat(500)).length <= 120)
  })
})
