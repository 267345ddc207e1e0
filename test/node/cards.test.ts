// Contact cards in the DHT (src/node/cards.ts) without a network: the record key and kad-dht's
// namespace parsing of it; the validator (valid card; bad signature; another peer's card under
// this key; expired; MAX_CONTACT_CARD_BYTES+1; malformed keys); the selector (highest seq,
// invalid records lose, order-independent tie-break); the CardPublisher's schedule (start,
// refresh, retry, address changes, coalescing, stop); and the dialer's DHT lookup after a failed
// round (new addresses dialled in the same round, DHT_LOOKUP_MIN_INTERVAL_MS respected).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  CardExpiredError,
  InvalidKeyError,
  InvalidSignatureError,
  MalformedMessageError,
  MessageTooLargeError,
} from '../../src/core/errors.js'
import { signContactCard } from '../../src/core/identity/card.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { MAX_CONTACT_CARD_BYTES } from '../../src/core/wire/limits.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import {
  CARD_KEY_NAMESPACE,
  CARD_TTL_MS,
  cardKey,
  cardSelector,
  cardValidator,
  peerFromCardKey,
} from '../../src/node/card/record.js'
import { CARD_REFRESH_MS, CardPublisher } from '../../src/node/card/publisher.js'
import {
  DHT_LOOKUP_MIN_INTERVAL_MS,
  Dialer,
  type DialerComponents,
} from '../../src/node/connectivity/dialer.js'
import { bundleFor } from '../core/wire/helpers.js'
import { sleep, waitFor } from './helpers.js'
import type { Connection, Libp2pEvents, Peer, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** CardPublisher's timers in these tests are short (refreshMs 1,000, addrDebounceMs 30, retryMs
 *  20); these waits assert that nothing (more) is published once a timer would have run: */
/** past one refreshMs (1,000) after stop(). */
const PAST_REFRESH_MS = 1_100
/** past addrDebounceMs (30), with margin. */
const PAST_DEBOUNCE_MS = 80
/** past retryMs (20), with margin. */
const PAST_RETRY_MS = 50

const NOW = 1_700_000_000_000
const alice = IdentityKeyPair.generate(nodeCrypto, (n) => new Uint8Array(randomBytes(n)))
const bob = IdentityKeyPair.generate(nodeCrypto, (n) => new Uint8Array(randomBytes(n)))

function card(
  who: IdentityKeyPair,
  seq: bigint,
  addrs = ['/ip4/127.0.0.1/tcp/4001'],
  expiresAt = BigInt(NOW + CARD_TTL_MS),
): Uint8Array {
  return signContactCard(nodeCrypto, who, {
    addrs,
    prekeys: bundleFor(who.publicKey),
    mailboxes: [],
    seq,
    expiresAt,
  })
}

function flipLastBit(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes)
  out[out.length - 1]! ^= 1
  return out
}

describe('card DHT key', () => {
  it('is /kith-card/ followed by the PeerId bytes, and kad-dht finds its namespace', () => {
    const key = cardKey(alice.peerId)
    const prefix = new TextEncoder().encode('/kith-card/')
    assert.deepEqual(key.subarray(0, prefix.length), prefix)
    assert.deepEqual(
      key.subarray(prefix.length),
      peerIdFromString(alice.peerId).toMultihash().bytes,
    )
    // kad-dht 16 (record/validators.js): uint8ArrayToString(key).split('/')[1]
    assert.equal(new TextDecoder().decode(key).split('/')[1], CARD_KEY_NAMESPACE)
    assert.equal(peerFromCardKey(key), alice.peerId)
  })

  it('refuses malformed keys and non-Ed25519 PeerIds with typed errors', () => {
    const key = cardKey(alice.peerId)
    assert.throws(() => peerFromCardKey(key.subarray(0, key.length - 1)), MalformedMessageError)
    const other = Uint8Array.from(key)
    other[1] = 0x4a // "/Jith-card/"
    assert.throws(() => peerFromCardKey(other), MalformedMessageError)
    const notEd = Uint8Array.from(key)
    notEd[new TextEncoder().encode('/kith-card/').length + 3] = 0x02 // KeyType secp256k1
    assert.throws(() => peerFromCardKey(notEd), InvalidKeyError)
    assert.throws(() => cardKey('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'), InvalidKeyError)
  })
})

describe('card validator (kad-dht ValidateFn)', () => {
  const validate = cardValidator(nodeCrypto, () => NOW)

  it('accepts a valid card under its own PeerId', async () => {
    await validate(cardKey(alice.peerId), card(alice, 1n))
  })

  it('rejects a bad signature', async () => {
    await assert.rejects(
      async () => validate(cardKey(alice.peerId), flipLastBit(card(alice, 1n))),
      InvalidSignatureError,
    )
  })

  it("rejects another peer's (valid) card stored under this PeerId's key", async () => {
    await assert.rejects(
      async () => validate(cardKey(alice.peerId), card(bob, 1n)),
      InvalidSignatureError,
    )
  })

  it('rejects an expired card (at expiresAt exactly and after)', async () => {
    const expiring = card(alice, 1n, undefined, BigInt(NOW + 1000))
    await validate(cardKey(alice.peerId), expiring)
    const later = cardValidator(nodeCrypto, () => NOW + 1000)
    await assert.rejects(async () => later(cardKey(alice.peerId), expiring), CardExpiredError)
  })

  it('rejects MAX_CONTACT_CARD_BYTES+1 bytes and a malformed key', async () => {
    await assert.rejects(
      async () => validate(cardKey(alice.peerId), new Uint8Array(MAX_CONTACT_CARD_BYTES + 1)),
      MessageTooLargeError,
    )
    await assert.rejects(
      async () => validate(new TextEncoder().encode('/kith-card/x'), card(alice, 1n)),
      MalformedMessageError,
    )
  })
})

