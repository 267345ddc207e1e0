// The file format (src/core/file/): round trip, and every tampering a source could try fails with
// a typed error; every limit at MAX and MAX+1.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { sha256 } from '@noble/hashes/sha2.js'
import {
  CHUNK_BYTES,
  checkDigest,
  checkManifest,
  chunkCount,
  FileSealer,
  MAX_FILE_BYTES,
  MAX_FILE_CHUNKS,
  MAX_FILE_NAME_BYTES,
  MAX_INLINE_CHUNK_HASHES,
  openChunk,
  openFileChunk,
  sealChunk,
  verifyChunk,
  type FileManifest,
} from '../../../src/core/file/index.js'
import { toHex } from '../../../src/core/bytes.js'
import { decodeChatContent, encodeChatContent } from '../../../src/core/wire/content.js'
import { MAX_CHAT_CONTENT_BYTES } from '../../../src/core/wire/limits.js'

const key = new Uint8Array(32).fill(7)
const fileId = new Uint8Array(16).fill(9)

function seal(data: Uint8Array, k = key, id = fileId): { m: FileManifest; chunks: Uint8Array[] } {
  const s = new FileSealer(k, id, data.length)
  const chunks: Uint8Array[] = []
  for (let i = 0; i < s.count; i++) {
    chunks.push(
      s.next(data.subarray(i * CHUNK_BYTES, Math.min(data.length, (i + 1) * CHUNK_BYTES))),
    )
  }
  return { m: s.manifest('a.bin', 'application/octet-stream'), chunks }
}

function open(m: FileManifest, chunks: Uint8Array[]): Uint8Array {
  const d = sha256.create()
  const out: Uint8Array[] = []
  chunks.forEach((c, i) => {
    const p = openFileChunk(m, i, c)
    d.update(p)
    out.push(p)
  })
  checkDigest(m, d.digest())
  return Uint8Array.from(out.flatMap((p) => [...p]))
}

const bytes = (n: number, seed = 1) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255)

