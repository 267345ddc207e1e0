// A port mapping of our TCP listen port on the home router, through UPnP IGD (issue 12,
// docs/connectivity.md "Port mapping (UPnP IGD)"): a node behind a router that offers it gets a
// public, directly dialable address, and a contact behind another NAT dials it over TCP instead
// of punching. @libp2p/upnp-nat 4.0.28 finds the gateway (SSDP), maps every private TCP listen
// address with AddAnyPortMapping, refreshes the lease and unmaps on stop; it announces the mapped
// address only once AutoNAT confirms it (autoConfirmAddress stays false). This module owns when
// it runs (upnpWanted), how often it searches (UpnpSearchPacer: upstream searches every 5 s while
// no gateway answers, forever) and what mapping is held (UpnpTracker: `kith status`'s `upnp`).
// It knows nothing of contacts, sessions or AutoNAT's verdicts: the one nudge it gives AutoNAT is
// ../libp2p/patches.ts askAutoNATNow.
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { uPnPNAT, type UPnPNATClient } from '@libp2p/upnp-nat'
import { getNetConfig, isLinkLocal, isLoopback, isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import debug from 'debug'
import { askAutoNATNow } from '../libp2p/patches.js'
import type { UpnpInfo } from '../status.js'
import type { Connection, Startable } from '@libp2p/interface'

const log = debug('kith:node:upnp')

/** A gateway as @achingbrain/nat-port-mapper 4.0.5 (the library's client) gives it. */
type Gateway = Awaited<ReturnType<UPnPNATClient['getGateway']>>
type PortMapping = Awaited<ReturnType<Gateway['map']>>

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

/** A usable private address: in a private range, not loopback, not link-local. */
function privateHost(ip: string, family: 'ip4' | 'ip6'): boolean {
  const ma = multiaddr(`/${family}/${ip}/tcp/1`)
  return isPrivate(ma) && !isLoopback(ma) && !isLinkLocal(ma)
}

/**
 * Whether to map ports: asked for (`upnp: true`), no announced addresses (an operator who
 * announces says what is reachable: `kith relay --announce`), and at least one TCP listen
 * address on a private interface address (a wildcard counts as every interface address of its
 * family). Loopback-only nodes (the test suite) never search, so never multicast SSDP.
 */
export function upnpWanted(
  opts: UpnpOptions,
  interfaces: Interfaces = networkInterfaces(),
): boolean {
  if (opts.upnp !== true || (opts.announce?.length ?? 0) > 0) return false
  const ifaceAddrs = Object.values(interfaces).flatMap((l) => l ?? [])
  return opts.listen.some((a) => {
    let cfg
    try {
      cfg = getNetConfig(multiaddr(a))
    } catch {
      return false
    }
    if ((cfg.type !== 'ip4' && cfg.type !== 'ip6') || cfg.protocol !== 'tcp') return false
    const family = cfg.type
    if (cfg.host !== '0.0.0.0' && cfg.host !== '::') return privateHost(cfg.host, family)
    return ifaceAddrs.some(
      (i) =>
        !i.internal &&
        (i.family === 'IPv4') === (family === 'ip4') &&
        privateHost(i.address, family),
    )
  })
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
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** How to tell the host is offline (connectivity.ts), once that service exists. */
  attach(offline: () => boolean): void {
    this.#offline = offline
  }

  /** The network changed: search at the next chance. */
  reset(): void {
    this.#nextAt = 0
    this.#delay = 0
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
 *  holds this same object (UPnPNAT.portMappingClient, public in @libp2p/upnp-nat's types). */
export function paceClient(
  client: UPnPNATClient,
  pacer: UpnpSearchPacer,
  tracker: UpnpTracker,
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
    }
  }
  client.getGateway = async (url, options) => tracker.gateway(await get(url, options))
}

export interface KithUpnpComponents {
  connectionManager: { getConnections(): Connection[] }
  /** The AutoNAT service (libp2p sets each service on the components under its name). */
  autonat?: unknown
}

/** The `upnp` service: @libp2p/upnp-nat with Kith's pacing and tracking. */
export class KithUpnp implements Startable {
  readonly tracker = new UpnpTracker()
  readonly #inner: Startable

  constructor(
    components: KithUpnpComponents & Parameters<ReturnType<typeof uPnPNAT>>[0],
    pacer: UpnpSearchPacer,
  ) {
    const inner = uPnPNAT({
      // Not the library's default (`<name>@<version> <PeerId>`): anyone on the LAN may list the
      // router's mappings, and the PeerId is our identity.
      portMappingDescription: UPNP_DESCRIPTION,
      portMappingTTL: UPNP_LEASE_MS,
      // AutoNAT must confirm the mapped address before it is announced (the library's default);
      // it asks only on new connections, so the tracker asks the peers we have now.
      autoConfirmAddress: false,
    })(components)
    paceClient(inner.portMappingClient, pacer, this.tracker)
    this.#inner = inner as unknown as Startable
    this.tracker.onMapped = () => {
      askAutoNATNow(components.autonat, components.connectionManager.getConnections())
    }
  }

  readonly [Symbol.toStringTag] = 'kith:upnp'

  async start(): Promise<void> {
    await this.#inner.start()
  }

  async stop(): Promise<void> {
    await this.#inner.stop()
  }

  mapping(): UpnpInfo | null {
    return this.tracker.mapping()
  }
}

/** Factory in the js-libp2p service style; list it after `autonat` in the services. */
export function kithUpnp(
  pacer: UpnpSearchPacer,
): (components: KithUpnpComponents & Parameters<ReturnType<typeof uPnPNAT>>[0]) => KithUpnp {
  return (components) => new KithUpnp(components, pacer)
}
