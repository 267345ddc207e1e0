// SqliteProtocolStore against the shared ProtocolStore compliance suite (test/core/store/
// compliance.ts), persistent: every harness offers `reopen` (close the database and open it again
// from disk) and `cleanup` (close and delete the temp home). Plus the checks only it needs.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'
import { toHex } from '../../src/core/bytes.js'
import { nodeRng } from '../../src/platform/node-crypto.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { runProtocolStoreCompliance } from '../core/store/compliance.js'
import { newIdentity, tempHome } from './helpers.js'

runProtocolStoreCompliance('SqliteProtocolStore', () => {
  const { home, cleanup } = tempHome()
  const identity = newIdentity()
  let current: SqliteNodeStore = createNodeStore(home, identity, 'me')
  return Promise.resolve({
    store: current.protocol,
    identity,
    reopen: () => {
      current.close()
      current = openNodeStore(home)
      return Promise.resolve(current.protocol)
    },
    cleanup: () => {
      current.close()
      cleanup()
      return Promise.resolve()
    },
  })
})

void describe('SqliteProtocolStore', () => {
  void it('prints no key bytes through inspect, String() or JSON.stringify', async () => {
    const { home, cleanup } = tempHome()
    const identity = newIdentity()
    const node = createNodeStore(home, identity, 'me')
    try {
      const store = node.protocol
      const ec = {
        id: 1,
        publicKey: nodeRng(32),
        privateKey: nodeRng(32),
        signature: nodeRng(64),
        createdAt: 0,
      }
      const session = nodeRng(64)
      await store.storeSignedPrekey(ec)
      await store.storeSession(identity.peerId, session)
      const printed = [
        inspect(store, { showHidden: true, depth: Infinity }),
        inspect(node, { showHidden: true, depth: Infinity }),
        String(store),
        JSON.stringify({ store, node }),
      ]
      for (const out of printed) {
        for (const secret of [identity.exportSeed(), ec.privateKey, session]) {
          assert.ok(!out.toLowerCase().includes(toHex(secret)), `secret printed in ${out}`)
        }
      }
      assert.equal(inspect(store), '[SqliteProtocolStore redacted]')
      assert.equal(inspect(node), '[SqliteNodeStore redacted]')
    } finally {
      node.close()
      cleanup()
    }
  })

  void it('rejects (not throws) non-byte arguments, naming the field, and stores nothing', async () => {
    const { home, cleanup } = tempHome()
    const node = createNodeStore(home, newIdentity(), 'me')
    try {
      const store = node.protocol
      const notBytes = [1, 2, 3] as unknown as Uint8Array
      await assert.rejects(store.storeSession('peer', notBytes), {
        name: 'TypeError',
        message: /record/,
      })
      await assert.rejects(store.loadSenderKey('peer', notBytes), {
        name: 'TypeError',
        message: /distributionId/,
      })
      assert.equal(await store.loadSession('peer'), undefined)
    } finally {
      node.close()
      cleanup()
    }
  })

  void it('the sync twins see the same rows as the async methods, inside a transaction', async () => {
    const { home, cleanup } = tempHome()
    const node = createNodeStore(home, newIdentity(), 'me')
    try {
      const p = node.protocol
      await p.storeOneTimePrekey({
        id: 5,
        publicKey: nodeRng(32),
        privateKey: nodeRng(32),
        signature: new Uint8Array(0),
        createdAt: 1,
      })
      await p.storeKemPrekey({
        id: 6,
        publicKey: nodeRng(8),
        secretKey: nodeRng(8),
        signature: nodeRng(8),
        lastResort: false,
        createdAt: 1,
      })
      assert.equal(p.loadOneTimePrekeySync(5)?.id, 5)
      assert.equal(p.loadKemPrekeySync(6)?.lastResort, false)
      assert.equal(p.loadSignedPrekeySync(1), undefined)
      const spk = {
        id: 1,
        publicKey: nodeRng(32),
        privateKey: nodeRng(32),
        signature: nodeRng(64),
        createdAt: 2,
      }
      await p.storeSignedPrekey(spk)
      assert.deepEqual(p.loadSignedPrekeySync(1), await p.loadSignedPrekey(1))
      assert.equal(toHex(p.loadSignedPrekeySync(1)!.privateKey), toHex(spk.privateKey))
      const rec = nodeRng(40)
      assert.throws(() =>
        node.transaction(() => {
          p.storeSessionSync('peer', rec)
          p.removeOneTimePrekeySync(5)
          p.markKemPrekeyUsedSync(6)
          assert.deepEqual(p.loadSessionSync('peer'), rec)
          throw new Error('abort')
        }),
      )
      // Rolled back as one: the session is not stored and both prekeys are still there.
      assert.equal(p.loadSessionSync('peer'), undefined)
      assert.equal(await p.countOneTimePrekeys(), 1)
      assert.equal(await p.countOneTimeKemPrekeys(), 1)
      node.transaction(() => {
        p.storeSessionSync('peer', rec)
        p.removeOneTimePrekeySync(5)
        p.markKemPrekeyUsedSync(6)
      })
      assert.equal(toHex((await p.loadSession('peer'))!), toHex(rec))
      assert.equal(p.loadOneTimePrekeySync(5), undefined)
      assert.equal(p.loadKemPrekeySync(6), undefined)
      assert.equal(await p.countOneTimePrekeys(), 0)
      assert.equal(await p.countOneTimeKemPrekeys(), 0)
    } finally {
      node.close()
      cleanup()
    }
  })
})
