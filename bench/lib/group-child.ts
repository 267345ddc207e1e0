// One child process of the multi-process group bench (group-procs.ts): hosts K real Kith nodes
// (createKithNode on 127.0.0.1, no mDNS), driven by the parent over Node's IPC channel. Members
// it hosts that are senders make their own Sender Key (core createOwnState) and hand its
// distribution to the parent, which hands it to every member. Every member subscribes to the
// group topic with the product's receive path: the topic validator decodes the SenderKeyMessage
// once, finds the sender's record by chain id and judges it (core judgeSenderKeyMessage: the
// one Ed25519 verification); the delivery callback decrypts with the validator's proof
// (decryptWithRecord, no second verification). Each decrypted bench tag is reported to the parent
// with its wall-clock time (performance.timeOrigin + now(): one clock for all processes).
// With `baseline` set at start the members run one of group-bare.ts's baselines instead (opaque
// bytes of the same size over bare gossipsub, or flooded over plain streams): the same nodes,
// links and reports, none of the Sender Key work.
// It measures nothing itself; the parent reads this process's CPU from /proc.
import '../../src/platform/polyfill.js'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { performance } from 'node:perf_hooks'
import {
  createOwnState,
  decodeDistribution,
  decodeSenderKeyMessage,
  decryptWithRecord,
  encodeDistribution,
  encryptWithRecord,
  judgeSenderKeyMessage,
  SenderKeyRecord,
  type VerifiedSenderKeyMessage,
} from '../../src/core/group/index.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import {
  BareStreams,
  bareMessage,
  countGossipCopies,
  productMessageBytes,
  subscribeBare,
  type Baseline,
} from './group-bare.js'
import type { KithNodeTuning } from '../../src/node/libp2p/options.js'
import { PUBSUB_DLO } from '../../src/node/pubsub/index.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { multiaddr } from '@multiformats/multiaddr'

/** Parent → child. Indices are global member numbers; this child hosts [first, first + count). */
export type ToChild =
  | {
      type: 'start'
      first: number
      count: number
      senders: number[]
      topic: string
      groupId: string
      /** What the nodes run differently from the product (a `--variant`); none: the product. */
      tuning?: GroupTuning
      /** Run a baseline (group-bare.ts) instead of the product's group messages. */
      baseline?: Baseline
    }
  | { type: 'dial'; pairs: Array<[number, string[]]> }
  | {
      type: 'keys'
      dists: Array<[number, string]>
      /** bare-streams: each hosted member's neighbours' addresses (group-bare.ts floodNeighbours). */
      neighbours?: Array<[number, string[][]]>
    }
  | { type: 'mesh' }
  | { type: 'send'; sender: number; tag: string }
  | { type: 'flush' }
  | { type: 'profile'; file?: string }
  | { type: 'stop' }

/** The parts of KithNodeTuning a group bench variant may set. */
export type GroupTuning = Pick<KithNodeTuning, 'pubsub' | 'transport' | 'connectionMonitor'>

/** Child → parent. */
export type FromChild =
  | { type: 'started'; addrs: string[][]; dists: Array<[number, string]> }
  | { type: 'dialed'; failed: number; errors: Record<string, number> }
  | { type: 'subscribed'; failedStreams: number }
  | { type: 'mesh'; ready: boolean }
  | { type: 'delivered'; list: Array<[string, number, number]> }
  | { type: 'flushed'; rejected: number; sendErrors: number; writes: number; copies: number }
  | { type: 'profiled' }
  | { type: 'stopped' }

/** Dials in flight at once in one child: 10 children dial at once, and Noise handshakes are
 *  CPU-bound (at 8 each, a quarter of the links timed out on a loaded machine). */
const DIAL_CONCURRENCY = 2
/** Tries per link, 0.5 s × attempt apart. */
const DIAL_ATTEMPTS = 5
/** How often decrypted tags are reported to the parent (one IPC message per batch). */
const REPORT_MS = 50

const send = (m: FromChild): void => {
  process.send?.(m)
}

const session = new Session()
const post = (method: string): Promise<unknown> =>
  new Promise((resolve, reject) =>
    session.post(method, (err, res) => (err ? reject(err) : resolve(res))),
  )

