// Real ChatServices on real stores, linked by an in-memory fake node (the service tests'
// network): every node whose dm handler is in `net` is "connected", frames go straight to that
// handler, watches and event listeners are recorded for the test to inspect or fire, and
// `mailboxes` are in-memory mailboxes that record every deposit, fetch and confirm.
// It imports only the layers' public faces (src/service/index.ts, src/node/index.ts,
// src/core/index.ts) and the store, so moves inside those layers do not reach it.
import type { CoreContext } from '../../src/core/index.js'
import {
  encodeChatContent,
  IdentityKeyPair,
  MESSAGE_ID_BYTES,
  peerIdToBytes,
  sessionEncrypt,
  SessionRecord,
} from '../../src/core/index.js'
import type { DmHandler, KithNode } from '../../src/node/index.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { createChatService, type ChatService } from '../../src/service/index.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { sleep, until } from '../helpers/wait.js'

export const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }

/** One envelope a fake mailbox holds. */
export interface HeldEnvelope {
  id: string
  recipient: string
  depositor: string
  envelope: Uint8Array
}

/** An in-memory mailbox on the fake network and what was done with it. */
export interface FakeMailbox {
  held: HeldEnvelope[]
  /** Every deposit accepted, in order. */
  deposits: HeldEnvelope[]
  /** Every envelope handed out by a fetch, by id, in order (a re-served id appears twice). */
  served: string[]
  /** Ids confirmed (deleted) by their recipient. */
  confirmed: string[]
  /** Fetch calls (pages asked for), empty ones included. */
  fetches: number
  /** Served in the current fetch round (cleared when a fetch finds nothing more). */
  round: Set<string>
}

export interface FakeNet {
  /** PeerId → its dm handler; a peer is reachable while it is here. */
  net: Map<string, DmHandler>
  /** `<watcher>><watched>` → the addresses watched. */
  watched: Map<string, string[]>
  /** PeerId → its peer:connect listeners (the service's onConnect: flush and card push). */
  connected: Map<string, Array<(peer: string) => void>>
  /** PeerId → event name → its listeners (every `on` of the node, peer:connect included). */
  listeners: Map<string, Map<string, Array<(...args: unknown[]) => void>>>
  /** PeerId → its /kith/card handler (first contact by a short invite link). */
  cards: Map<string, (from: string, secret: Uint8Array) => Uint8Array | undefined>
  /** Mailbox PeerId → the mailbox (fakeMailbox); reachable while its id is in the map. */
  mailboxes: Map<string, FakeMailbox>
}

export function fakeNet(): FakeNet {
  return {
    net: new Map(),
    watched: new Map(),
    connected: new Map(),
    listeners: new Map(),
    cards: new Map(),
    mailboxes: new Map(),
  }
}

/** Adds an in-memory mailbox with a fresh PeerId to `n`; returns that PeerId and the mailbox. */
export function fakeMailbox(n: FakeNet): { peerId: string; box: FakeMailbox } {
  const { peerId } = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  const box: FakeMailbox = {
    held: [],
    deposits: [],
    served: [],
    confirmed: [],
    fetches: 0,
    round: new Set(),
  }
  n.mailboxes.set(peerId, box)
  return { peerId, box }
}

/** Calls `peer`'s listeners of `event` with `args` (as the libp2p node would emit it). */
export function fire(n: FakeNet, peer: string, event: string, ...args: unknown[]): void {
  for (const fn of n.listeners.get(peer)?.get(event) ?? []) fn(...args)
}

