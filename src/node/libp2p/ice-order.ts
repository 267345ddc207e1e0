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
// A primed offer (src/node/connectivity/prime.ts) is not held: its configuration says so
// (connectivity/webrtc.ts HOLD_CHECKS = false). Both NATs were opened before any check, so the
// order does not matter there, and holding it made the answerer's side connect while the offerer
// still waited, which failed 2 of 5 first punches in `home192` (the offerer's dial timed out;
// none of 8 without the hold). Every other punch of the hole puncher is unprimed and held: a NAT
// the prime cannot reach (a carrier's, variant `cgnat`) still needs the order
// (docs/connectivity.md).
//
// This is a patch of node-datachannel's RTCPeerConnection polyfill (the class @libp2p/webrtc
// 6.0.33 uses on Node: its dist/src/webrtc/index.js re-exports it), applied once at import.
// Upstream: none found (the behaviour is ICE's, RFC 8445 §7.2.5 lets both agents check at
// once); test/node/ice-order.test.ts tells when the class or its method changed.
import { RTCPeerConnection } from 'node-datachannel/polyfill'

/** How long the offerer holds the answerer's first candidates back. The answerer's first
 *  checks leave within ≈100 ms of holding the offer's candidates (libjuice paces a check per
 *  pair every few ms); a loaded 2-core machine needed more: 500 ms costs a punch that half a
 *  second and makes the order hold. */
export const OFFERER_CHECK_DELAY_MS = 500

/** The configuration key that says "do not hold" (`false`); set by connectivity/webrtc.ts
 *  rtcConfiguration. node-datachannel ignores keys it does not know, and its polyfill keeps the
 *  configuration as given (test/node/ice-order.test.ts). */
export const HOLD_CHECKS = 'kithHoldOffererChecks'

const PATCHED = Symbol.for('kith.iceOrder')
const HELD = Symbol('kith.iceOrder.held')

type Patched = {
  [HELD]?: Promise<void>
  localDescription: { type?: string } | null
  getConfiguration?: () => Record<string, unknown> | undefined
}

/** Applies the patch to `cls` (once); returns whether it was applied now. */
export function offererChecksLater(
  cls: { prototype: object },
  delayMs: number = OFFERER_CHECK_DELAY_MS,
): boolean {
  const proto = cls.prototype as Record<string | symbol, unknown>
  if (proto[PATCHED] === true) return false
  const original = proto.addIceCandidate as (this: unknown, c: unknown) => Promise<void>
  if (typeof original !== 'function') throw new Error('RTCPeerConnection has no addIceCandidate')
  proto.addIceCandidate = async function (this: Patched, candidate: unknown): Promise<void> {
    const hold = this.getConfiguration?.()?.[HOLD_CHECKS] !== false
    if (this.localDescription?.type === 'offer' && hold) {
      this[HELD] ??= new Promise((resolve) => setTimeout(resolve, delayMs))
      await this[HELD]
    }
    return original.call(this, candidate)
  }
  proto[PATCHED] = true
  return true
}

offererChecksLater(RTCPeerConnection)
