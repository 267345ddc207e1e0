// The two delivery methods the group bench compares, each with real encryption:
//   gossipsub  the design's (§3): the sender encrypts once with its Sender Key (core
//              encryptWithRecord, node crypto) and publishes the SenderKeyMessage with
//              pubsubPublish; every member's topic validator decodes it, finds the sender by chain
//              id and verifies the signature, then its onMessage decrypts (decryptWithRecord).
//   fan-out    the same text as N−1 direct messages, each encrypted with the pairwise Double
//              Ratchet session (core SessionCipher, PQXDH-initiated) and sent with sendDm; every
//              member decrypts what it gets in onDm.
// It owns key and session set-up and the per-member receive paths; what is measured is in
// group-run.ts.
import {
  decryptWithRecord,
  encryptWithRecord,
  createOwnState,
} from '../../src/core/group/cipher.js'
import {
  decodeDistribution,
  decodeSenderKeyMessage,
  encodeDistribution,
} from '../../src/core/group/message.js'
import { SenderKeyRecord } from '../../src/core/group/record.js'
import type { SenderKeyMessageFields } from '../../src/core/group/message.js'
import type { Libp2pKithNode } from '../../src/node/kith-node.js'
import { PUBSUB_DLO } from '../../src/node/pubsub/index.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { dialPairs } from './group-net.js'
import { makeKithParty, nativeContext, type KithParty } from './kith.js'
import type { GroupMethod, Tracker } from './group-run.js'

/** The GossipSub class's mesh and peer scores (not in its exported interface). */
interface GossipSubInternals {
  getMeshPeers(topic: string): string[]
  getScore(peer: string): number
}
const internals = (n: Libp2pKithNode): GossipSubInternals =>
  n.libp2p.services.pubsub as unknown as GossipSubInternals
const meshOf = (n: Libp2pKithNode, topic: string): string[] => internals(n).getMeshPeers(topic)

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Every member's way to report a decrypted plaintext; replaced per cell. */
export interface Sink {
  tracker: Tracker | undefined
}

export class GossipsubMethod implements GroupMethod {
  readonly name = 'gossipsub'
  readonly topic: string
  readonly #nodes: Libp2pKithNode[]
  readonly #groupId: Uint8Array
  /** Own record of each sender. */
  readonly #own = new Map<number, SenderKeyRecord>()
  rejected = 0

  constructor(nodes: Libp2pKithNode[], senders: readonly number[], sink: Sink) {
    this.#nodes = nodes
    this.#groupId = nodeRng(16)
    this.topic = `/kith/group/1/bench-${Buffer.from(this.#groupId).toString('hex')}`
    const dists = new Map<number, Uint8Array>()
    for (const s of senders) {
      const own = createOwnState({ crypto: nodeCrypto, rng: nodeRng })
      const rec = SenderKeyRecord.empty()
      rec.addState(own)
      this.#own.set(s, rec)
      dists.set(s, encodeDistribution(this.#groupId, own))
    }
    nodes.forEach((node, member) => {
      // This member's records of the other senders, found by chain id (design §3 validator).
      const byChain = new Map<number, SenderKeyRecord>()
      for (const [s, dist] of dists) {
        if (s === member) continue
        const { state } = decodeDistribution(dist)
        const rec = SenderKeyRecord.empty()
        rec.addState(state)
        byChain.set(state.chainId, rec)
      }
      const validated = new WeakMap<Uint8Array, SenderKeyMessageFields>()
      node.pubsubSubscribe(
        this.topic,
        (data) => {
          let m: SenderKeyMessageFields
          try {
            m = decodeSenderKeyMessage(data)
          } catch {
            this.rejected++
            return 'reject'
          }
          const state = byChain.get(m.chainId)?.stateForChainId(m.chainId)
          if (
            state === undefined ||
            !nodeCrypto.ed25519Verify(state.signingPublic, m.content, m.signature)
          ) {
            this.rejected++
            return 'reject'
          }
          validated.set(data, m)
          return 'accept'
        },
        (data) => {
          const m = validated.get(data) ?? decodeSenderKeyMessage(data)
          const rec = byChain.get(m.chainId)
          if (rec === undefined) return
          sink.tracker?.delivered(member, decryptWithRecord(nodeCrypto, rec, m))
        },
      )
    })
  }

  /** Waits until every member's mesh holds min(Dlo, its topic peers) peers (src/node/pubsub/index.ts). */
  async meshReady(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs
    while (Date.now() < end) {
      const ok = this.#nodes.every((n) => {
        const peers = n.pubsubPeers(this.topic).length
        return peers > 0 && meshOf(n, this.topic).length >= Math.min(PUBSUB_DLO, peers)
      })
      if (ok) return true
      await sleep(100)
    }
    return false
  }

