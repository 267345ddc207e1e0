// Canaries of the js-libp2p workarounds (src/node/libp2p/patches.ts UPSTREAM_PATCHES): one per entry,
// each asserting the upstream behaviour that makes its workaround necessary. A canary that fails
// means upstream changed: check whether the workaround can go (or must change), then update the
// entry and this test. Where the behaviour can be shown in process cheaply (a stream, a node that
// is never started) the canary runs it; otherwise it reads the line of the installed package that
// does it, so the canary names exactly what to look at. No network, no sockets.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { defaultLogger } from '@libp2p/logger'
import { AbstractMessageStream, type SendResult } from '@libp2p/utils'
import * as webrtc from '@libp2p/webrtc'
import { createLibp2p } from 'libp2p'
import {
  liveTopicParams,
  pauseAfterDispatch,
  UPSTREAM_PATCHES,
  WEBRTC_SIGNALING_PROTOCOL,
  type UpstreamPatchId,
} from '../../src/node/libp2p/patches.js'
import type { Stream } from '@libp2p/interface'

/** The text of an installed package's file (package exports hide these modules from import). */
function upstream(path: string): string {
  return readFileSync(new URL(`../../node_modules/${path}`, import.meta.url), 'utf8')
}

/** The installed version of a package, to hold against the version an entry names. */
function version(pkg: string): string {
  return (JSON.parse(upstream(`${pkg}/package.json`)) as { version: string }).version
}

/** A message stream whose muxer side only records what it was last told (pause or resume). */
class ProbeStream extends AbstractMessageStream {
  muxer: 'established' | 'paused' = 'established'
  constructor() {
    super({ log: defaultLogger().forComponent('kith:test:probe') })
  }
  sendData(): SendResult {
    return { sentBytes: 0, canSendMore: true }
  }
  sendReset(): void {}
  sendPause(): void {
    this.muxer = 'paused'
  }
  sendResume(): void {
    this.muxer = 'established'
  }
  close(): Promise<void> {
    return Promise.resolve()
  }
}

/** A paused stream with data buffered, whose message handler pauses it again with `pause`. */
function pausedWithData(pause: (s: ProbeStream) => void): ProbeStream {
  const s = new ProbeStream()
  s.pause()
  s.push(new Uint8Array(16))
  s.addEventListener('message', () => pause(s))
  return s
}

/** A libp2p node that is built but never started (no sockets), with gossipsub. */
async function idleNode() {
  return createLibp2p({ start: false, services: { identify: identify(), pubsub: gossipsub() } })
}

