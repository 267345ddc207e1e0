// Group message transport on gossipsub (design §3): the @libp2p/gossipsub configuration Kith runs
// (StrictNoSign, msgId = SHA-256(data), peer scoring, bounds) and the thin wrapper behind
// KithNode.pubsub*: one subscription per topic with its synchronous validator (a gossipsub topic
// validator, so nothing unvalidated is delivered or forwarded) and its delivery callback, and the
// topic's score parameters while subscribed, and the inbound hardening of ./guard.ts. It
// carries opaque bytes: it knows nothing of keys, members or messages, and counts no validator
// rejections (the caller knows why it rejected); the guard counts what it drops.
import { createHash } from 'node:crypto'
import { StrictNoSign, TopicValidatorResult, gossipsub } from '@libp2p/gossipsub'
import { createTopicScoreParams } from '@libp2p/gossipsub/score'
import debug from 'debug'
import { MAX_SENDER_KEY_MESSAGE_BYTES } from '../../core/wire/limits.js'
import { MessageTooLargeError } from '../errors.js'
import { liveTopicParams } from '../libp2p/patches.js'
import { PubsubGuard } from './guard.js'
import type { PubsubGuardInit } from './guard.js'
import type { PubsubVerdict } from '../types.js'
import type { GossipSub, GossipsubOpts, Message } from '@libp2p/gossipsub'
import type { PeerScoreParams } from '@libp2p/gossipsub/score'
import type { PeerId } from '@libp2p/interface'

const log = debug('kith:node:pubsub')

/** Largest data of one group message: a core SenderKeyMessage (core/wire/limits.ts). Bigger data
 *  is refused on publish and rejected by the topic validator before the caller's runs. */
export const MAX_PUBSUB_DATA_BYTES = MAX_SENDER_KEY_MESSAGE_BYTES
/**
 * Data bytes of the messages one IWANT answer RPC carries. gossipsub bundles every message an
 * IWANT asks for (up to 5,000) into one RPC (GossipSub.handleIWant); Kith splits its answers into
 * RPCs of at most 4 maximum-size group messages (./guard.ts), so no honest Kith peer ever
 * sends a bigger RPC than MAX_PUBSUB_RPC_BYTES, however many messages a peer missed.
 */
export const PUBSUB_IWANT_ANSWER_BYTES = 4 * MAX_PUBSUB_DATA_BYTES
/** Messages one IWANT answer RPC carries (chat-sized messages): well under MAX_PUBSUB_RPC_MESSAGES. */
export const PUBSUB_IWANT_ANSWER_MESSAGES = 512
/** Room in one RPC for control piggybacked on messages: IHAVE gossip of ≈7,500 message ids
 *  (34 B each), IWANT, GRAFT/PRUNE, IDONTWANT. */
export const PUBSUB_RPC_CONTROL_BYTES = 256 * 1024
/**
 * Largest inbound gossipsub RPC (one length-prefixed frame; gossipsub's maxInboundDataLength,
 * default 4 MiB): an IWANT answer (PUBSUB_IWANT_ANSWER_BYTES), or one published or forwarded
 * message, plus control and framing: ≈ 534 KiB (it was 64 messages, ≈ 4.5 MB, before IWANT
 * answers were split; finding 1 of issue 11 pinned 150 partial frames of that size). A longer
 * length prefix resets that peer's inbound stream, and gossipsub then drops the peer's state
 * (subscriptions, mesh) until it connects again.
 */
export const MAX_PUBSUB_RPC_BYTES = PUBSUB_IWANT_ANSWER_BYTES + PUBSUB_RPC_CONTROL_BYTES + 4096
/** Messages one inbound RPC may carry (gossipsub decodeRpcLimits.maxMessages, default 5,000). */
export const MAX_PUBSUB_RPC_MESSAGES = 1024
/** Gossipsub heartbeat (mesh maintenance, gossip emission). Default 1 s; faster heals a small
 *  group's mesh sooner after churn, at a few hundred bytes per peer per beat. */
