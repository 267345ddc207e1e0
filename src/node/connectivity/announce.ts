// Which of our addresses we hand out in invites and cards (issue 12; the dial rules are
// ./addr-policy.ts). Pure: it knows nothing of contacts, invites or cards (callers hand it address
// lists) and reads no interface. Classification is ./addr-scope.ts.
//
// Announce (announceAddrs; invites and cards): our addresses minus every loopback, link-local,
// unusable or non-IP one, a relayed address counting by its relay's IP; then sorted (stable)
// public direct, relayed, WebRTC, LAN direct. A LAN address stays, last: it is marked as LAN by
// its IP alone (RFC 1918/6598/4193, addr-scope.ts), which every reader can check, so the invite
// and card formats are unchanged and old readers keep working; a size cap cuts LAN addresses
// first. Exception, a loopback-only node (nothing survives the filter, e.g. every daemon of the
// test suite, listening on 127.0.0.1): it announces its loopback addresses, direct before relayed,
// since a contact on the same host is the only one that could reach it.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { classifyAddr, type AddrClass } from './addr-scope.js'

/** Announce ranks, lowest first. Loopback is announced only by a loopback-only node, where it
 *  plays the part of public (direct first, then relayed through a loopback relay). */
const ANNOUNCE_RANK = { public: 0, loopback: 0, relayed: 1, webrtc: 2, lan: 3 } as const

function announceRank(c: AddrClass): number | undefined {
  if (c.scope !== 'public' && c.scope !== 'lan' && c.scope !== 'loopback') return undefined
  if (c.path !== 'direct') return ANNOUNCE_RANK[c.path]
  return ANNOUNCE_RANK[c.scope]
}

function parse(a: string | Multiaddr): Multiaddr | undefined {
  try {
    return typeof a === 'string' ? multiaddr(a) : a
  } catch {
    return undefined
  }
}

/** The addresses of ours to hand out in an invite or card, in order (see the header). */
export function announceAddrs(addrs: readonly string[]): string[] {
  const seen = new Set<string>()
  const ranked: Array<{ a: string; rank: number; loopback: boolean }> = []
  for (const a of addrs) {
    const ma = parse(a)
    if (ma === undefined || seen.has(a)) continue
    seen.add(a)
    const c = classifyAddr(ma)
    const rank = announceRank(c)
    if (rank !== undefined) ranked.push({ a, rank, loopback: c.scope === 'loopback' })
  }
  const reachable = ranked.filter((r) => !r.loopback)
  const chosen = reachable.length > 0 ? reachable : ranked
  return chosen.sort((x, y) => x.rank - y.rank).map((r) => r.a)
}
