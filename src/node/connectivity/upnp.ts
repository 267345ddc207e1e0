// A port mapping of our TCP listen port on the home router, through UPnP IGD (issue 12,
// docs/connectivity.md "Port mapping (UPnP IGD)"): a node behind a router that offers it gets a
// public, directly dialable address, and a contact behind another NAT dials it over TCP instead
// of punching. @libp2p/upnp-nat 4.0.28 finds the gateway (SSDP), maps every private TCP listen
// address with AddAnyPortMapping, refreshes the lease and unmaps on stop; it announces the mapped
// address only once AutoNAT confirms it (autoConfirmAddress stays false). This module owns whether
// a node may map at all (upnpAllowed, upnpWanted), how often it searches (UpnpSearchPacer:
// upstream searches every 5 s while no gateway answers, forever) and what UPnP mapping is held
// (UpnpTracker). The service that follows the network and falls back to NAT-PMP is
// ./port-mapping.ts. It knows nothing of contacts, sessions or AutoNAT's verdicts.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import type { UPnPNATClient } from '@libp2p/upnp-nat'
import { getNetConfig } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import debug from 'debug'
import { privateHost } from './gateway.js'
import type { UpnpInfo } from '../status.js'

const log = debug('kith:node:upnp')

/** A gateway as @achingbrain/nat-port-mapper 4.0.5 (the library's client) gives it. */
export type Gateway = Awaited<ReturnType<UPnPNATClient['getGateway']>>
export type PortMapping = Awaited<ReturnType<Gateway['map']>>

/**
 * First pause after a gateway search found nothing (then doubled per empty search up to
 * UPNP_SEARCH_MAX_DELAY_MS). @libp2p/upnp-nat searches every 5 s for 5 s (an M-SEARCH multicast
 * a second, a UDP socket per interface) until a gateway answers: on a network without one, and
 * most have none, that is a socket every 5 s forever (issue 12's budget is ≤ 1 a second offline,
 * and less is better for a battery). A router that answers does so within the first search.
 */
export const UPNP_SEARCH_BASE_DELAY_MS = 30_000
/** Longest pause between two gateway searches that found nothing (a router switched on later
 *  is found within this, or at once on a network change: UpnpSearchPacer.reset). */
export const UPNP_SEARCH_MAX_DELAY_MS = 30 * 60_000
/**
 * Lease asked of the gateway. nat-port-mapper 4.0.5 asks at least 3,600 s whatever is passed
 * (internet-gateway-service-4.ts `Math.max(…, 3600)`) and renews 60 s before it ends; one hour
 * bounds how long a mapping outlives a node killed without unmapping.
 */
export const UPNP_LEASE_MS = 3_600_000

/** The description of our mappings in the router's table: no PeerId, no name. */
export const UPNP_DESCRIPTION = 'kith'

/** What upnpWanted reads of the node's options. */
export interface UpnpOptions {
  /** false: never (`kith daemon --no-upnp`); true: when listening on a private address;
   *  unset: never (in-process nodes, tests). */
  upnp?: boolean
  listen: readonly string[]
  announce?: readonly string[] | undefined
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

/** Whether `listen` (a multiaddr) is a TCP address a mapping could serve: a private interface
 *  address, or a wildcard (then `iface` says whether the host has such an address of its family). */
function mappable(listen: string, iface: (family: 'ip4' | 'ip6') => boolean): boolean {
  let cfg
  try {
    cfg = getNetConfig(multiaddr(listen))
  } catch {
    return false
  }
  if ((cfg.type !== 'ip4' && cfg.type !== 'ip6') || cfg.protocol !== 'tcp') return false
  if (cfg.host !== '0.0.0.0' && cfg.host !== '::') return privateHost(cfg.host, cfg.type)
  return iface(cfg.type)
}

/**
 * Whether this node may ever map ports, whatever its network now: asked for (`upnp: true`), no
 * announced addresses (an operator who announces says what is reachable: `kith relay
 * --announce`), and a TCP listen address that is private or a wildcard. Loopback-only nodes (the
 * test suite) never do, so never multicast SSDP. Decided once, at start: the port mapping service
 * exists or not (../libp2p/node.ts).
 */
export function upnpAllowed(opts: UpnpOptions): boolean {
  if (opts.upnp !== true || (opts.announce?.length ?? 0) > 0) return false
  return opts.listen.some((a) => mappable(a, () => true))
}

/**
 * Whether to map ports on the network of `interfaces`: upnpAllowed, and a TCP listen address on a
 * private interface address (a wildcard counts as every interface address of its family).
 * Decided again on every network change (./port-mapping.ts, through ./gateway.ts).
 */
export function upnpWanted(
  opts: UpnpOptions,
  interfaces: Interfaces = networkInterfaces(),
): boolean {
  if (!upnpAllowed(opts)) return false
  const ifaceAddrs = Object.values(interfaces).flatMap((l) => l ?? [])
  return opts.listen.some((a) =>
    mappable(a, (family) =>
      ifaceAddrs.some(
        (i) =>
          !i.internal &&
          (i.family === 'IPv4') === (family === 'ip4') &&
          privateHost(i.address, family),
      ),
    ),
  )
}

/**
 * Paces gateway searches: the first at once, then, while none answers, after
 * UPNP_SEARCH_BASE_DELAY_MS doubling to UPNP_SEARCH_MAX_DELAY_MS; none while offline; reset()
 * (a network change) allows one at once. Full jitter is not needed: one search per node.
 */
export class UpnpSearchPacer {
  #nextAt = 0
  #delay = 0
  #offline: () => boolean = () => false
  readonly #onReset: Array<() => void> = []
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** How to tell the host is offline (connectivity.ts), once that service exists. */
  attach(offline: () => boolean): void {
    this.#offline = offline
  }