export const PUBSUB_HEARTBEAT_MS = 700
/**
 * Mesh degree D and its bounds Dlo/Dhi (libp2p defaults 6/4/12), and Dscore/Dout (4/2). A member
 * keeps up to GROUP_MAX_WATCH (8) other members connected (design §4), so with D = 6 the mesh
 * would be nearly every topic peer: each message crosses almost every link (up to 8 copies per
 * member), and lazy gossip (IHAVE to non-mesh peers) has no one left to reach. D = 4 keeps ≥ 3
 * disjoint paths per member, ≈ half the duplicate copies (the CPU a member spends per message is
 * mostly per-copy transport work: bench group), and leaves peers for gossip; 100 members are
 * still ≈ 3–4 hops deep. Publishing floods to every topic peer (floodPublish) regardless.
 * D = 3 (Dlo 2, Dout 1) was measured against it in the multi-process group bench (N = 20, 10
 * msg/s, load 18–34, docs/performance.md "Groups"): 3 % more CPU per decryption in one run, 35 %
 * more in another (starved): no saving that would pay for the third disjoint path. (TCP retransmits what a lossy link drops, so loss costs latency, not copies;
 * what a member misses while a peer churns, IHAVE gossip and /kith/sync repair.)
 */
export const PUBSUB_D = 4
export const PUBSUB_DLO = 3
export const PUBSUB_DHI = 8
export const PUBSUB_DSCORE = 2
export const PUBSUB_DOUT = 2
/**
 * Smallest message data for which gossipsub sends IDONTWANT to its mesh peers (gossipsub v1.2
 * "IDONTWANT"; @libp2p/gossipsub's GossipsubIdontwantMinDataSize is the same 512, set here
 * because Kith's sizes decide it). A group message carrying a short text (the 256-byte padding
 * bucket, core/wire/padding.ts) is ≈ 370 bytes and sends none; one of the 512-byte bucket and up
 * (≥ ≈ 626 bytes) does. Measured in the multi-process group bench (N = 20, 10 msg/s): IDONTWANT
 * for the short ones too (threshold 256) cost 23 % and 30 % more CPU per decryption in two runs
 * (load 20–28): an IDONTWANT is a frame, an RPC to decode and an entry to keep, about
 * what the ≈ 370-byte copy it may save costs, and the copy has often left already.
 */
export const PUBSUB_IDONTWANT_MIN_BYTES = 512
/** Inbound /meshsub streams one connection may hold (libp2p's default is 32 per protocol):
 *  gossipsub uses one, and a new one replaces the old (which lingers until the remote closes
 *  its side), so 8 covers replacements; each one's partial frame is budgeted anyway. */
export const PUBSUB_MAX_STREAMS_PER_CONNECTION = 8
/** Group topics one peer may hold subscriptions to, as seen by us: a member in 64 groups is
 *  already unusual. gossipsub charges each topic its length + 1,024 B (GossipsubTopicEntryOverhead)
 *  against maxTopicBytesPerPeer (default 1 MiB ≈ 1,000 topics); we allow 64 topics of Kith's
 *  length (KITH_TOPIC_LENGTH), so at most 73 of any length. */
export const PUBSUB_MAX_TOPICS_PER_PEER = 64
/** Length of a Kith group topic: "/kith/group/1/" + 64 hex digits (core/group/control.ts). */
export const KITH_TOPIC_LENGTH = 78

/**
 * Peer-score thresholds (gossipsub v1.1 §"Score Thresholds"). An honest member's topic score is
 * ≥ 0 (time in mesh and first deliveries only add; mesh-delivery deficits are not penalised, see
 * topicScoreParams), so only invalid messages push a peer below zero: gossip is withheld below
 * -10, our own publishes below -50, and everything from it is ignored below -80.
 */
export const PUBSUB_SCORE_THRESHOLDS = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 5,
} as const

