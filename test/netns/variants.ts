// The topology variants of the NAT test network (issue 12, docs/connectivity.md "Variants"):
// net.sh builds the same roles (relay, two public hosts, three homes behind NAT routers: two
// cone-like, one symmetric) from these parameters, so each case runs on several address plans
// and router behaviours. A variant is chosen with KITH_NET_VARIANT=<name> (default `base`, the
// original network); `npm run bench -- connect` runs them all.

export interface Variant {
  name: string
  /** What this variant changes, for the tables. */
  about: string
  /** /24 of the "internet" segment (no trailing dot). */
  pub: string
  /** /24 of the homes h1, h2, h3. */
  lans: [string, string, string]
  /** Whether routers r1, r2, r3 (and the carrier's) drop unsolicited packets addressed to
   *  themselves (`drop`), or accept them and answer with ICMP port unreachable (`open`): such
   *  a router cannot be punched from a peer whose packets arrive before its own host's first
   *  packet left (src/node/connectivity/holepunch.ts). */
  input: Array<'drop' | 'open'>
  /** h1's router sits behind a carrier-grade NAT (100.64.0.0/24): a double NAT. */
  cgnat: boolean
  /** Daemons listen on fixed port 4001 or on a port the system picks. */
  ports: 'fixed' | 'random'
  /** The internet is dual-stack (2001:db8:11::/64): the relay, pa and pb have both families,
   *  two more public hosts q1 and q2 IPv6 only. */
  v6: boolean
  /** The home routers r1 and r2 run miniupnpd (UPnP IGD 2, NAT-PMP): their hosts' daemons map
   *  their TCP port (src/node/connectivity/upnp.ts) and are dialable from the internet. */
  upnp: boolean
  /** Of those, the routers whose miniupnpd speaks NAT-PMP only (enable_upnp=no): their hosts
   *  find no UPnP IGD and map through NAT-PMP (src/node/connectivity/pmp.ts). */
  pmpOnly: Array<'r1' | 'r2'>
  /** A second device h4 on h1's LAN, behind the same router (which does not hairpin). */
  shared: boolean
}

/** The relay's IPv6 address in a `v6` variant. */
export const RELAY_IP6 = '2001:db8:11::10'

const base: Variant = {
  name: 'base',
  about: '10/8 LANs, public 11/8, routers drop unsolicited packets, fixed ports',
  pub: '11.0.0',
  lans: ['10.1.0', '10.2.0', '10.3.0'],
  input: ['drop'],
  cgnat: false,
  ports: 'fixed',
  v6: false,
  upnp: false,
  pmpOnly: [],
  shared: false,
}

export const VARIANTS: readonly Variant[] = [
  base,
  {
    ...base,
    name: 'home192',
    about:
      'every home on 192.168.1/24 (same addresses in two homes), routers answer unsolicited packets',
    lans: ['192.168.1', '192.168.1', '192.168.0'],
    input: ['open'],
  },
  {
    ...base,
    name: 'home192-upnp',
    about:
      'home192, and r1 and r2 map ports on request (miniupnpd: UPnP IGD and NAT-PMP, secure mode)',
    lans: ['192.168.1', '192.168.1', '192.168.0'],
    input: ['open'],
    upnp: true,
  },
  {
    ...base,
    name: 'home192-pmp',
    about:
      'home192-upnp, but r2 speaks NAT-PMP only (miniupnpd enable_upnp=no): h2 maps through NAT-PMP',
    lans: ['192.168.1', '192.168.1', '192.168.0'],
    input: ['open'],
    upnp: true,
    pmpOnly: ['r2'],
  },
  {
    ...base,
    name: 'mixed',
    about: 'r1 answers unsolicited packets, r2 and r3 drop them; 192.168/16 LANs',
    lans: ['192.168.1', '192.168.2', '192.168.3'],
    input: ['open', 'drop', 'drop'],
  },
  {
    ...base,
    name: 'testnet',
    about:
      'public side on TEST-NET-3 203.0.113/24 (libp2p calls it private), 172.16/12 LANs, random ports',
    pub: '203.0.113',
    lans: ['172.16.1', '172.17.1', '172.31.1'],
    ports: 'random',
  },
  {
    ...base,
    name: 'cgnat',
    about:
      'h1 behind its router behind a carrier-grade NAT (100.64/10): double NAT; the carrier answers unsolicited packets',
    cgnat: true,
    v6: true,
    input: ['drop', 'drop', 'drop', 'open'],
  },
  {
    ...base,
    name: 'shared-home',
    about:
      'home192, and a second device h4 on h1’s LAN behind r1 (no hairpinning): the two meet on the LAN',
    lans: ['192.168.1', '192.168.1', '192.168.0'],
    input: ['open'],
    shared: true,
  },
]

