// The address rules of issue 12: which of a peer's addresses we dial, and in what order (which of
// ours we hand out in invites and cards is ./announce.ts). It owns those rules and the one AddrPolicy object
// the node wires into libp2p (connection gater, address sorter) and into the dialer (./dialer.ts),
// so every dial, ours or libp2p's own by PeerId, follows them. It knows nothing of contacts,
// invites or cards: callers hand it address lists. Classification is ./addr-scope.ts.
//
// Dial (AddrPolicy.dialable, the gater's denyDialMultiaddr): never an address whose first
// ip:port is one of our direct listen or announced addresses (a peer's relayed address whose
// relay is us, too); never link-local or unusable; loopback only when we are loopback-only ourselves (we have
// no LAN or public direct address), so the test suite's daemons on 127.0.0.1, each on its port,
// still reach each other; a LAN address only on one of our own networks (same /24 or /64, or
// inside an interface's subnet): another network's LAN address is not dialled at all.
//
// Dial order (dialRank, the libp2p address sorter, the dialer's rounds): 0 near (a direct
// address in the same /24 or /64 as one of our own direct addresses, or loopback when allowed),
// 1 public direct, 2 relayed, 3 WebRTC, 4 LAN direct elsewhere, 5 anything else. "Same LAN" is
// that simple prefix rule; mDNS finds the rest of the LAN. The dialer sorts by failed dials
// first, then by this rank (./dialer.ts).
// The default export: what interfaces-cache.ts memoises (a named import would bypass it).
import os from 'node:os'
import debug from 'debug'
import type { Multiaddr } from '@multiformats/multiaddr'
import { reliableTransportsFirst } from '@libp2p/utils'
import { classifyAddr } from './addr-scope.js'
import { ipPrefix } from './net-prefix.js'
import type { Address, ConnectionGater, Libp2pEvents, TypedEventTarget } from '@libp2p/interface'

const log = debug('kith:node:addrs')

/** Two IPv4 hosts in one /24 count as one LAN (the usual home or office subnet). */
export const SAME_LAN_PREFIX_BITS_IPV4 = 24
/** Two IPv6 hosts in one /64 count as one LAN (RFC 4291 §2.5.4: subnets are /64). */
export const SAME_LAN_PREFIX_BITS_IPV6 = 64
/** How long our own address set is reused: the gater runs on every address of every dial, and
 *  libp2p rebuilds its address list (reading the interfaces: a netlink socket per wildcard
 *  listener, 4–5 per read on Linux) on each call. An offline node's redial rounds made ≈1 socket
 *  a second with 1 s, and still 1.07 a second in one of two fresh-clone CI runs with 5 s
 *  (strace: 4–5 netlink sockets before each dial, dials ≈6 s apart: test/netns/loss.netns.ts,
 *  "routes gone"). libp2p's 'self:peer:update' and connectivity.ts's reconnect round (network
 *  back, woke up) drop it at once, so a returning network is never judged by a stale set; an
 *  interface that appears under a 0.0.0.0 listener without either is seen within this time. */
export const OWN_ADDRS_TTL_MS = 30_000

/** Dial ranks, lowest first (see the header). */
export const DIAL_RANK = { near: 0, public: 1, relayed: 2, webrtc: 3, lan: 4, other: 5 } as const

/** What the rules need to know of our own addresses. */
export interface OwnAddrs {
  /** "ip|tcp/4001" of every direct address of ours (listen and announced). Our relayed
   *  addresses are left out: their ip:port is the relay's, which we and others must dial. */
  endpoints: Set<string>
  /** Prefixes (SAME_LAN_PREFIX_BITS) of our direct LAN and public addresses. */
  nets: Set<string>
  /** We have no direct LAN or public address: loopback addresses of peers may be dialled. */
  loopbackOnly: boolean
  /** IPv4 subnets of our interfaces ([network, mask] as 32-bit numbers), from their netmasks:
   *  a LAN wider than a /24 is still ours. */
  subnets: Array<[number, number]>
}

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip)
  if (m === null) return undefined
  return m.slice(1).reduce((n, b) => (n * 256 + Number(b)) >>> 0, 0)
}

