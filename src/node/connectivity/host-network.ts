// What the host's network looks like now: its usable addresses and routes, and whether there is
// a network at all (connectivity.ts polls this). On Linux everything is read from /proc/net and
// /sys/class/net, which opens no socket (os.networkInterfaces() opens a netlink socket per call,
// which a poll every 2 s would turn into 0.5 sockets a second); elsewhere from
// os.networkInterfaces(), routes unknown. This module owns the parsing and nothing else.
import { readdirSync, readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What the host's network looks like now (injected in tests). */
export interface NetworkSnapshot {
  /** Usable addresses and routes; compared between polls. */
  fingerprint: string
  online: boolean
  /** A usable address exists (routes aside); default: `online`. */
  hasAddress?: boolean
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Interface states that carry nothing (/sys/class/net/<if>/operstate; RFC 2863 ifOperStatus). */
const DOWN_STATES = new Set(['down', 'lowerlayerdown', 'notpresent'])

/** Routes through a non-loopback interface that is not down: /proc/net/route (Iface first) and
 *  ipv6_route (device last; link-local fe80::/10 and multicast ff00::/8 destinations left out).
 *  A route through an interface without carrier stays in the table but carries nothing. */
function usableRoutes(
  v4: string | undefined,
  v6: string | undefined,
  operstate: Readonly<Record<string, string>>,
): string[] {
  const up = (dev: string): boolean => dev !== 'lo' && !DOWN_STATES.has(operstate[dev] ?? '')
  const routes: string[] = []
  for (const line of (v4 ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length >= 8 && up(f[0]!)) routes.push(`4 ${f[0]} ${f[1]}/${f[7]} ${f[2]}`)
  }
  for (const line of (v6 ?? '').split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10 || !up(f[9]!)) continue
    const dest = f[0]!
    if (dest.startsWith('fe8') || dest.startsWith('ff')) continue
    routes.push(`6 ${f[9]} ${dest}/${f[1]} ${f[4]}`)
  }
  return routes.sort()
}

/** operstate of each interface (/sys/class/net/<if>/operstate); {} where unreadable. */
function operstates(): Record<string, string> {
  const out: Record<string, string> = {}
  let names: string[] = []
  try {
    names = readdirSync('/sys/class/net')
  } catch {
    return out
  }
  for (const name of names) {
    const state = readProc(`/sys/class/net/${name}/operstate`)
    if (state !== undefined) out[name] = state.trim()
  }
  return out
}

/** Our IPv4 addresses from /proc/net/fib_trie (`|-- <addr>` then `/32 host LOCAL`), without
 *  loopback and link-local ones. */
function localV4(fib: string): string[] {
  const out = new Set<string>()
  let last = ''
  for (const line of fib.split('\n')) {
    const m = /\|-- (\S+)/.exec(line)
    if (m != null) last = m[1]!
    else if (line.includes('/32 host LOCAL') && !/^(127\.|169\.254\.)/.test(last)) out.add(last)
  }
  return [...out].sort()
}

/** Our global IPv6 addresses from /proc/net/if_inet6 (address, index, prefix, scope, flags,
 *  device), without loopback and link-local ones. */
function localV6(ifInet6: string): string[] {
  const out: string[] = []
  for (const line of ifInet6.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 6 || f[5] === 'lo' || /^fe[89ab]/.test(f[0]!)) continue
    out.push(`${f[5]} ${f[0]}/${f[2]}`)
  }
  return out.sort()
}

/** From os.networkInterfaces() (not Linux: it opens a netlink socket per call on Linux). */
function interfaceAddrs(): string[] {
  const addrs: string[] = []
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue
      if (a.family === 'IPv4' && a.address.startsWith('169.254.')) continue
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue
      addrs.push(`${name} ${a.address}/${a.netmask}`)
    }
  }
  return addrs.sort()
}

/**
 * The host's network now: usable addresses and routes. On Linux read from /proc/net (no
 * socket: os.networkInterfaces() opens a netlink socket per call, which a poll every 2 s would
 * turn into 0.5 sockets a second); elsewhere from os.networkInterfaces(), routes unknown.
 */
export function hostNetwork(): NetworkSnapshot {
  const files = {
    fibTrie: readProc('/proc/net/fib_trie'),
    route: readProc('/proc/net/route'),
    ipv6Route: readProc('/proc/net/ipv6_route'),
    ifInet6: readProc('/proc/net/if_inet6'),
    operstate: operstates(),
  }
  if (files.fibTrie === undefined && files.route === undefined) {
    const addrs = interfaceAddrs()
    return { fingerprint: addrs.join(','), online: addrs.length > 0, hasAddress: addrs.length > 0 }
  }
  return procNetwork(files)
}

/** The snapshot from the text of /proc/net/{fib_trie,route,ipv6_route,if_inet6}. */
export function procNetwork(f: {
  fibTrie?: string | undefined
  route?: string | undefined
  ipv6Route?: string | undefined
  ifInet6?: string | undefined
  /** Interface name → operstate (/sys/class/net); missing names count as up. */
  operstate?: Readonly<Record<string, string>>
}): NetworkSnapshot {
  const addrs = [...localV4(f.fibTrie ?? ''), ...localV6(f.ifInet6 ?? '')]
  const routes = usableRoutes(f.route, f.ipv6Route, f.operstate ?? {})
  return {
    fingerprint: `${addrs.join(',')}|${routes.join(',')}`,
    online: addrs.length > 0 && routes.length > 0,
    hasAddress: addrs.length > 0,
  }
}

/** Whether `ma` starts with a loopback IP (or `localhost`): reachable with no network. */
export function isLoopback(ma: Multiaddr): boolean {
  const first = ma.getComponents()[0]
  if (first == null) return false
  if (first.name === 'ip4') return first.value?.startsWith('127.') === true
  if (first.name === 'ip6') return first.value === '::1'
  return first.name.startsWith('dns') && first.value === 'localhost'
}
