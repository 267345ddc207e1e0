// A js-libp2p workaround, in one place (patches.ts UPSTREAM_PATCHES.noiseWriteBatch): one socket
// write per connection per event-loop turn. Upstream, every yamux frame a connection sends
// (@libp2p/yamux 8.0.3 muxer.js sendFrame → AbstractStreamMuxer.send) goes straight through
// @libp2p/noise 17.0.3's EncryptedMessageStream (utils.js: send → processSendQueue → sendData →
// encrypt) as its own Noise message, and that message (a Uint8ArrayList of its 2-byte length and
// its ciphertext) reaches @libp2p/tcp 11's sendData, which calls socket.write once per buffer: TWO
// libuv writes per frame. (ChainSafe/js-libp2p-noise PR #387, 2023, concatenated the length with
// the ciphertext "because sending lots of tiny buffers kills TCP performance"; the v17 code in the
// js-libp2p monorepo appends them as two buffers again. go-yamux coalesces writes the same way:
// libp2p/go-yamux issue #27.) A group member forwards each message to its mesh peers as one small
// frame per connection, with window updates and gossip control beside it: in the group bench's
// profile socket writes were ≈ 16 % of a member's CPU (docs/performance.md "Groups").
//
// Here the encrypted stream of each connection (what the muxer writes to) is changed on the
// instance: a send is appended to its write buffer and flushed once, at setImmediate (after the
// I/O callbacks of this loop turn and all their microtasks), as ONE Noise message per
// WRITE_BATCH_MAX_BYTES and ONE socket write per Noise message (length and ciphertext in one
// buffer). Order is the buffer's; backpressure is upstream's: a send that fills the buffer to
// WRITE_BATCH_MAX_BYTES, or comes while the socket asks to drain, flushes at once and returns
// what the socket said, so the muxer pauses its streams as before, at most one batch later. The
// wire bytes are unchanged (Noise messages of ≤ 65,519 plaintext bytes; a receiver never sees
// where frames were grouped). It knows nothing of what runs over the connection.
import { noise } from '@libp2p/noise'
import debug from 'debug'
import { Uint8ArrayList } from 'uint8arraylist'
import type { MessageStream } from '@libp2p/interface'
import { cheapNoiseLengthDecoder } from './patches.js'

const log = debug('kith:node:write-batch')

/** The @libp2p/noise version this was written against (its canary checks the behaviour). */
export const WRITE_BATCH_NOISE_VERSION = '17.0.3'

/**
 * Largest batch, in plaintext bytes: one Noise transport message (@libp2p/noise constants.js
 * NOISE_MSG_MAX_LENGTH_BYTES_WITHOUT_TAG = 65,535 − 16, the Noise spec's 65,535-byte message
 * limit, §3, less the ChaCha20-Poly1305 tag). A send that brings the buffer to this size is
 * flushed at once, so a connection never holds more than one Noise message of unsent frames
 * beyond what upstream would hold, and a bulk transfer goes out in whole Noise messages.
 */
export const WRITE_BATCH_MAX_BYTES = 65_535 - 16

/** The EncryptedMessageStream members used (@libp2p/noise dist/src/utils.js; not exported). */
interface EncryptedStreamInternals {
  writeBuffer: Uint8ArrayList
  writableNeedsDrain: boolean
  writeStatus: string
  maxMessageSize?: number
  /** The raw connection underneath (the transport's MultiaddrConnection). */
  stream: {
    send(data: Uint8Array | Uint8ArrayList): boolean
    close(options?: unknown): Promise<void>
  }
  send(data: Uint8Array | Uint8ArrayList): boolean
  sendData(data: Uint8ArrayList): { sentBytes: number; canSendMore: boolean }
  processSendQueue(): boolean
  encrypt(chunk: Uint8Array | Uint8ArrayList): Uint8ArrayList
  close(options?: unknown): Promise<void>
}