  /** The network changed: search at the next chance, and tell whoever asked (onReset). */
  reset(): void {
    this.#nextAt = 0
    this.#delay = 0
    for (const fn of this.#onReset) fn()
  }

  /** Runs `fn` on every reset(): the port mapping service looks at the network again. */
  onReset(fn: () => void): void {
    this.#onReset.push(fn)
  }

  /** Whether a search may run now. */
  due(): boolean {
    return !this.#offline() && this.#now() >= this.#nextAt
  }

  /** A search ended having found `found` gateways. */
  searched(found: number): void {
    this.#delay =
      found > 0
        ? 0
        : Math.min(UPNP_SEARCH_MAX_DELAY_MS, Math.max(UPNP_SEARCH_BASE_DELAY_MS, this.#delay * 2))
    this.#nextAt = this.#now() + this.#delay
  }
}

/** The mapping held now, as the gateways the library uses report it. */
export class UpnpTracker {
  #mapping: UpnpInfo | null = null
  /** Called after a new mapping (once the library has recorded it: next macrotask). */
  onMapped: () => void = () => undefined

  mapping(): UpnpInfo | null {
    return this.#mapping
  }

  /** A gateway whose map(), externalIp(), unmap() and stop() keep `mapping()` true. */
  gateway(gw: Gateway): Gateway {
    const set = (m: PortMapping) => {
      if (m.protocol !== 'TCP') return
      this.#mapping = {
        gateway: gw.host,
        externalAddr: `/ip${m.externalHost.includes(':') ? 6 : 4}/${m.externalHost}/tcp/${m.externalPort}`,
        since: Date.now(),
        protocol: 'upnp',
      }
      log('mapped a TCP port on gateway %s: %s', gw.host, this.#mapping.externalAddr)
      setTimeout(() => this.onMapped(), 0)
    }
    const clear = () => {
      if (this.#mapping?.gateway === gw.host) this.#mapping = null
    }
    return new Proxy(gw, {
      get: (target, key, receiver) => {
        const v = Reflect.get(target, key, receiver) as unknown
        if (typeof v !== 'function') return v
        const fn = v as (...args: unknown[]) => unknown
        if (key === 'map')
          return async (...args: unknown[]) => {
            const m = (await fn.apply(target, args)) as PortMapping
            set(m)
            return m
          }
        if (key === 'externalIp')
          return async (...args: unknown[]) => {
            const ip = (await fn.apply(target, args)) as string
            const cur = this.#mapping
            if (cur !== null && cur.gateway === gw.host && !cur.externalAddr.includes(`/${ip}/`)) {
              // The router's WAN address changed; the library remaps the address manager.
              this.#mapping = {
                ...cur,
                externalAddr: cur.externalAddr.replace(
                  /^\/ip[46]\/[^/]+/,
                  `/ip${ip.includes(':') ? 6 : 4}/${ip}`,
                ),
              }
            }
            return ip
          }
        if (key === 'unmap' || key === 'stop')
          return async (...args: unknown[]) => {
            clear()
            return await fn.apply(target, args)
          }
        return fn.bind(target)
      },
    })
  }
}

/** Paces `client`'s searches and tracks its gateways, in place: the library's gateway finder
 *  holds this same object (UPnPNAT.portMappingClient, public in @libp2p/upnp-nat's types).
 *  `onEmpty` runs after a search that found no gateway (the NAT-PMP fallback: ./port-mapping.ts). */
export function paceClient(
  client: UPnPNATClient,
  pacer: UpnpSearchPacer,
  tracker: UpnpTracker,
  onEmpty: () => void = () => undefined,
): void {
  const find = client.findGateways.bind(client)
  const get = client.getGateway.bind(client)
  client.findGateways = async function* (options) {
    if (!pacer.due()) return
    let found = 0
    try {
      for await (const gw of find(options)) {
        found++
        log('found gateway %s', gw.host)
        yield tracker.gateway(gw)
      }
    } finally {
      pacer.searched(found)
      if (found === 0) onEmpty()
    }
  }
  client.getGateway = async (url, options) => tracker.gateway(await get(url, options))
}
