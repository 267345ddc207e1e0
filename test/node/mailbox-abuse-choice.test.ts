// Issue 11 findings 4 and 6 at the service's Mailboxes (src/service/offline/mailboxes.ts), over a fake
// node: a peer that announces the mailbox and relay hop protocols is neither chosen nor fetched
// from; configured mailboxes and accepted contacts are; one round takes at most the per-mailbox
// budget from a mailbox that never runs dry; a fetch from a peer nobody chose is refused.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { CoreContext } from '../../src/core/crypto/provider.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import {
  MAILBOX_BATCH_MAX_ITEMS,
  MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND,
  MAILBOX_FETCH_MAX_PAGES_PER_ROUND,
  MAILBOX_PROTOCOL,
} from '../../src/node/mailbox/limits.js'
import type { MailboxItem } from '../../src/node/mailbox/types.js'
import type { ConnectionInfo } from '../../src/node/types.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import type { Cards } from '../../src/service/offline/cards.js'
import { configuredMailboxes } from '../../src/service/offline/configured.js'
import { Mailboxes } from '../../src/service/offline/mailboxes.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { fakeEnvelope } from './mailbox-envelopes.js'
import { drained } from '../fakes/node-pair.js'

const RELAY_HOP = '/libp2p/circuit/relay/0.2.0/hop'
const ctx: CoreContext = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }
const newPeer = () => IdentityKeyPair.generate(nodeCrypto, nodeRng).peerId

/** A KithNode double: connections we declare, fetches we count (each page full of junk). */
class FakeNode {
  readonly peerId = newPeer()
  readonly conns: ConnectionInfo[] = []
  readonly fetches = new Map<string, number>()
  readonly deposits: string[] = []
  readonly listeners = new Map<string, ((peer: string, addrs: string[]) => void)[]>()
  policy: ((r: string, d: string) => boolean) | undefined
  setMailboxPolicy(p: (r: string, d: string) => boolean) {
    this.policy = p
  }
  on(ev: string, fn: (peer: string, addrs: string[]) => void) {
    this.listeners.set(ev, [...(this.listeners.get(ev) ?? []), fn])
  }
  emit(ev: string, peer: string) {
    for (const fn of this.listeners.get(ev) ?? []) fn(peer, [])
  }
  connections() {
    return this.conns
  }
  connect(peer: string, protocols: string[]) {
    this.conns.push({ peerId: peer, protocols } as unknown as ConnectionInfo)
    this.emit('peer:identify', peer)
  }
  mailboxFetch(mailbox: string): Promise<MailboxItem[]> {
    this.fetches.set(mailbox, (this.fetches.get(mailbox) ?? 0) + 1)
    return Promise.resolve(
      Array.from({ length: MAILBOX_BATCH_MAX_ITEMS }, (_, i) => ({
        id: String(i + 1),
        envelope: fakeEnvelope(),
      })),
    )
  }
  confirmed = 0
  mailboxConfirm(_mailbox: string, ids: string[]) {
    this.confirmed += ids.length
    return Promise.resolve(ids.length)
  }
  mailboxDeposit(mailbox: string) {
    this.deposits.push(mailbox)
    return Promise.resolve()
  }
  findCard() {
    return Promise.resolve(undefined)
  }
}

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let node: FakeNode
let received = 0

function mailboxes(
  configured = configuredMailboxes([], []),
  fail: () => Error = () => Object.assign(new Error('junk'), { name: 'NoSessionError', code: 'x' }),
): Mailboxes {
  const m = new Mailboxes({
    ctx,
    store,
    node,
    identity: IdentityKeyPair.generate(nodeCrypto, nodeRng),
    cards: { of: () => undefined } as unknown as Cards,
    configured,
    receive: () => {
      received++
      throw fail()
    },
    onChange: () => undefined,
  })
  return m
}

const contact = (peerId: string, lastSeen: number) =>
  store.putContact({
    peerId,
    name: `c-${lastSeen}`,
    verified: false,
    keyChanged: false,
    addrs: [],
    addedAt: 0,
    lastSeen,
  })

/** Lets the fetch rounds started without awaiting (start-up, identify) run out: the FakeNode
 *  answers at once, so a few event-loop turns do (test/fakes/node-pair.ts drained). */
const settle = (): Promise<void> => drained()

beforeEach(() => {
  t = tempHome()
  store = createNodeStore(t.home, IdentityKeyPair.generate(nodeCrypto, nodeRng), 'me')
  node = new FakeNode()
  received = 0
})
afterEach(() => {
  store.close()
  t.cleanup()
})