function internals(conn: MessageStream): EncryptedStreamInternals {
  const s = conn as unknown as Partial<EncryptedStreamInternals>
  if (
    !(s.writeBuffer instanceof Uint8ArrayList) ||
    typeof s.processSendQueue !== 'function' ||
    typeof s.encrypt !== 'function' ||
    typeof s.stream?.send !== 'function'
  ) {
    throw new TypeError('not a @libp2p/noise encrypted stream')
  }
  return s as EncryptedStreamInternals
}

/** Makes one Noise-encrypted connection batch its writes per loop turn (see the header). */
export function batchWrites(conn: MessageStream): void {
  const s = internals(conn)
  const upstreamSend = s.send.bind(s)
  const upstreamClose = s.close.bind(s)
  const raw = s.stream
  const rawClose = raw.close.bind(raw)
  // processSendQueue hands sendData at most this much at a time: one Noise message each.
  s.maxMessageSize = WRITE_BATCH_MAX_BYTES
  let pending: ReturnType<typeof setImmediate> | undefined
  const cancel = (): void => {
    if (pending !== undefined) clearImmediate(pending)
    pending = undefined
  }

  const flush = (): void => {
    cancel()
    if (s.writeBuffer.byteLength === 0) return
    try {
      s.processSendQueue()
    } catch (err) {
      // processSendQueue aborted the stream already (as upstream's drain handler, which logs).
      log('flush failed: %s', err instanceof Error ? err.name : String(err))
    }
  }

  s.send = (data) => {
    // Closing or closed: upstream's answer (sends at once, or throws StreamStateError).
    if (s.writeStatus !== 'writable') return upstreamSend(data)
    s.writeBuffer.append(data)
    if (s.writableNeedsDrain || s.writeBuffer.byteLength >= WRITE_BATCH_MAX_BYTES) {
      cancel()
      // Upstream's answer, now: false while the socket asks to drain (the muxer then pauses).
      return s.processSendQueue()
    }
    pending ??= setImmediate(() => {
      pending = undefined
      flush()
    })
    return true
  }

  // One buffer per Noise message, so the transport makes one write of it (upstream: two).
  s.sendData = (data) => {
    const sealed = s.encrypt(data)
    return { sentBytes: data.byteLength, canSendMore: raw.send(sealed.subarray()) }
  }

  // Closing flushes first: libp2p's Connection.close closes the muxer (its GoAway is a send) and
  // then the raw connection directly, before the next loop turn.
  s.close = async (options) => {
    flush()
    return upstreamClose(options)
  }
  raw.close = async (options) => {
    flush()
    return rawClose(options)
  }
}

type NoiseFactory = ReturnType<typeof noise>

/** What a bench may switch off to measure against (KithNodeTuning.transport; production: none). */
export interface TransportTuning {
  /** false: upstream's write path (a Noise message and two socket writes per frame). */
  writeBatch?: boolean
  /** true: yamux with yamux-window.ts's lazy WINDOW_UPDATEs (not the default, see there). */
  lazyWindowUpdates?: boolean
}

/** `noise()` whose connections batch their writes (batchWrites), unless `tuning.writeBatch` is
 *  false, and read frames without an Error per chunk (patches.ts cheapNoiseLengthDecoder). */
export function batchedNoise(tuning: TransportTuning = {}): NoiseFactory {
  const factory = noise()
  const adapt = (conn: MessageStream): void => {
    cheapNoiseLengthDecoder(conn)
    if (tuning.writeBatch !== false) batchWrites(conn)
  }
  return (components) => {
    const encrypter = factory(components)
    const secureInbound = encrypter.secureInbound.bind(encrypter)
    const secureOutbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => {
      const secured = await secureInbound(connection, options)
      adapt(secured.connection)
      return secured
    }
    encrypter.secureOutbound = async (connection, options) => {
      const secured = await secureOutbound(connection, options)
      adapt(secured.connection)
      return secured
    }
    return encrypter
  }
}
