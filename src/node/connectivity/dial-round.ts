// One redial round of one watched peer (./dialer.ts schedules the rounds). It owns the per-peer
// watch record (Watched, its candidates) and these rules; it knows nothing of the schedule between
// rounds (backoff, timers, events: ./dialer.ts) or of protocols.
//  - Order: a watched peer that is not connected is dialled address by address: fewest failed
//    dials first (an address that failed is tried after those that did not), then the address
//    policy's rank (./addr-policy.ts: same LAN, public, relayed, WebRTC, other LAN), then TCP
//    first. Addresses the policy forbids (our own, a peer's loopback unless we are loopback-only,
//    link-local) stay on the list but are not dialled. With no dialable address left, the peer is
//    dialled by PeerId (peer store, then the DHT; libp2p applies the same policy there: its gater
//    and address sorter).
//  - Pruning: an address that failed `maxFailures` (MAX_ADDR_FAILURES) dials in a row leaves the
//    watch list (a later watch() or discovery can bring it back).
//  - Lookup: when a round's addresses all failed, the peer is looked up at most once per
//    `lookupMinIntervalMs` (DHT_LOOKUP_MIN_INTERVAL_MS), and the addresses it finds that were not
//    on the watch list are dialled in the same round: a contact whose address changed is found
//    again this way.
import debug from 'debug'
import type { AbortOptions, Connection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { AddrPolicy } from './addr-policy.js'
import { dialAttemptSignal } from '../libp2p/patches.js'

const log = debug('kith:node:dialer')

/** Bound of one dial attempt: one address, or a PeerId looked up in the peer store and the
 *  DHT. libp2p's own dialTimeout (10 s) does not apply once a caller passes an AbortSignal
 *  (../libp2p/patches.ts dialTimeoutWithSignal). */
export const DIAL_ATTEMPT_TIMEOUT_MS = 10_000

/** Finds current addresses of a peer (DHT); resolves [] when it finds none. */
export type AddrLookup = (peerId: PeerId, options: AbortOptions) => Promise<Multiaddr[]>

export interface Candidate {
  ma: Multiaddr
  failures: number
}

/** A watched peer: its candidate addresses and the state of its rounds. */
export interface Watched {
  peerId: PeerId
  addrs: Map<string, Candidate>
  attempt: number
  dials: number
  dialing: boolean
  again: boolean
  /** Aborts the round in progress (a discovery brought better addresses). */
  round: AbortController | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  nextDialAt: number | undefined
  lookups: number
  lastLookupAt: number | undefined
}

/** A fresh watch record: no addresses, no rounds yet. */
export function newWatched(peerId: PeerId): Watched {
  return {
    peerId,
    addrs: new Map(),
    attempt: 0,
    dials: 0,
    dialing: false,
    again: false,
    round: undefined,
    timer: undefined,
    nextDialAt: undefined,
    lookups: 0,
    lastLookupAt: undefined,
  }
}

/** A watched peer as the dialer sees it (diagnostics and tests). */
export interface WatchState {
  addrs: string[]
  /** Failed rounds since the last connection. */
  attempt: number
  /** Dial attempts (addresses tried) since watched. */
  dials: number
  dialing: boolean
  /** When the next round is due (ms since epoch), if one is scheduled. */
  nextDialAt: number | undefined
  /** DHT lookups since watched. */
  lookups: number
}

export function watchStateOf(w: Watched): WatchState {
  return {
    addrs: [...w.addrs.keys()],
    attempt: w.attempt,
    dials: w.dials,
    dialing: w.dialing,
    nextDialAt: w.nextDialAt,
    lookups: w.lookups,
  }
}

/** What a round needs of the dialer that runs it. */
export interface RoundContext {
  openConnection(peer: PeerId | Multiaddr, options?: AbortOptions): Promise<Connection>
  policy: Pick<AddrPolicy, 'dialable' | 'rank'>
  maxFailures: number
  lookupMinIntervalMs: number
  /** The lookup set now (Dialer.setLookup), read when the round needs it. */
  lookup(): AddrLookup | undefined
  now: () => number
  /** The dialer's signal, aborted when it stops (read when a dial or lookup starts). */
  stopped(): AbortSignal
  /** Whether w is still the watch record of its peer (an unwatch ends the round). */
  current(w: Watched): boolean
  connected(peerId: PeerId): boolean
}

/** `ma` without a trailing /p2p/<key>, or undefined when it names another peer than `key`. */
export function bareAddr(ma: Multiaddr, key: string): Multiaddr | undefined {
  const last = ma.getComponents().at(-1)
  if (last?.name === 'p2p' && last.value !== key) return undefined
  return last?.name === 'p2p' ? ma.decapsulateCode(last.code) : ma
}

function isTcp(ma: Multiaddr): boolean {
  const names = ma.getComponents().map((c) => c.name)
  return (
    names.includes('tcp') && !names.some((n) => n === 'ws' || n === 'wss' || n === 'p2p-circuit')
  )
}

/**
 * One round: w's addresses, then (when none connected, no new round was asked for and the round
 * was not aborted) a lookup and the addresses it found. Resolves whether a dial connected.
 */
export async function dialRound(
  w: Watched,
  round: AbortSignal,
  ctx: RoundContext,
): Promise<boolean> {
  let ok = await tryAddrs(w, round, ctx)
  if (!ok && !w.again && !round.aborted && !ctx.connected(w.peerId)) {
    const found = await lookupAddrs(w, round, ctx)
    if (found.size > 0) ok = await tryAddrs(w, round, ctx, found)
  }
  return ok
}

/**
 * Looks w up (at most once per lookupMinIntervalMs) and adds the addresses not yet on its
 * watch list; returns their keys. A failed or empty lookup returns an empty set.
 */
async function lookupAddrs(
  w: Watched,
  round: AbortSignal,
  ctx: RoundContext,
): Promise<Set<string>> {
  const added = new Set<string>()
  const lookup = ctx.lookup()
  const now = ctx.now()
  if (lookup == null) return added
  if (w.lastLookupAt != null && now - w.lastLookupAt < ctx.lookupMinIntervalMs) return added
  w.lastLookupAt = now
  w.lookups++
  const key = w.peerId.toString()
  let found: Multiaddr[]
  try {
    found = await lookup(w.peerId, { signal: AbortSignal.any([ctx.stopped(), round]) })
  } catch (err) {
    log('lookup of %s failed: %s', key, err instanceof Error ? err.name : String(err))
    return added
  }
  if (!ctx.current(w)) return added
  for (const ma of found) {
    const bare = bareAddr(ma, key)
    if (bare == null) continue
    const addrKey = bare.toString()
    if (w.addrs.has(addrKey)) continue
    w.addrs.set(addrKey, { ma: bare, failures: 0 })
    added.add(addrKey)
  }
  log('lookup of %s: %d address(es), %d new', key, found.length, added.size)
  return added
}

/** Dials w's candidates (only those in `only`, if given) until one connects. */
async function tryAddrs(
  w: Watched,
  round: AbortSignal,
  ctx: RoundContext,
  only?: ReadonlySet<string>,
): Promise<boolean> {
  const key = w.peerId.toString()
  const cancelled = AbortSignal.any([ctx.stopped(), round])
  const attempt = (): { signal: AbortSignal } => ({
    signal: dialAttemptSignal(cancelled, DIAL_ATTEMPT_TIMEOUT_MS),
  })
  // /webrtc addresses are the hole puncher's alone (libp2p's dial queue refuses them:
  // holepunch.ts gatedWebRTC); dialling one here only fails with NoValidAddressesError.
  const candidates = [...w.addrs.entries()]
    .filter(
      ([addrKey, c]) =>
        (only == null || only.has(addrKey)) &&
        ctx.policy.dialable(c.ma) &&
        !c.ma.getComponents().some((p) => p.name === 'webrtc'),
    )
    .map(([addrKey, c]) => ({ addrKey, cand: c, rank: ctx.policy.rank(c.ma) }))
    .sort(
      (a, b) =>
        a.cand.failures - b.cand.failures ||
        a.rank - b.rank ||
        Number(isTcp(b.cand.ma)) - Number(isTcp(a.cand.ma)),
    )
  if (candidates.length === 0) {
    if (only != null) return false
    w.dials++
    try {
      await ctx.openConnection(w.peerId, attempt())
      return true
    } catch {
      return false
    }
  }
  for (const { addrKey, cand } of candidates) {
    if (cancelled.aborted || !ctx.current(w)) return false
    if (ctx.connected(w.peerId)) return true
    w.dials++
    try {
      await ctx.openConnection(cand.ma.encapsulate(`/p2p/${key}`), attempt())
      cand.failures = 0
      return true
    } catch (err) {
      if (cancelled.aborted) return false
      // Refused before any socket because the host is offline (offline-gate.ts): not the
      // address's fault, so it is not pruned; the reconnect round redials when the network is back.
      if (err instanceof Error && err.name === 'DialDeniedError') return false
      cand.failures++
      log(
        'dial %s at %s failed (%d): %s',
        key,
        addrKey,
        cand.failures,
        err instanceof Error ? err.name : '',
      )
      if (cand.failures >= ctx.maxFailures && w.addrs.get(addrKey) === cand) {
        log('pruning %s from the watch list of %s', addrKey, key)
        w.addrs.delete(addrKey)
      }
    }
  }
  return false
}
