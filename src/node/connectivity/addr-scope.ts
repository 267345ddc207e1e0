// What kind of address a multiaddr is, as far as reaching a peer goes: the scope of its IP
// (loopback, link-local, LAN, public) and its path (direct, through a circuit relay, or WebRTC
// signalled through one). Pure: no network, no clock, no knowledge of our own addresses (the
// rules that use those live in ./addr-policy.ts).
//
// IP ranges, matched with node:net's BlockList (which also matches an IPv4-mapped IPv6 address,
// ::ffff:a.b.c.d, against the IPv4 ranges). libp2p's own helpers (@libp2p/utils isPrivateIp,
// isLinkLocal) are not used: isPrivateIp answers one boolean for loopback, link-local, LAN,
// documentation and reserved ranges together, and isLinkLocal matches the text prefix "fe80"
// only (fe80::/10 runs to febf::). The tests check our classes against them where they agree.
//  - loopback:   127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1/128 (RFC 4291 §2.5.3)
//  - link-local: 169.254.0.0/16 (RFC 3927), fe80::/10 (RFC 4291 §2.5.6)
//  - lan:        10/8, 172.16/12, 192.168/16 (RFC 1918 §3), 100.64.0.0/10 (RFC 6598, carrier-grade
//                NAT: shared, not reachable from outside the carrier), fc00::/7 (RFC 4193, ULA)
//  - unusable:   0.0.0.0/8 and :: (RFC 1122 §3.2.1.3 "this host"; never a peer), 224.0.0.0/4 and
//                ff00::/8 (multicast), 240.0.0.0/4 and 255.255.255.255 (RFC 1112 reserved,
//                broadcast)
//  - public:     everything else, including the documentation ranges (192.0.2/24, 198.51.100/24,
//                203.0.113/24: RFC 5737; 2001:db8::/32: RFC 3849). libp2p calls those private; they
//                are not LANs, and test networks that use them as their "internet" (issue 12)
//                must see them ranked as public.
// A DNS name (/dns, /dns4, /dns6, /dnsaddr) counts as public: someone published it to be reached.
import { BlockList, isIP } from 'node:net'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The scope of one IP address (see the header). */
export type IpScope = 'loopback' | 'link-local' | 'lan' | 'public' | 'unusable'

/** How an address reaches its peer: straight to the IP, through a circuit relay v2 hop
 *  (`/p2p-circuit`), or WebRTC signalled through a relay (`…/p2p-circuit/webrtc`). */
export type AddrPath = 'direct' | 'relayed' | 'webrtc'

/** One address, classified. */
export interface AddrClass {
  path: AddrPath
  /** Scope of the first IP (for a relayed or WebRTC address: the relay's). 'public' for a DNS
   *  name; 'other' when the address starts with neither (memory, unix socket, bare /p2p). */
  scope: IpScope | 'other'
  /** The first IP, lowercased, without an IPv6 zone; undefined for names and 'other'. */
  ip: string | undefined
  /** "tcp/4001" or "udp/4001": the first transport port, if any. */
  port: string | undefined
}

/** The one-word summary the brief of issue 12 lists: the path when it is not direct, else the
 *  IP's scope ('other' for a non-IP, non-DNS address). */
export type AddrScope = IpScope | 'relayed' | 'webrtc' | 'other'

type Range = [network: string, prefix: number, family: 'ipv4' | 'ipv6']

const RANGES: Record<Exclude<IpScope, 'public'>, Range[]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  'link-local': [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  lan: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['100.64.0.0', 10, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
  unusable: [
    ['0.0.0.0', 8, 'ipv4'],
    ['224.0.0.0', 4, 'ipv4'],
    ['240.0.0.0', 4, 'ipv4'],
    ['::', 128, 'ipv6'],
    ['ff00::', 8, 'ipv6'],
  ],
}

const LISTS = Object.entries(RANGES).map(([scope, ranges]) => {
  const list = new BlockList()
  for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family)
  return [scope as IpScope, list] as const
})

/** The scope of an IP address string (an IPv6 zone, "%eth0", is ignored); undefined if `ip` is
 *  not an IP address. */
export function ipScope(ip: string): IpScope | undefined {
  const bare = ip.split('%')[0]!
  const family = isIP(bare)
  if (family === 0) return undefined
  const type = family === 4 ? 'ipv4' : 'ipv6'
  for (const [scope, list] of LISTS) if (list.check(bare, type)) return scope
  return 'public'
}

/** Whether `ip` is an IP address of one of `scopes`. */
export function inScopes(ip: string, scopes: readonly IpScope[]): boolean {
  const scope = ipScope(ip)
  return scope !== undefined && scopes.includes(scope)
}

const NAMES = new Set(['dns', 'dns4', 'dns6', 'dnsaddr'])

/** Classifies a multiaddr (see AddrClass). */
export function classifyAddr(ma: Multiaddr): AddrClass {
  const parts = ma.getComponents()
  const names = parts.map((c) => c.name)
  const circuit = names.indexOf('p2p-circuit')
  const path: AddrPath =
    circuit < 0 ? 'direct' : names.indexOf('webrtc', circuit) > circuit ? 'webrtc' : 'relayed'
  let i = names[0] === 'ip6zone' ? 1 : 0
  const first = parts[i]
  let scope: AddrClass['scope'] = 'other'
  let ip: string | undefined
  if (first !== undefined && (first.name === 'ip4' || first.name === 'ip6')) {
    ip = first.value?.split('%')[0]?.toLowerCase()
    scope = (ip === undefined ? undefined : ipScope(ip)) ?? 'other'
    i++
  } else if (first !== undefined && NAMES.has(first.name)) {
    scope = 'public'
    i++
  }
  const t = parts[i]
  const port =
    scope !== 'other' && t !== undefined && (t.name === 'tcp' || t.name === 'udp')
      ? `${t.name}/${t.value}`
      : undefined
  return { path, scope, ip, port }
}

/** The one-word summary of an address (AddrScope). */
export function addrScope(ma: Multiaddr): AddrScope {
  const c = classifyAddr(ma)
  return c.path === 'direct' ? c.scope : c.path
}
