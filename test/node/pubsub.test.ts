// KithNode.pubsub* on real gossipsub between in-process nodes on 127.0.0.1, connected in a line
// a — b — c — d so that delivery to c and d needs forwarding: a publish reaches every
// subscriber; a validator's `reject` drops the message (not delivered, not forwarded) and lowers
// the sender's score; `ignore` drops without penalty; the message a receiver sees carries no
// PeerId, seqno, signature or key (StrictNoSign); a replay of the same bytes is dropped as seen;
// unsubscribing stops delivery; oversize data is refused on both sides. Raw RPC frames at and
// over MAX_PUBSUB_RPC_BYTES / MAX_PUBSUB_RPC_MESSAGES: an RPC over the message count is dropped,
// a frame over the byte limit ends the stream that carried it.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { multicodec } from '@libp2p/gossipsub'
import { RPC } from '@libp2p/gossipsub/message'
import { MessageTooLargeError } from '../../src/core/errors.js'
import {
  MAX_PUBSUB_DATA_BYTES,
  MAX_PUBSUB_RPC_BYTES,
  MAX_PUBSUB_RPC_MESSAGES,
} from '../../src/node/pubsub/index.js'
import { sleep, startNode, stopAll, waitFor, leb } from './helpers.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import type { PubsubVerdict } from '../../src/node/types.js'
import type { ConnectionGater, PeerId } from '@libp2p/interface'

/** Absence windows (a dropped message must not turn up later): gossipsub forwards and gossips
 *  (IHAVE/IWANT) on its heartbeat, PUBSUB_HEARTBEAT_MS = 700 ms. */
/** Two heartbeats: gossip has offered everything it holds. */
const TWO_HEARTBEATS_MS = 1_500
/** One heartbeat and margin: what has not arrived by then was dropped. */
const GOSSIP_QUIET_MS = 1_000
/** After the last expected message of one RPC: the rest of that RPC would follow at once. */
const NO_MORE_MS = 300

const TOPIC = '/kith/group/1/test'
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

/** The GossipSub class's own view (not in its exported interface). */
interface GossipSubInternals {
  getMeshPeers(topic: string): string[]
  getScore(peer: string): number
}
const internals = (n: Libp2pKithNode): GossipSubInternals =>
  n.libp2p.services.pubsub as unknown as GossipSubInternals

/** What each node's validator answers for data starting with a marker byte. */
function verdictFor(data: Uint8Array, rejects: boolean): PubsubVerdict {
  if (data[0] === 0x01 && rejects) return 'reject'
  if (data[0] === 0x02 && rejects) return 'ignore'
  if (data[0] === 0x03 && rejects) throw new Error('validator bug')
  return 'accept'
}

