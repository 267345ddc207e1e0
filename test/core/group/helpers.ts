// Shared fixtures for the Sender Keys tests: a deterministic rng (SHA-256 in counter mode), a
// minimal SenderKeyStore over a Map that copies bytes both ways, and a two-member group set-up.
import { seededRng } from '../../helpers/context.js'
import assert from 'node:assert/strict'
import type { CryptoProvider, Rng } from '../../../src/core/crypto/provider.js'
import type { SenderKeyEntry, SenderKeyStore } from '../../../src/core/store/types.js'
import { toHex } from '../../../src/core/bytes.js'
import { nodeCrypto } from '../../../src/platform/node-crypto.js'
import {
  SenderKeyRecord,
  createSenderKeyDistribution,
  encryptWithRecord,
  processSenderKeyDistribution,
  type SenderKeyContext,
} from '../../../src/core/group/index.js'

/** The shared seeded rng (test/helpers/context.ts): the same bytes on every run. */
export const counterRng: (seed: string) => Rng = seededRng

export function context(seed: string, crypto: CryptoProvider = nodeCrypto): SenderKeyContext {
  return { crypto, rng: counterRng(seed) }
}

/** A SenderKeyStore on a Map; counts writes so tests can see that nothing was stored. */
export class MapSenderKeyStore implements SenderKeyStore {
  readonly entries = new Map<string, SenderKeyEntry>()
  writes = 0
  #key(sender: string, distributionId: Uint8Array): string {
    return `${sender}/${toHex(distributionId)}`
  }
  loadSenderKey(sender: string, distributionId: Uint8Array): SenderKeyEntry | undefined {
    const e = this.entries.get(this.#key(sender, distributionId))
    return e && { ...e, record: Uint8Array.from(e.record), retired: [...e.retired] }
  }
  storeSenderKey(sender: string, distributionId: Uint8Array, entry: SenderKeyEntry): void {
    this.writes++
    this.entries.set(this.#key(sender, distributionId), {
      ...entry,
      record: Uint8Array.from(entry.record),
      retired: [...entry.retired],
    })
  }
  removeSenderKey(sender: string, distributionId: Uint8Array): void {
    this.entries.delete(this.#key(sender, distributionId))
  }
  /** The stored record bytes (a copy), failing the test if there are none. */
  bytes(sender: string, distributionId: Uint8Array): Uint8Array {
    const e = this.loadSenderKey(sender, distributionId)
    assert.ok(e, `no record for ${sender}`)
    return e.record
  }
  record(sender: string, distributionId: Uint8Array): SenderKeyRecord {
    return SenderKeyRecord.deserialize(this.bytes(sender, distributionId))
  }
  /** Replaces the stored record bytes, keeping the chain bookkeeping. */
  putRecord(sender: string, distributionId: Uint8Array, record: Uint8Array): void {
    const e = this.loadSenderKey(sender, distributionId)
    this.storeSenderKey(sender, distributionId, {
      record,
      currentChain: e?.currentChain,
      retired: e?.retired ?? [],
    })
  }
}

export const ALICE = '12D3KooWAlice'
export const BOB = '12D3KooWBob'
export const GROUP = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i)

/** Alice creates her sender key for GROUP; Bob processes her distribution. */
export function twoMembers(seed = 'group', crypto: CryptoProvider = nodeCrypto) {
  const ctx = context(seed, crypto)
  const alice = new MapSenderKeyStore()
  const bob = new MapSenderKeyStore()
  const distribution = createSenderKeyDistribution(ctx, alice, ALICE, GROUP)
  processSenderKeyDistribution(ctx, bob, ALICE, distribution)
  return { ctx, alice, bob, distribution }
}

/**
 * The message Alice would send at `iteration` of her current chain, made without sending the
 * ones before it: her record is stepped forward on a copy that is not stored. (Checked against
 * real sending in sender-key.test.ts.)
 */
export function messageAt(
  ctx: SenderKeyContext,
  alice: MapSenderKeyStore,
  iteration: number,
  plaintext: Uint8Array,
): Uint8Array {
  const record = alice.record(ALICE, GROUP)
  const own = record.newest()
  assert.ok(own)
  while (own.chain.iteration < iteration) own.chain = own.chain.next(ctx.crypto)
  return encryptWithRecord(ctx.crypto, record, GROUP, plaintext)
}

/** Runs `fn`, expecting it to throw the error class `name`. */
export function throwsWith(fn: () => unknown, name: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof Error, 'not an Error')
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`)
    return true
  })
}