  /** The lowest score any member gives any of its topic peers (graylisting starts at
   *  PUBSUB_SCORE_THRESHOLDS.graylistThreshold): honest members must stay well above it. */
  minScore(): number {
    let min = Infinity
    for (const n of this.#nodes) {
      for (const p of n.pubsubPeers(this.topic)) min = Math.min(min, internals(n).getScore(p))
    }
    return min
  }

  async send(sender: number, plaintext: Uint8Array): Promise<void> {
    const rec = this.#own.get(sender)
    if (rec === undefined) throw new RangeError(`member ${sender} is no sender`)
    const data = encryptWithRecord(nodeCrypto, rec, this.#groupId, plaintext)
    await this.#nodes[sender]!.pubsubPublish(this.topic, data)
  }

  close(): void {
    for (const n of this.#nodes) n.pubsubUnsubscribe(this.topic)
  }
}

export class FanoutMethod implements GroupMethod {
  readonly name = 'fan-out'
  /** Sender → member links that could not be dialled before the run. */
  failedDials = 0
  readonly #nodes: Libp2pKithNode[]
  readonly #parties: KithParty[]
  /** Every member's addresses, so a sender dials members it has no link to. */
  readonly #addrs: string[][]

  private constructor(nodes: Libp2pKithNode[], parties: KithParty[], sink: Sink) {
    this.#nodes = nodes
    this.#addrs = nodes.map((n) => n.addrs())
    this.#parties = parties
    const memberOf = new Map(nodes.map((n, i) => [n.peerId, i]))
    nodes.forEach((node, member) => {
      // Decrypts are synchronous (one load → decrypt → commit), so they cannot interleave.
      node.onDm((from, frame) => {
        const s = memberOf.get(from)
        if (s === undefined) return Promise.resolve()
        return new Promise<void>((resolve) => {
          const out = parties[member]!.cipher.decrypt(parties[s]!.peerId, frame)
          out.commit()
          sink.tracker?.delivered(member, out.plaintext)
          resolve()
        })
      })
    })
  }

  /** Parties for every member; each sender runs PQXDH with every other member, and one
   *  message per pair opens the session at the receiver and the /kith/dm stream. */
  static async create(
    nodes: Libp2pKithNode[],
    senders: readonly number[],
    sink: Sink,
  ): Promise<FanoutMethod> {
    const ctx = nativeContext()
    const parties: KithParty[] = []
    for (let i = 0; i < nodes.length; i++) parties.push(makeKithParty(ctx))
    const m = new FanoutMethod(nodes, parties, sink)
    // A fan-out sender needs a connection to every member: dial them first, a few at a time
    // (99 dials at once from one node time out on a loaded machine).
    const pairs = senders.flatMap((s) =>
      nodes.flatMap((_, r) =>
        r === s || nodes[s]!.isConnected(nodes[r]!.peerId) ? [] : [[s, r] as const],
      ),
    )
    m.failedDials = await dialPairs(nodes, pairs)
    for (const s of senders) {
      for (let r = 0; r < nodes.length; r++) {
        if (r !== s) parties[s]!.cipher.initiate(parties[r]!.peerId, parties[r]!.bundle())
      }
    }
    // The first message of each pair is the PQXDH prekey message; a failed one is retried once
    // (the session is only established at the receiver when one arrives).
    for (let attempt = 1; attempt <= 2; attempt++) {
      const failed = await Promise.all(
        senders.map((s) =>
          m.send(s, new Uint8Array([0])).then(
            () => 0,
            () => 1,
          ),
        ),
      )
      if (failed.every((f) => f === 0)) break
    }
    return m
  }

  async send(sender: number, plaintext: Uint8Array): Promise<void> {
    const me = this.#parties[sender]!
    // Each write settles on its own (a write may fail while the next envelope is encrypted).
    const writes: Array<Promise<unknown>> = []
    for (let r = 0; r < this.#nodes.length; r++) {
      if (r === sender) continue
      const envelope = me.cipher.encrypt(this.#parties[r]!.peerId, plaintext)
      const to = this.#nodes[r]!.peerId
      writes.push(
        this.#nodes[sender]!.sendDm(to, [envelope], this.#addrs[r]).catch((e: unknown) => e),
      )
    }
    const failed = (await Promise.all(writes)).filter((x) => x instanceof Error).length
    if (failed > 0) throw new Error(`${failed} of ${writes.length} direct messages failed`)
  }
}