/** The IPv4 subnets of this host's interfaces (os.networkInterfaces' CIDRs). Read through the
 *  process's one memo of the interfaces (./interfaces-cache.ts: one netlink read per
 *  INTERFACES_CACHE_MS, dropped when connectivity.ts sees the network change), which libp2p's
 *  address listings share; own() asks at most every OWN_ADDRS_TTL_MS. */
export function interfaceSubnets(): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      const ip = ipv4ToInt(a.address)
      const mask = ipv4ToInt(a.netmask)
      if (a.family === 'IPv4' && ip !== undefined && mask !== undefined && !a.internal)
        out.push([(ip & mask) >>> 0, mask])
    }
  }
  return out
}

/** Whether a LAN address is on one of our own networks (same /24 or /64, or inside one of our
 *  interfaces' subnets). */
function onOurLan(ip: string, own: OwnAddrs): boolean {
  if (own.nets.has(netOf(ip))) return true
  const n = ipv4ToInt(ip)
  return n !== undefined && own.subnets.some(([net, mask]) => (n & mask) >>> 0 === net)
}

/** The network of an IP at the SAME_LAN prefix length, as a comparable string. */
function netOf(ip: string): string {
  return ipPrefix(ip, SAME_LAN_PREFIX_BITS_IPV4, SAME_LAN_PREFIX_BITS_IPV6)
}

/** Summarises our own addresses (any order, any mix of listen and announced ones). */
export function ownAddrs(
  addrs: readonly Multiaddr[],
  subnets: Array<[number, number]> = [],
): OwnAddrs {
  const own: OwnAddrs = { endpoints: new Set(), nets: new Set(), loopbackOnly: true, subnets }
  for (const ma of addrs) {
    const c = classifyAddr(ma)
    if (c.path !== 'direct') continue
    if (c.ip !== undefined && c.port !== undefined) own.endpoints.add(`${c.ip}|${c.port}`)
    if (c.ip !== undefined && (c.scope === 'lan' || c.scope === 'public')) {
      own.nets.add(netOf(c.ip))
      own.loopbackOnly = false
    }
  }
  return own
}

/** Why a peer's address is not dialled, or undefined if it may be. */
export function undialable(ma: Multiaddr, own: OwnAddrs): string | undefined {
  const c = classifyAddr(ma)
  if (c.ip !== undefined && c.port !== undefined && own.endpoints.has(`${c.ip}|${c.port}`)) {
    return 'own'
  }
  if (c.scope === 'unusable' || c.scope === 'link-local') return c.scope
  if (c.scope === 'loopback' && !own.loopbackOnly) return 'loopback'
  // Another network's LAN address: unreachable from here (or, worse, a different host with the
  // same private address). Dialling one hung for the whole 5 s address timeout, and libp2p's
  // dial queue made every later dial to that peer (a DM, by PeerId) join the hanging one: first
  // messages between two NATed peers took 5–25 s in the netns bench (issue 12). WebRTC's host
  // candidates still find a routed LAN; mDNS finds peers on ours.
  if (c.scope === 'lan' && c.path === 'direct' && c.ip !== undefined && !own.loopbackOnly) {
    if (!onOurLan(c.ip, own)) return 'foreign-lan'
  }
  return undefined
}

/** The dial rank of a peer's address (DIAL_RANK; see the header). */
export function dialRank(ma: Multiaddr, own: OwnAddrs): number {
  const c = classifyAddr(ma)
  if (c.path !== 'direct') return c.scope === 'other' ? DIAL_RANK.other : DIAL_RANK[c.path]
  if (c.scope === 'loopback') return DIAL_RANK.near
  if (c.ip !== undefined && own.nets.has(netOf(c.ip))) return DIAL_RANK.near
  if (c.scope === 'public' || c.scope === 'lan') return DIAL_RANK[c.scope]
  return DIAL_RANK.other
}

/** Where our own addresses come from: libp2p's address manager and transport manager, and
 *  its 'self:peer:update' event (our addresses changed: a listener, a reservation). */
export interface AddrPolicyComponents {
  addressManager: {
    getAddresses(): Multiaddr[]
    getAddressesWithMetadata(): Array<{
      multiaddr: Multiaddr
      verified: boolean
      type: string
      expires: number
    }>
  }
  transportManager: { getAddrs(): Multiaddr[] }
  events: Pick<TypedEventTarget<Libp2pEvents>, 'addEventListener'>
}

