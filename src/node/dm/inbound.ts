// The receiving side of /kith/dm: reads frames from inbound streams (frames.ts) and hands them
// to the DmHandler in order, one at a time per peer (awaited before the next frame is read, so
// the service's ordering holds); closes a stream whose framing is bad or whose frame the handler
// rejects, counting the rejection by error name; closes idle streams. It never looks inside a
// frame and never logs one.
//
// Cheap checks first (guard.ts, issue 11 finding 11): a stream whose peer or network is in
// backoff is reset before a byte is read, and each frame is checked against the hashes of frames
// rejected before; only then does the handler (a PQXDH and ML-KEM for a PREKEY frame) run. Its
// verdict charges or proves the source.
//
// Idle: after DM_INBOUND_IDLE_MS without a whole frame we close our side (FIN); an honest sender
// then closes its side and the loop ends cleanly. One that does not is reset after
// DM_CLOSE_GRACE_MS. Time spent in the handler does not count as idle.
import debug from 'debug'
import {
  DmIdleTimeoutError,
  DmNoHandlerError,
  MalformedMessageError,
  MessageTooLargeError,
  NodeNotStartedError,
} from '../errors.js'
import { asError } from '../stream/open.js'
import { FrameReader } from '../stream/frames.js'
import { DmGuard, type DmGuardOptions, type DmSource } from './guard.js'
// One network key for every per-network budget (mailbox quotas, dm failures).
import { networkPrefix } from '../connectivity/net-prefix.js'
import type { DmHandler } from '../types.js'
import type { Connection, Stream } from '@libp2p/interface'

const log = debug('kith:node:dm')

export interface DmReceiverOptions {
  inboundIdleMs: number
  closeGraceMs: number
  guard?: Partial<DmGuardOptions>
}

interface Inbound {
  stream: Stream
  idle: ReturnType<typeof setTimeout> | undefined
  grace: ReturnType<typeof setTimeout> | undefined
}

/** Wraps what a DmHandler threw, so the stream loop can tell a rejection from a stream error. */
class HandlerRejection extends Error {
  constructor(readonly error: Error) {
    super('the dm handler rejected a frame')
  }
}

/** Wraps what the guard refused a frame with (DmBackoffError, DmRepeatedFrameError). */
class GuardRefusal extends Error {
  constructor(readonly error: Error) {
    super('the dm guard refused a frame')
  }
}

export class DmReceiver {
  handler: DmHandler | undefined
  framesIn = 0
  readonly rejected = new Map<string, number>()
  readonly guard: DmGuard
  readonly #o: DmReceiverOptions
  readonly #inbound = new Set<Inbound>()
  readonly #tails = new Map<string, Promise<void>>()
  #stopped = false

  constructor(options: DmReceiverOptions) {
    this.#o = options
    this.guard = new DmGuard(options.guard)
  }

  start(): void {
    this.#stopped = false
  }

  /** Clears every timer and resets the streams still open (libp2p is closing them anyway). */
  stop(): void {
    this.#stopped = true
    for (const inbound of this.#inbound) {
      clearTimeout(inbound.idle)
      clearTimeout(inbound.grace)
      inbound.stream.abort(new NodeNotStartedError('node stopping'))
    }
    this.#inbound.clear()
  }

  /** Serves one inbound /kith/dm stream until it ends. Never rejects. */
  async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    if (this.#stopped) {
      stream.abort(new NodeNotStartedError('node is not started'))
      return
    }
    if (this.handler == null) {
      this.#reject(peer, stream, new DmNoHandlerError('no dm handler installed'))
      return
    }
    const src: DmSource = { peer, network: networkPrefix(connection.remoteAddr) }
    const backoff = this.guard.admit(src)
    if (backoff !== undefined) {
      // Counted in guard.backoffResets (status.metrics.dmBackoff), not in dmRejected.
      stream.abort(backoff)
      return
    }
    const inbound: Inbound = { stream, idle: undefined, grace: undefined }
    this.#inbound.add(inbound)
    const reader = new FrameReader(stream)
    const onIdle = (): void => {
      log('closing idle dm stream from %s', peer)
      stream.close().catch(() => undefined)
      inbound.grace = setTimeout(() => {
        stream.abort(new DmIdleTimeoutError(`no frame for ${this.#o.inboundIdleMs} ms`))
      }, this.#o.closeGraceMs)
      inbound.grace.unref()
    }
    const armIdle = (): void => {
      clearTimeout(inbound.idle)
      inbound.idle = setTimeout(onIdle, this.#o.inboundIdleMs)
      inbound.idle.unref()
    }
    try {
      armIdle()
      for (;;) {
        const frame = await reader.next()
        if (frame == null) break
        clearTimeout(inbound.idle)
        const checked = this.guard.check(src, frame)
        if ('error' in checked) throw new GuardRefusal(checked.error)
        try {
          await this.#deliver(peer, frame)
        } catch (err) {
          if (err instanceof HandlerRejection) this.guard.fail(src, checked.hash)
          throw err
        }
        this.guard.succeed(src)
        this.framesIn++
        armIdle()
      }
      await stream.close({ signal: AbortSignal.timeout(this.#o.closeGraceMs) })
    } catch (err) {
      if (err instanceof GuardRefusal && err.error.name === 'DmBackoffError') {
        stream.abort(err.error) // counted in dmBackoff
      } else if (err instanceof HandlerRejection || err instanceof GuardRefusal) {
        this.#reject(peer, stream, err.error)
      } else if (MessageTooLargeError.is(err) || MalformedMessageError.is(err)) {
        this.#reject(peer, stream, asError(err))
      } else {
        // Reset by the remote, our idle timeout, the connection closing: not a rejection.
        log('dm stream from %s ended: %s', peer, asError(err).name)
        stream.abort(asError(err))
      }
    } finally {
      clearTimeout(inbound.idle)
      clearTimeout(inbound.grace)
      reader.dispose()
      this.#inbound.delete(inbound)
    }
  }

  /** Runs the (current) handler for one frame, after any frame of the same peer still being
   *  handled (a peer may have a second stream open while an idle-closed one drains). */
  async #deliver(peer: string, frame: Uint8Array): Promise<void> {
    const prev = this.#tails.get(peer) ?? Promise.resolve()
    const run = prev.then(async () => {
      const handler = this.handler
      if (handler == null) throw new DmNoHandlerError('no dm handler installed')
      await handler(peer, frame)
    })
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(peer, tail)
    try {
      await run
    } catch (err) {
      throw new HandlerRejection(asError(err))
    } finally {
      if (this.#tails.get(peer) === tail) this.#tails.delete(peer)
    }
  }

  /** Resets the stream with `err`, counts it by name and logs it (name and message only). */
  #reject(peer: string, stream: Stream, err: Error): void {
    this.rejected.set(err.name, (this.rejected.get(err.name) ?? 0) + 1)
    log('rejected dm stream from %s: %s: %s', peer, err.name, err.message)
    stream.abort(err)
  }
}
