// memoryAfterGc counts freed ArrayBuffers as freed: a single gc() may not (test/helpers/memory.ts).
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { memoryAfterGc } from './memory.js'

it('garbage buffers are not counted after memoryAfterGc, however loaded the machine', () => {
  const base = memoryAfterGc().arrayBuffers
  for (let round = 0; round < 5; round++) {
    let garbage: Uint8Array[] | undefined = []
    for (let i = 0; i < 100; i++) garbage.push(new Uint8Array(512 * 1024).fill(i))
    assert.ok(garbage.length === 100)
    garbage = undefined
    const grown = memoryAfterGc().arrayBuffers - base
    assert.ok(grown < 4 * 2 ** 20, `round ${round}: ${(grown / 2 ** 20).toFixed(1)} MiB counted`)
  }
})
