// A hostile DHT peer's tools: raw /kith/kad/1.0.0 requests written with kad-dht's own message
// codec (not through the victim's code), signed cards of fresh identities, and a look at what the
// victim's datastore holds.
import { randomBytes } from 'node:crypto'
import { Record as DhtRecord } from '@libp2p/kad-dht'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { pbStream } from '@libp2p/utils'
import { signContactCard } from '../../src/core/identity/card.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { CARD_TTL_MS, cardKey } from '../../src/node/card/record.js'
import { KITH_DHT_PROTOCOL } from '../../src/node/libp2p/node.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { bundleFor } from '../core/wire/helpers.js'
import { memoryAfterGc } from '../helpers/memory.js'
// kad-dht does not export its wire codec; the hostile peer uses it from the package itself.
import { Message, MessageType } from '../../node_modules/@libp2p/kad-dht/dist/src/message/dht.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import type { Stream } from '@libp2p/interface'

export { Message, MessageType }

export interface TestCard {
  peer: string
  key: Uint8Array
  value: Uint8Array
}

/** A valid card of a fresh identity (or of `seed`): `fat` pads it with 16 long addresses to
 *  ≈ 8 KiB (MAX_CONTACT_CARD_BYTES). */
export function makeCard(
  opts: { seed?: Uint8Array; seq?: bigint; expiresAt?: bigint; fat?: boolean } = {},
): TestCard {
  const id = IdentityKeyPair.fromSeed(opts.seed ?? randomBytes(32), nodeCrypto)
  const addrs =
    opts.fat === true
      ? Array.from({ length: 16 }, (_, i) => `/dns4/${'x'.repeat(280)}${i}.example/tcp/4001`)
      : ['/ip4/127.0.0.1/tcp/4001']
  const value = signContactCard(nodeCrypto, id, {
    addrs,
    prekeys: bundleFor(id.publicKey),
    mailboxes: [],
    seq: opts.seq ?? 1n,
    expiresAt: opts.expiresAt ?? BigInt(Date.now() + CARD_TTL_MS),
  })
  return { peer: id.peerId, key: cardKey(id.peerId), value }
}

/** Whom a hostile peer talks to: a node of this process or a daemon (its PeerId and addrs). */
export interface Target {
  peerId: string
  addrs(): string[]
}

/** Opens a raw DHT stream from `from` to `to`: on the connection `to` dialled if there is one
 *  (so `to` sees `from`'s listen address, e.g. on another /24), else on any, else a new one. */
export async function dhtStream(from: Libp2pKithNode, to: Target): Promise<Stream> {
  const conns = from.libp2p.getConnections(peerIdFromString(to.peerId))
  const conn =
    conns.find((c) => c.direction === 'inbound') ??
    conns[0] ??
    (await from.libp2p.dial(to.addrs().map((a) => multiaddr(a))))
  return conn.newStream(KITH_DHT_PROTOCOL)
}

/** One PUT_VALUE on a fresh stream: 'stored' when the victim echoes it, 'reset' when it aborts. */
export async function rawPut(
  from: Libp2pKithNode,
  to: Target,
  card: Pick<TestCard, 'key' | 'value'>,
): Promise<'stored' | 'reset'> {
  let stream: Stream
  try {
    stream = await dhtStream(from, to)
  } catch {
    return 'reset' // refused while opening (a stream limit)
  }
  const pb = pbStream(stream).pb(Message)
  const record = new DhtRecord(card.key, card.value, new Date()).serialize()
  try {
    await pb.write({
      type: MessageType.PUT_VALUE,
      key: card.key,
      record,
      closer: [],
      providers: [],
    })
    await pb.read({ signal: AbortSignal.timeout(10_000) })
    await stream.close()
    return 'stored'
  } catch {
    stream.abort(new Error('done'))
    return 'reset'
  }
}

/** One GET_VALUE: the record value the victim holds for `key`, or undefined. */
export async function rawGet(
  from: Libp2pKithNode,
  to: Target,
  key: Uint8Array,
): Promise<Uint8Array | undefined> {
  const stream = await dhtStream(from, to)
  const pb = pbStream(stream).pb(Message)
  await pb.write({ type: MessageType.GET_VALUE, key, closer: [], providers: [] })
  const res = await pb.read({ signal: AbortSignal.timeout(10_000) })
  await stream.close()
  return res.record == null ? undefined : DhtRecord.deserialize(res.record).value
}

/** How many keys under `prefix` the node's libp2p datastore holds (provider records live there). */
export async function datastoreCount(node: Libp2pKithNode, prefix: string): Promise<number> {
  const ds = (
    node.libp2p as unknown as {
      components: { datastore: { query(q: { prefix: string }): AsyncIterable<unknown> } }
    }
  ).components.datastore
  let n = 0
  for await (const _ of ds.query({ prefix })) n++
  return n
}

/** What this process (victim and hostile nodes together) retains after a full GC, in MiB: the
 *  JS heap plus ArrayBuffers (where records' bytes live). RSS itself keeps the allocator's high
 *  water mark of transient garbage, so it is printed but not what a bound can rest on here. */
export function retainedMiB(): { retained: number; rss: number } {
  const m = memoryAfterGc()
  return { retained: (m.heapUsed + m.arrayBuffers) / 2 ** 20, rss: m.rss / 2 ** 20 }
}