let first = 0
let nodes: Libp2pKithNode[] = []
let topic = ''
const own = new Map<number, SenderKeyRecord>()
let groupId = new Uint8Array(0)
let meshLow = PUBSUB_DLO
let pending: Array<[string, number, number]> = []
let rejected = 0
let sendErrors = 0
/** Group messages received by this process's members' gossipsub (bare-streams: frames). */
let gossipCopies = 0
let baseline: Baseline | undefined
/** Size of a bare message: the product's group message's (group-bare.ts productMessageBytes). */
let bareBytes = 0
/** bare-streams: each hosted member's streams, by index in `nodes`. */
let bare: BareStreams[] = []
/** socket.write calls of this process (all its members' connections) since it started. */
let writes = 0
const socketProto = net.Socket.prototype as unknown as {
  write: (this: net.Socket, ...args: unknown[]) => boolean
}
const socketWrite = socketProto.write
socketProto.write = function (this: net.Socket, ...args: unknown[]) {
  writes++
  return socketWrite.apply(this, args)
}

function report(): void {
  if (pending.length === 0) return
  send({ type: 'delivered', list: pending })
  pending = []
}
const reporter = setInterval(report, REPORT_MS)

const deliver = (tag: string, member: number, at: number): void => {
  pending.push([tag, member, at])
}

function subscribe(dists: Array<[number, string]>): void {
  if (baseline === 'bare-gossipsub') {
    nodes.forEach((node, k) => subscribeBare(node, topic, first + k, deliver))
    return
  }
  nodes.forEach((node, k) => {
    const member = first + k
    const byChain = new Map<number, SenderKeyRecord>()
    for (const [s, d] of dists) {
      if (s === member) continue
      const { state } = decodeDistribution(Buffer.from(d, 'base64'))
      const rec = SenderKeyRecord.empty()
      rec.addState(state)
      byChain.set(state.chainId, rec)
    }
    const proofs = new WeakMap<Uint8Array, VerifiedSenderKeyMessage>()
    node.pubsubSubscribe(
      topic,
      (data) => {
        try {
          const fields = decodeSenderKeyMessage(data)
          const rec = byChain.get(fields.chainId)
          if (rec === undefined) throw new Error('no key')
          const { verdict, verified } = judgeSenderKeyMessage(nodeCrypto, rec, fields)
          if (verdict !== 'ok' || verified === undefined) throw new Error(verdict)
          proofs.set(data, verified)
          return 'accept'
        } catch {
          rejected++
          return 'reject'
        }
      },
      (data) => {
        const proof = proofs.get(data)
        if (proof === undefined) return
        const rec = byChain.get(proof.fields.chainId)!
        const pt = decryptWithRecord(nodeCrypto, rec, proof.fields, proof)
        pending.push([
          Buffer.from(pt.subarray(0, 12)).toString('hex'),
          member,
          performance.timeOrigin + performance.now(),
        ])
      },
    )
  })
}

