// Who sends the first ICE check in a hole punch (docs/connectivity.md "Routers that answer
// unsolicited packets"). A router that accepts an unsolicited packet addressed to itself
// confirms a conntrack entry for it, and then maps its own host's check to the sender onto a
// new port, which the sender's router drops: the punch fails whenever the first check to
// arrive lands on such a router. Which side's check arrives first was a race of microseconds
// (both sides start checking as soon as they hold the other's candidates). This makes it a
// rule: the offerer (the side that dials, src/node/connectivity/holepunch.ts) adds the answerer's candidates
// OFFERER_CHECK_DELAY_MS after the first one arrived, so the answerer's checks go first and
// land on the offerer's router. The hole puncher swaps roles on its second attempt, so a pair
// with one such router gets the order that works within two attempts.
//
// A primed punch (src/node/connectivity/prime.ts) turns the order round: the offerer does not
// hold (connectivity/webrtc.ts HOLD_CHECKS = false) and the ANSWERER holds the offerer's
// candidates ANSWERER_CHECK_DELAY_MS (HOLD_ANSWER = true). Both NATs were opened before any
// check, so the answerer's first checks reach the offerer, and reach it before the SDP answer,
// which goes round by the relay. The offerer's libjuice answers them (it knows its own
// credentials), the answerer's ICE connects and its DTLS ClientHello waits at the offerer; when
// the answer is then set, libdatachannel 0.24.5 (src/peerconnection.cpp setRemoteDescription)
// gives it to the ICE transport, which connects at once and starts DTLS on its own thread,
// BEFORE it stores the remote description (processRemoteDescription): the client's certificate
// can be checked against no fingerprint (impl/peerconnection.cpp checkFingerprint returns false
// without a log line), and both ends fail with "DTLS alert: unknown CA". Traced with
// DEBUG=kith:node:rtc below: one first punch in three failed so in `home192` and `cgnat`
// (docs/connectivity.md "DTLS race"). Upstream has the same order at its head (no issue found).
// Held on the answerer's side, the offerer's checks go first, after it has the answer.
// Every other punch of the hole puncher is unprimed and held by the offerer: a NAT the prime
// cannot reach (a carrier's, variant `cgnat`) still needs that order (docs/connectivity.md).
//
// A punch that failed so must not wait out its timeout: a configuration's ON_FAILED callback
// is called when the connection's state becomes "failed" (@libp2p/webrtc's offerer swallows
// it and waits for a data channel that never opens), and the dial is aborted at once.
//
// This is a patch of node-datachannel's RTCPeerConnection polyfill (the class @libp2p/webrtc
// 6.0.33 uses on Node: its dist/src/webrtc/index.js re-exports it), applied once at import.
// Upstream: none found (the behaviour is ICE's, RFC 8445 §7.2.5 lets both agents check at
// once); test/node/ice-order.test.ts tells when the class or its method changed.
import debug from 'debug'
import { initLogger } from 'node-datachannel'
import { RTCPeerConnection } from 'node-datachannel/polyfill'

/** How long the offerer holds the answerer's first candidates back. The answerer's first
 *  checks leave within ≈100 ms of holding the offer's candidates (libjuice paces a check per
 *  pair every few ms); a loaded 2-core machine needed more: 500 ms costs a punch that half a
 *  second and makes the order hold. */
export const OFFERER_CHECK_DELAY_MS = 500

/** How long the answerer of a primed punch holds the offerer's candidates back: longer than the
 *  SDP answer takes by the relay to the offerer (≈ 20 ms in the netns test network on a loaded
 *  machine). It delays no punch that works: the offerer's checks, not held, connect it. */
export const ANSWERER_CHECK_DELAY_MS = 500

/** The configuration key that says "the offerer does not hold" (`false`); set by
 *  connectivity/webrtc.ts rtcConfiguration. node-datachannel ignores keys it does not know, and
 *  its polyfill keeps the configuration as given (test/node/ice-order.test.ts). */
export const HOLD_CHECKS = 'kithHoldOffererChecks'
/** The configuration key that says "the answerer holds" (`true`): a primed punch's answer. */
export const HOLD_ANSWER = 'kithHoldAnswererChecks'
/** The configuration key of a callback for a connection whose state became "failed". */
export const ON_FAILED = 'kithOnFailed'

const PATCHED = Symbol.for('kith.iceOrder')
const HELD = Symbol('kith.iceOrder.held')
const WATCHED = Symbol('kith.iceOrder.watched')

type Patched = {
  [HELD]?: Promise<void>
  [WATCHED]?: true
  localDescription: { type?: string } | null
  connectionState?: string
  getConfiguration?: () => Record<string, unknown> | undefined
  addEventListener?: (type: string, fn: () => void) => void
}

/** How long this connection holds the remote candidates back, by its role and configuration. */
function holdMs(pc: Patched, offererMs: number, answererMs: number): number {
  const config = pc.getConfiguration?.() ?? {}
  const type = pc.localDescription?.type
  if (type === 'offer') return config[HOLD_CHECKS] === false ? 0 : offererMs
  if (type === 'answer') return config[HOLD_ANSWER] === true ? answererMs : 0
  return 0
}

/** Calls the configuration's ON_FAILED (once) when `pc`'s state becomes "failed". */
function watchFailure(pc: Patched): void {
  const onFailed = pc.getConfiguration?.()?.[ON_FAILED]
  if (typeof onFailed !== 'function' || pc[WATCHED] === true) return
  pc[WATCHED] = true
  let called = false
  const check = (): void => {
    if (pc.connectionState !== 'failed' || called) return
    called = true
    ;(onFailed as () => void)()
  }
  pc.addEventListener?.('connectionstatechange', check)
  check()
}

/** Applies the patch to `cls` (once); returns whether it was applied now. */
export function offererChecksLater(
  cls: { prototype: object },
  delayMs: number = OFFERER_CHECK_DELAY_MS,
  answererDelayMs: number = ANSWERER_CHECK_DELAY_MS,
): boolean {
  const proto = cls.prototype as Record<string | symbol, unknown>
  if (proto[PATCHED] === true) return false
  const original = proto.addIceCandidate as (this: unknown, c: unknown) => Promise<void>
  if (typeof original !== 'function') throw new Error('RTCPeerConnection has no addIceCandidate')
  proto.addIceCandidate = async function (this: Patched, candidate: unknown): Promise<void> {
    const ms = holdMs(this, delayMs, answererDelayMs)
    if (ms > 0) {
      this[HELD] ??= new Promise((resolve) => setTimeout(resolve, ms))
      await this[HELD]
    }
    return original.call(this, candidate)
  }
  // Both roles set the remote description before any candidate, and the DTLS failure above
  // happens inside the offerer's call: watched from there on.
  const setRemote = proto.setRemoteDescription as (this: unknown, d: unknown) => Promise<void>
  if (typeof setRemote !== 'function')
    throw new Error('RTCPeerConnection has no setRemoteDescription')
  proto.setRemoteDescription = function (this: Patched, description: unknown): Promise<void> {
    watchFailure(this)
    return setRemote.call(this, description)
  }
  proto[PATCHED] = true
  return true
}

offererChecksLater(RTCPeerConnection)

// libdatachannel's and libjuice's own log (ICE states, candidate pairs, DTLS, SCTP), bridged to
// `DEBUG=kith:node:rtc` for traces of punches (docs/connectivity.md). Off unless asked: at
// 'Debug' it logs every check. It carries addresses and DTLS fingerprints, no key material.
const rtcLog = debug('kith:node:rtc')
if (rtcLog.enabled) initLogger('Debug', (level, message) => rtcLog('%s %s', level, message))
