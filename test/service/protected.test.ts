// Which peers keep connection slots whatever strangers do (issue 11 finding 3): the service hands
// the node a predicate (KithNode.setProtectedPeers, node/libp2p/resources.ts). Accepted contacts and the
// mailboxes the user configured with --mailbox are protected; a stranger, a request and a blocked
// peer are not.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import type { KithNode } from '../../src/node/types.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { createChatService } from '../../src/service/chat.js'
import { createNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { drained } from '../fakes/node-pair.js'

const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }
const newPeer = () => IdentityKeyPair.generate(nodeCrypto, nodeRng).peerId

describe('protected peers', () => {
  const t = tempHome()
  after(() => t.cleanup())

  it('contacts and --mailbox peers are protected; strangers and blocked peers are not', async () => {
    const id = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const store = createNodeStore(t.home, id, 'me')
    let isProtected: ((peer: string) => boolean) | undefined
    const base: Partial<KithNode> = {
      peerId: id.peerId,
      addrs: () => [],
      candidateAddrs: () => [],
      connections: () => [],
      isConnected: () => false,
      metrics: () => ({
        dmFramesIn: 0,
        dmFramesOut: 0,
        dmRejected: {},
        syncRejected: {},
        cardRejected: {},
      }),
      setProtectedPeers: (fn) => {
        isProtected = fn
      },
      findCard: () => Promise.resolve(undefined),
      mailboxFetch: () => Promise.resolve([]),
      mailboxUsage: () => Promise.resolve(undefined),
    }
    const node = new Proxy(base as KithNode, {
      get: (o, k): unknown => (k in o ? Reflect.get(o, k) : () => undefined),
    })
    const mailbox = newPeer()
    const contact = newPeer()
    const stranger = newPeer()
    const svc = createChatService({
      store,
      node,
      identity: id,
      ctx,
      name: 'me',
      mailboxes: { bootstrap: [], explicit: [`/ip4/127.0.0.1/tcp/4001/p2p/${mailbox}`] },
    })
    await svc.start()
    try {
      assert.ok(isProtected !== undefined, 'the service handed the node a predicate')
      store.putContact({
        peerId: contact,
        name: 'carol',
        verified: false,
        keyChanged: false,
        addrs: [],
        addedAt: 1,
        lastSeen: 1,
      })
      assert.equal(isProtected(mailbox), true, 'a --mailbox peer')
      assert.equal(isProtected(contact), true, 'an accepted contact')
      assert.equal(isProtected(stranger), false, 'a stranger')
      svc.blockContact(contact)
      assert.equal(isProtected(contact), false, 'a blocked contact')
    } finally {
      await svc.stop()
      // Let the start-up work scheduled with setImmediate (mailbox fetch, card push) run out.
      await drained()
      store.close()
    }
  })
})
