// A js-libp2p workaround, in one place: @libp2p/yamux 8.0.3 answers EVERY received data frame with
// a WINDOW_UPDATE frame (dist/src/stream.js: handleData → sendWindowUpdate, which sends whenever
// any credit was consumed), so each small message (a gossipsub RPC, a DM) costs the receiver an
// extra frame, Noise encryption and socket write, and the sender a frame to decrypt and handle
// (≈ 11 % of a group member's CPU in the group bench profile, docs/performance.md "Groups").
// hashicorp/yamux (stream.go sendWindowUpdate: `if delta < (max/2) && flags == 0 { return nil }`)
// and go-yamux (GrowTo) send an update only once half of the window has been consumed; so does
// rust-yamux since libp2p/rust-yamux#109 ("Send WindowUpdate message early", issue #100). The
// yamux spec leaves the choice to the receiver (hashicorp/yamux spec.md "Flow Control"). No
// js-libp2p issue or PR for it was found (searched ChainSafe/js-libp2p-yamux and libp2p/js-libp2p,
// 2026-12). This module wraps the yamux factory so each stream it creates sends its updates the
// hashicorp way; test/node/yamux-window.test.ts holds a canary that fails once upstream does.
// NOT wired into node.ts by default: in the multi-process group bench it raised p50 from ≈ 14 to
// ≈ 250 ms (suspected: paused writers resumed only by received updates); since write-batch.ts
// that regression is gone but no CPU gain was measured (docs/performance.md "Groups"). Benches
// switch it on with KithNodeTuning.transport.lazyWindowUpdates.
// It knows nothing of what runs over the streams.
import { yamux } from '@libp2p/yamux'

/** The @libp2p/yamux version this patch was written against (the canary checks the behaviour). */
export const YAMUX_PATCHED_VERSION = '8.0.3'

/**
 * A receiver sends a WINDOW_UPDATE once the unadvertised credit reaches this fraction of its
 * receive window (hashicorp/yamux and go-yamux: half). The sender then still holds at least half
 * a window (≥ 128 KiB, yamux's initial 256 KiB) of credit, so it is never stalled waiting for an
 * update on a link where a round trip moves less than that; small messages cost no extra frame.
 */
export const YAMUX_WINDOW_UPDATE_FRACTION = 0.5

/** yamux spec frame types (dist/src/frame.js FrameType). */
const FRAME_WINDOW_UPDATE = 1
/** dist/src/stream.js StreamState.Paused. */
const STATE_PAUSED = 5

/** The YamuxStream members the replacement reads (dist/src/stream.js; not exported). */
interface YamuxStreamInternals {
  state: number
  recvWindow: number
  recvWindowCapacity: number
  maxStreamWindowSize: number
  epochStart: number
  streamId: number
  getRTT(): number
  getSendFlags(): number
  sendFrame(header: { type: number; flag: number; streamID: number; length: number }): boolean
  sendWindowUpdate(): void
}

/**
 * YamuxStream.sendWindowUpdate of @libp2p/yamux 8.0.3, unchanged but for the threshold: with no
 * flags to send, nothing is sent until at least YAMUX_WINDOW_UPDATE_FRACTION of the window was
 * consumed (hashicorp/yamux stream.go sendWindowUpdate). The window auto-tuning (doubling when an
 * epoch took ≤ 4 RTTs) is upstream's, applied when an update is actually sent.
 */
function lazySendWindowUpdate(this: YamuxStreamInternals): void {
  if (this.state === STATE_PAUSED) {
    this.epochStart = Date.now()
    return
  }
  const flags = this.getSendFlags()
  const consumed = this.recvWindow - this.recvWindowCapacity
  if (flags === 0 && consumed < this.recvWindow * YAMUX_WINDOW_UPDATE_FRACTION) return
  const now = Date.now()
  const rtt = this.getRTT()
  if (flags === 0 && rtt > -1 && now - this.epochStart <= rtt * 4) {
    this.recvWindow = Math.min(this.recvWindow * 2, this.maxStreamWindowSize)
  }
  if (this.recvWindowCapacity >= this.recvWindow && flags === 0) return
  const delta = this.recvWindow - this.recvWindowCapacity
  this.recvWindowCapacity = this.recvWindow
  this.epochStart = now
  this.sendFrame({
    type: FRAME_WINDOW_UPDATE,
    flag: flags,
    streamID: this.streamId,
    length: delta,
  })
}

/** The muxer member the wrapper hooks (dist/src/muxer.js YamuxMuxer._newStream). */
interface YamuxMuxerInternals {
  _newStream(...args: unknown[]): YamuxStreamInternals
}

type YamuxInit = Parameters<typeof yamux>[0]

/** `yamux(init)`, with streams that send WINDOW_UPDATE frames only past half a window. */
export function yamuxLazyWindow(init?: YamuxInit): ReturnType<typeof yamux> {
  const factory = yamux(init)
  return () => {
    const y = factory()
    const create = y.createStreamMuxer.bind(y)
    y.createStreamMuxer = (maConn) => {
      const muxer = create(maConn)
      const m = muxer as unknown as YamuxMuxerInternals
      const newStream = m._newStream.bind(m)
      m._newStream = (...args) => {
        const stream = newStream(...args)
        stream.sendWindowUpdate = lazySendWindowUpdate
        return stream
      }
      return muxer
    }
    return y
  }
}
