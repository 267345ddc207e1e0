// The sending side of /kith/dm: one reused outbound stream per peer, sends to a peer serialized
// so frames keep their order, dialling on demand, backpressure, and closing idle streams.
// It knows nothing of the inbound side or of what a frame contains.
//
// The sender owns its stream and closes it (FIN) after DM_OUTBOUND_IDLE_MS without a send. When
// the listener closes its side first (its idle timeout), we stop reusing the stream and close
// ours once any write in progress is done, so frames in flight are still read.
import debug from 'debug'
import { DmStreamError, DmWriteTimeoutError, NodeNotStartedError } from '../errors.js'
import { asError, openStream, type OpenErrors } from '../stream/open.js'
import { DM_WRITE_CHUNK_BYTES } from './constants.js'
import type { AbortOptions, Connection, PeerData, PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:dm')

export interface DmSenderComponents {
  connectionManager: {
    openConnection(peer: PeerId, options?: AbortOptions): Promise<Connection>
    getConnections?(peer?: PeerId): Connection[]
  }
  peerStore: {
    merge(peerId: PeerId, data: PeerData): Promise<unknown>
  }
}

export interface DmSenderOptions {
  protocol: string
  outboundIdleMs: number
  closeGraceMs: number
  writeTimeoutMs: number
}

/** A WebRTC connection younger than this may still fail the hole puncher's liveness probe
 *  (holepunch.ts WEBRTC_PROBE_TIMEOUT_MS, 3 s): not picked for a DM until it is older. */
export const DM_WEBRTC_SETTLE_MS = 3_000

/**
 * The open connection to send a DM on, without dialling: an unlimited one (direct TCP, or a
 * WebRTC one that survived its probe) before a relayed (limited) one. libp2p's
 * `openConnection(peer)` returns only unlimited connections and otherwise dials again (js-libp2p
 * 3.3.11 connection-manager/utils.js findExistingConnection): with only a relayed connection it
 * opened a second circuit (the pair's duplicate circuits were then closed under the DM's stream:
 * ConnectionClosedError) or tried the peer's unreachable LAN address for 5 s first, which made
 * first messages between two NATed peers take 5–25 s in the netns bench (issue 12). Listed in
 * ../libp2p/patches.ts (limitedConnectionReuse), whose canary tells when upstream changes.
 */
export function pickConnection(
  conns: readonly Connection[],
  now = Date.now(),
): Connection | undefined {
  const usable = conns.filter(
    (c) =>
      c.status === 'open' &&
      !(
        (c.multiplexer === '/webrtc' || c.remoteAddr.toString().includes('/webrtc')) &&
        now - c.timeline.open < DM_WEBRTC_SETTLE_MS
      ),
  )
  return usable.find((c) => c.limits == null) ?? usable[0]
}

interface Outbound {
  stream: Stream
  timer: ReturnType<typeof setTimeout> | undefined
}

/** Resolves at the next of these events on `target`; rejects if `signal` aborts. */
function nextEvent(
  target: Stream,
  names: Array<'drain' | 'idle' | 'close'>,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      for (const n of names) target.removeEventListener(n, done)
      signal.removeEventListener('abort', abort)
      resolve()
    }
    const abort = (): void => {
      for (const n of names) target.removeEventListener(n, done)
      reject(signal.reason as Error)
    }
    if (signal.aborted) {
      reject(signal.reason as Error)
      return
    }
    for (const n of names) target.addEventListener(n, done)
    signal.addEventListener('abort', abort, { once: true })
  })
}

function writable(stream: Stream): boolean {
  return (
    stream.status === 'open' &&
    stream.writeStatus === 'writable' &&
    stream.remoteWriteStatus === 'writable' &&
    stream.remoteReadStatus !== 'closed'
  )
}

/** /kith/dm tells no refusal apart: a peer without the protocol is a stream failure. */
const DM_OPEN_ERRORS: OpenErrors = {
  timeout: (m) => new DmStreamError(m),
  refused: (m, o) => new DmStreamError(m, o),
  stream: (m, o) => new DmStreamError(m, o),
}

export class DmSender {
  framesOut = 0
  readonly #c: DmSenderComponents
  readonly #o: DmSenderOptions
  readonly #outbound = new Map<string, Outbound>()
  /** Outbound streams a send is writing to right now. */
  readonly #writing = new Set<Stream>()
  readonly #tails = new Map<string, Promise<void>>()
  #stopped = false

  constructor(components: DmSenderComponents, options: DmSenderOptions) {
    this.#c = components
    this.#o = options
  }

  start(): void {
    this.#stopped = false
  }