const CANARIES: Record<UpstreamPatchId, () => void | Promise<void>> = {
  async selfAddressTimer() {
    const node = await idleNode()
    const am = (node as unknown as { components: { addressManager: Record<string, unknown> } })
      .components.addressManager
    assert.equal(typeof am.stop, 'undefined', 'the address manager has no stop() of its own')
    const timer = am._updatePeerStoreAddresses as { stop?: unknown } | undefined
    assert.equal(typeof timer?.stop, 'function', 'its debounced update is private, with stop()')
  },

  autonatDialBack() {
    const src = upstream('@libp2p/autonat/dist/src/autonat.js')
    assert.match(src, /connectionManager\.openConnection\(multiaddr, options\)/)
    assert.doesNotMatch(src, /force:\s*true/, 'the dial-back may reuse an existing connection')
  },

  async gossipsubTopicParams() {
    const node = await idleNode()
    const gs = node.services.pubsub
    assert.equal(typeof liveTopicParams(gs), 'object', 'the live params are still on score.params')
    const methods = new Set<string>()
    for (let p: object | null = gs; p != null; p = Object.getPrototypeOf(p) as object | null) {
      for (const k of Object.getOwnPropertyNames(p)) methods.add(k)
    }
    const setters = [...methods].filter(
      (k) => /score.?params/i.test(k) && /^(set|add|update)/i.test(k),
    )
    assert.deepEqual(setters, [], 'no public way to add a topic to the score params')
  },

  webrtcSignalingProtocol() {
    assert.equal('SIGNALING_PROTOCOL' in webrtc, false, 'still not exported by the package')
    const src = upstream('@libp2p/webrtc/dist/src/constants.js')
    assert.ok(
      src.includes(`SIGNALING_PROTOCOL = '${WEBRTC_SIGNALING_PROTOCOL}'`),
      'our copy equals the package constant',
    )
  },

  webrtcAnswerPort() {
    // The answer's RTCPeerConnection takes its configuration first thing in _onProtocol, which
    // the signalling handler calls through `this` (so the instance's wrapper runs), and the
    // configuration function still gets no argument naming the peer.
    const src = upstream('@libp2p/webrtc/dist/src/private-to-private/transport.js')
    assert.match(src, /this\._onProtocol\(stream, connection, signal\)/)
    assert.match(
      src,
      /async _onProtocol\(stream, connection, signal\) \{\s*const peerConnection = new RTCPeerConnection\(await getRtcConfiguration\(this\.init\.rtcConfiguration\)\)/,
    )
    const util = upstream('@libp2p/webrtc/dist/src/util.js')
    assert.match(util, /config = await config\(\);/, 'called without arguments')
  },

  webSocketsOnNode20() {
    const src = upstream('@libp2p/websockets/dist/src/index.js')
    assert.match(src, /new WebSocket\(uri\)/, 'dials with the global WebSocket')
    assert.doesNotMatch(src, /from 'ws'/, 'not with the ws package (the listener uses that)')
  },

  yamuxPauseReentrancy() {
    // Upstream: resume() dispatches the buffer, then tells the muxer to resume, after the
    // handler's pause: the stream reads "paused" while yamux keeps granting window.
    const s = pausedWithData((p) => p.pause())
    s.resume()
    assert.equal(s.readStatus, 'paused')
    assert.equal(s.muxer, 'established', 'the muxer was told to resume after the pause')
  },

  yamuxWindow() {
    assert.match(
      upstream('@libp2p/yamux/dist/src/constants.js'),
      /MAX_STREAM_WINDOW = 16 \* 1024 \* 1024;/,
      'yamux may grant a stream 16 MiB of window',
    )
    assert.match(
      upstream('@libp2p/utils/dist/src/abstract-message-stream.js'),
      /DEFAULT_MAX_READ_BUFFER_LENGTH = Math\.pow\(2, 20\) \* 4;/,
      'a stream resets at 4 MiB unread',
    )
  },

  dialTimeoutWithSignal() {
    assert.match(
      upstream('libp2p/dist/src/connection-manager/dial-queue.js'),
      /signal: options\.signal \?\? AbortSignal\.timeout\(this\.dialTimeout\)/,
      'dialTimeout applies only to a dial without a signal',
    )
  },

  limitedConnectionReuse() {
    const src = upstream('libp2p/dist/src/connection-manager/utils.js')
    assert.match(src, /export function findExistingConnection\(/)
    assert.match(src, /\.find\(con => con\.limits == null\)/, 'openConnection skips limited ones')
  },

  pingStreamLimit() {
    // One outbound ping stream per connection, and the monitor's pings over the same protocol
    // abort the connection on any error but UnsupportedProtocolError (test/node/ping-limit.test.ts
    // runs it on real nodes).
    assert.match(upstream('@libp2p/ping/dist/src/constants.js'), /MAX_OUTBOUND_STREAMS = 1;/)
    const monitor = upstream('libp2p/dist/src/connection-monitor.js')
    assert.match(monitor, /if \(this\.abortConnectionOnPingFailure\) \{[\s\S]*?conn\.abort\(err\)/)
    assert.doesNotMatch(monitor, /TooManyOutboundProtocolStreams/)
  },

  noiseWriteBatch() {
    // Each frame its own Noise message, sent at once, its length and ciphertext two buffers that
    // the TCP transport writes one by one (the behavioural canary: test/node/libp2p/write-batch).
    const utils = upstream('@libp2p/noise/dist/src/utils.js')
    assert.match(
      utils,
      /output\.append\(uint16BEEncode\(data\.byteLength\)\);\s*output\.append\(data\);/,
    )
    assert.match(utils, /canSendMore: this\.stream\.send\(this\.encrypt\(data\)\)/)
    assert.match(
      upstream('@libp2p/tcp/dist/src/socket-to-conn.js'),
      /for \(const buf of data\) \{\s*sentBytes \+= buf\.byteLength;\s*canSendMore = this\.socket\.write\(buf\);/,
    )
  },

  connectionMonitorBurst() {
    // Every connection pinged from one interval callback: one burst every 10 s.
    assert.match(
      upstream('libp2p/dist/src/connection-monitor.js'),
      /setInterval\(\(\) => \{\s*this\.components\.connectionManager\.getConnections\(\)\.forEach\(/,
    )
  },

  randomWalkSpin() {
    const src = upstream('libp2p/dist/src/random-walk.js')
    const loop = /while \(this\.walkers > 0\) \{([\s\S]*?)\n {12}\}\n/.exec(src)?.[1]
    assert.ok(loop !== undefined, 'the walk loops while anyone walks')
    assert.doesNotMatch(loop, /setTimeout|delay|sleep|backoff/i, 'with no pause between queries')
  },
  muxerPing() {
    // The interface's Connection has no ping and no muxer; libp2p's class keeps the muxer in a
    // public field, and yamux's muxer pings with a PING frame, resolving to the round trip. Its
    // keep-alive never aborts a silent connection (so the monitor still does).
    assert.doesNotMatch(upstream('@libp2p/interface/dist/src/connection.d.ts'), /\bmuxer\b|ping\(/)
    assert.match(upstream('libp2p/dist/src/connection.js'), /this\.muxer = init\.muxer;/)
    const yamux = upstream('@libp2p/yamux/dist/src/muxer.js')
    assert.match(yamux, /\n {4}async ping\(options\) \{/)
    assert.match(
      yamux,
      /this\.rtt = await raceSignal\(this\.activePing\.promise, options\?\.signal\);/,
    )
    assert.match(yamux, /this\.sendPing\(this\.activePing\.id\);/)
    assert.match(yamux, /\/\/ TODO: should abort here\?/)
  },
  noiseShortLengthThrow() {
    // The decoder's loop ends only by its length decoder throwing a RangeError, and noise's
    // throws a new one whenever fewer than 2 bytes are buffered: at the end of every chunk.
    const lp = upstream('@libp2p/utils/dist/src/length-prefixed-decoder.js')
    assert.match(
      lp,
      /while \(true\) \{\s*let dataLength;\s*try \{\s*dataLength = this\.lengthDecoder\(this\.buffer\);/,
    )
    assert.match(lp, /if \(err instanceof RangeError\) \{[\s\S]*?break;/)
    assert.match(
      upstream('@libp2p/noise/dist/src/encoder.js'),
      /if \(data\.length < 2\) \{\s*throw RangeError\('Could not decode int16BE'\);/,
    )
    assert.match(
      upstream('@libp2p/noise/dist/src/utils.js'),
      /this\.decoder = new LengthPrefixedDecoder\(\{\s*lengthDecoder: uint16BEDecode,/,
    )
  },
  autonatOnlyOnConnect() {
    // AutoNAT asks peers to verify our addresses only when a connection opens (its topology's
    // onConnect), not when a new address (a UPnP mapping) appears; the method askAutoNATNow calls
    // is still there.
    const src = upstream('@libp2p/autonat/dist/src/autonat.js')
    assert.match(src, /\n {4}async verifyExternalAddresses\(connection\) \{/)
    const calls = [...src.matchAll(/this\.verifyExternalAddresses\(/g)].length
    assert.equal(calls, 1, 'called from one place only')
    assert.match(
      src,
      /onConnect: \(peerId, connection\) => \{\s*this\.verifyExternalAddresses\(connection\)/,
    )
    assert.doesNotMatch(src, /self:peer:update/, 'no reaction to a new address of ours')
  },
}

void describe('js-libp2p workarounds (src/node/libp2p/patches.ts): upstream still needs them', () => {
  for (const [id, patch] of Object.entries(UPSTREAM_PATCHES)) {
    void it(`${id}: ${patch.upstream}`, async (t) => {
      // A newer version that still behaves so passes, with a note to update the entry.
      const [pkg, at] = patch.upstream.split(' ')[0]?.split(/@(?=[\d.]+$)/) ?? []
      if (pkg !== undefined && at !== undefined && version(pkg) !== at) {
        t.diagnostic(`${pkg} is ${version(pkg)}, the entry names ${at}: update it`)
      }
      await CANARIES[id as UpstreamPatchId]()
    })
  }

  void it('pauseAfterDispatch keeps the muxer paused where upstream resumes it', async () => {
    const s = pausedWithData((p) => pauseAfterDispatch(p as unknown as Stream, () => true))
    s.resume()
    await new Promise<void>((resolve) => queueMicrotask(resolve))
    assert.equal(s.readStatus, 'paused')
    assert.equal(s.muxer, 'paused')
  })
})