async function handle(m: ToChild): Promise<void> {
  switch (m.type) {
    case 'start': {
      first = m.first
      topic = m.topic
      groupId = Buffer.from(m.groupId, 'hex')
      meshLow = m.tuning?.pubsub?.Dlo ?? PUBSUB_DLO
      baseline = m.baseline
      bareBytes = productMessageBytes(groupId)
      nodes = await Promise.all(
        Array.from({ length: m.count }, async () => {
          const node = await createKithNode(
            {
              identitySeed: randomBytes(32),
              listen: ['/ip4/127.0.0.1/tcp/0'],
              bootstrap: [],
              mdns: false,
            },
            m.tuning ?? {},
          )
          await node.start()
          return node
        }),
      )
      for (const n of nodes) countGossipCopies(n, () => gossipCopies++)
      if (baseline === 'bare-streams')
        bare = nodes.map((n, k) => new BareStreams(n, first + k, deliver))
      const dists: Array<[number, string]> = []
      for (const s of m.senders) {
        if (s < first || s >= first + m.count) continue
        const state = createOwnState({ crypto: nodeCrypto, rng: nodeRng })
        const rec = SenderKeyRecord.empty()
        rec.addState(state)
        own.set(s, rec)
        // The distribution (no private key) goes to the others; the parent relays it.
        dists.push([s, Buffer.from(encodeDistribution(groupId, state)).toString('base64')])
      }
      send({
        type: 'started',
        addrs: nodes.map((n) => n.libp2p.getMultiaddrs().map((a) => a.toString())),
        dists,
      })
      return
    }
    case 'dial': {
      const queue = [...m.pairs]
      let failed = 0
      const errors: Record<string, number> = {}
      await Promise.all(
        Array.from({ length: DIAL_CONCURRENCY }, async () => {
          for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
            const [local, addrs] = e
            for (let attempt = 1; ; attempt++) {
              try {
                await nodes[local - first]!.libp2p.dial(addrs.map((a) => multiaddr(a)))
                break
              } catch (err) {
                const name = (err as Error).name
                errors[name] = (errors[name] ?? 0) + 1
                if (attempt >= DIAL_ATTEMPTS) {
                  failed++
                  break
                }
                await new Promise((r) => setTimeout(r, 500 * attempt))
              }
            }
          }
        }),
      )
      send({ type: 'dialed', failed, errors })
      return
    }
    case 'keys': {
      let failedStreams = 0
      if (baseline === 'bare-streams') {
        for (const [member, addrs] of m.neighbours ?? []) {
          failedStreams += await bare[member - first]!.open(addrs)
        }
      } else subscribe(m.dists)
      send({ type: 'subscribed', failedStreams })
      return
    }
    case 'mesh': {
      if (baseline === 'bare-streams') {
        send({ type: 'mesh', ready: true })
        return
      }
      const ready = nodes.every((n) => {
        const peers = n.pubsubPeers(topic).length
        const gs = n.libp2p.services.pubsub as unknown as { getMeshPeers(t: string): string[] }
        return peers > 0 && gs.getMeshPeers(topic).length >= Math.min(meshLow, peers)
      })
      send({ type: 'mesh', ready })
      return
    }
    case 'send': {
      const rec = own.get(m.sender)
      const node = nodes[m.sender - first]
      if (rec === undefined || node === undefined) return
      if (baseline === 'bare-streams')
        return bare[m.sender - first]!.publish(bareMessage(m.tag, bareBytes))
      if (baseline === 'bare-gossipsub') {
        try {
          await node.pubsubPublish(topic, bareMessage(m.tag, bareBytes))
        } catch {
          sendErrors++
        }
        return
      }
      const pt = new Uint8Array(48)
      pt.set(Buffer.from(m.tag, 'hex'), 0)
      pt.set(new TextEncoder().encode('hello group, a short message'), 12)
      try {
        await node.pubsubPublish(topic, encryptWithRecord(nodeCrypto, rec, groupId, pt))
      } catch {
        sendErrors++
      }
      return
    }
    case 'flush': {
      report()
      const copies = gossipCopies + bare.reduce((a, b) => a + b.copies, 0)
      send({ type: 'flushed', rejected, sendErrors, writes, copies })
      return
    }
    case 'profile': {
      // V8 CPU profile of this process (node:inspector): started without `file`, written to
      // `file` (a .cpuprofile) when given one.
      if (m.file === undefined) {
        session.connect()
        await post('Profiler.enable')
        await post('Profiler.start')
      } else {
        const { profile } = (await post('Profiler.stop')) as { profile: unknown }
        writeFileSync(m.file, JSON.stringify(profile))
        session.disconnect()
      }
      send({ type: 'profiled' })
      return
    }
    case 'stop': {
      clearInterval(reporter)
      for (const b of bare) b.close()
      await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)))
      send({ type: 'stopped' })
      process.disconnect?.()
      return
    }
  }
}

// Handled one after another, in the order the parent sent them.
let chain = Promise.resolve()
process.on('message', (m: ToChild) => {
  chain = chain
    .then(() => handle(m))
    .catch((err: Error) => {
      console.error(`group child: ${m.type} failed: ${err.name}: ${err.message}`)
    })
})
process.on('disconnect', () => process.exit(0))
