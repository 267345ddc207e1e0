// Shared helpers of the store tests: temp homes, a fresh identity, message builders.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { StoredMessage } from '../../src/store/types.js'

/** A fresh temp directory; the store's home is `<dir>/home` so that the store creates it. */
export function tempHome(): { dir: string; home: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kith-store-'))
  return {
    dir,
    home: join(dir, 'home'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

export const newIdentity = (): IdentityKeyPair => IdentityKeyPair.generate(nodeCrypto, nodeRng)

let counter = 0
/** A message with sensible defaults; `id` unique per call unless given. */
export function msg(over: Partial<StoredMessage> = {}): StoredMessage {
  counter++
  return {
    id: `m${String(counter).padStart(6, '0')}`,
    conversation: 'peerA',
    from: 'peerA',
    direction: 'in',
    seq: counter,
    text: `hello ${counter}`,
    sentAt: 1_000 + counter,
    receivedAt: 2_000 + counter,
    status: 'delivered',
    ...over,
  }
}
