// The two baselines of the multi-process group bench (issue 17, `--baselines`): what the same
// members, links and message rate cost with Kith's own work taken out, so the product cell's CPU
// per member per message can be read against the transport's floor.
// - bare-gossipsub: the product's node (createKithNode: Noise, yamux with its window patch and
//   write batching, the connection monitor, gossipsub with src/node/pubsub's options, guard and
//   KithPubsub wrapper) publishing opaque bytes of a product group message's size; the topic
//   validator accepts without looking, nothing is decoded, verified or decrypted.
// - bare-streams: the same nodes and links, no gossipsub traffic: each member keeps one
//   long-lived stream of BARE_PROTOCOL to each of ≈ PUBSUB_D "mesh-like" neighbours (a fixed
//   subgraph of the links, floodNeighbours) and floods: the sender writes each message once to
//   each neighbour, a member seeing a message for the first time writes it once to each
//   neighbour but the one it came from (as gossipsub forwards to its mesh). Frames are the
//   product's stream framing (src/node/stream/frames.ts); duplicates are told apart by the tag.
// It owns the baselines' child-side work and their neighbour graph; group-child.ts drives it and
// group-procs.ts measures it like the product cell.
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import { createOwnState, encryptWithRecord, SenderKeyRecord } from '../../src/core/group/index.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import { PUBSUB_D } from '../../src/node/pubsub/index.js'
import { encodeFrames, FrameReader } from '../../src/node/stream/frames.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'

export type Baseline = 'bare-gossipsub' | 'bare-streams'
export const BASELINES: readonly Baseline[] = ['bare-gossipsub', 'bare-streams']

/** The bench-only protocol of bare-streams. */
export const BARE_PROTOCOL = '/kith-bench/bare/1.0.0'
/** Bytes of the tag at the start of every bench message (group-child.ts puts it first). */
export const TAG_BYTES = 12
/** Largest bare frame: a group message of the 256-byte padding bucket is ≈ 370 B. */
const MAX_BARE_FRAME_BYTES = 4096

/** A member's report of a message it got for the first time: tag (hex), member, wall-clock ms. */
export type Deliver = (tag: string, member: number, at: number) => void

const now = (): number => performance.timeOrigin + performance.now()
const tagOf = (data: Uint8Array): string =>
  Buffer.from(data.buffer, data.byteOffset, TAG_BYTES).toString('hex')

/** Size of the product cell's message: one Sender Key encryption of its 48-byte plaintext. */
export function productMessageBytes(groupId: Uint8Array): number {
  const rec = SenderKeyRecord.empty()
  rec.addState(createOwnState({ crypto: nodeCrypto, rng: nodeRng }))
  return encryptWithRecord(nodeCrypto, rec, groupId, new Uint8Array(48)).length
}

/** Opaque bytes of `size`: the tag, then random bytes (distinct data, distinct gossipsub ids). */
export function bareMessage(tag: string, size: number): Uint8Array {
  const data = randomBytes(size)
  data.set(Buffer.from(tag, 'hex'), 0)
  return data
}

/**
 * Neighbours of each member in bare-streams: a subgraph of the dialled `edges` with degree ≈
 * `degree` — the ring (i, i + 1), which keeps it connected, then the other links in a seeded
 * random order, each taken while both ends have fewer than `degree`. Symmetric, like a mesh.
 */
export function floodNeighbours(
  n: number,
  edges: ReadonlyArray<readonly [number, number]>,
  rand: () => number,
  degree = PUBSUB_D,
): number[][] {
  const out = Array.from({ length: n }, () => [] as number[])
  const take = (i: number, j: number): void => {
    out[i]!.push(j)
    out[j]!.push(i)
  }
  const ring = (i: number, j: number): boolean => j - i === 1 || (i === 0 && j === n - 1 && n > 2)
  const rest: Array<readonly [number, number]> = []
  for (const e of edges) {
    if (ring(e[0], e[1])) take(e[0], e[1])
    else rest.push(e)
  }
  for (let k = rest.length - 1; k > 0; k--) {
    const r = Math.floor(rand() * (k + 1))
    ;[rest[k], rest[r]] = [rest[r]!, rest[k]!]
  }
  for (const [i, j] of rest) {
    if (out[i]!.length < degree && out[j]!.length < degree) take(i, j)
  }
  return out
}