describe('pubsub (gossipsub, StrictNoSign)', () => {
  let nodes: Libp2pKithNode[] = []
  const got = new Map<string, string[]>()
  const seen = new Map<string, object[]>()
  let validatorCalls = 0

  before(async () => {
    // Only neighbours may connect (the DHT would otherwise connect everyone to everyone).
    const ids: string[] = []
    const gater = (i: number): ConnectionGater => {
      const ok = (peer: PeerId): boolean => {
        const j = ids.indexOf(peer.toString())
        return j === i - 1 || j === i + 1
      }
      return {
        denyDialPeer: (peer) => !ok(peer),
        denyInboundEncryptedConnection: (peer) => !ok(peer),
      }
    }
    nodes = await Promise.all(
      [0, 1, 2, 3].map((i) => startNode({ tuning: { connectionGater: gater(i) } })),
    )
    ids.push(...nodes.map((n) => n.peerId))
    for (let i = 0; i + 1 < nodes.length; i++) {
      await nodes[i]!.libp2p.dial(nodes[i + 1]!.libp2p.getMultiaddrs())
    }
    nodes.forEach((n, i) => {
      const name = 'abcd'[i]!
      got.set(name, [])
      seen.set(name, [])
      // b (index 1) is the strict one: it rejects, ignores or throws on the marker bytes.
      n.pubsubSubscribe(
        TOPIC,
        (data) => {
          validatorCalls++
          return verdictFor(data, i === 1)
        },
        (data) => got.get(name)!.push(dec(data)),
      )
      n.libp2p.services.pubsub.addEventListener('message', (evt) => {
        seen.get(name)!.push({ ...evt.detail })
      })
    })
    // Each inner node meshes with both neighbours (the heartbeat grafts them).
    await waitFor(
      () =>
        internals(nodes[1]!).getMeshPeers(TOPIC).length === 2 &&
        internals(nodes[2]!).getMeshPeers(TOPIC).length === 2,
      10_000,
      'mesh a—b—c—d',
    )
  })
  after(() => stopAll(...nodes))

  const clear = (): void => {
    for (const v of got.values()) v.length = 0
    for (const v of seen.values()) v.length = 0
  }

  it('a publish reaches every subscriber, over two forwarding hops', async () => {
    clear()
    const n = await nodes[0]!.pubsubPublish(TOPIC, enc('hello'))
    assert.equal(n, 1, 'a is connected to b only')
    await waitFor(() => ['b', 'c', 'd'].every((k) => got.get(k)!.length === 1), 5_000, 'delivery')
    for (const k of ['b', 'c', 'd']) assert.deepEqual(got.get(k), ['hello'])
    assert.deepEqual(got.get('a'), [], 'emitSelf is off')
    assert.deepEqual(nodes[0]!.pubsubPeers(TOPIC), [nodes[1]!.peerId])
  })

  it('the message a receiver sees has no from, seqno, signature or key', async () => {
    clear()
    await nodes[0]!.pubsubPublish(TOPIC, enc('anonymous'))
    await waitFor(() => seen.get('d')!.length === 1, 5_000, 'delivery to d')
    for (const k of ['b', 'c', 'd']) {
      const msg = seen.get(k)![0] as Record<string, unknown>
      assert.equal(msg.type, 'unsigned')
      assert.deepEqual(Object.keys(msg).sort(), ['data', 'topic', 'type'])
    }
  })

  it('a validator reject drops the message: not delivered, not forwarded, sender penalised', async () => {
    clear()
    for (let i = 0; i < 5; i++) await nodes[0]!.pubsubPublish(TOPIC, Uint8Array.of(0x01, i))
    // Then a good one: once it has arrived, the bad ones had their chance (same path).
    await nodes[0]!.pubsubPublish(TOPIC, enc('after-reject'))
    await waitFor(() => got.get('b')!.length === 1, 5_000, 'the good message at b')
    // Five invalid messages: P4 = -2 × 5² = -50 outweighs the positive part (≤ 10 + P1).
    // (Scores are cached for one heartbeat.)
    const score = (): number => internals(nodes[1]!).getScore(nodes[0]!.peerId)
    await waitFor(() => score() < 0, 2_000, 'a negative score for a at b')
    // Two heartbeats let gossip (IHAVE/IWANT) offer them too: still nothing.
    await waitFor(() => got.get('d')!.length === 1, 5_000, 'the good message at d')
    await sleep(TWO_HEARTBEATS_MS)
    for (const k of ['b', 'c', 'd']) assert.deepEqual(got.get(k), ['after-reject'], k)
  })

  it('ignore and a throwing validator drop the message too (throwing counts as reject)', async () => {
    clear()
    await nodes[0]!.pubsubPublish(TOPIC, Uint8Array.of(0x02, 0xbb))
    await nodes[0]!.pubsubPublish(TOPIC, Uint8Array.of(0x03, 0xcc))
    await nodes[0]!.pubsubPublish(TOPIC, enc('after-ignore'))
    await waitFor(() => got.get('d')!.length === 1, 5_000, 'the good message')
    await sleep(GOSSIP_QUIET_MS)
    for (const k of ['b', 'c', 'd']) assert.deepEqual(got.get(k), ['after-ignore'], k)
  })

  it('the same bytes published again (a replay) are dropped as already seen', async () => {
    clear()
    const data = enc('once')
    assert.equal(await nodes[3]!.pubsubPublish(TOPIC, data), 1)
    await waitFor(() => got.get('a')!.length === 1, 5_000, 'delivery to a')
    assert.equal(await nodes[3]!.pubsubPublish(TOPIC, data), 0, 'the publisher refuses a duplicate')
    // c forwards a copy it saw: the msgId is SHA-256(data), so every node drops it as seen.
    assert.equal(await nodes[2]!.pubsubPublish(TOPIC, data), 0)
    await sleep(GOSSIP_QUIET_MS)
    for (const k of ['a', 'b', 'c']) assert.deepEqual(got.get(k), ['once'], k)
  })

  it('oversize data is refused before publishing', async () => {
    await assert.rejects(
      nodes[0]!.pubsubPublish(TOPIC, new Uint8Array(MAX_PUBSUB_DATA_BYTES + 1)),
      (e: Error) => MessageTooLargeError.is(e),
    )
    await assert.rejects(nodes[0]!.pubsubPublish(TOPIC, new Uint8Array(0)), RangeError)
    assert.throws(
      () =>
        nodes[0]!.pubsubSubscribe(
          '',
          () => 'accept',
          () => undefined,
        ),
      TypeError,
    )
  })

  it('data of exactly MAX_PUBSUB_DATA_BYTES is delivered', async () => {
    clear()
    const data = new Uint8Array(MAX_PUBSUB_DATA_BYTES).fill(0x61)
    await nodes[0]!.pubsubPublish(TOPIC, data)
    await waitFor(() => got.get('d')!.length === 1, 5_000, 'delivery to d')
    assert.equal(got.get('d')![0]!.length, MAX_PUBSUB_DATA_BYTES)
  })

  it('data of MAX+1 bytes (published around the wrapper) is rejected before the validator', async () => {
    clear()
    const calls = validatorCalls
    await nodes[0]!.libp2p.services.pubsub.publish(
      TOPIC,
      new Uint8Array(MAX_PUBSUB_DATA_BYTES + 1).fill(0x61),
    )
    await nodes[0]!.pubsubPublish(TOPIC, enc('after-oversize'))
    await waitFor(() => got.get('d')!.length === 1, 5_000, 'the good message')
    await sleep(GOSSIP_QUIET_MS)
    for (const k of ['b', 'c', 'd']) assert.deepEqual(got.get(k), ['after-oversize'], k)
    assert.equal(validatorCalls - calls, 3, "only the good message reached the caller's validators")
  })

  it('unsubscribe stops delivery; the others still get messages', async () => {
    clear()
    nodes[3]!.pubsubUnsubscribe(TOPIC)
    await waitFor(() => !nodes[2]!.pubsubPeers(TOPIC).includes(nodes[3]!.peerId), 5_000, 'unsub')
    await nodes[0]!.pubsubPublish(TOPIC, enc('after-unsub'))
    await waitFor(() => got.get('c')!.length === 1, 5_000, 'delivery to c')
    await sleep(GOSSIP_QUIET_MS)
    assert.deepEqual(got.get('d'), [])
    assert.deepEqual(got.get('b'), ['after-unsub'])
  })
})