  /** Closes every outbound stream gracefully (bounded by closeGraceMs). */
  async stop(): Promise<void> {
    this.#stopped = true
    const closing = [...this.#outbound.values()].map(async (out) => {
      clearTimeout(out.timer)
      try {
        await out.stream.close({ signal: AbortSignal.timeout(this.#o.closeGraceMs) })
      } catch (err) {
        out.stream.abort(asError(err))
      }
    })
    this.#outbound.clear()
    await Promise.all(closing)
  }

  /** Queues already-encoded frames for `peer` behind every earlier send to it. */
  async send(peer: PeerId, bytes: Uint8Array, count: number, addrs: readonly Multiaddr[]) {
    const key = peer.toString()
    const prev = this.#tails.get(key) ?? Promise.resolve()
    const run = prev.then(() => this.#write(peer, bytes, count, addrs))
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    try {
      await run
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }

  async #write(peer: PeerId, bytes: Uint8Array, count: number, addrs: readonly Multiaddr[]) {
    if (this.#stopped) throw new NodeNotStartedError('node is not started')
    const key = peer.toString()
    let out = this.#outbound.get(key)
    if (out == null || !writable(out.stream)) {
      if (out != null) this.#retire(key, out.stream)
      out = await this.#open(peer, addrs)
    }
    const { stream } = out
    clearTimeout(out.timer)
    const signal = AbortSignal.timeout(this.#o.writeTimeoutMs)
    this.#writing.add(stream)
    try {
      for (let off = 0; off < bytes.length; off += DM_WRITE_CHUNK_BYTES) {
        if (!stream.send(bytes.subarray(off, off + DM_WRITE_CHUNK_BYTES))) {
          await stream.onDrain({ signal })
        }
      }
      // "Written" means handed to the muxer, not parked in the stream's unbounded write buffer:
      // a peer that reads slowly slows its senders down.
      while (stream.writeBufferLength > 0) {
        if (stream.status !== 'open') throw new DmStreamError(`dm stream ${stream.status}`)
        await nextEvent(stream, ['drain', 'idle', 'close'], signal)
      }
    } catch (err) {
      const e = signal.aborted
        ? new DmWriteTimeoutError(`no drain within ${this.#o.writeTimeoutMs} ms`)
        : new DmStreamError('dm stream closed while writing', { cause: err })
      stream.abort(e)
      this.#retire(key, stream)
      throw e
    } finally {
      this.#writing.delete(stream)
    }
    this.framesOut += count
    // Retired while we wrote (the listener closed its side): close now that our frames are out.
    if (this.#outbound.get(key) === out) this.#armIdle(key, out)
    else this.#retire(key, stream)
  }

  async #open(peer: PeerId, addrs: readonly Multiaddr[]): Promise<Outbound> {
    const key = peer.toString()
    const stream = await openStream(this.#c, peer, addrs, this.#o.protocol, DM_OPEN_ERRORS, {
      // One attempt, no deadline of ours: a retry would make a send to an unreachable peer wait
      // a second dial timeout before the service's outbox falls back to the mailbox, and the
      // outbox already retries with its own backoff.
      attempts: 1,
      existing: () => pickConnection(this.#c.connectionManager.getConnections?.(peer) ?? []),
      // Relayed (limited) connections carry DMs too, within the relay's limits.
      limited: true,
    })
    const out: Outbound = { stream, timer: undefined }
    const retire = (): void => {
      this.#retire(key, stream)
    }
    stream.addEventListener('remoteCloseWrite', retire, { once: true })
    stream.addEventListener('close', retire, { once: true })
    this.#outbound.set(key, out)
    log('opened dm stream to %s', key)
    return out
  }

  #armIdle(key: string, out: Outbound): void {
    clearTimeout(out.timer)
    out.timer = setTimeout(() => {
      if (this.#tails.has(key)) this.#armIdle(key, out)
      else this.#retire(key, out.stream)
    }, this.#o.outboundIdleMs)
    out.timer.unref()
  }

  /** Stops reusing `stream` and closes our side gracefully (frames already sent are read); a
   *  stream still being written to is closed when that write ends. */
  #retire(key: string, stream: Stream): void {
    const out = this.#outbound.get(key)
    if (out?.stream === stream) {
      clearTimeout(out.timer)
      this.#outbound.delete(key)
    }
    if (this.#writing.has(stream)) return
    if (stream.status === 'open' && stream.writeStatus === 'writable') {
      stream.close({ signal: AbortSignal.timeout(this.#o.closeGraceMs) }).catch((err: unknown) => {
        stream.abort(asError(err))
      })
    }
  }
}
