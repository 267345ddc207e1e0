// A minimal STUN binding server (RFC 8489, the successor of RFC 5389) for `kith relay`: it tells
// a node behind a NAT which public address and port its UDP packets come from (a "server
// reflexive" ICE candidate), which is what two WebRTC peers behind cone NATs need to punch a
// direct path (docs/connectivity.md). It answers Binding requests and nothing else: no
// authentication, no TURN allocation, no state. This module owns the message parsing (bounded,
// hostile bytes are dropped and counted) and the UDP socket; it knows nothing of libp2p.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv4, isIPv6 } from 'node:net'

/** The default STUN port (RFC 8489 §18.4: "stun" UDP 3478). */
export const STUN_DEFAULT_PORT = 3478
/** Largest datagram we parse. RFC 8489 §6.1: STUN over UDP should fit in 548 bytes (IPv4) or
 *  1280 (IPv6) when the path MTU is unknown; anything larger is dropped unread. */
export const STUN_MAX_MESSAGE_BYTES = 1280
/** Binding responses one source IP gets per STUN_RATE_WINDOW_MS; beyond, requests are dropped.
 *  ICE sends a handful per gathering; the cap bounds how far a spoofed source can make the
 *  server reflect traffic at a victim (a response is ≈1.6× the request). */
export const STUN_MAX_RESPONSES_PER_IP = 50
export const STUN_RATE_WINDOW_MS = 1_000
/** Source IPs tracked for the rate limit; the table is cleared when it grows beyond this. */
export const STUN_MAX_TRACKED_IPS = 10_000
/** RFC 8489 §5: header size and the fixed magic cookie. */
export const STUN_HEADER_BYTES = 20
export const STUN_MAGIC_COOKIE = 0x2112a442
/** RFC 8489 §18.2: message types of a Binding request and success response (the server here,
 *  the client in ./stun-client.ts). */
export const BINDING_REQUEST = 0x0001
export const BINDING_SUCCESS = 0x0101
/** RFC 8489 §14.2: the XOR-MAPPED-ADDRESS attribute. */
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020

export interface StunMetrics {
  requests: number
  responses: number
  /** Datagrams dropped: too large, malformed, or not a Binding request. */
  dropped: number
  /** Requests not answered because their source IP was over STUN_MAX_RESPONSES_PER_IP. */
  rateLimited: number
}

/** Counts responses per source IP per window; allow() says whether one more may be sent. */
export class StunRateLimit {
  readonly #seen = new Map<string, { start: number; count: number }>()
  constructor(private readonly now: () => number = Date.now) {}

  allow(ip: string): boolean {
    const t = this.now()
    let e = this.#seen.get(ip)
    if (e == null || t - e.start >= STUN_RATE_WINDOW_MS) {
      if (e == null && this.#seen.size >= STUN_MAX_TRACKED_IPS) this.#seen.clear()
      e = { start: t, count: 0 }
      this.#seen.set(ip, e)
    }
    e.count++
    return e.count <= STUN_MAX_RESPONSES_PER_IP
  }
}

/**
 * The transaction ID (12 bytes) of a well-formed STUN Binding request, or undefined for anything
 * else (RFC 8489 §5: top two bits zero, length a multiple of 4 matching the datagram, cookie).
 */
export function parseBindingRequest(msg: Uint8Array): Uint8Array | undefined {
  if (msg.length < STUN_HEADER_BYTES || msg.length > STUN_MAX_MESSAGE_BYTES) return undefined
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength)
  const type = view.getUint16(0)
  const length = view.getUint16(2)
  if ((type & 0xc000) !== 0 || type !== BINDING_REQUEST) return undefined
  if (length % 4 !== 0 || length !== msg.length - STUN_HEADER_BYTES) return undefined
  if (view.getUint32(4) !== STUN_MAGIC_COOKIE) return undefined
  return msg.slice(8, 20)
}

/** A Binding success response carrying XOR-MAPPED-ADDRESS = (address, port) (RFC 8489 §14.2). */
export function bindingResponse(txId: Uint8Array, address: string, port: number): Uint8Array {
  if (txId.length !== 12) throw new RangeError('txId must be 12 bytes')
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError('port')
  const v6 = isIPv6(address)
  if (!v6 && !isIPv4(address)) throw new TypeError('address is not an IP address')
  const addrLen = v6 ? 16 : 4
  const out = new Uint8Array(STUN_HEADER_BYTES + 4 + 4 + addrLen)
  const view = new DataView(out.buffer)
  view.setUint16(0, BINDING_SUCCESS)
  view.setUint16(2, 4 + 4 + addrLen)
  view.setUint32(4, STUN_MAGIC_COOKIE)
  out.set(txId, 8)
  view.setUint16(20, ATTR_XOR_MAPPED_ADDRESS)
  view.setUint16(22, 4 + addrLen)
  view.setUint8(24, 0)
  view.setUint8(25, v6 ? 0x02 : 0x01)
  // X-Port: the port XORed with the cookie's top 16 bits; X-Address: XORed with the cookie
  // (IPv4) or the cookie followed by the transaction ID (IPv6).
  view.setUint16(26, port ^ (STUN_MAGIC_COOKIE >>> 16))
  const key = out.slice(4, 20)
  const raw = v6 ? ipv6Bytes(address) : Uint8Array.from(address.split('.').map(Number))
  for (let i = 0; i < addrLen; i++) out[28 + i] = raw[i]! ^ key[i]!
  return out
}

function ipv6Bytes(address: string): Uint8Array {
  const [head = '', tail = ''] = address.split('::')
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)))
  const h = parse(head)
  const t = parse(tail)
  const zeros = new Array<number>(8 - h.length - t.length).fill(0)
  const words = address.includes('::') ? [...h, ...zeros, ...t] : h
  const out = new Uint8Array(16)
  words.forEach((w, i) => {
    out[2 * i] = w >> 8
    out[2 * i + 1] = w & 0xff
  })
  return out
}

export interface StunServer {
  readonly port: number
  metrics(): StunMetrics
  close(): Promise<void>
}

/** Answers STUN Binding requests on UDP `host`:`port` (port 0: any free port). */
export async function startStunServer(port: number, host = '0.0.0.0'): Promise<StunServer> {
  const socket: Socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' })
  const m: StunMetrics = { requests: 0, responses: 0, dropped: 0, rateLimited: 0 }
  const limit = new StunRateLimit()
  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const txId = parseBindingRequest(msg)
    if (txId === undefined) {
      m.dropped++
      return
    }
    m.requests++
    if (!limit.allow(rinfo.address)) {
      m.rateLimited++
      return
    }
    const address = rinfo.address.replace(/^::ffff:(?=\d+\.)/, '')
    socket.send(bindingResponse(txId, address, rinfo.port), rinfo.port, rinfo.address, (err) => {
      if (err == null) m.responses++
    })
  })
  socket.on('error', () => {
    m.dropped++
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, host, () => {
      socket.off('error', reject)
      resolve()
    })
  })
  return {
    port: socket.address().port,
    metrics: () => ({ ...m }),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
