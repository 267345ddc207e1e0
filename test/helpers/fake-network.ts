// Real ChatServices on real stores, linked by an in-memory fake node (the service tests'
// network): every node whose dm handler is in `net` is "connected", frames go straight to that
// handler, watches and peer:connect listeners are recorded for the test to inspect or fire.
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import type { DmHandler, KithNode } from '../../src/node/types.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { createChatService, type ChatService } from '../../src/service/chat.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'

export const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }

export interface FakeNet {
  /** PeerId → its dm handler; a peer is reachable while it is here. */
  net: Map<string, DmHandler>
  /** `<watcher>><watched>` → the addresses watched. */
  watched: Map<string, string[]>
  /** PeerId → its peer:connect listeners (the service's onConnect: flush and card push). */
  connected: Map<string, Array<(peer: string) => void>>
  /** PeerId → its /kith/card handler (first contact by a short invite link). */
  cards: Map<string, (from: string, secret: Uint8Array) => Uint8Array | undefined>
}

export function fakeNet(): FakeNet {
  return { net: new Map(), watched: new Map(), connected: new Map(), cards: new Map() }
}

/** A KithNode for `peerId` on `n`; anything not faked here is a no-op. */
export function fakeNode(n: FakeNet, peerId: string): KithNode {
  const base: Partial<KithNode> = {
    peerId,
    addrs: () => [`/ip4/127.0.0.1/tcp/1/p2p/${peerId}`],
    candidateAddrs: () => [`/ip4/127.0.0.1/tcp/1/p2p/${peerId}`],
    connections: () => [],
    isConnected: (p) => n.net.has(p),
    metrics: () => ({
      dmFramesIn: 0,
      dmFramesOut: 0,
      dmRejected: {},
      syncRejected: {},
      cardRejected: {},
    }),
    onCardRequest: (h) => void n.cards.set(peerId, h),
    // As node/card/index.ts: unreachable while the peer is off the network, refused for a
    // secret that is not its own.
    fetchCard: (peer, secret) => {
      const h = n.cards.get(peer)
      if (h === undefined || !n.net.has(peer)) return Promise.reject(new Error('unreachable'))
      const card = h(peerId, secret)
      return card === undefined ? Promise.reject(new Error('refused')) : Promise.resolve(card)
    },
    onDm: (h) => void n.net.set(peerId, h),
    sendDm: async (peer, frames) => {
      const h = n.net.get(peer)
      if (h === undefined) throw new Error('unreachable')
      for (const f of frames) await h(peerId, f)
    },
    watch: (p, addrs) => void n.watched.set(`${peerId}>${p}`, addrs),
    unwatch: (p) => void n.watched.delete(`${peerId}>${p}`),
    on: ((event: string, fn: (peer: string) => void) => {
      if (event === 'peer:connect')
        n.connected.set(peerId, [...(n.connected.get(peerId) ?? []), fn])
    }) as KithNode['on'],
    findCard: () => Promise.resolve(undefined),
    findPeerAddrs: () => Promise.resolve([]),
    mailboxDeposit: () => Promise.reject(new Error('no mailbox')),
    mailboxFetch: () => Promise.resolve([]),
    pubsubPublish: () => Promise.resolve(0),
    // No sync on this network: a member's anti-entropy fails as with an unreachable peer.
    syncFetch: () => Promise.reject(new Error('no sync on the fake network')),
    pubsubPeers: () => [],
    mailboxUsage: () => Promise.resolve(undefined),
  }
  return new Proxy(base as KithNode, {
    get: (t, k): unknown => (k in t ? Reflect.get(t, k) : () => undefined),
  })
}

export interface Peer {
  svc: ChatService
  store: SqliteNodeStore
  id: IdentityKeyPair
  cleanup: () => void
}

/** A started ChatService named `name` in a fresh home, on `n`. */
export async function startPeer(
  n: FakeNet,
  name: string,
  id = IdentityKeyPair.generate(nodeCrypto, nodeRng),
): Promise<Peer> {
  const t = tempHome()
  const store = createNodeStore(t.home, id, name)
  const svc = createChatService({ store, node: fakeNode(n, id.peerId), identity: id, ctx, name })
  await svc.start()
  return { svc, store, id, cleanup: t.cleanup }
}

/** Polls `f` every 20 ms until it returns something other than undefined or false. */
export async function until<T>(what: string, f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = f()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Lets queued work (flushes, receipts, card pushes) run out. */
export const settle = (): Promise<unknown> => new Promise((r) => setTimeout(r, 200))
