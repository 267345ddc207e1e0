// Inbound gossipsub hardening for one GossipSub instance (issue 11, findings 1 and 13), in one
// place because @libp2p/gossipsub 17.1.1 offers no hook for any of it:
//  - every inbound /meshsub stream gets a FrameMeter (./frame-meter.ts): a frame that was begun must end within
//    PUBSUB_PARTIAL_FRAME_TIMEOUT_MS, and the bytes of unfinished frames are charged to a
//    per-peer and a node-wide budget. gossipsub reads inbound streams with it-length-prefixed
//    (InboundStream in dist/src/stream.js) and no timeout, so a peer that sends a length prefix
//    and all but one byte pins that buffer for as long as the connection lives. Over a budget or
//    the timeout the stream is aborted (gossipsub then drops the peer's pubsub state).
//  - RPC messages on topics this node did not subscribe to are dropped before gossipsub sees
//    them, so they never enter its message cache or seen cache (gossipsub's own `allowedTopics`
//    is a fixed set that would also hide peers' subscriptions made before we joined a group);
//    subscriptions to over-long topics are dropped too, and gossipsub's maxTopicBytesPerPeer
//    bounds how many a peer may hold (./index.ts).
//  - our answer to an IWANT is split into RPCs of at most PUBSUB_IWANT_ANSWER_BYTES, so an honest
//    Kith peer never needs an inbound RPC larger than MAX_PUBSUB_RPC_BYTES (./index.ts).
// Upstream: js-libp2p has no resource manager like go-libp2p's (p2p/host/resource-manager), and no
// upstream issue was found for gossipsub's missing partial-frame timeout or a dynamic topic filter
// (searched libp2p/js-libp2p and ChainSafe/js-libp2p-gossipsub, 2026-12). This module knows
// nothing of groups.
import debug from 'debug'
import { defineError } from '../../core/errors.js'
import { FrameMeter, MAX_VARINT_BYTES } from './frame-meter.js'
import type { RPC } from '@libp2p/gossipsub/message'
import type { PeerId, Stream, StreamMessageEvent } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

const log = debug('kith:node:pubsub-guard')

/** A frame begun on an inbound pubsub stream must be complete within this long. An honest RPC of
 *  MAX_PUBSUB_RPC_BYTES (≈ 0.5 MiB) needs 5 s even at 100 KiB/s; twice that is the margin. */
export const PUBSUB_PARTIAL_FRAME_TIMEOUT_MS = 10_000
/** Node-wide bytes of unfinished inbound pubsub frames. Honest frames finish in milliseconds, so
 *  few are partial at once: 8 MiB holds 15 maximum-size ones. Over it, the oldest partial frames
 *  (most likely stalled ones) are reset first. */
export const PUBSUB_PARTIAL_BYTES_BUDGET = 8 * 1024 * 1024
/** Longest topic string a peer may subscribe to as seen by us. Kith topics are
 *  "/kith/group/1/" + 64 hex digits (core/group/control.ts): 78 characters. */
export const PUBSUB_MAX_TOPIC_LENGTH = 128

/** An inbound pubsub frame was not completed within PUBSUB_PARTIAL_FRAME_TIMEOUT_MS. */
export class PubsubFrameTimeoutError extends defineError('PubsubFrameTimeoutError') {}
/** A peer's unfinished pubsub frames exceeded its budget (one maximum RPC). */
export class PubsubPeerBudgetError extends defineError('PubsubPeerBudgetError') {}
/** The node-wide partial-frame budget was full: the oldest unfinished frame was reset. */
export class PubsubNodeBudgetError extends defineError('PubsubNodeBudgetError') {}

