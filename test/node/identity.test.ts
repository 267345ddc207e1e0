// The node's libp2p key is the core identity key: for the same 32-byte seed, the PeerId libp2p
// derives equals the core's peerIdFromPublicKey of the Ed25519 public key (ARCHITECTURE.md
// "Identity"), and the node refuses a seed of the wrong length.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IdentityKeyPair, peerIdFromPublicKey } from '../../src/core/identity/identity.js'
import { createKithNode } from '../../src/node/kith-node.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'

describe('node identity', () => {
  it('libp2p PeerId of the seed = core peerIdFromPublicKey (20 seeds)', async () => {
    for (let i = 0; i < 20; i++) {
      const seed = randomBytes(32)
      const core = IdentityKeyPair.fromSeed(seed, nodeCrypto)
      const key = await generateKeyPairFromSeed('Ed25519', seed)
      assert.deepEqual(key.publicKey.raw, core.publicKey)
      assert.equal(peerIdFromPrivateKey(key).toString(), peerIdFromPublicKey(core.publicKey))
      assert.equal(peerIdFromPrivateKey(key).toString(), core.peerId)
    }
  })

  it('KithNode.peerId is the identity PeerId (without starting the node)', async () => {
    const seed = randomBytes(32)
    const node = await createKithNode({
      identitySeed: seed,
      listen: [],
      bootstrap: [],
      mdns: false,
    })
    assert.equal(node.peerId, IdentityKeyPair.fromSeed(seed, nodeCrypto).peerId)
  })

  it('refuses a seed that is not 32 bytes', async () => {
    for (const n of [0, 31, 33, 64]) {
      await assert.rejects(
        createKithNode({ identitySeed: new Uint8Array(n), listen: [], bootstrap: [], mdns: false }),
        RangeError,
      )
    }
  })
})
