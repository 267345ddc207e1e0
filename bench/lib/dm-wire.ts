// Bytes on the wire for the dm bench, two ways:
//  - computed: the /kith/dm frame the daemon sends for one text, built with the core exactly as
//    ChatService builds it (ChatContent → pad → Double Ratchet with header encryption → envelope,
//    then the frame's varint length prefix). Deterministic for a given text length: padding puts
//    every short text in the same 256-byte bucket.
//  - measured: TCP payload bytes of the daemons' connections, read from the kernel (`ss -ti`,
//    tcp_info bytes_sent / bytes_received) before and after a run. That includes everything the
//    connection carries: yamux and Noise framing, acks, identify, DHT and ping traffic.
// This module knows nothing of how a bench uses the figures.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { peerIdBytesFromPublicKey, publicKeyFromPeerId } from '../../src/core/identity/identity.js'
import { encodeChatContent, MESSAGE_ID_BYTES, ReceiptKind } from '../../src/core/wire/content.js'
import { varintLength } from '../../src/node/stream/frames.js'
import { kithChannel } from './kith.js'

/** yamux: a 12-byte header in front of every data frame (yamux spec "Framing"). */
export const YAMUX_HEADER_BYTES = 12
/** Noise transport message as libp2p frames it: 2-byte length + ciphertext + 16-byte AEAD tag. */
export const NOISE_FRAME_OVERHEAD_BYTES = 2 + 16

export interface KithWireSizes {
  /** Length of the text in UTF-8 bytes. */
  textBytes: number
  /** The ChatContent protobuf (before padding). */
  contentBytes: number
  /** The first message of a session: carries the PQXDH prekey header. */
  firstFrameBytes: number
  /** Every later message: envelope + varint length prefix. */
  frameBytes: number
  /** The frame as one yamux data frame in one Noise message: what TCP carries for it alone. */
  tcpBytes: number
  /** A delivery receipt for one message id (the ack the receiver sends back), as a frame. */
  ackFrameBytes: number
}

const frame = (envelope: Uint8Array) => varintLength(envelope.length) + envelope.length

/** Sizes of the frames Kith sends for `text`, from a real session between two core parties. */
export function kithWireSizes(text: string): Promise<KithWireSizes> {
  const ch = kithChannel()
  const senderId = (peerId: string) => peerIdBytesFromPublicKey(publicKeyFromPeerId(peerId))
  let seq = 1n
  const content = (from: string) =>
    encodeChatContent({
      messageId: randomBytes(MESSAGE_ID_BYTES),
      sender: senderId(from),
      seq: seq++,
      sentAt: BigInt(Date.now()),
      conversation: new Uint8Array(0),
      text: { text },
    })
  const ack = (from: string) =>
    encodeChatContent({
      messageId: randomBytes(MESSAGE_ID_BYTES),
      sender: senderId(from),
      seq: 0n,
      sentAt: BigInt(Date.now()),
      conversation: new Uint8Array(0),
      receipt: { kind: ReceiptKind.DELIVERED, messageIds: [randomBytes(MESSAGE_ID_BYTES)] },
    })
  const { a, b } = ch
  // As in a real first contact: A's first message carries the prekey header, B's reply ends it.
  const first = a.cipher.encrypt(b.peerId, content(a.peerId))
  b.cipher.decrypt(a.peerId, first).commit()
  a.cipher.decrypt(b.peerId, b.cipher.encrypt(a.peerId, ack(b.peerId))).commit()
  const plain = content(a.peerId)
  const steady = a.cipher.encrypt(b.peerId, plain)
  b.cipher.decrypt(a.peerId, steady).commit()
  const ackEnvelope = b.cipher.encrypt(a.peerId, ack(b.peerId))
  const frameBytes = frame(steady)
  return Promise.resolve({
    textBytes: Buffer.byteLength(text),
    contentBytes: plain.length,
    firstFrameBytes: frame(first),
    frameBytes,
    tcpBytes: frameBytes + YAMUX_HEADER_BYTES + NOISE_FRAME_OVERHEAD_BYTES,
    ackFrameBytes: frame(ackEnvelope),
  })
}

export interface TcpCounters {
  /** Payload bytes the listener on `port` received over its accepted connections. */
  received: number
  /** Payload bytes it sent over them. */
  sent: number
  connections: number
}

/**
 * tcp_info byte counters of the established connections whose local port is `port` (the
 * accepting side of a listener). Undefined when `ss` (iproute2) is missing.
 */
export function tcpCounters(port: number): TcpCounters | undefined {
  let out: string
  try {
    out = execFileSync('ss', ['-tinH', 'state', 'established', `sport = :${port}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
  } catch {
    return undefined
  }
  const counters: TcpCounters = { received: 0, sent: 0, connections: 0 }
  for (const line of out.split('\n')) {
    if (!/\bmss:/.test(line)) continue
    counters.connections++
    counters.received += Number(/\bbytes_received:(\d+)/.exec(line)?.[1] ?? 0)
    counters.sent += Number(/\bbytes_sent:(\d+)/.exec(line)?.[1] ?? 0)
  }
  return counters
}