/**
 * Counts the messages `node`'s gossipsub receives in RPCs (first copies and duplicates, before
 * validation: each is a copy the member paid to receive) by wrapping its handleReceivedMessage.
 */
export function countGossipCopies(node: Libp2pKithNode, onCopy: () => void): void {
  const gs = node.libp2p.services.pubsub as unknown as {
    handleReceivedMessage: (...args: unknown[]) => Promise<void>
  }
  const handle = gs.handleReceivedMessage
  gs.handleReceivedMessage = function (this: unknown, ...args: unknown[]) {
    onCopy()
    return handle.apply(this, args)
  }
}

/** bare-gossipsub on one member: subscribed with a validator that accepts whatever comes. */
export function subscribeBare(
  node: Libp2pKithNode,
  topic: string,
  member: number,
  deliver: Deliver,
): void {
  node.pubsubSubscribe(
    topic,
    () => 'accept',
    (data) => deliver(tagOf(data), member, now()),
  )
}

/** bare-streams on one member: its inbound handler, its outbound streams and the flood. */
export class BareStreams {
  readonly #node: Libp2pKithNode
  readonly #member: number
  readonly #deliver: Deliver
  /** Outbound stream per neighbour PeerId. */
  readonly #out = new Map<string, Stream>()
  readonly #seen = new Set<string>()
  /** Frames received (first copies and duplicates). */
  copies = 0

  constructor(node: Libp2pKithNode, member: number, deliver: Deliver) {
    this.#node = node
    this.#member = member
    this.#deliver = deliver
    void node.libp2p.handle(BARE_PROTOCOL, (stream, connection) => {
      void this.#read(stream, connection.remotePeer.toString())
    })
  }

  /** Opens one stream to each neighbour (over the link already dialled); resolves failures. */
  async open(neighbours: string[][]): Promise<number> {
    let failed = 0
    for (const addrs of neighbours) {
      const mas = addrs.map((a) => multiaddr(a))
      const peer = mas[0]?.getComponents().at(-1)?.value
      try {
        if (peer === undefined) throw new Error('no /p2p/ in the address')
        this.#out.set(peer, await this.#node.libp2p.dialProtocol(mas, BARE_PROTOCOL))
      } catch {
        failed++
      }
    }
    return failed
  }

  get streams(): number {
    return this.#out.size
  }

  publish(data: Uint8Array): void {
    this.#seen.add(tagOf(data))
    this.#forward(encodeFrames([data], MAX_BARE_FRAME_BYTES), undefined)
  }

  #forward(frame: Uint8Array, from: string | undefined): void {
    for (const [peer, stream] of this.#out) {
      // The muxer buffers what does not fit its window; a 370-byte frame at 10 msg/s never waits.
      if (peer !== from && stream.writeStatus === 'writable') stream.send(frame)
    }
  }

  async #read(stream: Stream, from: string): Promise<void> {
    const reader = new FrameReader(stream, MAX_BARE_FRAME_BYTES)
    try {
      for (let data = await reader.next(); data !== null; data = await reader.next()) {
        const tag = tagOf(data)
        this.copies++
        if (this.#seen.has(tag)) continue
        this.#seen.add(tag)
        this.#deliver(tag, this.#member, now())
        this.#forward(encodeFrames([data], MAX_BARE_FRAME_BYTES), from)
      }
    } catch {
      // The stream went away (the bench is stopping).
    } finally {
      reader.dispose()
    }
  }

  close(): void {
    for (const s of this.#out.values()) s.abort(new Error('bench stopping'))
  }
}
