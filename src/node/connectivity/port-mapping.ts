// The `upnp` service: a TCP port mapping on the home router that follows the network (issue 12,
// docs/connectivity.md "Port mapping"). Whether to map is decided at start and again on every
// network change the connectivity service sees (../libp2p/node.ts resets the search pacer on a
// reconnect round; the pacer tells this service): on another network (./gateway.ts: another
// default gateway, other addresses) the mapping of the old one is dropped (its address withdrawn,
// its delete sent within 1 s) and a new one is sought; with no network to map on nothing runs.
// Per network ("epoch"): @libp2p/upnp-nat with Kith's pacing (./upnp.ts), and where a paced
// search finds no UPnP IGD, NAT-PMP on the default gateway (./pmp.ts, ./pmp-mapping.ts). This module owns the
// epochs and the status; it knows nothing of contacts or sessions, and gives AutoNAT one nudge
// (../libp2p/patches.ts askAutoNATNow).
import { networkInterfaces } from 'node:os'
import { uPnPNAT, type UPnPNATComponents } from '@libp2p/upnp-nat'
import type { Connection, Startable } from '@libp2p/interface'
import debug from 'debug'
import { askAutoNATNow } from '../libp2p/patches.js'
import { hostSources, mappingNetwork, sameNetwork, type MappingNetwork } from './gateway.js'
import { PmpClient } from './pmp.js'
import { PmpMapping } from './pmp-mapping.js'
import {
  paceClient,
  UPNP_DESCRIPTION,
  UPNP_LEASE_MS,
  upnpWanted,
  UpnpTracker,
  type UpnpOptions,
  type UpnpSearchPacer,
} from './upnp.js'
import type { UpnpInfo } from '../status.js'

const log = debug('kith:node:upnp')

/**
 * Runs one "epoch" per network: open() when there is a network to map on, close() when it goes
 * or another one replaces it; evaluate() calls are serialized (a close finishes before the next
 * open). Pure: the network reader and the epoch's lifecycle are given.
 */
export class NetworkFollower<E> {
  readonly #read: () => MappingNetwork | null
  readonly #open: (net: MappingNetwork) => Promise<E>
  readonly #close: (epoch: E) => Promise<void>
  #current: { net: MappingNetwork; epoch: E } | undefined
  #chain: Promise<void> = Promise.resolve()
  #closed = false

  constructor(
    read: () => MappingNetwork | null,
    open: (net: MappingNetwork) => Promise<E>,
    close: (epoch: E) => Promise<void>,
  ) {
    this.#read = read
    this.#open = open
    this.#close = close
  }

  current(): E | undefined {
    return this.#current?.epoch
  }

  /** Looks at the network again: the same one keeps its epoch; another, or none, ends it; a
   *  network without an epoch gets one. */
  evaluate(): Promise<void> {
    this.#chain = this.#chain
      .then(() => this.#evaluate())
      .catch((err: unknown) => {
        log('port mapping: %s', err instanceof Error ? err.message : String(err))
      })
    return this.#chain
  }

  async #evaluate(): Promise<void> {
    if (this.#closed) return
    const net = this.#read()
    const cur = this.#current
    if (cur !== undefined && net !== null && sameNetwork(cur.net, net)) return
    if (cur !== undefined) {
      log('network changed (gateway %s → %s): dropping the mapping', cur.net.gateway, net?.gateway)
      this.#current = undefined
      await this.#close(cur.epoch)
    }
    if (net === null) {
      log('no network to map on (no private address or no default gateway)')
      return
    }
    log('mapping on the network of gateway %s', net.gateway ?? 'unknown')
    this.#current = { net, epoch: await this.#open(net) }
  }

  /** Ends the epoch for good (the node stops). */
  close(): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      this.#closed = true
      const cur = this.#current
      this.#current = undefined
      if (cur !== undefined) await this.#close(cur.epoch)
    })
    return this.#chain
  }
}

type AddressManager = UPnPNATComponents['addressManager']

/** The address manager as one epoch's mappers see it: every public address mapping they add is
 *  recorded, so that removeAll() withdraws them when the epoch ends (upnp-nat's stop() unmaps on
 *  the router but leaves its addresses in the address manager). */
export function recording(am: AddressManager): { am: AddressManager; removeAll(): void } {
  const held = new Map<string, Parameters<AddressManager['addPublicAddressMapping']>>()
  const key = (a: readonly unknown[]) => a.join(' ')
  const proxy = new Proxy(am, {
    get: (target, prop, receiver) => {
      if (prop === 'addPublicAddressMapping')
        return (...a: Parameters<AddressManager['addPublicAddressMapping']>) => {
          held.set(key(a), a)
          target.addPublicAddressMapping(...a)
        }
      if (prop === 'removePublicAddressMapping')
        return (...a: Parameters<AddressManager['removePublicAddressMapping']>) => {
          held.delete(key(a))
          target.removePublicAddressMapping(...a)
        }
      const v = Reflect.get(target, prop, receiver) as unknown
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v
    },
  })
  return {
    am: proxy,
    removeAll: () => {
      for (const a of held.values()) am.removePublicAddressMapping(...a)
      held.clear()
    },
  }
}

