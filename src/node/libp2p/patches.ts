// Every workaround of a js-libp2p behaviour, in one place. This module owns the small ones as code
// (a private field reached, a Proxy around a service's components, a copied unexported constant,
// a transport's dial filter, a pause deferred out of yamux's dispatch, our own dial timeout) and
// names the larger ones that are whole modules of their own (UPSTREAM_PATCHES). Each entry says
// the package version it was written against, the upstream issue or pull request where one was
// found, and its canary in test/node/patches.test.ts: a test asserting the upstream behaviour
// that makes the workaround necessary, so it fails the day upstream changes and the workaround can
// go. It knows nothing of Kith's protocols; the modules that need a patch import it from here.
// The yamux window (libp2p.ts YAMUX_MAX_STREAM_WINDOW_BYTES) stays with the muxer's options.
import { autoNAT } from '@libp2p/autonat'
import { webSockets } from '@libp2p/websockets'
import { isMultiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { GossipSub } from '@libp2p/gossipsub'
import type { PeerScoreParams } from '@libp2p/gossipsub/score'
import type { Connection, PeerId, Stream } from '@libp2p/interface'

/** One workaround: what it works around, against which version, and where it lives. */
export interface UpstreamPatch {
  /** `package@version` it was written against (NOTES.md lists the versions that work together). */
  upstream: string
  /** The upstream issue or pull request, or why none is cited. */
  ref: string
  /** The Kith module that holds it, from src/node/ (this one unless named). */
  where: string
}

/** Every js-libp2p workaround, by id; test/node/patches.test.ts has one canary per id. */
export const UPSTREAM_PATCHES = {
  selfAddressTimer: {
    upstream: 'libp2p@3.3.11',
    ref: 'none found; the debounce came with js-libp2p PR #1743 (address manager owns addresses)',
    where: 'libp2p/patches.ts cancelSelfAddressUpdate (called by connectivity/nat.ts afterStop)',
  },
  autonatDialBack: {
    upstream: '@libp2p/autonat@3.0.28',
    ref: 'none found for js; libp2p specs autonat/README.md "Dial" (dial the address asked about)',
    where: 'libp2p/patches.ts autoNATService',
  },
  gossipsubTopicParams: {
    upstream: '@libp2p/gossipsub@17.1.1',
    ref: 'no js API; go-libp2p-pubsub added Topic.SetScoreParams (PR #376, issue #346)',
    where: 'libp2p/patches.ts liveTopicParams (pubsub/index.ts)',
  },
  webrtcSignalingProtocol: {
    upstream: '@libp2p/webrtc@6.0.33',
    ref: 'none found: SIGNALING_PROTOCOL is in dist/src/constants.js, not in the package exports',
    where: 'libp2p/patches.ts WEBRTC_SIGNALING_PROTOCOL (connectivity/holepunch.ts)',
  },
  webrtcAnswerPort: {
    upstream: '@libp2p/webrtc@6.0.33',
    ref: 'none found: rtcConfiguration (a function) gets no argument saying which peer it is for',
    where:
      'connectivity/webrtc.ts wrapOnProtocol (answerWithPrimedPort for connectivity/prime.ts, limitAnswers)',
  },
  webSocketsOnNode20: {
    upstream: '@libp2p/websockets@10.1.21',
    ref: 'none: it dials with the global WebSocket, which Node 20 has only behind a flag',
    where: 'libp2p/patches.ts webSocketsTransport (libp2p/node.ts)',
  },
  yamuxPauseReentrancy: {
    upstream: '@libp2p/yamux@8.0.3',
    ref: 'none found: resume() dispatches buffered data, then sendResume() undoes a pause made there',
    where: 'libp2p/patches.ts pauseAfterDispatch (stream/frames.ts)',
  },
  yamuxWindow: {
    upstream: '@libp2p/yamux@8.0.3 with @libp2p/utils@7.4.1',
    ref: 'none found: yamux may grant 16 MiB of window, a libp2p stream resets at 4 MiB unread',
    where: 'libp2p/node.ts YAMUX_MAX_STREAM_WINDOW_BYTES',
  },
  dialTimeoutWithSignal: {
    upstream: 'libp2p@3.3.11',
    ref: 'by design since js-libp2p PR #2842 (a caller signal replaces dialTimeout)',
    where: 'libp2p/patches.ts dialAttemptSignal (connectivity/dialer.ts)',
  },
  limitedConnectionReuse: {
    upstream: 'libp2p@3.3.11',
    ref: 'by design since js-libp2p PR #2187 (dial again when only limited connections exist)',
    where: 'dm/outbound.ts pickConnection',
  },
  randomWalkSpin: {
    upstream: 'libp2p@3.3.11',
    ref: 'js-libp2p PR #2563 (the walk), issue #2676 (relay discovery never lets go)',
    where: 'libp2p/random-walk.ts PacedRandomWalk',
  },
  pingStreamLimit: {
    upstream: 'libp2p@3.3.11 with @libp2p/ping@3.1.13',
    ref: 'js-libp2p PR #3464 (a leaked probe slot, merged), PR #3504 (abort only on silence, open)',
    where:
      'libp2p/node.ts PING_MAX_OUTBOUND_STREAMS, libp2p/conn-monitor.ts (one ping per connection at a time)',
  },
  noiseWriteBatch: {
    upstream: '@libp2p/noise@17.0.3 with @libp2p/yamux@8.0.3 and @libp2p/tcp@11.0.28',
    ref: 'ChainSafe/js-libp2p-noise PR #387 (one buffer per Noise message, since lost); libp2p/go-yamux issue #27 (write coalescing)',
    where:
      'libp2p/write-batch.ts batchedNoise (libp2p/node.ts); test/node/libp2p/write-batch.test.ts',
  },
  connectionMonitorBurst: {
    upstream: 'libp2p@3.3.11',
    ref: 'none found: its init has pingInterval, pingTimeout, abortConnectionOnPingFailure only',
    where: 'libp2p/conn-monitor.ts JitteredConnectionMonitor (libp2p/node.ts turns upstream’s off)',
  },
  muxerPing: {
    upstream: 'libp2p@3.3.11 with @libp2p/yamux@8.0.3',
    ref: 'none found: @libp2p/interface Connection has no ping; its muxer (a public field of libp2p’s class, not in the interface) has one',
    where:
      'libp2p/patches.ts muxerPingOf (libp2p/conn-monitor.ts; libp2p/node.ts turns yamux’s own keep-alive off)',
  },
  noiseShortLengthThrow: {
    upstream: '@libp2p/noise@17.0.3 with @libp2p/utils@7.4.1',
    ref: 'none found: LengthPrefixedDecoder.decode loops until its length decoder throws a RangeError',
    where: 'libp2p/patches.ts cheapNoiseLengthDecoder (libp2p/write-batch.ts batchedNoise)',
  },
  autonatOnlyOnConnect: {
    upstream: '@libp2p/autonat@3.0.28',
    ref: 'none found: verifyExternalAddresses runs from the topology onConnect only (autonat.ts start)',
    where: 'libp2p/patches.ts askAutoNATNow (connectivity/upnp.ts, after a port mapping)',
  },
} as const satisfies Record<string, UpstreamPatch>

export type UpstreamPatchId = keyof typeof UPSTREAM_PATCHES

/**
 * Workaround selfAddressTimer: libp2p's address manager has no stop(), and a 'transport:close'
 * during libp2p.stop() arms its debounced self-address update (`_updatePeerStoreAddresses`, a
 * ref'd 1 s timer) that holds the process after stop. Cancels it; call once everything stopped.
 */
export function cancelSelfAddressUpdate(addressManager: unknown): void {
  const am = addressManager as { _updatePeerStoreAddresses?: { stop?: () => void } }
  am._updatePeerStoreAddresses?.stop?.()
}

/**
 * Workaround autonatOnlyOnConnect: @libp2p/autonat asks a peer to dial our unverified addresses
 * only when a connection to it opens (its topology's onConnect), so an address that appears
 * later — a UPnP port mapping (connectivity/upnp.ts), made seconds after the relay connection
 * opened — waits for the next new connection, which in a small network may never come (its
 * 60 s random walk mostly finds peers already connected). Asks now, over every open connection
 * whose peer speaks AutoNAT, through the service's (public, undocumented) method; one successful
 * dial-back confirms a mapped address. Does nothing if the service lacks the method.
 */
export function askAutoNATNow(autonat: unknown, connections: readonly Connection[]): void {
  const svc = autonat as {
    verifyExternalAddresses?: (c: Connection) => Promise<void>
  } | null
  if (typeof svc?.verifyExternalAddresses !== 'function') return
  for (const c of connections) {
    // A relayed connection's dial-back tells nothing of our own address's reachability.
    if (c.status !== 'open' || c.limits != null) continue
    svc.verifyExternalAddresses(c).catch(() => undefined)
  }
}

/**
 * Workaround autonatDialBack: @libp2p/autonat with its dial-back fixed. The AutoNAT server dials
 * the address to verify with `openConnection(multiaddr)`, which returns the requester's existing
 * connection (libp2p reuses one per peer); its remote address (an ephemeral port) then differs
 * from the address asked about, the check fails, and the server *closes that connection* —
 * every public node asking a relay to verify its address was cut off from it. Forcing a new
 * connection for a dial-back to a multiaddr makes the server dial the address it was asked
 * about, as AutoNAT v1 intends (libp2p specs, autonat/README.md "Dial").
 */
export function autoNATService(
  init: Parameters<typeof autoNAT>[0] = {},
): ReturnType<typeof autoNAT> {
  const factory = autoNAT(init)
  return (components) => {
    const forced = new Proxy(components.connectionManager, {
      get(target, key, receiver) {
        if (key !== 'openConnection') return Reflect.get(target, key, receiver) as unknown
        return (
          peer: PeerId | Multiaddr | Multiaddr[],
          options: Parameters<typeof target.openConnection>[1] = {},
        ) => target.openConnection(peer, isMultiaddr(peer) ? { ...options, force: true } : options)
      },
    })
    const wrapped = new Proxy(components, {
      get(target, key, receiver) {
        if (key === 'connectionManager') return forced
        return Reflect.get(target, key, receiver) as unknown
      },
    })
    return factory(wrapped)
  }
}

/**
 * Workaround gossipsubTopicParams: the GossipSub class keeps its live score params on
 * `score.params` (not in the exported interface) and has no method to add a topic's; topics
 * added there are scored from the next decay tick.
 */
export function liveTopicParams(gs: GossipSub): PeerScoreParams['topics'] {
  const score = (gs as unknown as { score?: { params?: PeerScoreParams } }).score
  if (score?.params?.topics == null) throw new TypeError('gossipsub has no peer score params')
  return score.params.topics
}

/** Workaround webrtcSignalingProtocol: @libp2p/webrtc's signalling protocol (its
 *  SIGNALING_PROTOCOL, not exported by the package). */
export const WEBRTC_SIGNALING_PROTOCOL = '/webrtc-signaling/0.0.1'

/**
 * Workaround webSocketsOnNode20: WebSockets listen everywhere; dialling them needs a global
 * WebSocket (Node ≥ 22, or 20 with --experimental-websocket). Without one, hide /ws addresses
 * from the dialer so libp2p tries TCP instead of failing on a ReferenceError.
 */
export function webSocketsTransport(): ReturnType<typeof webSockets> {
  const factory = webSockets()
  return (components) => {
    const transport = factory(components)
    if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
      transport.dialFilter = () => []
    }
    return transport
  }
}