void describe('file stream (STREAM over XChaCha20-Poly1305)', () => {
  void it('vector: one chunk of "kith" under a fixed key and id', () => {
    const sealed = sealChunk(key, fileId, 0, true, new TextEncoder().encode('kith'))
    assert.equal(sealed.length, 4 + 16)
    // Fixed by the first run: a change to the nonce or AD layout changes it.
    assert.equal(toHex(sealed), '354fbe41f6d3d099ccda688cc789f614f5dbb000')
    assert.deepEqual(openChunk(key, fileId, 0, true, sealed), new TextEncoder().encode('kith'))
    assert.throws(() => openChunk(key, fileId, 0, false, sealed), { name: 'ChunkAuthError' })
    assert.throws(() => openChunk(key, fileId, 1, true, sealed), { name: 'ChunkAuthError' })
  })

  void it('round trip at 0, 1, CHUNK-1, CHUNK, CHUNK+1 and 3 chunks', () => {
    for (const n of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES - 5]) {
      const data = bytes(n)
      const { m, chunks } = seal(data)
      assert.equal(chunks.length, chunkCount(n))
      assert.equal(checkManifest(m), n)
      assert.deepEqual(open(m, chunks), data)
    }
  })

  void it('round trip, random sizes (fast-check, numRuns 20)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * CHUNK_BYTES + 10 }), fc.integer(), (n, seed) => {
        const data = bytes(n, seed)
        const { m, chunks } = seal(data)
        assert.deepEqual(open(m, chunks), data)
      }),
      { numRuns: 20 },
    )
  })

  void it('reordered chunks fail (hash, and AEAD without the hash check)', () => {
    const { m, chunks } = seal(bytes(3 * CHUNK_BYTES))
    assert.throws(() => openFileChunk(m, 0, chunks[1]!), { name: 'ChunkHashError' })
    assert.throws(() => openChunk(key, fileId, 0, false, chunks[1]!), { name: 'ChunkAuthError' })
  })

  void it('dropping the last chunk fails: a non-final chunk never opens as final', () => {
    const { chunks } = seal(bytes(3 * CHUNK_BYTES))
    assert.throws(() => openChunk(key, fileId, 1, true, chunks[1]!), { name: 'ChunkAuthError' })
  })

  void it('a chunk spliced from another file (other key or id) fails', () => {
    const a = seal(bytes(2 * CHUNK_BYTES, 1))
    const b = seal(bytes(2 * CHUNK_BYTES, 2), new Uint8Array(32).fill(8))
    const c = seal(bytes(2 * CHUNK_BYTES, 1), key, new Uint8Array(16).fill(10))
    assert.throws(() => openFileChunk(a.m, 0, b.chunks[0]!), { name: 'ChunkHashError' })
    assert.throws(() => openChunk(key, fileId, 0, false, b.chunks[0]!), { name: 'ChunkAuthError' })
    assert.throws(() => openChunk(key, fileId, 0, false, c.chunks[0]!), { name: 'ChunkAuthError' })
  })

  void it('any bit flip fails (fast-check, numRuns 50)', () => {
    const { m, chunks } = seal(bytes(CHUNK_BYTES + 100))
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (i, at, bit) => {
          const c = Uint8Array.from(chunks[i]!)
          c[at % c.length]! ^= 1 << bit
          assert.throws(() => verifyChunk(m, i, c), { name: 'ChunkHashError' })
          const final = i === 1
          assert.throws(() => openChunk(key, fileId, i, final, c), { name: 'ChunkAuthError' })
        },
      ),
      { numRuns: 50 },
    )
  })

  void it('a chunk of the wrong length fails before hashing', () => {
    const { m, chunks } = seal(bytes(CHUNK_BYTES + 1))
    assert.throws(() => verifyChunk(m, 1, chunks[0]!), { name: 'ChunkRangeError' })
    assert.throws(() => verifyChunk(m, 2, chunks[1]!), { name: 'ChunkRangeError' })
  })

  void it('a digest that differs from the manifest fails', () => {
    const { m, chunks } = seal(bytes(10))
    const wrong = { ...m, sha256: new Uint8Array(32) }
    assert.throws(() => open(wrong, chunks), { name: 'FileDigestError' })
  })
})