// Raw gossipsub RPC frames from x to y (no third node to forward to, so nothing else interferes).
describe('pubsub inbound RPC limits', () => {
  let x: Libp2pKithNode
  let y: Libp2pKithNode
  const got: string[] = []

  before(async () => {
    x = await startNode()
    y = await startNode()
    y.pubsubSubscribe(
      TOPIC,
      () => 'accept',
      (data) => got.push(dec(data.subarray(0, 4))),
    )
    await x.libp2p.dial(y.libp2p.getMultiaddrs())
  })
  after(() => stopAll(x, y))

  const raw = () => x.libp2p.dialProtocol(y.libp2p.peerId, multicodec)
  const frame = (messages: Array<{ topic: string; data: Uint8Array<ArrayBuffer> }>): Uint8Array => {
    const rpc = RPC.encode({ subscriptions: [], messages })
    return cat(leb(rpc.length), rpc)
  }
  const msg = (tag: string, i: number, n = 8): { topic: string; data: Uint8Array<ArrayBuffer> } => {
    const data = new Uint8Array(n).fill(0x2e)
    data.set(enc(tag), 0)
    new DataView(data.buffer).setUint32(4, i)
    return { topic: TOPIC, data }
  }

  it('an RPC of MAX_PUBSUB_RPC_MESSAGES messages is delivered; one of MAX+1 is dropped whole', async () => {
    got.length = 0
    const s = await raw()
    s.send(frame(Array.from({ length: MAX_PUBSUB_RPC_MESSAGES + 1 }, (_, i) => msg('over', i))))
    s.send(frame(Array.from({ length: MAX_PUBSUB_RPC_MESSAGES }, (_, i) => msg('max.', i))))
    await waitFor(() => got.length === MAX_PUBSUB_RPC_MESSAGES, 10_000, 'the MAX messages')
    await sleep(NO_MORE_MS)
    assert.equal(got.length, MAX_PUBSUB_RPC_MESSAGES)
    assert.ok(
      got.every((t) => t === 'max.'),
      'none of the MAX+1 RPC',
    )
    assert.equal(s.status, 'open', 'a bad RPC is dropped, the stream kept')
  })

  it('an RPC frame of exactly MAX_PUBSUB_RPC_BYTES is read and its messages delivered', async () => {
    got.length = 0
    // As many maximum-size messages (≈ 64 B framing each) as leave less than one for the tail.
    const n = Math.floor((MAX_PUBSUB_RPC_BYTES - 1024) / (MAX_PUBSUB_DATA_BYTES + 64))
    const full = Array.from({ length: n }, (_, i) => msg('full', i, MAX_PUBSUB_DATA_BYTES))
    // The last message's size (and a small filler's) make the frame exactly MAX: varint lengths
    // jump at 128-byte boundaries, so try a few filler sizes.
    const tail = (extra: number, k: number) => [msg('last', 0, extra), msg('fill', 0, k)]
    const size = (extra: number, k: number): number =>
      RPC.encode({ subscriptions: [], messages: [...full, ...tail(extra, k)] }).length
    let found: [number, number] | undefined
    for (let k = 8; k < 24 && found === undefined; k++) {
      for (let extra = MAX_PUBSUB_RPC_BYTES - size(8, k) + 8; extra > 8; extra--) {
        const sz = size(extra, k)
        if (sz === MAX_PUBSUB_RPC_BYTES) found = [extra, k]
        if (sz <= MAX_PUBSUB_RPC_BYTES) break
      }
    }
    assert.ok(found !== undefined, 'a frame of exactly MAX bytes')
    const bytes = frame([...full, ...tail(...found)])
    assert.equal(bytes.length - leb(MAX_PUBSUB_RPC_BYTES).length, MAX_PUBSUB_RPC_BYTES)
    const s = await raw()
    s.send(bytes)
    await waitFor(() => got.length === n + 2, 20_000, 'every message of the MAX frame')
    assert.equal(s.status, 'open')
    assert.equal(s.remoteWriteStatus, 'writable')
  })

  it('an RPC frame over MAX_PUBSUB_RPC_BYTES ends that stream; the node keeps working', async () => {
    got.length = 0
    const s = await raw()
    s.send(leb(MAX_PUBSUB_RPC_BYTES + 1))
    // y stops reading it and closes its side (gossipsub's InboundStream.close()).
    await waitFor(
      () => s.status !== 'open' || s.remoteWriteStatus !== 'writable',
      5_000,
      'y to close the stream',
    )
    // y dropped x's gossipsub state with that stream; a new stream is served again.
    const s2 = await raw()
    s2.send(frame([msg('good', 1)]))
    await waitFor(() => got.length === 1, 5_000, 'delivery on a new stream')
    assert.deepEqual(got, ['good'])
  })
})

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}