/**
 * Score parameters of a group topic (gossipsub v1.1 §"Topic Parameter Calculation"). P4 (invalid
 * messages: rejected by our validator) is the one penalty: weight -2 on the square of the count,
 * decaying ×0.5 per second, so a peer is graylisted (-80) with ≈7 invalid messages outstanding,
 * i.e. about 3 per second sustained; a one-off (a message racing a key rotation) costs -2 and is
 * gone in seconds. P3/P3b (mesh delivery deficit) are off: a quiet chat delivers nothing for
 * minutes, and honest members must never be penalised for silence.
 */
export function topicScoreParams() {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1_000,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 10,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -2,
    invalidMessageDeliveriesDecay: 0.5,
  })
}

/** msgId = SHA-256(data): the StrictNoSign default (msgIdFnStrictNoSign), made explicit and
 *  synchronous. A replayed ciphertext thus has the id of the original and is dropped as seen. */
function msgIdFn(msg: Message): Uint8Array {
  return createHash('sha256').update(msg.data).digest()
}

/** What a bench may change to measure against Kith's choice (KithNodeTuning.pubsub). */
export type PubsubTuning = Partial<
  Pick<GossipsubOpts, 'D' | 'Dlo' | 'Dhi' | 'Dlazy' | 'Dout' | 'Dscore' | 'idontwantMinDataSize'>
>

/** The gossipsub options Kith runs (design §3); `tuning` only in benches. */
export function pubsubOptions(tuning: PubsubTuning = {}): Partial<GossipsubOpts> {
  return {
    // No from/seqno/signature on the wire: Kith's sender-key signature authenticates the message
    // and the topic reveals no PeerId (issue 6). Received messages carrying them are rejected.
    globalSignaturePolicy: StrictNoSign,
    msgIdFn,
    emitSelf: false,
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    // Members behind a NAT reach each other over relayed connections too.
    runOnLimitedConnection: true,
    floodPublish: true,
    D: PUBSUB_D,
    Dlo: PUBSUB_DLO,
    Dhi: PUBSUB_DHI,
    Dscore: PUBSUB_DSCORE,
    Dout: PUBSUB_DOUT,
    heartbeatInterval: PUBSUB_HEARTBEAT_MS,
    idontwantMinDataSize: PUBSUB_IDONTWANT_MIN_BYTES,
    maxInboundDataLength: MAX_PUBSUB_RPC_BYTES,
    maxInboundStreams: PUBSUB_MAX_STREAMS_PER_CONNECTION,
    // GossipsubTopicEntryOverhead (1,024) + a Kith topic, per topic.
    maxTopicBytesPerPeer: PUBSUB_MAX_TOPICS_PER_PEER * (1024 + KITH_TOPIC_LENGTH),
    decodeRpcLimits: {
      maxSubscriptions: 5000,
      maxMessages: MAX_PUBSUB_RPC_MESSAGES,
      maxIhaveMessageIDs: 5000,
      maxIwantMessageIDs: 5000,
      maxIdontwantMessageIDs: 512,
      maxControlMessages: 5000,
      maxPeerInfos: 16,
    },
    scoreParams: {
      // Group members often share one IP (a NAT, a LAN, loopback in tests): the IP colocation
      // penalty (default weight -5 above 10 peers per IP) would graylist honest members. A
      // Sybil gains nothing on a group topic anyway: its messages fail the validator.
      IPColocationFactorWeight: 0,
      // Topic params are added per topic while subscribed (KithPubsub.subscribe).
      topics: {},
    },
    scoreThresholds: { ...PUBSUB_SCORE_THRESHOLDS },
    ...tuning,
  }
}

/** The libp2p service factory: `services: { pubsub: pubsubService() }`. */
export function pubsubService(tuning?: PubsubTuning): ReturnType<typeof gossipsub> {
  return gossipsub(pubsubOptions(tuning))
}

const VERDICTS: Record<PubsubVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  reject: TopicValidatorResult.Reject,
  ignore: TopicValidatorResult.Ignore,
}