export function variant(name = process.env.KITH_NET_VARIANT ?? 'base'): Variant {
  const v = VARIANTS.find((x) => x.name === name)
  if (v === undefined)
    throw new Error(`unknown KITH_NET_VARIANT ${name} (${VARIANTS.map((x) => x.name).join(', ')})`)
  return v
}

/** net.sh's environment for `v`. */
export function netEnv(v: Variant): Record<string, string> {
  return {
    KITH_NET_PUB: v.pub,
    KITH_NET_LANS: v.lans.join(' '),
    KITH_NET_INPUT: v.input.join(' '),
    KITH_NET_CGNAT: v.cgnat ? '1' : '0',
    KITH_NET_V6: v.v6 ? '1' : '0',
    KITH_NET_UPNP: v.upnp ? '1' : '0',
    KITH_NET_PMP_ONLY: v.pmpOnly.join(' '),
    KITH_NET_SHARED: v.shared ? '1' : '0',
  }
}

/** Whether the public segment is a documentation range (RFC 5737), which libp2p counts as
 *  private: AutoNAT never confirms an address there. */
export function docRange(v: Variant): boolean {
  return /^(192\.0\.2|198\.51\.100|203\.0\.113)$/.test(v.pub)
}

/** Which routers a home's packets cross, innermost first (h1 may sit behind the carrier's). */
function routers(v: Variant, home: 'h1' | 'h2' | 'h3'): Array<'r1' | 'r2' | 'r3' | 'cg'> {
  const r = ({ h1: 'r1', h2: 'r2', h3: 'r3' } as const)[home]
  return home === 'h1' && v.cgnat ? [r, 'cg'] : [r]
}

function input(v: Variant, r: 'r1' | 'r2' | 'r3' | 'cg'): 'drop' | 'open' {
  const i = { r1: 0, r2: 1, r3: 2, cg: 3 }[r]
  return v.input[i] ?? v.input[0]!
}

/**
 * Whether WebRTC can punch between two homes in `v`: neither is behind the symmetric NAT (r3),
 * and not both outermost routers accept unsolicited packets where one of them is out of a prime's
 * reach. A router that accepts them spoils a punch when the peer's first packet arrives before
 * its own host's left (src/node/connectivity/prime.ts); the prime (TTL 2) opens the host's own
 * router first, but not the carrier's NAT behind it (cgnat). One such router is handled by the
 * order of ICE checks and the swapped punch (src/node/connectivity/holepunch.ts). net.sh puts a
 * core router between the routers (KITH_NET_HOPS=1, the default), as the internet does: with
 * adjacent routers the prime would reach the peer's router too.
 */
export function punchable(v: Variant, a: 'h1' | 'h2' | 'h3', b: 'h1' | 'h2' | 'h3'): boolean {
  if (a === 'h3' || b === 'h3') return false
  const outer = (h: 'h1' | 'h2' | 'h3') => input(v, routers(v, h).at(-1)!)
  const primedAway = (h: 'h1' | 'h2' | 'h3') => routers(v, h).length === 1
  return !(outer(a) === 'open' && outer(b) === 'open' && !(primedAway(a) && primedAway(b)))
}

/**
 * Whether a home's daemon holds a port mapping on its router in `v` (a router runs miniupnpd, and
 * the router is not itself behind the carrier's NAT: the library maps nothing when the gateway's
 * WAN address is private), so that anyone on the internet dials it over TCP.
 */
export function mapped(v: Variant, home: 'h1' | 'h2' | 'h3'): boolean {
  return v.upnp && home !== 'h3' && !(home === 'h1' && v.cgnat)
}

/** Which protocol a mapped home's daemon reports (`status.upnp.protocol`) in `v`. */
export function mapProtocol(v: Variant, home: 'h1' | 'h2'): 'upnp' | 'nat-pmp' {
  return v.pmpOnly.includes(home === 'h1' ? 'r1' : 'r2') ? 'nat-pmp' : 'upnp'
}