export interface PubsubGuardInit {
  /** Largest RPC frame (gossipsub's maxInboundDataLength). */
  maxRpcBytes: number
  /** Bytes of unfinished frames one peer may hold (default: one maximum frame with its prefix). */
  perPeerBytes?: number
  nodeBytes?: number
  partialFrameTimeoutMs?: number
  /** Data bytes of the messages of one IWANT answer RPC. */
  iwantAnswerBytes: number
  /** Messages of one IWANT answer RPC. */
  iwantAnswerMessages: number
  /** Whether messages on `topic` may enter gossipsub (we are subscribed). */
  allowTopic: (topic: string) => boolean
}

/** The GossipSub internals this module wraps (dist/src/gossipsub.js; not in its typed API). */
interface GossipInternals {
  createInboundStream(peerId: PeerId, stream: Stream): void
  handleReceivedRpc(from: PeerId, rpc: RPC): Promise<void>
  handleIWant(id: string, iwant: RPC.ControlIWant[]): RPC.Message[]
  sendRpc(id: string, rpc: RPC): boolean
}

/** Installs the guard on `gs` (before libp2p starts it); returns its counters and state. */
export class PubsubGuard {
  readonly #init: Required<Omit<PubsubGuardInit, 'allowTopic'>> &
    Pick<PubsubGuardInit, 'allowTopic'>
  readonly #meters = new Set<FrameMeter>()
  readonly #perPeer = new Map<string, number>()
  readonly #rejected = new Map<string, number>()
  #total = 0

  constructor(gs: unknown, init: PubsubGuardInit) {
    this.#init = {
      perPeerBytes: init.maxRpcBytes + MAX_VARINT_BYTES,
      nodeBytes: PUBSUB_PARTIAL_BYTES_BUDGET,
      partialFrameTimeoutMs: PUBSUB_PARTIAL_FRAME_TIMEOUT_MS,
      ...init,
    }
    const g = gs as GossipInternals
    const createInbound = g.createInboundStream.bind(g)
    g.createInboundStream = (peerId, stream) => {
      createInbound(peerId, stream)
      this.#attach(peerId.toString(), stream)
    }
    const handleRpc = g.handleReceivedRpc.bind(g)
    g.handleReceivedRpc = (from, rpc) => handleRpc(from, this.#filter(rpc))
    const handleIWant = g.handleIWant.bind(g)
    g.handleIWant = (id, iwant) => this.#splitAnswer(g, id, handleIWant(id, iwant))
  }

  /** Rejections by reason: error names of reset streams, `unknownTopic` messages dropped,
   *  `topicTooLong` subscriptions dropped. */
  rejected(): Record<string, number> {
    return Object.fromEntries(this.#rejected)
  }

  /** Bytes of unfinished inbound frames held now (node-wide). */
  partialBytes(): number {
    return this.#total
  }

  #count(reason: string, n = 1): void {
    this.#rejected.set(reason, (this.#rejected.get(reason) ?? 0) + n)
  }