/** A KithNode for `peerId` on `n`; anything not faked here is a no-op. */
export function fakeNode(n: FakeNet, peerId: string): KithNode {
  let nextHeld = 0
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
    on: ((event: string, fn: (...args: unknown[]) => void) => {
      if (event === 'peer:connect')
        n.connected.set(peerId, [...(n.connected.get(peerId) ?? []), fn])
      const mine = n.listeners.get(peerId) ?? new Map<string, Array<(...a: unknown[]) => void>>()
      mine.set(event, [...(mine.get(event) ?? []), fn])
      n.listeners.set(peerId, mine)
    }) as KithNode['on'],
    findCard: () => Promise.resolve(undefined),
    findPeerAddrs: () => Promise.resolve([]),
    // As node/mailbox/: a mailbox off the network is unreachable; one on it holds the envelope.
    mailboxDeposit: (mailbox, recipient, envelope) => {
      const box = n.mailboxes.get(mailbox)
      if (box === undefined) return Promise.reject(new Error('no mailbox'))
      const held = { id: `${peerId}-${nextHeld++}`, recipient, depositor: peerId, envelope }
      box.held.push(held)
      box.deposits.push(held)
      return Promise.resolve()
    },
    // One page of what the mailbox holds for us and did not serve in this round yet; an empty
    // page ends the round (what was not confirmed is served again in the next one).
    mailboxFetch: (mailbox) => {
      const box = n.mailboxes.get(mailbox)
      if (box === undefined) return Promise.reject(new Error('no mailbox'))
      box.fetches++
      const page = box.held.filter((h) => h.recipient === peerId && !box.round.has(h.id))
      if (page.length === 0) box.round.clear()
      for (const h of page) {
        box.round.add(h.id)
        box.served.push(h.id)
      }
      return Promise.resolve(page.map((h) => ({ id: h.id, envelope: h.envelope })))
    },
    mailboxConfirm: (mailbox, ids) => {
      const box = n.mailboxes.get(mailbox)
      if (box === undefined) return Promise.reject(new Error('no mailbox'))
      const mine = new Set(
        box.held.filter((h) => h.recipient === peerId && ids.includes(h.id)).map((h) => h.id),
      )
      box.held = box.held.filter((h) => !mine.has(h.id))
      box.confirmed.push(...mine)
      return Promise.resolve(mine.size)
    },
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

export interface PeerOptions {
  /** The service's core context (an injected clock, say); default `ctx` above. */
  ctx?: CoreContext
  /** Mailboxes configured as with `kith daemon --mailbox` (multiaddrs ending in /p2p/<id>). */
  mailboxes?: string[]
}

/** A started ChatService named `name` in a fresh home, on `n`. */
export async function startPeer(
  n: FakeNet,
  name: string,
  id = IdentityKeyPair.generate(nodeCrypto, nodeRng),
  opts: PeerOptions = {},
): Promise<Peer> {
  const t = tempHome()
  const store = createNodeStore(t.home, id, name)
  const svc = createChatService({
    store,
    node: fakeNode(n, id.peerId),
    identity: id,
    ctx: opts.ctx ?? ctx,
    name,
    ...(opts.mailboxes !== undefined
      ? { mailboxes: { bootstrap: [], explicit: opts.mailboxes } }
      : {}),
  })
  await svc.start()
  return { svc, store, id, cleanup: t.cleanup }
}

/**
 * Waits until `peers` are quiet: no outbox entry due to anyone (every 1:1 message acked) and no
 * group control content waiting.
 */
export async function quiet(...peers: Peer[]): Promise<void> {
  await until('the peers to be quiet (outboxes empty)', () =>
    peers.every((p) =>
      peers.every(
        (q) =>
          q === p ||
          (p.store.nextAttemptAt(q.id.peerId) === undefined &&
            p.store.groups.nextControlAttemptAt(q.id.peerId) === undefined),
      ),
    ),
  )
}

/**
 * How long a test watches for something that must NOT happen (a receipt, a frame, a commit, a
 * status change): ≫ ACK_DELAY_MS (5 ms) and the few setImmediate hops a flush or a receipt takes,
 * with room for a loaded machine. The one place the service tests sleep on purpose.
 */
export const NOTHING_HAPPENS_MS = 200
/** Waits NOTHING_HAPPENS_MS: use only before asserting that something did not happen. */
export const nothingHappens = (): Promise<void> => sleep(NOTHING_HAPPENS_MS)

/** Event-loop turns `drained` lets run: a stop's or a flush's setImmediate chains are ≤ 2 deep. */
export const DRAIN_TURNS = 3
/** Lets work already queued with setImmediate (start-up fetch, card push, a flush) run out:
 *  DRAIN_TURNS turns of the event loop, no timer. */
export async function drained(): Promise<void> {
  for (let i = 0; i < DRAIN_TURNS; i++) await new Promise((r) => setImmediate(r))
}

/**
 * Alice and Bob on `n`, contacts of each other ("bob" in Alice's list, "al" in Bob's), with a
 * session both ways: each has sent one message the other acked, and both are quiet.
 */
export async function contactPair(
  n: FakeNet,
  opts: { alice?: PeerOptions; bob?: PeerOptions } = {},
): Promise<{ alice: Peer; bob: Peer }> {
  const alice = await startPeer(n, 'alice', undefined, opts.alice)
  const bob = await startPeer(n, 'bob', undefined, opts.bob)
  await bob.svc.addContact(alice.svc.invite().link, 'al')
  const m = bob.svc.send('al', 'hi')
  await until('bob → alice delivered', () => bob.store.getMessage(m.id)?.status === 'delivered')
  alice.svc.renameContact(bob.id.peerId, 'bob')
  const r = alice.svc.send('bob', 'hello')
  await until('alice → bob delivered', () => alice.store.getMessage(r.id)?.status === 'delivered')
  await quiet(alice, bob)
  return { alice, bob }
}

/** Stops every one of `peers`' services, lets their in-flight work settle (drained), then closes
 *  each store and removes its home; empties `peers`. The teardown of the service suites that
 *  keep their peers' stores open across a test. */
export async function closePeers(peers: Peer[]): Promise<void> {
  for (const p of peers) await p.svc.stop()
  await drained()
  for (const p of peers.splice(0)) {
    p.store.close()
    p.cleanup()
  }
}

/** Stops `peers`' services and removes their homes. */
export async function stopPeers(peers: Peer[]): Promise<void> {
  for (const p of peers.splice(0)) {
    await p.svc.stop()
    p.cleanup()
  }
}

/** What a ChatContent carries besides its envelope fields (encodeChatContent's input). */
export type ContentBody = Omit<
  Parameters<typeof encodeChatContent>[0],
  'messageId' | 'sender' | 'seq' | 'sentAt' | 'conversation'
> & { messageId?: Uint8Array }

/**
 * Seals `body` as `from` would for `to`, on `from`'s stored session (advanced and saved, as the
 * service's encryptAll does), and returns the frame; `from`'s service never sees it. For frames a
 * service would not send by itself: a receipt naming an unknown id, a crafted edit.
 */
export function sealFrom(from: Peer, to: Peer, body: ContentBody): Uint8Array {
  const peer = to.id.peerId
  return from.store.transaction(() => {
    const bytes = from.store.protocol.loadSession(peer)
    if (bytes === undefined) throw new Error('no session to seal on')
    const content = encodeChatContent({
      messageId: nodeRng(MESSAGE_ID_BYTES),
      sender: peerIdToBytes(from.id.peerId),
      seq: 0n,
      sentAt: BigInt(Date.now()),
      conversation: new Uint8Array(0),
      ...body,
    })
    const r = sessionEncrypt(ctx, SessionRecord.deserialize(bytes), content)
    from.store.protocol.storeSession(peer, r.record.serialize())
    return r.envelope
  })
}