/** Our TCP listen ports on `host`, from the address manager's transport addresses. */
function tcpPortsOn(am: AddressManager, host: string): number[] {
  const ports = new Set<number>()
  for (const { multiaddr: ma, type } of am.getAddressesWithMetadata()) {
    const m = /^\/ip4\/([^/]+)\/tcp\/(\d+)$/.exec(ma.toString())
    if (type === 'transport' && m?.[1] === host) ports.add(Number(m[2]))
  }
  return [...ports]
}

export interface KithUpnpComponents extends UPnPNATComponents {
  connectionManager: { getConnections(): Connection[] }
  /** The AutoNAT service (libp2p sets each service on the components under its name). */
  autonat?: unknown
}

interface Epoch {
  upnp: Startable
  tracker: UpnpTracker
  pmp: PmpMapping | undefined
  removeAddresses(): void
}

/** The `upnp` service (see the header). */
export class KithUpnp implements Startable {
  readonly #c: KithUpnpComponents
  readonly #pacer: UpnpSearchPacer
  readonly #follower: NetworkFollower<Epoch>

  constructor(
    components: KithUpnpComponents,
    pacer: UpnpSearchPacer,
    opts: UpnpOptions,
    read: () => MappingNetwork | null = () => {
      const ifs = networkInterfaces()
      return upnpWanted(opts, ifs) ? mappingNetwork(hostSources(ifs)) : null
    },
  ) {
    this.#c = components
    this.#pacer = pacer
    this.#follower = new NetworkFollower(
      read,
      (net) => this.#open(net),
      (e) => this.#close(e),
    )
    pacer.onReset(() => void this.#follower.evaluate())
  }

  readonly [Symbol.toStringTag] = 'kith:upnp'

  async #open(net: MappingNetwork): Promise<Epoch> {
    const ask = () => askAutoNATNow(this.#c.autonat, this.#c.connectionManager.getConnections())
    const rec = recording(this.#c.addressManager)
    const tracker = new UpnpTracker()
    tracker.onMapped = ask
    const upnp = uPnPNAT({
      // Not the library's default (`<name>@<version> <PeerId>`): anyone on the LAN may list the
      // router's mappings, and the PeerId is our identity.
      portMappingDescription: UPNP_DESCRIPTION,
      portMappingTTL: UPNP_LEASE_MS,
      // AutoNAT must confirm the mapped address before it is announced (the library's default);
      // it asks only on new connections, so `ask` asks the peers we have now.
      autoConfirmAddress: false,
    })(
      // Not a spread: libp2p's components object is a Proxy that throws on unset keys.
      new Proxy(this.#c, {
        get: (target, key) =>
          key === 'addressManager'
            ? rec.am
            : (target as unknown as Record<PropertyKey, unknown>)[key],
      }),
    )
    let pmp: PmpMapping | undefined
    if (net.gateway !== undefined) {
      pmp = new PmpMapping(new PmpClient(net.gateway), rec.am, (host) =>
        tcpPortsOn(this.#c.addressManager, host),
      )
      pmp.onMapped = ask
    }
    // NAT-PMP when a paced search found no IGD and nothing is mapped (RFC 6886 §1: a gateway
    // speaks one or the other; miniupnpd may speak both, then UPnP is found first).
    paceClient(upnp.portMappingClient, this.#pacer, tracker, () => {
      if (tracker.mapping() === null) void pmp?.attempt()
    })
    const startable = upnp as unknown as Startable
    await startable.start()
    return { upnp: startable, tracker, pmp, removeAddresses: () => rec.removeAll() }
  }

  async #close(e: Epoch): Promise<void> {
    // upnp-nat deletes its mappings (1 s budget each) and stops searching; NAT-PMP likewise.
    await Promise.all([Promise.resolve(e.upnp.stop()).catch(() => undefined), e.pmp?.stop()])
    e.removeAddresses()
  }

  async start(): Promise<void> {
    await this.#follower.evaluate()
  }

  async stop(): Promise<void> {
    await this.#follower.close()
  }

  /** The mapping held now, by either protocol (`kith status`'s `upnp`). */
  mapping(): UpnpInfo | null {
    const e = this.#follower.current()
    return e?.tracker.mapping() ?? e?.pmp?.info() ?? null
  }
}

/** Factory in the js-libp2p service style; list it after `autonat` in the services. */
export function kithUpnp(
  pacer: UpnpSearchPacer,
  opts: UpnpOptions,
): (components: KithUpnpComponents) => KithUpnp {
  return (components) => new KithUpnp(components, pacer, opts)
}