/**
 * Workaround yamuxPauseReentrancy: pauses `stream` in a microtask, not at once, if `stillWanted()`
 * then. A message event may be dispatched from inside `stream.resume()`, which calls yamux's
 * sendResume() right after dispatching and would overwrite a pause made there (the stream would
 * read "paused" but keep granting window, and be reset at 4 MiB unread).
 */
export function pauseAfterDispatch(stream: Stream, stillWanted: () => boolean): void {
  queueMicrotask(() => {
    if (stillWanted() && stream.readStatus === 'readable') stream.pause()
  })
}

/**
 * Workaround dialTimeoutWithSignal: libp2p's own dialTimeout applies only to a dial without an
 * AbortSignal (a caller's signal replaces it), so a dial that must be both cancellable and
 * bounded gets both here: aborted by `cancelled` or after `timeoutMs`.
 */
export function dialAttemptSignal(cancelled: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([cancelled, AbortSignal.timeout(timeoutMs)])
}

/** A muxer's own ping: resolves to the round trip in ms. */
export type MuxerPing = (options: { signal: AbortSignal }) => Promise<number>

/**
 * The ping of `conn`'s stream muxer, if it has one (UPSTREAM_PATCHES.muxerPing). libp2p 3.3.11's
 * Connection keeps its muxer in a public `muxer` field that @libp2p/interface does not declare;
 * @libp2p/yamux 8.0.3's muxer has `ping(options)`, a PING frame answered inside the peer's muxer
 * (yamux spec, hashicorp/yamux spec.md "Ping Type"), resolving to the round trip. Undefined for
 * a connection without one (WebRTC's data channels: the caller opens a ping stream instead).
 */
