// MemoryProtocolStore against the shared compliance suite, plus the checks only it needs: it
// prints no key bytes (STYLE.md §7) and rejects non-byte arguments.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'
import { toHex } from '../../../src/core/bytes.js'
import { IdentityKeyPair } from '../../../src/core/identity/identity.js'
import { MemoryProtocolStore } from '../../../src/core/store/memory.js'
import { nodeCrypto, nodeRng } from '../../../src/platform/node-crypto.js'
import { runProtocolStoreCompliance, runSenderKeyStoreCompliance } from './compliance.js'

runProtocolStoreCompliance('MemoryProtocolStore', () => {
  const identity = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  return Promise.resolve({ store: new MemoryProtocolStore(identity), identity })
})

runSenderKeyStoreCompliance('MemoryProtocolStore', () =>
  Promise.resolve({
    store: new MemoryProtocolStore(IdentityKeyPair.generate(nodeCrypto, nodeRng)),
  }),
)

void describe('MemoryProtocolStore', () => {
  void it('prints no key bytes through inspect, String() or JSON.stringify', () => {
    const identity = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const store = new MemoryProtocolStore(identity)
    const ec = {
      id: 1,
      publicKey: nodeRng(32),
      privateKey: nodeRng(32),
      signature: nodeRng(64),
      createdAt: 0,
    }
    const kem = { ...ec, secretKey: nodeRng(2400), lastResort: true }
    const session = nodeRng(64)
    const senderKey = nodeRng(64)
    store.storeSignedPrekey(ec)
    store.storeOneTimePrekey({ ...ec, id: 2 })
    store.storeKemPrekey(kem)
    store.storeSession(identity.peerId, session)
    store.storeSenderKey(identity.peerId, nodeRng(16), {
      record: senderKey,
      currentChain: 1,
      retired: [],
    })

    const printed = [
      inspect(store),
      inspect(store, { showHidden: true, depth: Infinity, getters: true }),
      inspect({ nested: [store] }, { depth: Infinity }),
      String(store),
      [store].join(''),
      JSON.stringify(store),
      JSON.stringify({ nested: [store] }),
    ]
    const secrets = {
      seed: identity.exportSeed(),
      prekeyPrivate: ec.privateKey,
      kemSecret: kem.secretKey.subarray(0, 32),
      session,
      senderKey,
    }
    for (const out of printed) {
      for (const [what, bytes] of Object.entries(secrets)) {
        assert.ok(!out.toLowerCase().includes(toHex(bytes)), `${what} printed as hex in ${out}`)
      }
      assert.match(out, /\[MemoryProtocolStore redacted\]/)
    }
    // Snapshot: the store prints as its kind and nothing else.
    assert.equal(
      inspect(store, { showHidden: true, depth: Infinity }),
      '[MemoryProtocolStore redacted]',
    )
    assert.equal(String(store), '[MemoryProtocolStore redacted]')
    assert.equal(JSON.stringify(store), '"[MemoryProtocolStore redacted]"')
    // Its only enumerable own property is the kind label; the maps live in #private fields.
    assert.deepEqual(Object.keys(store), ['redactedKind'])
  })

  void it('throws a TypeError for a record that is not a Uint8Array, naming the field', () => {
    const store = new MemoryProtocolStore(IdentityKeyPair.generate(nodeCrypto, nodeRng))
    const notBytes = [1, 2, 3] as unknown as Uint8Array
    assert.throws(() => store.storeSession('peer', notBytes), {
      name: 'TypeError',
      message: /record/,
    })
    assert.throws(() => store.loadSenderKey('peer', notBytes), {
      name: 'TypeError',
      message: /distributionId/,
    })
    assert.throws(
      () =>
        store.storeSignedPrekey({
          id: 1,
          publicKey: new Uint8Array(32),
          privateKey: notBytes,
          signature: new Uint8Array(64),
          createdAt: 0,
        }),
      { name: 'TypeError', message: /privateKey/ },
    )
    assert.equal(store.loadSession('peer'), undefined)
    assert.equal(store.loadSignedPrekey(1), undefined)
  })
})