interface Subscription {
  validate: (data: Uint8Array) => PubsubVerdict
  onMessage: (data: Uint8Array) => void
}

function checkTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new TypeError('topic must be a non-empty string')
  }
}

/** KithNode.pubsub* on one GossipSub service. */
export class KithPubsub {
  readonly #gs: GossipSub
  readonly #topicParams: PeerScoreParams['topics']
  readonly #subs = new Map<string, Subscription>()
  /** Partial-frame budgets, the topic filter and IWANT splitting (./guard.ts). */
  readonly guard: PubsubGuard

  /** `gs` must not be started yet (the guard wraps how it reads inbound streams). */
  constructor(gs: GossipSub, guard: Partial<PubsubGuardInit> = {}) {
    this.#gs = gs
    this.#topicParams = liveTopicParams(gs)
    this.guard = new PubsubGuard(gs, {
      maxRpcBytes: MAX_PUBSUB_RPC_BYTES,
      iwantAnswerBytes: PUBSUB_IWANT_ANSWER_BYTES,
      iwantAnswerMessages: PUBSUB_IWANT_ANSWER_MESSAGES,
      // Only our own group topics' messages may enter gossipsub's caches (finding 13).
      allowTopic: (topic) => this.#subs.has(topic),
      ...guard,
    })
    gs.addEventListener('message', (evt) => {
      const msg = evt.detail
      const sub = this.#subs.get(msg.topic)
      if (sub === undefined) return
      try {
        sub.onMessage(msg.data)
      } catch (err) {
        log('onMessage threw: %s', err instanceof Error ? err.name : String(err))
      }
    })
  }

  subscribe(
    topic: string,
    validate: (data: Uint8Array) => PubsubVerdict,
    onMessage: (data: Uint8Array) => void,
  ): void {
    checkTopic(topic)
    if (typeof validate !== 'function') throw new TypeError('validate must be a function')
    if (typeof onMessage !== 'function') throw new TypeError('onMessage must be a function')
    this.#subs.set(topic, { validate, onMessage })
    this.#topicParams[topic] = topicScoreParams()
    this.#gs.topicValidators.set(topic, (_peer: PeerId, msg: Message) => this.#validate(msg))
    this.#gs.subscribe(topic)
  }

  unsubscribe(topic: string): void {
    checkTopic(topic)
    this.#subs.delete(topic)
    this.#gs.topicValidators.delete(topic)
    this.#gs.unsubscribe(topic)
    // The topic's score params go with it (peer-score ignores topics without params).
    delete this.#topicParams[topic]
  }

  async publish(topic: string, data: Uint8Array): Promise<number> {
    checkTopic(topic)
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array')
    if (data.length === 0) throw new RangeError('data is empty')
    if (data.length > MAX_PUBSUB_DATA_BYTES) {
      throw new MessageTooLargeError(`data is ${data.length} bytes > ${MAX_PUBSUB_DATA_BYTES}`)
    }
    const res = await this.#gs.publish(topic, data)
    return res.recipients.length
  }

  peers(topic: string): string[] {
    checkTopic(topic)
    return this.#gs.getSubscribers(topic).map((p) => p.toString())
  }

  #validate(msg: Message): TopicValidatorResult {
    const sub = this.#subs.get(msg.topic)
    if (sub === undefined) return TopicValidatorResult.Ignore
    // StrictNoSign already rejected any message with from/seqno/signature/key.
    if (msg.type !== 'unsigned') return TopicValidatorResult.Reject
    if (msg.data.length === 0 || msg.data.length > MAX_PUBSUB_DATA_BYTES) {
      return TopicValidatorResult.Reject
    }
    try {
      return VERDICTS[sub.validate(msg.data)] ?? TopicValidatorResult.Reject
    } catch (err) {
      log('validator threw: %s', err instanceof Error ? err.name : String(err))
      return TopicValidatorResult.Reject
    }
  }
}
