// The network prefix of a connection's remote address: the key of every per-network bound of the
// node (the connection budget in ../libp2p/resources.ts, the mailbox quotas in ./mailbox/, the DHT rates in
// ./dht/, the /kith/dm failure budget in ./dm/guard.ts). It owns the mapping from a remote
// multiaddr (or an IP) to a short string and knows nothing of what is counted under it.
//
// IPv4 → the /24 ("ip4/203.0.113.0/24"), IPv6 → the /48 ("ip6/2001:db8:1::/48"), as go-libp2p's
// resource manager limits per subnet and Bitcoin Core groups inbound peers by netgroup
// (src/netgroup.cpp: /16 there; a /24 here, so one site's hosts share one quota). IPv4-mapped IPv6
// counts as its IPv4. A relayed connection (/p2p-circuit) counts under its relay
// ("circuit/<relay PeerId>"): every depositor behind one relay shares one quota, as they share
// its address. Anything else (DNS names, unix sockets, memory transports) counts as "other".
import { isIPv4, isIPv6 } from 'node:net'
import type { Multiaddr } from '@multiformats/multiaddr'

/** IPv4 hosts of one /24 share a network prefix (one site, one quota). */
export const NETWORK_PREFIX_BITS_IPV4 = 24
/** IPv6 hosts of one /48 share a network prefix (a site's usual allocation). */
export const NETWORK_PREFIX_BITS_IPV6 = 48

/** The prefix string for an address; see the header. */
export function networkPrefix(addr: Multiaddr | undefined): string {
  if (addr === undefined) return 'other'
  const parts = addr.getComponents()
  const circuit = parts.findIndex((c) => c.name === 'p2p-circuit')
  if (circuit >= 0) {
    const relay = parts
      .slice(0, circuit)
      .reverse()
      .find((c) => c.name === 'p2p')?.value
    return `circuit/${relay ?? 'unknown'}`
  }
  const ip = parts[0]
  if (ip?.value === undefined || (ip.name !== 'ip4' && ip.name !== 'ip6')) return 'other'
  return ipPrefix(ip.value)
}

/** The IP of a direct connection's address; undefined for a relayed one (its IP is the relay's). */
export function ipOf(ma: Multiaddr): string | undefined {
  const comps = ma.getComponents()
  if (comps.some((c) => c.name === 'p2p-circuit')) return undefined
  const ip = comps.find((c) => c.name === 'ip4' || c.name === 'ip6')
  return ip?.value
}

/** The prefix string of an IP address (IPv4-mapped IPv6 counts as its IPv4); 'other' if it is none.
 *  The prefix lengths default to the per-network bounds' (multiples of 8 and 16 bits). */
export function ipPrefix(
  ip: string,
  bits4: number = NETWORK_PREFIX_BITS_IPV4,
  bits6: number = NETWORK_PREFIX_BITS_IPV6,
): string {
  if (isIPv4(ip)) return ipv4Prefix(ip, bits4)
  if (!isIPv6(ip)) return 'other'
  const groups = expandIPv6(ip)
  // ::ffff:a.b.c.d (in any spelling) is an IPv4 host.
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const hi = parseInt(groups[6]!, 16)
    const lo = parseInt(groups[7]!, 16)
    return ipv4Prefix(`${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`, bits4)
  }
  return `ip6/${groups.slice(0, bits6 / 16).join(':')}::/${bits6}`
}

function ipv4Prefix(ip: string, bits: number): string {
  const octets = ip.split('.').map(Number)
  const keep = bits / 8
  const net = octets.map((o, i) => (i < keep ? o : 0)).join('.')
  return `ip4/${net}/${bits}`
}

/** Eight 16-bit groups in lowercase hex without leading zeros (a zone id is dropped). */
function expandIPv6(ip: string): string[] {
  const bare = ip.split('%')[0]!
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined]
  const h = head === '' || head === undefined ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  // A trailing dotted IPv4 part counts as two groups.
  const expand = (gs: string[]) =>
    gs.flatMap((g) => {
      if (!g.includes('.')) return [g]
      const [a, b, c, d] = g.split('.').map(Number)
      return [(((a ?? 0) << 8) | (b ?? 0)).toString(16), (((c ?? 0) << 8) | (d ?? 0)).toString(16)]
    })
  const hx = expand(h)
  const tx = expand(t)
  const zeros = tail === undefined ? [] : new Array<string>(8 - hx.length - tx.length).fill('0')
  return [...hx, ...zeros, ...tx].map((g) => parseInt(g, 16).toString(16))
}
