// Writes the known-answer vectors in test/vectors/ from fixed seeds (see test/vectors/build.ts).
// Run only when the wire format or a KDF changes on purpose, and review the diff.
import { writeFileSync } from 'node:fs'
import { nodeCrypto } from '../src/platform/node-crypto.js'
import { buildAll } from '../test/vectors/build.js'

for (const [name, vector] of Object.entries(await buildAll(nodeCrypto))) {
  writeFileSync(`test/vectors/${name}`, JSON.stringify(vector, null, 2) + '\n')
  console.log(`wrote test/vectors/${name}`)
}
