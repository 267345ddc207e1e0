// Cheap checks on inbound /kith/dm before the DmHandler runs (issue 11, finding 11). A PREKEY
// frame costs the handler a PQXDH (three or four X25519) and an ML-KEM-768 decapsulation, ≈2.5
// ms, before its AEAD tag can fail; a hostile peer resending one corrupted frame on fresh streams
// and fresh PeerIds made that a CPU drain. This module owns three bounded memories, all O(1) per frame:
//  - the hashes of frames the handler rejected recently: the same bytes are refused unopened;
//  - a failure budget per peer AND per network (IPv4 /24, IPv6 /48, or the relay a circuit comes
//    through) with exponential backoff: while a source is over budget its new dm streams are
//    reset at once;
//  - the peers whose frames the handler accepted ("proven": contacts, or anyone who completed a
//    real session with us), which a network's backoff does not stop, so a flood from fresh
//    PeerIds behind one /24 does not cut off an honest contact on the same network.
// js-libp2p offers no hook before a protocol handler (and go-libp2p's resource manager budgets
// memory and streams, not failures), so this lives in the one /kith/dm receiver (inbound.ts).
// It knows nothing of what a frame contains, of sessions or of contacts, and never logs a frame.
import { createHash } from 'node:crypto'
import { defineError } from '../../core/errors.js'

/** Hashes of rejected frames remembered (a 44-char key + map overhead each: ≈0.5 MB at most):
 *  the full budgets of 128 networks before the oldest is forgotten. Cycling more distinct frames
 *  than this gains an attacker nothing: distinct frames are bounded by the budgets anyway. */
export const DM_FAILED_FRAME_CACHE_SIZE = 4_096
/** How long a rejected frame's hash is remembered. Honest senders never resend the same bytes
 *  (a retry is a fresh encryption), so this only has to outlast a replay loop. */
export const DM_FAILED_FRAME_TTL_MS = 10 * 60_000
/** Rejected frames one peer may send per DM_FAILURE_WINDOW_MS before backoff. An honest
 *  contact with a broken session retries at most every 5 s (delivery.ts): ≤ 12 a minute at first,
 *  then far fewer; 8 lets a few such retries through and stops a loop within 20 ms of CPU. */
export const DM_PEER_FAILURE_BUDGET = 8
/** Rejected frames one network (/24, /48, or one relay) may send per DM_FAILURE_WINDOW_MS before
 *  backoff: 32 × 2.5 ms = 80 ms of CPU a minute, whatever the number of PeerIds behind it. */
export const DM_NETWORK_FAILURE_BUDGET = 32
/** The budgets refill over this window (a leaky bucket: budget / window per ms). */
export const DM_FAILURE_WINDOW_MS = 60_000
/** First backoff of a source over budget; each further one doubles, up to DM_BACKOFF_MAX_MS. */
export const DM_BACKOFF_BASE_MS = 5_000
/** Longest backoff: an honest network that once hosted an attacker recovers within it. */
export const DM_BACKOFF_MAX_MS = 10 * 60_000
/** A source with no failure for this long starts again from DM_BACKOFF_BASE_MS. */
export const DM_STRIKE_RESET_MS = 60 * 60_000
/** Peers and networks with failure state kept (≈100 bytes each); the least recently failing is
 *  forgotten first (a forgotten source starts a fresh budget, no worse than a new PeerId). */
export const DM_MAX_TRACKED_SOURCES = 8_192
/** Proven peers remembered (a PeerId string each); least recently proven forgotten first. */
export const DM_MAX_PROVEN_PEERS = 4_096

/** A frame whose exact bytes the handler rejected within DM_FAILED_FRAME_TTL_MS. */
export class DmRepeatedFrameError extends defineError('DmRepeatedFrameError') {}
/** The stream's peer or network is in backoff after too many rejected frames. */
export class DmBackoffError extends defineError('DmBackoffError') {}

export interface DmGuardOptions {
  failedFrameCacheSize: number
  failedFrameTtlMs: number
  peerBudget: number
  networkBudget: number
  windowMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  maxSources: number
  maxProven: number
  now: () => number
}

export const DM_GUARD_DEFAULTS: Readonly<DmGuardOptions> = Object.freeze({
  failedFrameCacheSize: DM_FAILED_FRAME_CACHE_SIZE,
  failedFrameTtlMs: DM_FAILED_FRAME_TTL_MS,
  peerBudget: DM_PEER_FAILURE_BUDGET,
  networkBudget: DM_NETWORK_FAILURE_BUDGET,
  windowMs: DM_FAILURE_WINDOW_MS,
  backoffBaseMs: DM_BACKOFF_BASE_MS,
  backoffMaxMs: DM_BACKOFF_MAX_MS,
  maxSources: DM_MAX_TRACKED_SOURCES,
  maxProven: DM_MAX_PROVEN_PEERS,
  now: Date.now,
})

