// Files over MAX_INLINE_CHUNK_HASHES chunks (docs/files.md "Hash list"): the manifest carries the
// root of the chunk-hash list; the list, fetched from any source, must hash to it before any
// chunk is accepted. Sizes are kept small by lowering the sealer's inline maximum.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CHUNK_BYTES,
  checkManifest,
  FileSealer,
  hashListOf,
  hashListRoot,
  needsHashList,
  openFileChunk,
  verifyChunk,
  wireManifest,
  withHashList,
  type FileManifest,
} from '../../../src/core/file/index.js'

const key = new Uint8Array(32).fill(7)
const fileId = new Uint8Array(16).fill(9)

function seal(size: number, inlineMax: number): { full: FileManifest; chunks: Uint8Array[] } {
  const s = new FileSealer(key, fileId, size, undefined, inlineMax)
  const chunks: Uint8Array[] = []
  for (let i = 0; i < s.count; i++) {
    const n = Math.min(CHUNK_BYTES, size - i * CHUNK_BYTES)
    chunks.push(s.next(new Uint8Array(n).fill(i & 255)))
  }
  return { full: s.manifest('big.bin', ''), chunks }
}

void describe('chunk-hash list by its root', () => {
  void it('over the inline maximum the wire manifest carries only the root', () => {
    const { full } = seal(3 * CHUNK_BYTES + 5, 2)
    assert.equal(full.chunkHashes.length, 4)
    assert.equal(full.chunkHashRoot.length, 32)
    const wire = wireManifest(full)
    assert.equal(wire.chunkHashes.length, 0)
    assert.equal(checkManifest(wire), 3 * CHUNK_BYTES + 5)
    assert.ok(needsHashList(wire))
    // At or under the maximum: inline, no root (the small-file path as before).
    const small = seal(2 * CHUNK_BYTES, 2).full
    assert.equal(small.chunkHashRoot.length, 0)
    assert.equal(wireManifest(small).chunkHashes.length, 2)
    assert.ok(!needsHashList(small))
  })

  void it('no chunk is accepted before the list is held', () => {
    const { full, chunks } = seal(3 * CHUNK_BYTES, 1)
    assert.throws(() => verifyChunk(wireManifest(full), 0, chunks[0]!), { name: 'HashListError' })
  })

  void it('the right list resolves the manifest; chunks then verify and open', () => {
    const { full, chunks } = seal(3 * CHUNK_BYTES + 1, 1)
    const m = withHashList(wireManifest(full), hashListOf(full))
    chunks.forEach((c, i) => verifyChunk(m, i, c))
    assert.equal(openFileChunk(m, 3, chunks[3]!).length, 1)
  })

  void it('a list that is altered, short, long or for another file is refused', () => {
    const { full } = seal(3 * CHUNK_BYTES, 1)
    const wire = wireManifest(full)
    const list = hashListOf(full)
    const flipped = Uint8Array.from(list)
    flipped[40]! ^= 1
    assert.throws(() => withHashList(wire, flipped), { name: 'HashListError' })
    assert.throws(() => withHashList(wire, list.subarray(0, 64)), { name: 'HashListError' })
    const longer = new Uint8Array(list.length + 32)
    longer.set(list)
    assert.throws(() => withHashList(wire, longer), { name: 'HashListError' })
    const other = seal(3 * CHUNK_BYTES + 7, 1).full
    assert.throws(() => withHashList(wire, hashListOf(other)), { name: 'HashListError' })
  })

  void it('the root is domain-separated from a plain SHA-256 of the list', async () => {
    const { sha256 } = await import('@noble/hashes/sha2.js')
    const list = new Uint8Array(64).fill(1)
    assert.notDeepEqual(hashListRoot(list), sha256(list))
  })
})
