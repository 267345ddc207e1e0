// The /kith/dm/1.0.0 protocol: a one-way stream of length-prefixed frames (frames.ts) from the
// dialler to the listener, carrying sealed envelopes the node never opens. This module is the
// libp2p service that ties the two sides together: the receiver (inbound.ts: frames to the
// DmHandler in order, rejections counted, idle streams closed) and the sender (outbound.ts: one
// reused stream per peer, ordered sends, backpressure). It knows nothing of sessions, contacts
// or the store.
//
// Shaped like js-libp2p's ping (STYLE.md §3): `dm(init)(components)` is a libp2p service with
// start()/stop(), registered under `services.dm`, with minimal DmComponents.
import { NodeNotStartedError } from '../errors.js'
import {
  DM_CLOSE_GRACE_MS,
  DM_INBOUND_IDLE_MS,
  DM_MAX_STREAMS_PER_CONNECTION,
  DM_OUTBOUND_IDLE_MS,
  DM_PROTOCOL,
  DM_WRITE_TIMEOUT_MS,
} from './constants.js'
import { encodeFrames } from '../stream/frames.js'
import type { DmGuardOptions } from './guard.js'
import { DmReceiver } from './inbound.js'
import { DmSender, type DmSenderComponents } from './outbound.js'
import type { NodeMetrics } from '../status.js'
import type { DmHandler } from '../types.js'
import type { HostRegistrar } from '../stream/host.js'
import type { PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export {
  DM_CLOSE_GRACE_MS,
  DM_INBOUND_IDLE_MS,
  DM_MAX_STREAMS_PER_CONNECTION,
  DM_OUTBOUND_IDLE_MS,
  DM_PROTOCOL,
  DM_WRITE_CHUNK_BYTES,
  DM_WRITE_TIMEOUT_MS,
} from './constants.js'
export { DM_READ_HIGH_WATER_BYTES, MAX_DM_FRAME_BYTES } from '../stream/frames.js'
export {
  DM_BACKOFF_BASE_MS,
  DM_BACKOFF_MAX_MS,
  DM_FAILED_FRAME_CACHE_SIZE,
  DM_FAILED_FRAME_TTL_MS,
  DM_FAILURE_WINDOW_MS,
  DM_MAX_PROVEN_PEERS,
  DM_MAX_TRACKED_SOURCES,
  DM_NETWORK_FAILURE_BUDGET,
  DM_PEER_FAILURE_BUDGET,
  DM_STRIKE_RESET_MS,
  DmBackoffError,
  DmRepeatedFrameError,
} from './guard.js'

export interface DmComponents extends DmSenderComponents {
  registrar: HostRegistrar
}

/** Overrides of the named timings (tests shorten them). */
export interface DmInit {
  protocol?: string
  outboundIdleMs?: number
  inboundIdleMs?: number
  closeGraceMs?: number
  writeTimeoutMs?: number
  /** The inbound guard's budgets and clock (guard.ts; tests shorten the backoff). */
  guard?: Partial<DmGuardOptions>
}

export class DmProtocol implements Startable {
  readonly protocol: string
  readonly #components: DmComponents
  readonly #receiver: DmReceiver
  readonly #sender: DmSender
  #started = false

  constructor(components: DmComponents, init: DmInit = {}) {
    this.#components = components
    this.protocol = init.protocol ?? DM_PROTOCOL
    const closeGraceMs = init.closeGraceMs ?? DM_CLOSE_GRACE_MS
    this.#receiver = new DmReceiver({
      inboundIdleMs: init.inboundIdleMs ?? DM_INBOUND_IDLE_MS,
      closeGraceMs,
      ...(init.guard !== undefined ? { guard: init.guard } : {}),
    })
    this.#sender = new DmSender(components, {
      protocol: this.protocol,
      outboundIdleMs: init.outboundIdleMs ?? DM_OUTBOUND_IDLE_MS,
      closeGraceMs,
      writeTimeoutMs: init.writeTimeoutMs ?? DM_WRITE_TIMEOUT_MS,
    })
  }

  readonly [Symbol.toStringTag] = 'kith:dm'

  isStarted(): boolean {
    return this.#started
  }

  async start(): Promise<void> {
    if (this.#started) return
    this.#receiver.start()
    this.#sender.start()
    await this.#components.registrar.handle(
      this.protocol,
      (stream, connection) => {
        void this.#receiver.serve(stream, connection)
      },
      {
        maxInboundStreams: DM_MAX_STREAMS_PER_CONNECTION,
        maxOutboundStreams: DM_MAX_STREAMS_PER_CONNECTION,
        // Relayed (limited) connections carry DMs too, within the relay's limits.
        runOnLimitedConnection: true,
      },
    )
    this.#started = true
  }

  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    await this.#components.registrar.unhandle(this.protocol)
    this.#receiver.stop()
    await this.#sender.stop()
  }

  /** Installs the handler for inbound frames, also for streams already open. */
  setHandler(handler: DmHandler): void {
    this.#receiver.handler = handler
  }

  metrics(): Pick<NodeMetrics, 'dmFramesIn' | 'dmFramesOut' | 'dmRejected' | 'dmBackoff'> {
    return {
      dmFramesIn: this.#receiver.framesIn,
      dmFramesOut: this.#sender.framesOut,
      dmRejected: Object.fromEntries(this.#receiver.rejected),
      dmBackoff: this.#receiver.guard.backoffResets,
    }
  }

  /**
   * Writes `frames` to `peer` in order, after every earlier send to the same peer. Dials the
   * peer first if needed (`addrs` are merged into the peer store). Resolves once the bytes are
   * handed to the muxer; rejects with PeerUnreachableError, DmStreamError, DmWriteTimeoutError,
   * NodeNotStartedError, or, before anything is sent, TypeError/RangeError/MessageTooLargeError.
   * An empty `frames` resolves at once.
   */
  async send(
    peer: PeerId,
    frames: readonly Uint8Array[],
    addrs: readonly Multiaddr[] = [],
  ): Promise<void> {
    const bytes = encodeFrames(frames)
    if (!this.#started) throw new NodeNotStartedError('node is not started')
    if (frames.length === 0) return
    await this.#sender.send(peer, bytes, frames.length, addrs)
  }
}

/** The /kith/dm service factory: `services: { dm: dm() }`. */
export function dm(init: DmInit = {}): (components: DmComponents) => DmProtocol {
  return (components) => new DmProtocol(components, init)
}