/** Who a stream comes from: its authenticated peer and its network key (the mailbox quotas'
 *  networkPrefix: IPv4 /24, IPv6 /48, or the relay a circuit comes through). */
export interface DmSource {
  peer: string
  network: string
}

interface Budget {
  /** Failures not yet leaked away, as of `at`. */
  level: number
  at: number
  strikes: number
  until: number
}

/** A Map used as a bounded LRU: touching re-inserts at the end; the first key is the oldest. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > max) map.delete(map.keys().next().value as K)
}

export class DmGuard {
  /** Streams reset at once because their peer or network was in backoff. */
  backoffResets = 0
  readonly #o: DmGuardOptions
  readonly #failed = new Map<string, number>()
  readonly #budgets = new Map<string, Budget>()
  readonly #proven = new Map<string, true>()

  constructor(options: Partial<DmGuardOptions> = {}) {
    this.#o = { ...DM_GUARD_DEFAULTS, ...options }
  }

  /** Before serving a new stream: DmBackoffError while its peer (or, unless the peer is proven,
   *  its network) is in backoff; counted in backoffResets. */
  admit(src: DmSource): DmBackoffError | undefined {
    const err = this.#blocked(src)
    if (err !== undefined) this.backoffResets++
    return err
  }

  /** Before handing a frame to the handler: the frame's hash (for fail()) or the error to reset
   *  the stream with (backoff, counted as in admit(); or a repeated rejected frame, which counts
   *  as a failure of its source). */
  check(src: DmSource, frame: Uint8Array): { hash: string } | { error: Error } {
    const blocked = this.admit(src)
    if (blocked !== undefined) return { error: blocked }
    const hash = createHash('sha256').update(frame).digest('base64')
    const seen = this.#failed.get(hash)
    if (seen !== undefined && this.#o.now() - seen < this.#o.failedFrameTtlMs) {
      this.#fail(src)
      return { error: new DmRepeatedFrameError('a frame rejected before, sent again') }
    }
    return { hash }
  }

  /** The handler rejected a frame: remember its hash and charge the peer and its network. */
  fail(src: DmSource, hash: string): void {
    touch(this.#failed, hash, this.#o.now(), this.#o.failedFrameCacheSize)
    this.#fail(src)
  }

  /** The handler accepted a frame: the peer is proven (exempt from its network's backoff). */
  succeed(src: DmSource): void {
    if (this.#proven.has(src.peer)) return
    touch(this.#proven, src.peer, true, this.#o.maxProven)
  }

  /** Sizes of the bounded memories (tests). */
  sizes(): { failedFrames: number; sources: number; proven: number } {
    return {
      failedFrames: this.#failed.size,
      sources: this.#budgets.size,
      proven: this.#proven.size,
    }
  }

  #blocked(src: DmSource): DmBackoffError | undefined {
    const now = this.#o.now()
    if ((this.#budgets.get(`peer:${src.peer}`)?.until ?? 0) > now) {
      return new DmBackoffError('this peer is in backoff after rejected frames')
    }
    if (
      !this.#proven.has(src.peer) &&
      (this.#budgets.get(`net:${src.network}`)?.until ?? 0) > now
    ) {
      return new DmBackoffError('this network is in backoff after rejected frames')
    }
    return undefined
  }

  #fail(src: DmSource): void {
    this.#charge(`peer:${src.peer}`, this.#o.peerBudget)
    this.#charge(`net:${src.network}`, this.#o.networkBudget)
  }

  /** Leaky bucket of `budget` per window; over it: backoff BASE·2^(strikes−1), capped at MAX. */
  #charge(key: string, budget: number): void {
    const o = this.#o
    const now = o.now()
    const b = this.#budgets.get(key) ?? { level: 0, at: now, strikes: 0, until: 0 }
    if (now - b.at > DM_STRIKE_RESET_MS) b.strikes = 0
    b.level = Math.max(0, b.level - ((now - b.at) * budget) / o.windowMs) + 1
    b.at = now
    if (b.level > budget) {
      b.strikes++
      b.until = now + Math.min(o.backoffBaseMs * 2 ** (b.strikes - 1), o.backoffMaxMs)
      b.level = 0
    }
    touch(this.#budgets, key, b, o.maxSources)
  }
}