  /**
   * Meters the bytes of `stream` as gossipsub's reader gets them: @libp2p/utils' pipe() turns a
   * message stream into a source with a 'message' listener (messageStreamToDuplex), added while
   * gossipsub builds its InboundStream; this listener comes right after it, so every dispatch
   * (including bytes buffered before either was added) reaches both, in order.
   */
  #attach(peer: string, stream: Stream): void {
    const meter = new FrameMeter(peer, stream)
    const onMessage = (evt: StreamMessageEvent): void => this.#feed(meter, evt.data)
    stream.addEventListener('message', onMessage)
    stream.addEventListener(
      'close',
      () => {
        stream.removeEventListener('message', onMessage)
        this.#release(meter)
      },
      { once: true },
    )
  }

  #feed(meter: FrameMeter, data: Uint8Array | Uint8ArrayList): void {
    const before = meter.partial
    let completed: number
    try {
      const byteAt =
        data instanceof Uint8Array ? (i: number) => data[i]! : (i: number) => data.get(i)
      completed = meter.feed(data.byteLength, byteAt, this.#init.maxRpcBytes).completed
    } catch (err) {
      this.#reset(meter, err as Error)
      return
    }
    // A frame completed: the one now partial (if any) is a new frame, with its own deadline.
    if (completed > 0) this.#stopClock(meter)
    this.#charge(meter, meter.partial - before)
  }

  #stopClock(meter: FrameMeter): void {
    this.#meters.delete(meter)
    clearTimeout(meter.timer)
    meter.timer = undefined
  }

  #charge(meter: FrameMeter, delta: number): void {
    const peerBytes = (this.#perPeer.get(meter.peer) ?? 0) + delta
    this.#total += delta
    if (peerBytes <= 0) this.#perPeer.delete(meter.peer)
    else this.#perPeer.set(meter.peer, peerBytes)
    if (meter.partial === 0) {
      this.#stopClock(meter)
      return
    }
    if (!this.#meters.has(meter)) {
      this.#meters.add(meter)
      meter.startedAt = Date.now()
      const ms = this.#init.partialFrameTimeoutMs
      meter.timer = setTimeout(() => {
        this.#reset(meter, new PubsubFrameTimeoutError(`pubsub frame unfinished after ${ms} ms`))
      }, ms)
      meter.timer.unref?.()
    }
    if (peerBytes > this.#init.perPeerBytes) {
      this.#reset(meter, new PubsubPeerBudgetError(`peer holds ${peerBytes} partial bytes`))
      return
    }
    // Node-wide: reset the oldest unfinished frames (stalled ones, most likely) until it fits.
    while (this.#total > this.#init.nodeBytes) {
      let oldest: FrameMeter | undefined
      for (const m of this.#meters) {
        if (oldest === undefined || m.startedAt < oldest.startedAt) oldest = m
      }
      if (oldest === undefined) break
      this.#reset(oldest, new PubsubNodeBudgetError('node-wide partial-frame budget full'))
    }
  }

  /** Gives back what `meter` holds (idempotent: its stream ended, or was reset). */
  #release(meter: FrameMeter): void {
    const held = meter.partial
    meter.partial = 0
    this.#charge(meter, -held)
    this.#stopClock(meter)
  }

  #reset(meter: FrameMeter, err: Error): void {
    this.#count(err.name)
    log('reset a pubsub stream of %s: %s', meter.peer, err.name)
    this.#release(meter)
    if (meter.stream.status === 'open') meter.stream.abort(err)
  }

  #filter(rpc: RPC): RPC {
    const messages = rpc.messages ?? []
    if (messages.length > 0) {
      const kept = messages.filter((m) => this.#init.allowTopic(m.topic))
      if (kept.length < messages.length) {
        this.#count('unknownTopic', messages.length - kept.length)
        rpc.messages = kept
      }
    }
    const subs = rpc.subscriptions ?? []
    if (subs.length > 0) {
      const kept = subs.filter((s) => (s.topic?.length ?? 0) <= PUBSUB_MAX_TOPIC_LENGTH)
      if (kept.length < subs.length) {
        this.#count('topicTooLong', subs.length - kept.length)
        rpc.subscriptions = kept
      }
    }
    return rpc
  }

  /** Returns the first chunk of an IWANT answer for gossipsub to send; sends the rest itself. */
  #splitAnswer(g: GossipInternals, id: string, msgs: RPC.Message[]): RPC.Message[] {
    const chunks: RPC.Message[][] = [[]]
    let bytes = 0
    for (const m of msgs) {
      const size = (m.data?.length ?? 0) + m.topic.length + 16
      const cur = chunks[chunks.length - 1]!
      if (
        cur.length > 0 &&
        (bytes + size > this.#init.iwantAnswerBytes || cur.length >= this.#init.iwantAnswerMessages)
      ) {
        chunks.push([m])
        bytes = size
      } else {
        cur.push(m)
        bytes += size
      }
    }
    for (const chunk of chunks.slice(1)) g.sendRpc(id, { subscriptions: [], messages: chunk })
    return chunks[0]!
  }
}
