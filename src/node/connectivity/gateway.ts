// Which network a port mapping belongs to (docs/connectivity.md "Port mapping"): the IPv4 default
// gateway from the routing table (/proc/net/route on Linux), its link-layer address when the
// neighbour table knows it (/proc/net/arp), and our private interface addresses. A mapping made
// on one such network is stale on another (a laptop moved from home to a café, another LAN, another
// router), and a node that had none may find a router now. Reading files opens no socket. This
// module owns the parsing and the comparison; it knows nothing of UPnP, NAT-PMP or libp2p.
import { readFileSync } from 'node:fs'
import type { NetworkInterfaceInfo } from 'node:os'
import { isLinkLocal, isLoopback, isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'

/** Linux's IPv4 routing table (one route a line, hex fields in host byte order). */
export const ROUTE_TABLE_PATH = '/proc/net/route'
/** Linux's IPv4 neighbour table: the gateway's link-layer address tells two routers that use
 *  the same LAN address (every 192.168.1.1) apart. */
export const ARP_TABLE_PATH = '/proc/net/arp'

/** /proc/net/route flags (linux/route.h): the route is up, and goes through a gateway. */
const RTF_UP = 0x1
const RTF_GATEWAY = 0x2
/** /proc/net/arp flags (linux/if_arp.h ATF_COM): the entry is complete. */
const ATF_COM = 0x2

export interface DefaultGateway {
  /** Its IPv4 address, dotted. */
  ip: string
  /** The interface the default route leaves through. */
  iface: string
}

/** A little-endian hex IPv4 address of /proc/net/route ("0101A8C0" → 192.168.1.1). */
function hexIp(hex: string): string {
  const n = Number.parseInt(hex, 16)
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.')
}

/** The default route's gateway in /proc/net/route's text (the lowest metric of the routes that
 *  are up, go through a gateway, and have destination and mask 0), or undefined. */
export function parseDefaultGateway(routeTable: string): DefaultGateway | undefined {
  let best: (DefaultGateway & { metric: number }) | undefined
  for (const line of routeTable.split('\n').slice(1)) {
    // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
    const f = line.trim().split(/\s+/)
    if (f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000') continue
    const flags = Number.parseInt(f[3]!, 16)
    if ((flags & RTF_UP) === 0 || (flags & RTF_GATEWAY) === 0) continue
    const metric = Number.parseInt(f[6]!, 10)
    if (best === undefined || metric < best.metric)
      best = { ip: hexIp(f[2]!), iface: f[0]!, metric }
  }
  return best === undefined ? undefined : { ip: best.ip, iface: best.iface }
}

/** `ip`'s link-layer address in /proc/net/arp's text, when the entry is complete. */
export function parseArpMac(arpTable: string, ip: string): string | undefined {
  for (const line of arpTable.split('\n').slice(1)) {
    // IP address, HW type, Flags, HW address, Mask, Device
    const f = line.trim().split(/\s+/)
    if (f[0] === ip && f.length >= 4 && (Number.parseInt(f[2]!, 16) & ATF_COM) !== 0) return f[3]
  }
  return undefined
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The network as a port mapping sees it. */
export interface MappingNetwork {
  /** The default gateway's IPv4 address; undefined where the routing table cannot be read
   *  (not Linux): then UPnP's search finds the router and NAT-PMP is not tried. */
  gateway: string | undefined
  /** Its link-layer address, when known. */
  mac: string | undefined
  /** Our usable private IPv4 interface addresses, sorted (IPv6 ones are left out: temporary
   *  addresses rotate daily, RFC 8981, and would make every day a new network). */
  addrs: string[]
}

/** What mappingNetwork reads (injected in tests). */
export interface NetworkSources {
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>
  /** /proc/net/route's text, undefined where there is none. */
  routeTable: string | undefined
  arpTable: string | undefined
}

/** The host's sources now: its interfaces and Linux's tables. */
export function hostSources(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): NetworkSources {
  return { interfaces, routeTable: read(ROUTE_TABLE_PATH), arpTable: read(ARP_TABLE_PATH) }
}

/** A usable private address: in a private range, not loopback, not link-local. */
export function privateHost(ip: string, family: 'ip4' | 'ip6'): boolean {
  const ma = multiaddr(`/${family}/${ip}/tcp/1`)
  return isPrivate(ma) && !isLoopback(ma) && !isLinkLocal(ma)
}

/**
 * The network a mapping would be made on now, or null when there is none to map on: no usable
 * private interface address (loopback only, a public host, the links down), or a routing table
 * without a default gateway (no router to ask).
 */
export function mappingNetwork(src: NetworkSources): MappingNetwork | null {
  const usable = Object.values(src.interfaces)
    .flatMap((l) => l ?? [])
    .filter((i) => !i.internal && privateHost(i.address, i.family === 'IPv4' ? 'ip4' : 'ip6'))
  if (usable.length === 0) return null
  const addrs = usable
    .filter((i) => i.family === 'IPv4')
    .map((i) => i.address)
    .sort()
  if (src.routeTable === undefined) return { gateway: undefined, mac: undefined, addrs }
  const gw = parseDefaultGateway(src.routeTable)
  if (gw === undefined) return null
  const mac = src.arpTable === undefined ? undefined : parseArpMac(src.arpTable, gw.ip)
  return { gateway: gw.ip, mac, addrs }
}

/** Whether a mapping made on `a` still holds on `b`: same gateway, same addresses, and the
 *  gateway's link-layer address the same where both are known (an entry may be missing for a
 *  moment after a link comes up; that alone is no new network). */
export function sameNetwork(a: MappingNetwork, b: MappingNetwork): boolean {
  return (
    a.gateway === b.gateway &&
    a.addrs.join(' ') === b.addrs.join(' ') &&
    (a.mac === undefined || b.mac === undefined || a.mac === b.mac)
  )
}
