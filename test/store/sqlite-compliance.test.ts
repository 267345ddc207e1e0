// SqliteProtocolStore against the shared ProtocolStore compliance suite (test/core/store/
// compliance.ts), persistent: every harness offers `reopen` (close the database and open it again
// from disk) and `cleanup` (close and delete the temp home). Plus the checks only it needs.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'
import { abytes, toHex } from '../../src/core/bytes.js'
import type { SenderKeyStore } from '../../src/core/store/types.js'
import { nodeRng } from '../../src/platform/node-crypto.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import {
  runProtocolStoreCompliance,
  runSenderKeyStoreCompliance,
} from '../core/store/compliance.js'
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

/** The group store's SenderKeyStore (group_sender_keys): a group row must exist for its
 *  entries (foreign key), so the harness creates one for each distributionId it meets. */
runSenderKeyStoreCompliance('SqliteGroupLog', () => {
  const { home, cleanup } = tempHome()
  let current: SqliteNodeStore = createNodeStore(home, newIdentity(), 'me')
  const over = (node: () => SqliteNodeStore): SenderKeyStore => ({
    loadSenderKey: (sender, id) => node().groups.loadSenderKey(sender, id),
    storeSenderKey: (sender, id, entry) => {
      const groupId = toHex(abytes('distributionId', id))
      if (node().groups.getGroup(groupId) === undefined)
        node().groups.putGroup({
          groupId,
          name: groupId,
          members: [],
          admins: [],
          epoch: 0,
          topic: groupId,
          active: true,
          createdAt: 0,
        })
      node().groups.storeSenderKey(sender, id, entry)
    },
    removeSenderKey: (sender, id) => node().groups.removeSenderKey(sender, id),
  })
  return Promise.resolve({
    store: over(() => current),
    reopen: () => {
      current.close()
      current = openNodeStore(home)
      return Promise.resolve(over(() => current))
    },
    cleanup: () => {
      current.close()
      cleanup()
      return Promise.resolve()
    },
  })
})

void describe('SqliteProtocolStore', () => {
  void it('prints no key bytes through inspect, String() or JSON.stringify', () => {
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
      store.storeSignedPrekey(ec)
      store.storeSession(identity.peerId, session)
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

  void it('throws a TypeError for non-byte arguments, naming the field, and stores nothing', () => {
    const { home, cleanup } = tempHome()
    const node = createNodeStore(home, newIdentity(), 'me')
    try {
      const store = node.protocol
      const notBytes = [1, 2, 3] as unknown as Uint8Array
      assert.throws(() => store.storeSession('peer', notBytes), {
        name: 'TypeError',
        message: /record/,
      })
      assert.equal(store.loadSession('peer'), undefined)
    } finally {
      node.close()
      cleanup()
    }
  })

  void it('the session path commits or rolls back as one inside a transaction', () => {
    const { home, cleanup } = tempHome()
    const node = createNodeStore(home, newIdentity(), 'me')
    try {
      const p = node.protocol
      p.storeOneTimePrekey({
        id: 5,
        publicKey: nodeRng(32),
        privateKey: nodeRng(32),
        signature: new Uint8Array(0),
        createdAt: 1,
      })
      p.storeKemPrekey({
        id: 6,
        publicKey: nodeRng(8),
        secretKey: nodeRng(8),
        signature: nodeRng(8),
        lastResort: false,
        createdAt: 1,
      })
      assert.equal(p.loadOneTimePrekey(5)?.id, 5)
      assert.equal(p.loadKemPrekey(6)?.lastResort, false)
      assert.equal(p.loadSignedPrekey(1), undefined)
      const spk = {
        id: 1,
        publicKey: nodeRng(32),
        privateKey: nodeRng(32),
        signature: nodeRng(64),
        createdAt: 2,
      }
      p.storeSignedPrekey(spk)
      assert.equal(toHex(p.loadSignedPrekey(1)!.privateKey), toHex(spk.privateKey))
      const rec = nodeRng(40)
      assert.throws(() =>
        node.transaction(() => {
          p.storeSession('peer', rec)
          p.removeOneTimePrekey(5)
          p.markKemPrekeyUsed(6)
          assert.deepEqual(p.loadSession('peer'), rec)
          throw new Error('abort')
        }),
      )
      // Rolled back as one: the session is not stored and both prekeys are still there.
      assert.equal(p.loadSession('peer'), undefined)
      assert.equal(p.countOneTimePrekeys(), 1)
      assert.equal(p.countOneTimeKemPrekeys(), 1)
      node.transaction(() => {
        p.storeSession('peer', rec)
        p.removeOneTimePrekey(5)
        p.markKemPrekeyUsed(6)
      })
      assert.equal(toHex(p.loadSession('peer')!), toHex(rec))
      assert.equal(p.loadOneTimePrekey(5), undefined)
      assert.equal(p.loadKemPrekey(6), undefined)
      assert.equal(p.countOneTimePrekeys(), 0)
      assert.equal(p.countOneTimeKemPrekeys(), 0)
    } finally {
      node.close()
      cleanup()
    }
  })
})