export function muxerPingOf(conn: Connection): MuxerPing | undefined {
  const muxer = (conn as unknown as { muxer?: { ping?: unknown } }).muxer
  if (muxer === undefined || muxer === null || typeof muxer.ping !== 'function') return undefined
  const ping = muxer.ping as MuxerPing
  return (options) => ping.call(muxer, options)
}

/** The RangeError the Noise length decoder below throws while fewer than 2 bytes are buffered:
 *  made once, so no stack is captured per incoming chunk. */
const SHORT_NOISE_LENGTH = new RangeError('Could not decode int16BE')

/**
 * Gives a Noise connection (@libp2p/noise 17's EncryptedMessageStream) a length decoder that
 * throws one shared RangeError instead of a new one (UPSTREAM_PATCHES.noiseShortLengthThrow).
 * @libp2p/utils' LengthPrefixedDecoder.decode reads frames in a `while (true)` loop that ends
 * when its length decoder throws a RangeError; noise's `uint16BEDecode` throws a new one when
 * fewer than 2 bytes are left, so EVERY chunk a socket delivers ends in a freshly made Error
 * (≈ 14 µs here with its stack captured: 7 % of a group member's CPU in the bench's profile,
 * 16 µs per DM on the receiver). Same values, same control flow, no stack.
 */
export function cheapNoiseLengthDecoder(conn: unknown): void {
  const decoder = (conn as { decoder?: { lengthDecoder?: unknown } }).decoder
  // Not the shape this was written against: upstream's decoder stays (the canary says why).
  if (decoder === undefined || typeof decoder.lengthDecoder !== 'function') return
  decoder.lengthDecoder = noiseLength
}

/** noise encoder.js uint16BEDecode, throwing SHORT_NOISE_LENGTH when short. */
export function noiseLength(
  data: Uint8Array | { length: number; getUint16(i: number): number },
): number {
  if (data.length < 2) throw SHORT_NOISE_LENGTH
  if (data instanceof Uint8Array) return (data[0]! << 8) | data[1]!
  return data.getUint16(0)
}
