// The client half of STUN (RFC 8489) for the punch primer (./prime.ts): one Binding request from
// a UDP socket the caller owns, answered by a STUN server with the public address and port that
// socket's packets leave the NAT from (its "server reflexive" address). Retransmitted as RFC 8489
// §6.2.1 asks (doubling intervals) until the deadline. The answer is parsed bounded: only a
// Binding success response to our transaction, with an IPv4 XOR-MAPPED-ADDRESS; any
// other datagram is ignored. The server half is ./stun.ts. It knows nothing of libp2p.
import { randomBytes } from 'node:crypto'
import type { RemoteInfo, Socket } from 'node:dgram'
import {
  ATTR_XOR_MAPPED_ADDRESS,
  BINDING_REQUEST,
  BINDING_SUCCESS,
  STUN_HEADER_BYTES,
  STUN_MAGIC_COOKIE,
  STUN_MAX_MESSAGE_BYTES,
} from './stun.js'
/** First retransmission interval (RFC 8489 §6.2.1 says 500 ms for the internet at large; a
 *  punch waits on this, and a lost request is the only reason for a second one). */
export const STUN_CLIENT_FIRST_RTO_MS = 250

export interface Mapped {
  address: string
  port: number
}

/** A Binding request with a fresh 12-byte transaction ID (RFC 8489 §5, no attributes). */
export function bindingRequest(txId: Uint8Array): Uint8Array {
  if (txId.length !== 12) throw new RangeError('txId must be 12 bytes')
  const out = new Uint8Array(STUN_HEADER_BYTES)
  const view = new DataView(out.buffer)
  view.setUint16(0, BINDING_REQUEST)
  view.setUint16(2, 0)
  view.setUint32(4, STUN_MAGIC_COOKIE)
  out.set(txId, 8)
  return out
}

/**
 * The XOR-MAPPED-ADDRESS of a Binding success response to `txId`, or undefined for anything
 * else: another transaction, another message type, a length that does not match, an attribute
 * running past the end, no such attribute (RFC 8489 §5, §14, §14.2).
 */
export function parseBindingSuccess(msg: Uint8Array, txId: Uint8Array): Mapped | undefined {
  if (msg.length < STUN_HEADER_BYTES || msg.length > STUN_MAX_MESSAGE_BYTES) return undefined
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength)
  if (view.getUint16(0) !== BINDING_SUCCESS) return undefined
  if (view.getUint16(2) !== msg.length - STUN_HEADER_BYTES) return undefined
  if (view.getUint32(4) !== STUN_MAGIC_COOKIE) return undefined
  for (let i = 0; i < 12; i++) if (msg[8 + i] !== txId[i]) return undefined
  let at = STUN_HEADER_BYTES
  while (at + 4 <= msg.length) {
    const type = view.getUint16(at)
    const len = view.getUint16(at + 2)
    const body = at + 4
    if (body + len > msg.length) return undefined
    if (type === ATTR_XOR_MAPPED_ADDRESS) return xorMapped(msg.subarray(0, 20), msg, body, len)
    at = body + len + ((4 - (len % 4)) % 4) // attributes are padded to 4 bytes (§14)
  }
  return undefined
}

/** XOR-MAPPED-ADDRESS of family IPv4 (§14.2): the primer punches IPv4 only (an IPv6 host
 *  needs no NAT traversal of this kind), so an IPv6 answer is no answer. */
function xorMapped(header: Uint8Array, msg: Uint8Array, at: number, len: number) {
  if (msg[at + 1] !== 0x01 || len !== 8) return undefined
  const port = ((msg[at + 2]! << 8) | msg[at + 3]!) ^ (STUN_MAGIC_COOKIE >>> 16)
  // X-Address: XORed with the magic cookie (the header's bytes 4–7).
  const address = [0, 1, 2, 3].map((i) => msg[at + 4 + i]! ^ header[4 + i]!).join('.')
  return { address, port }
}

/**
 * Asks the STUN server `host`:`port` which address `socket`'s packets come from. Resolves the
 * mapped address, or undefined when no valid answer came within `timeoutMs` (or `signal`
 * aborted). The socket must be bound; it is not closed.
 */
export async function stunMapping(
  socket: Socket,
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Mapped | undefined> {
  const txId = new Uint8Array(randomBytes(12))
  const request = bindingRequest(txId)
  return await new Promise<Mapped | undefined>((resolve) => {
    let rto = STUN_CLIENT_FIRST_RTO_MS
    let timer: ReturnType<typeof setTimeout> | undefined
    const send = (): void => {
      socket.send(request, port, host, () => undefined)
      timer = setTimeout(send, rto)
      rto *= 2
    }
    const done = (m: Mapped | undefined): void => {
      clearTimeout(timer)
      clearTimeout(deadline)
      socket.off('message', onMessage)
      signal?.removeEventListener('abort', onAbort)
      resolve(m)
    }
    const onMessage = (msg: Buffer, from: RemoteInfo): void => {
      if (from.port !== port) return
      const m = parseBindingSuccess(msg, txId)
      if (m !== undefined) done(m)
    }
    const onAbort = (): void => done(undefined)
    const deadline = setTimeout(() => done(undefined), timeoutMs)
    socket.on('message', onMessage)
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted === true) return done(undefined)
    send()
  })
}
