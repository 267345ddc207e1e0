// NAT-PMP (RFC 6886) on the default gateway, the fallback when no UPnP IGD answers (docs/
// connectivity.md "Port mapping"): the protocol client, one request at a time with the RFC's
// retransmissions. This module owns the wire format and nothing else: what is mapped, renewed and
// announced is ./pmp-mapping.ts's, when to try is ./port-mapping.ts's.
//
// Not @achingbrain/nat-port-mapper 4.0.5's pmpNat, read in dist/src/pmp/gateway.js: it writes the
// lifetime in milliseconds into the seconds field (3,600,000 s asked for a 1 h mapping), sends
// each request once (no retransmission, RFC 6886 §3.1), and a lost reply leaves its request at
// the head of its queue so every later request waits forever; its stop() marks the socket not
// listening, so the delete it then sends binds the bound socket again (ERR_SOCKET_ALREADY_BOUND,
// by reading: not run) and is never sent. No upstream issue found.
import { createSocket, type Socket } from 'node:dgram'

/** RFC 6886's numbers: the gateway's port (§3.1: clients send to 5351), the opcodes (§3.2,
 *  §3.3) and the offset of a reply's opcode from its request's (§3.2: plus 128). */
const RFC6886 = { serverPort: 5351, opExternalAddress: 0, opMapTcp: 2, opReply: 128 } as const

/** First wait for a reply; doubled for every retransmission (RFC 6886 §3.1: 250 ms). */
export const PMP_FIRST_TIMEOUT_MS = 250
/** Sends per request: 250+500+1000+2000 ms, so a router without NAT-PMP costs ≈3.75 s and one
 *  socket. RFC 6886 §3.1 allows 9 (64 s); a later paced search tries again anyway. */
export const PMP_TRIES = 4

/** A result code other than 0 (§3.5), or no reply. */
export class PmpError extends Error {
  override name = 'PmpError'
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message)
  }
}

/** A granted TCP mapping (§3.3's reply). */
export interface PmpGrant {
  internalPort: number
  externalPort: number
  lifetimeS: number
}

/** One request at a time to one gateway's NAT-PMP server, each on its own UDP socket. */
export class PmpClient {
  readonly gateway: string
  readonly #firstTimeoutMs: number
  readonly #tries: number
  readonly #port: number

  constructor(
    gateway: string,
    opts: { firstTimeoutMs?: number; tries?: number; port?: number } = {},
  ) {
    this.gateway = gateway
    this.#firstTimeoutMs = opts.firstTimeoutMs ?? PMP_FIRST_TIMEOUT_MS
    this.#tries = opts.tries ?? PMP_TRIES
    this.#port = opts.port ?? RFC6886.serverPort
  }

  /** Sends `req` until a reply with opcode `op + 128` comes from the gateway, or the tries are
   *  spent; resolves the reply and our own address on the path to the gateway. */
  async #request(req: Buffer, op: number, signal?: AbortSignal): Promise<[Buffer, string]> {
    const sock: Socket = createSocket('udp4')
    try {
      // A connected socket only receives from the gateway's address and port (§3.1: replies
      // from anyone else are ignored).
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject)
        sock.connect(this.#port, this.gateway, () => resolve())
      })
      const local = sock.address().address
      const reply = await new Promise<Buffer>((resolve, reject) => {
        let wait = this.#firstTimeoutMs
        let sent = 0
        let timer: ReturnType<typeof setTimeout> | undefined
        const done = (err: Error | undefined, msg?: Buffer) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          if (err !== undefined) reject(err)
          else resolve(msg!)
        }
        const onAbort = () => done(new PmpError('aborted'))
        const send = () => {
          if (sent === this.#tries) {
            done(new PmpError(`no NAT-PMP reply after ${sent} tries`))
            return
          }
          sent++
          sock.send(req)
          timer = setTimeout(send, wait)
          wait *= 2
        }
        sock.on('message', (msg: Buffer) => {
          if (msg.length < 8 || msg[1] !== RFC6886.opReply + op) return
          // §3.5: a version other than 0 is an error; the result code is at offset 2.
          if (msg[0] !== 0) return done(new PmpError(`NAT-PMP version ${msg[0]}`))
          const code = msg.readUInt16BE(2)
          if (code !== 0) return done(new PmpError(`NAT-PMP result ${code}`, code))
          done(undefined, msg)
        })
        sock.on('error', (err) => done(err))
        if (signal?.aborted === true) return onAbort()
        signal?.addEventListener('abort', onAbort)
        send()
      })
      return [reply, local]
    } finally {
      sock.close()
    }
  }

  /** The gateway's external IPv4 address and our address towards it (§3.2). */
  async externalAddress(signal?: AbortSignal): Promise<{ external: string; local: string }> {
    const [r, local] = await this.#request(
      Buffer.from([0, RFC6886.opExternalAddress]),
      RFC6886.opExternalAddress,
      signal,
    )
    if (r.length < 12) throw new PmpError('short NAT-PMP reply')
    return { external: `${r[8]}.${r[9]}.${r[10]}.${r[11]}`, local }
  }

  /** Maps TCP `internalPort` (§3.3): suggests the same external port; lifetime 0 deletes, with
   *  suggested port 0 (§3.4). */
  async mapTcp(internalPort: number, lifetimeS: number, signal?: AbortSignal): Promise<PmpGrant> {
    const req = Buffer.alloc(12)
    req[1] = RFC6886.opMapTcp
    req.writeUInt16BE(internalPort, 4)
    req.writeUInt16BE(lifetimeS === 0 ? 0 : internalPort, 6)
    req.writeUInt32BE(lifetimeS, 8)
    const [r] = await this.#request(req, RFC6886.opMapTcp, signal)
    if (r.length < 16) throw new PmpError('short NAT-PMP reply')
    return {
      internalPort: r.readUInt16BE(8),
      externalPort: r.readUInt16BE(10),
      lifetimeS: r.readUInt32BE(12),
    }
  }
}