describe('card selector (kad-dht SelectFn)', () => {
  const select = cardSelector(nodeCrypto, () => NOW)
  const key = cardKey(alice.peerId)

  it('picks the highest seq', async () => {
    assert.equal(await select(key, [card(alice, 1n), card(alice, 3n), card(alice, 2n)]), 1)
    assert.equal(await select(key, [card(alice, 7n), card(alice, 3n)]), 0)
  })

  it('ignores invalid, expired and foreign records; 0 when none is valid', async () => {
    const forged = flipLastBit(card(alice, 9n))
    const expired = card(alice, 8n, undefined, BigInt(NOW))
    assert.equal(await select(key, [forged, expired, card(bob, 10n), card(alice, 2n)]), 3)
    assert.equal(await select(key, [forged, expired]), 0)
  })

  it('breaks a seq tie the same way whatever the order', async () => {
    const x = card(alice, 5n, ['/ip4/127.0.0.1/tcp/1'])
    const y = card(alice, 5n, ['/ip4/127.0.0.1/tcp/2'])
    const xy = await select(key, [x, y])
    const yx = await select(key, [y, x])
    assert.equal([x, y][xy], [y, x][yx])
  })
})

function selfUpdate(events: TypedEventEmitter<Libp2pEvents>, before: string[], after: string[]) {
  const peer = (addrs: string[]): Peer => ({
    id: peerIdFromString(alice.peerId),
    addresses: addrs.map((a) => ({ multiaddr: multiaddr(a), isCertified: false })),
    protocols: [],
    metadata: new Map(),
    tags: new Map(),
  })
  events.safeDispatchEvent('self:peer:update', {
    detail: { peer: peer(after), previous: peer(before) },
  })
}

describe('CardPublisher', () => {
  it('exports a refresh period well inside the card lifetime', () => {
    assert.ok(CARD_REFRESH_MS * 12 <= CARD_TTL_MS)
  })

  it('publishes at start, then every refreshMs; retryMs after a publish that reached no peer', async () => {
    const at: number[] = []
    let peers = 0
    const p = new CardPublisher({
      makeCard: () => Promise.resolve(card(alice, BigInt(at.length + 1))),
      publish: () => {
        at.push(Date.now())
        return Promise.resolve(peers)
      },
      refreshMs: 1_000,
      retryMs: 20,
    })
    p.start()
    try {
      await waitFor(() => at.length >= 3, 2_000, 'retries')
      // Two gaps shorter than one refreshMs can only be retries (loose: a loaded machine delays
      // timers by tens of milliseconds; 2 × retryMs is 40).
      assert.ok(at[2]! - at[0]! < 900, 'retries every retryMs while no peer stores it')
      peers = 1
      const n = at.length
      await waitFor(() => at.length >= n + 2, 4_000, 'refreshes')
      assert.ok(at.at(-1)! - at.at(-2)! >= 990, 'then every refreshMs')
    } finally {
      p.stop()
    }
    const n = at.length
    await sleep(PAST_REFRESH_MS)
    assert.equal(at.length, n, 'nothing after stop()')
  })

  it('republishes after an address change (debounced), not after other self updates', async () => {
    const events = new TypedEventEmitter<Libp2pEvents>()
    let published = 0
    const p = new CardPublisher({
      makeCard: () => Promise.resolve(card(alice, 1n)),
      publish: () => {
        published++
        return Promise.resolve(1)
      },
      events,
      refreshMs: 60_000,
      addrDebounceMs: 30,
    })
    p.start()
    try {
      await waitFor(() => published === 1, 1_000, 'initial publish')
      selfUpdate(events, ['/ip4/127.0.0.1/tcp/1'], ['/ip4/127.0.0.1/tcp/1'])
      await sleep(PAST_DEBOUNCE_MS)
      assert.equal(published, 1, 'same addresses: no publish')
      for (let i = 2; i < 6; i++) {
        selfUpdate(events, ['/ip4/127.0.0.1/tcp/1'], [`/ip4/127.0.0.1/tcp/${i}`])
      }
      await waitFor(() => published === 2, 1_000, 'publish after the change')
      await sleep(PAST_DEBOUNCE_MS)
      assert.equal(published, 2, 'a burst of changes gives one publish')
    } finally {
      p.stop()
    }
  })

  it('a refresh during a publish makes exactly one more; a failing makeCard is retried', async () => {
    let release: (() => void) | undefined
    let published = 0
    let fail = true
    const p = new CardPublisher({
      makeCard: () =>
        fail ? Promise.reject(new Error('store locked')) : Promise.resolve(card(alice, 1n)),
      publish: async () => {
        published++
        await new Promise<void>((r) => (release = r))
        return 1
      },
      refreshMs: 60_000,
      retryMs: 20,
    })
    p.start()
    try {
      await sleep(PAST_RETRY_MS)
      assert.equal(published, 0)
      fail = false
      await waitFor(() => published === 1, 1_000, 'retry after a failed makeCard')
      p.refresh()
      p.refresh()
      release!()
      await waitFor(() => published === 2, 1_000, 'one more publish')
      release!()
      await sleep(PAST_RETRY_MS)
      assert.equal(published, 2)
      assert.ok(p.published >= 3, 'failed attempts count as done publishes')
    } finally {
      p.stop()
    }
  })
})

