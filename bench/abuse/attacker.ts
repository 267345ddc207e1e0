// The hostile side of `npm run bench -- abuse`: in-process js-libp2p nodes with fresh keys (one
// per identity, TCP + Noise + yamux + identify, no listen address, none of Kith's services), the
// pacing that keeps new connections under the victim's per-host inbound rate limit, raw writes
// with backpressure, a tiny protobuf writer for the frames the floods forge, and the counters a
// flood reports. It owns stopping every node it started. It knows nothing of any one flood.
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { Connection, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * New connections per second the whole bench opens to the victim: under the victim's per-host
 * inbound limit (INBOUND_CONNECTION_THRESHOLD, 50/s in src/node/libp2p/node.ts), as the issue's
 * attacker paced itself, so what is measured is the flood and not libp2p's rate limiter.
 */
export const DIAL_RATE_PER_S = 40
/** A dial or stream open that takes longer counts as an error of the flood. */
export const HOSTILE_DIAL_TIMEOUT_MS = 10_000
/** Bytes handed to `stream.send()` at once (backpressure is awaited between chunks). */
export const HOSTILE_WRITE_CHUNK_BYTES = 64 * 1024

/** What one flood did, printed beside its figures. */
export class FloodStats {
  identities = 0
  connections = 0
  streams = 0
  bytesSent = 0
  /** Protocol operations sent (messages, records, deposits…): the flood's own unit. */
  ops = 0
  /** Refusals the victim answered with (mailbox DepositResult errors…), by name. */
  readonly refused = new Map<string, number>()
  /** Our own failures (dial refused, stream reset…), by error name. */
  readonly errors = new Map<string, number>()
  /** A note on how the flood ended early (a cap reached, the victim's RSS guard…). */
  note = ''

  count(map: Map<string, number>, name: string): void {
    map.set(name, (map.get(name) ?? 0) + 1)
  }

  error(err: unknown): void {
    this.count(this.errors, err instanceof Error ? err.name : 'Error')
  }
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve()
      return
    }
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })

/** Spaces calls `1000 / ratePerS` ms apart (shared by every flood of one run). */
export class Pacer {
  #next = 0
  constructor(readonly ratePerS: number) {}

  async wait(signal: AbortSignal): Promise<void> {
    const now = Date.now()
    const at = Math.max(now, this.#next)
    this.#next = at + 1000 / this.ratePerS
    if (at > now) await sleep(at - now, signal)
  }
}

/** One hostile identity: a started libp2p node with a fresh key. */
export interface Hostile {
  node: Libp2p
  peerId: string
}

/**
 * Hostile libp2p nodes for one flood. `spawn()` makes a node with a fresh Ed25519 key (or the
 * given 32-byte seed, when the flood also needs the identity for Kith's core), `connect()` dials
 * the victim through the shared Pacer; `stopAll()` stops every node (also on SIGINT).
 */
export class HostilePool {
  readonly #nodes = new Set<Libp2p>()

  constructor(
    readonly target: Multiaddr,
    readonly pacer: Pacer,
    readonly stats: FloodStats,
    readonly signal: AbortSignal,
  ) {}

  get size(): number {
    return this.#nodes.size
  }

  async spawn(seed?: Uint8Array): Promise<Hostile> {
    const privateKey =
      seed === undefined
        ? await generateKeyPair('Ed25519')
        : await generateKeyPairFromSeed('Ed25519', seed)
    const node = await createLibp2p({
      privateKey,
      addresses: { listen: [] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: 8 },
      services: { identify: identify() },
    })
    this.#nodes.add(node)
    this.stats.identities++
    return { node, peerId: node.peerId.toString() }
  }

  /** A paced dial of the victim from `h`. */
  async connect(h: Hostile): Promise<Connection> {
    await this.pacer.wait(this.signal)
    this.signal.throwIfAborted()
    const conn = await h.node.dial(this.target, {
      signal: AbortSignal.any([this.signal, AbortSignal.timeout(HOSTILE_DIAL_TIMEOUT_MS)]),
    })
    this.stats.connections++
    return conn
  }

  async stream(conn: Connection, protocol: string): Promise<Stream> {
    const s = await conn.newStream(protocol, {
      signal: AbortSignal.any([this.signal, AbortSignal.timeout(HOSTILE_DIAL_TIMEOUT_MS)]),
    })
    this.stats.streams++
    return s
  }

  /** Stops one node early (a flood that rotates identities). */
  async retire(h: Hostile): Promise<void> {
    this.#nodes.delete(h.node)
    await stopQuietly(h.node)
  }

  /** Stops every node, 32 at a time. */
  async stopAll(): Promise<void> {
    const nodes = [...this.#nodes]
    this.#nodes.clear()
    for (let i = 0; i < nodes.length; i += 32) {
      await Promise.all(nodes.slice(i, i + 32).map(stopQuietly))
    }
  }
}

async function stopQuietly(node: Libp2p): Promise<void> {
  try {
    await node.stop()
  } catch {
    /* already stopping */
  }
}

/** Writes `bytes` in chunks, waiting for the muxer to drain between them. */
export async function writeAll(
  stream: Stream,
  bytes: Uint8Array,
  stats: FloodStats,
  signal: AbortSignal,
): Promise<void> {
  for (let off = 0; off < bytes.length; off += HOSTILE_WRITE_CHUNK_BYTES) {
    signal.throwIfAborted()
    const chunk = bytes.subarray(off, off + HOSTILE_WRITE_CHUNK_BYTES)
    const more = stream.send(chunk)
    stats.bytesSent += chunk.length
    if (!more) await stream.onDrain({ signal })
  }
}

/** Resolves when the stream is no longer open (the victim reset or closed it), or on abort. */
export function whenEnded(stream: Stream, signal: AbortSignal): Promise<void> {
  if (stream.status !== 'open') return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      stream.removeEventListener('close', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    stream.addEventListener('close', done)
    signal.addEventListener('abort', done, { once: true })
  })
}

// ---- a minimal protobuf writer (proto3 wire format) ------------------------------------------

/** Unsigned LEB128 (protobuf varints and the libp2p length prefix). */
export function varint(n: number): Uint8Array {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return Uint8Array.from(out)
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** A length-delimited field (wire type 2). */
export const pbBytes = (field: number, bytes: Uint8Array): Uint8Array =>
  cat(varint((field << 3) | 2), varint(bytes.length), bytes)

/** A varint field (wire type 0). */
export const pbUint = (field: number, n: number): Uint8Array => cat(varint(field << 3), varint(n))

/** One length-prefixed frame (`varint(len) ‖ bytes`: libp2p lp streams, /kith/dm). */
export const lp = (bytes: Uint8Array): Uint8Array => cat(varint(bytes.length), bytes)

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
