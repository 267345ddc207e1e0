// What our invites and cards carry (issue 12, node/connectivity/addr-policy.ts announceAddrs), with a real
// ChatService on a real libp2p node: listening on 0.0.0.0 on this machine (which has a
// non-loopback interface), the invite and the card carry no loopback address though the node
// has one; listening on 127.0.0.1 only (every daemon of the test suite), they carry it as before.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { verifyContactCard } from '../../src/core/identity/card.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { decodeInviteLink } from '../../src/core/wire/invite.js'
import { classifyAddr } from '../../src/node/connectivity/addr-scope.js'
import { createKithNode } from '../../src/node/kith-node.js'
import type { KithNode } from '../../src/node/types.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { createChatService } from '../../src/service/chat.js'
import { createNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { ctx, drained } from '../fakes/node-pair.js'

/** A started service on a real node listening on `listen`; the card source it hands the node. */
async function serviceOn(listen: string[]) {
  const seed = randomBytes(32)
  const id = IdentityKeyPair.fromSeed(seed, nodeCrypto)
  const t = tempHome()
  const store = createNodeStore(t.home, id, 'inviter')
  const real = await createKithNode({ identitySeed: seed, listen, bootstrap: [], mdns: false })
  await real.start()
  let makeCard: (() => Promise<Uint8Array>) | undefined
  // The real node, except that the card source the service sets is kept for the test.
  const node = new Proxy(real, {
    get: (target, key): unknown => {
      if (key === 'setCardSource') {
        return (fn: (() => Promise<Uint8Array>) | undefined) => {
          makeCard = fn
          target.setCardSource(fn)
        }
      }
      const v: unknown = Reflect.get(target, key, target)
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  }) as KithNode
  const svc = createChatService({ store, node, identity: id, ctx, name: 'inviter' })
  await svc.start()
  return {
    svc,
    real,
    cardAddrs: async (): Promise<string[]> => {
      assert.ok(makeCard !== undefined, 'the service set a card source')
      const card = verifyContactCard(nodeCrypto, await makeCard(), Date.now(), real.peerId)
      return card.addrs
    },
    stop: async () => {
      await svc.stop()
      await real.stop()
      // Let the start-up work scheduled with setImmediate (mailbox fetch, card push) run out.
      await drained()
      store.close()
      t.cleanup()
    },
  }
}

const scopeOf = (a: string) => classifyAddr(multiaddr(a)).scope

describe('invite and card addresses', () => {
  it('a node on 0.0.0.0 announces no loopback address', async () => {
    const s = await serviceOn(['/ip4/0.0.0.0/tcp/0', '/ip6/::/tcp/0'])
    try {
      const all = s.real.addrs()
      // Preconditions: the node has a loopback address, and one a contact could reach.
      assert.ok(
        all.some((a) => a.startsWith('/ip4/127.0.0.1/')),
        all.join(' '),
      )
      assert.ok(
        all.some((a) => scopeOf(a) === 'public' || scopeOf(a) === 'lan'),
        all.join(' '),
      )
      const invite = decodeInviteLink(s.svc.invite({ full: true }).link)
      assert.ok(invite.addrs.length > 0)
      for (const addrs of [invite.addrs, await s.cardAddrs()]) {
        assert.ok(
          addrs.every((a) => scopeOf(a) === 'public' || scopeOf(a) === 'lan'),
          addrs.join(' '),
        )
        assert.ok(!addrs.some((a) => a.includes('/127.0.0.1/') || a.includes('/::1/')))
        // LAN addresses (here fd00::2, if the machine has it) come after the public ones.
        const firstLan = addrs.findIndex((a) => scopeOf(a) === 'lan')
        if (firstLan >= 0) assert.ok(addrs.slice(firstLan).every((a) => scopeOf(a) === 'lan'))
      }
    } finally {
      await s.stop()
    }
  })

  it('a node on 127.0.0.1 only (the test suite) announces its loopback address as before', async () => {
    const s = await serviceOn(['/ip4/127.0.0.1/tcp/0'])
    try {
      const invite = decodeInviteLink(s.svc.invite({ full: true }).link)
      assert.deepEqual(invite.addrs, s.real.addrs())
      assert.deepEqual(await s.cardAddrs(), s.real.addrs())
    } finally {
      await s.stop()
    }
  })
})