/** Fake libp2p components: only `reachable` addresses connect. */
async function fakeDialer(reachable: Set<string>) {
  const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const events = new TypedEventEmitter<Libp2pEvents>()
  const dials: string[] = []
  const components: DialerComponents = {
    peerId: self,
    events,
    connectionManager: {
      async openConnection(target: PeerId | Multiaddr): Promise<Connection> {
        dials.push(target.toString())
        await sleep(1)
        if (!reachable.has(target.toString())) throw new Error('ECONNREFUSED')
        return {} as Connection
      },
      getConnections: () => [],
    },
    peerStore: { all: () => Promise.resolve([]), delete: () => Promise.resolve() },
  }
  return { components, dials }
}

describe('Dialer lookup after a failed round', () => {
  it('dials the addresses the lookup finds in the same round', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const fresh = `/ip4/127.0.0.1/tcp/20/p2p/${peer.toString()}`
    const f = await fakeDialer(new Set([fresh]))
    const d = new Dialer(f.components, { baseDelayMs: 60_000, random: () => 0.999 })
    const lookups: string[] = []
    d.setLookup((id) => {
      lookups.push(id.toString())
      return Promise.resolve([
        multiaddr(`/ip4/127.0.0.1/tcp/10/p2p/${peer.toString()}`), // already known: not redialled
        multiaddr(`/ip4/127.0.0.1/tcp/30/p2p/${other.toString()}`), // someone else's: ignored
        multiaddr(fresh),
      ])
    })
    d.start()
    try {
      d.watch(peer, [multiaddr('/ip4/127.0.0.1/tcp/10')])
      await waitFor(() => f.dials.includes(fresh), 2_000, 'dial of the looked-up address')
      assert.deepEqual(lookups, [peer.toString()])
      assert.deepEqual(f.dials, [`/ip4/127.0.0.1/tcp/10/p2p/${peer.toString()}`, fresh])
      const state = d.watchState(peer.toString())!
      assert.equal(state.lookups, 1)
      assert.deepEqual(state.addrs.sort(), ['/ip4/127.0.0.1/tcp/10', '/ip4/127.0.0.1/tcp/20'])
      await waitFor(() => d.watchState(peer.toString())?.attempt === 0, 1_000, 'no backoff')
      assert.equal(d.watchState(peer.toString())?.nextDialAt, undefined)
    } finally {
      d.stop()
    }
  })

  it('looks a peer up at most once per lookupMinIntervalMs (default DHT_LOOKUP_MIN_INTERVAL_MS)', async () => {
    assert.ok(DHT_LOOKUP_MIN_INTERVAL_MS >= 10_000)
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const f = await fakeDialer(new Set())
    let now = 1_000_000
    const d = new Dialer(f.components, {
      baseDelayMs: 10,
      maxDelayMs: 10,
      random: () => 0.5,
      now: () => now,
      lookupMinIntervalMs: 1_000,
    })
    let lookups = 0
    d.setLookup(() => {
      lookups++
      return Promise.resolve([])
    })
    d.start()
    try {
      d.watch(peer, [multiaddr('/ip4/127.0.0.1/tcp/10')])
      await waitFor(() => f.dials.length >= 4, 2_000, 'several failed rounds')
      assert.equal(lookups, 1)
      now += 1_000
      const n = f.dials.length
      await waitFor(() => f.dials.length >= n + 2, 2_000, 'more rounds')
      assert.equal(lookups, 2)
      assert.equal(d.watchState(peer.toString())?.lookups, 2)
    } finally {
      d.stop()
    }
  })

  it('a failing lookup is a failed round like any other', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const f = await fakeDialer(new Set())
    const d = new Dialer(f.components, { baseDelayMs: 10, maxDelayMs: 10 })
    d.setLookup(() => Promise.reject(new Error('DHT down')))
    d.start()
    try {
      d.watch(peer, [multiaddr('/ip4/127.0.0.1/tcp/10')])
      await waitFor(() => (d.watchState(peer.toString())?.attempt ?? 0) >= 2, 2_000, 'rounds')
      assert.equal(d.watchState(peer.toString())?.lookups, 1)
    } finally {
      d.stop()
    }
  })
})