describe('mailboxes: only where the user chose', () => {
  it('a peer announcing mailbox + relay hop is never chosen nor fetched from; contacts and configured ones are', async () => {
    const friend = newPeer()
    contact(friend, 10)
    const chosenRelay = newPeer()
    const m = mailboxes(configuredMailboxes([], [`/ip4/127.0.0.1/tcp/9/p2p/${chosenRelay}`]))
    m.start()
    const hostile = newPeer()
    node.connect(hostile, [MAILBOX_PROTOCOL, RELAY_HOP])
    await m.fetchAll()
    await settle()
    assert.deepEqual(m.chosen(), [chosenRelay, friend])
    assert.equal(node.fetches.get(hostile), undefined, 'never fetched from')
    assert.ok((node.fetches.get(chosenRelay) ?? 0) > 0 && (node.fetches.get(friend) ?? 0) > 0)
    // A fetch from it asked for anyway is refused before any dial, and counted.
    await m.fetchFrom(hostile)
    assert.equal(node.fetches.get(hostile), undefined)
    assert.equal(m.metrics().notChosen, 1)
    // Policy: our accepted contacts only, never a peer for itself.
    assert.equal(node.policy?.(friend, newPeer()), true)
    assert.equal(node.policy?.(hostile, newPeer()), false)
    assert.equal(node.policy?.(friend, friend), false)
    m.stop()
    await settle() // the start-up round ends before the store closes
  })

  it('a --bootstrap relay is named once seen serving mailboxes; a plain bootstrap node is not', async () => {
    const relay = newPeer()
    const plain = newPeer()
    const m = mailboxes(
      configuredMailboxes(
        [`/ip4/127.0.0.1/tcp/9/p2p/${relay}`, `/ip4/127.0.0.1/tcp/8/p2p/${plain}`],
        [],
      ),
    )
    m.start()
    node.connect(plain, ['/ipfs/id/1.0.0'])
    node.connect(relay, [MAILBOX_PROTOCOL, RELAY_HOP])
    await m.fetchAll()
    assert.deepEqual(m.chosen(), [relay])
    m.stop()
    await settle()
  })

  it(`one round takes at most ${MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND} envelopes from a mailbox that never runs dry`, async () => {
    const friend = newPeer()
    contact(friend, 1)
    const m = mailboxes()
    await m.fetchFrom(friend)
    const pages = Math.min(
      MAILBOX_FETCH_MAX_PAGES_PER_ROUND,
      MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND / MAILBOX_BATCH_MAX_ITEMS,
    )
    assert.equal(node.fetches.get(friend), pages)
    assert.equal(received, MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND)
    const metrics = m.metrics()
    assert.equal(metrics.envelopes, MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND)
    assert.equal(metrics.junk.NoSessionError, MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND)
    assert.equal(
      Object.values(metrics.budgetHits).reduce((a, b) => a + b, 0),
      1,
    )
  })
})

describe('mailbox fetch: our own failures', () => {
  it('an envelope we failed to store (not a verdict on it) is deferred, never confirmed', async () => {
    const friend = newPeer()
    contact(friend, 1)
    const m = mailboxes(undefined, () => new TypeError('The database connection is not open'))
    await m.fetchFrom(friend)
    assert.equal(node.confirmed, 0, 'nothing deleted at the mailbox')
    assert.equal(m.metrics().deferred, MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND)
    assert.deepEqual(m.metrics().junk, {})
  })
})

describe('mailbox flags', () => {
  it('--mailbox needs /p2p/<id>; --mailbox-ttl is 1 minute to MAILBOX_MAX_TTL_MS', async () => {
    const { parseMailboxAddr } = await import('../../src/cli/options.js')
    const { parseMailboxTtl } = await import('../../src/cli/options.js')
    const { MAILBOX_MAX_TTL_MS } = await import('../../src/node/mailbox/limits.js')
    const id = newPeer()
    assert.equal(
      parseMailboxAddr(`/ip4/10.0.0.1/tcp/4001/p2p/${id}`),
      `/ip4/10.0.0.1/tcp/4001/p2p/${id}`,
    )
    assert.throws(() => parseMailboxAddr('/ip4/10.0.0.1/tcp/4001'), { name: 'UsageError' })
    assert.throws(() => parseMailboxAddr('not a multiaddr'), { name: 'UsageError' })
    assert.equal(parseMailboxTtl('14d'), 14 * 86_400_000)
    assert.equal(parseMailboxTtl('36h'), 36 * 3_600_000)
    assert.equal(parseMailboxTtl('1m'), 60_000)
    assert.equal(parseMailboxTtl('90'), MAILBOX_MAX_TTL_MS)
    assert.throws(() => parseMailboxTtl('91d'), { name: 'UsageError' }) // MAX+1 day
    assert.throws(() => parseMailboxTtl('0m'), { name: 'UsageError' })
    assert.throws(() => parseMailboxTtl('2w'), { name: 'UsageError' })
    // Configured multiaddrs without a PeerId are skipped; --mailbox wins over --bootstrap.
    const c = configuredMailboxes(
      [`/ip4/10.0.0.1/tcp/1/p2p/${id}`, '/ip4/10.0.0.2/tcp/1'],
      [`/ip4/10.0.0.3/tcp/1/p2p/${id}`],
    )
    assert.equal(c.length, 1)
    assert.equal(c[0]?.explicit, true)
    assert.equal(c[0]?.addrs.length, 2)
  })
})