void describe('manifest limits (MAX and MAX+1)', () => {
  const base = (): FileManifest => seal(bytes(10)).m

  void it('size: MAX_FILE_BYTES is accepted by chunkCount, MAX+1 refused', () => {
    assert.equal(chunkCount(MAX_FILE_BYTES), MAX_FILE_CHUNKS)
    assert.throws(() => chunkCount(MAX_FILE_BYTES + 1), { name: 'InvalidManifestError' })
    const m = { ...base(), size: BigInt(MAX_FILE_BYTES + 1) }
    assert.throws(() => checkManifest(m), { name: 'InvalidManifestError' })
  })

  void it('inline chunk hashes: MAX_INLINE_CHUNK_HASHES accepted, MAX+1 refused', () => {
    const h = () => new Uint8Array(32)
    const size = MAX_INLINE_CHUNK_HASHES * CHUNK_BYTES
    const max = {
      ...base(),
      size: BigInt(size),
      chunkHashes: Array.from({ length: MAX_INLINE_CHUNK_HASHES }, h),
    }
    assert.equal(checkManifest(max), size)
    const over = {
      ...max,
      size: BigInt(size + 1),
      chunkHashes: [...max.chunkHashes, h()],
    }
    assert.throws(() => checkManifest(over), { name: 'InvalidManifestError' })
  })

  void it('by its root: MAX_FILE_BYTES (MAX_FILE_CHUNKS chunks) accepted, MAX+1 refused', () => {
    const root = { ...base(), chunkHashes: [], chunkHashRoot: new Uint8Array(32).fill(3) }
    assert.equal(chunkCount(MAX_FILE_BYTES), MAX_FILE_CHUNKS)
    assert.equal(checkManifest({ ...root, size: BigInt(MAX_FILE_BYTES) }), MAX_FILE_BYTES)
    assert.throws(() => checkManifest({ ...root, size: BigInt(MAX_FILE_BYTES + 1) }), {
      name: 'InvalidManifestError',
    })
    // A root of the wrong length, or a root and inline hashes at once, are refused.
    assert.throws(() => checkManifest({ ...root, chunkHashRoot: new Uint8Array(31) }), {
      name: 'InvalidManifestError',
    })
    assert.throws(() => checkManifest({ ...root, chunkHashes: base().chunkHashes }), {
      name: 'InvalidManifestError',
    })
  })

  void it('name and mime: MAX_FILE_NAME_BYTES accepted, MAX+1 refused', () => {
    assert.equal(checkManifest({ ...base(), name: 'n'.repeat(MAX_FILE_NAME_BYTES) }), 10)
    assert.throws(() => checkManifest({ ...base(), name: 'n'.repeat(MAX_FILE_NAME_BYTES + 1) }), {
      name: 'InvalidManifestError',
    })
    assert.throws(() => checkManifest({ ...base(), mime: 'm'.repeat(MAX_FILE_NAME_BYTES + 1) }), {
      name: 'InvalidManifestError',
    })
  })

  void it('wrong lengths and chunk sizes are refused', () => {
    assert.throws(() => checkManifest({ ...base(), key: new Uint8Array(31) }), {
      name: 'InvalidManifestError',
    })
    assert.throws(() => checkManifest({ ...base(), fileId: new Uint8Array(15) }), {
      name: 'InvalidManifestError',
    })
    assert.throws(() => checkManifest({ ...base(), chunkSize: CHUNK_BYTES + 1 }), {
      name: 'InvalidManifestError',
    })
    assert.throws(() => checkManifest({ ...base(), chunkHashes: [] }), {
      name: 'InvalidManifestError',
    })
  })
})

void describe('manifest inside a chat message', () => {
  const content = (m: FileManifest) =>
    encodeChatContent({
      messageId: new Uint8Array(16),
      sender: new Uint8Array(38),
      seq: 1n,
      sentAt: 1n,
      conversation: new Uint8Array(16),
      inviteProof: new Uint8Array(16),
      profileName: 'p'.repeat(256),
      file: m,
    })

  void it('a manifest at every limit (1,024 hashes, 256-byte name and type) fits one ChatContent', () => {
    const m: FileManifest = {
      ...seal(bytes(10)).m,
      name: 'n'.repeat(MAX_FILE_NAME_BYTES),
      mime: 'm'.repeat(MAX_FILE_NAME_BYTES),
      size: BigInt(MAX_INLINE_CHUNK_HASHES * CHUNK_BYTES),
      chunkHashes: Array.from({ length: MAX_INLINE_CHUNK_HASHES }, () =>
        new Uint8Array(32).fill(1),
      ),
    }
    assert.equal(checkManifest(m), MAX_INLINE_CHUNK_HASHES * CHUNK_BYTES)
    const encoded = content(m)
    assert.ok(encoded.length <= MAX_CHAT_CONTENT_BYTES)
    assert.equal(decodeChatContent(encoded).file?.chunkHashes.length, MAX_INLINE_CHUNK_HASHES)
  })

  void it('a 4 GiB manifest (root, no hashes) round-trips through ChatContent', () => {
    const m: FileManifest = {
      ...seal(bytes(10)).m,
      size: BigInt(MAX_FILE_BYTES),
      chunkHashes: [],
      chunkHashRoot: new Uint8Array(32).fill(5),
    }
    const back = decodeChatContent(content(m)).file
    assert.ok(back !== undefined)
    assert.equal(checkManifest(back), MAX_FILE_BYTES)
    assert.deepEqual(back.chunkHashRoot, m.chunkHashRoot)
    // An old manifest (no field 9) still decodes with an empty root: hashes inline.
    const old = decodeChatContent(content(seal(bytes(10)).m)).file
    assert.equal(old?.chunkHashRoot.length, 0)
  })
})