/**
 * The rules above bound to our live addresses. One instance per node: its gater and sorter go
 * into libp2p's config, the dialer takes it in its init, and `service()` (a libp2p service) hands
 * it the address source once libp2p's components exist. Before that it knows no address of ours
 * and is loopback-only (it allows every dial, as libp2p would).
 */
export class AddrPolicy {
  #source: (() => Multiaddr[]) | undefined
  #candidates: (() => Multiaddr[]) | undefined
  #cached: { at: number; own: OwnAddrs } | undefined
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Sets where our own addresses come from (tests pass a list). */
  setSource(source: () => Multiaddr[]): void {
    this.#source = source
    this.#cached = undefined
  }

  /** Our addresses changed: the next rule re-reads them. */
  invalidate(): void {
    this.#cached = undefined
  }

  /** Our own addresses, summarised (cached for OWN_ADDRS_TTL_MS once there are any). */
  own(): OwnAddrs {
    const now = this.#now()
    if (this.#cached !== undefined && now - this.#cached.at < OWN_ADDRS_TTL_MS) {
      return this.#cached.own
    }
    const addrs = this.#source?.() ?? []
    const own = ownAddrs(addrs, interfaceSubnets())
    // None yet (libp2p starting, listeners not bound): ask again next time.
    this.#cached = addrs.length > 0 ? { at: now, own } : undefined
    return own
  }

  dialable(ma: Multiaddr): boolean {
    return undialable(ma, this.own()) === undefined
  }

  rank(ma: Multiaddr): number {
    return dialRank(ma, this.own())
  }

  /** `inner` (the connection budget's gater) with our dial rule in front of denyDialMultiaddr. */
  gater(inner: ConnectionGater = {}): ConnectionGater {
    return {
      ...inner,
      denyDialMultiaddr: async (ma: Multiaddr) => {
        const why = undialable(ma, this.own())
        if (why !== undefined) {
          log('not dialling %s address %s', why, ma.toString())
          return true
        }
        return (await inner.denyDialMultiaddr?.(ma)) === true
      },
    }
  }

  /** libp2p's connectionManager.addressSorter: our rank, then libp2p's own tie-breaks
   *  (libp2p connection-manager/address-sorter.js: certified first, reliable transports first). */
  readonly compare = (a: Address, b: Address): -1 | 0 | 1 => {
    const own = this.own()
    const byRank = Math.sign(dialRank(a.multiaddr, own) - dialRank(b.multiaddr, own))
    const byCert = Math.sign(Number(b.isCertified) - Number(a.isCertified))
    return (byRank || byCert || reliableTransportsFirst(a.multiaddr, b.multiaddr)) as -1 | 0 | 1
  }

  /**
   * Our addresses worth handing out (before announceAddrs' filter): libp2p's confirmed ones plus
   * the listen addresses AutoNAT has not judged yet. libp2p's getAddresses() leaves out a public
   * listen address until AutoNAT confirms it (libp2p address-manager/transport-addresses.js:
   * public = unverified until confirm()), which takes seconds to minutes after start; an invite
   * made meanwhile by a host with a public interface carried only its loopback address, and a
   * contact on another host could not add it (fresh-clone CI, test/netns/loss.netns.ts, 2026-12-05).
   * An address AutoNAT refuted (unconfirm(): expires set) stays out.
   */
  candidates(): Multiaddr[] {
    return this.#candidates?.() ?? []
  }

  /** Factory in the js-libp2p service style: gives this policy libp2p's address source. */
  service(): (components: AddrPolicyComponents) => AddrPolicy {
    return (components) => {
      components.events.addEventListener('self:peer:update', () => this.invalidate())
      this.setSource(() => [
        ...components.transportManager.getAddrs(),
        ...components.addressManager.getAddresses(),
      ])
      // One read of the address list (each reads the interfaces: a netlink socket per wildcard
      // listener, see OWN_ADDRS_TTL_MS): what getAddresses() returns (the verified ones; Kith
      // sets no announceFilter) plus the transport addresses never judged.
      this.#candidates = () =>
        components.addressManager
          .getAddressesWithMetadata()
          .filter((a) => a.verified || (a.type === 'transport' && a.expires === 0))
          .map((a) => a.multiaddr)
      return this
    }
  }
}
