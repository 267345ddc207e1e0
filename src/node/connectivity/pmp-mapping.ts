// One TCP mapping of our listen port on a NAT-PMP gateway (RFC 6886; docs/connectivity.md "Port
// mapping"): made on request, renewed at half its lifetime, deleted on stop, entered into
// libp2p's address manager as a public address mapping (announced only once AutoNAT confirms it,
// as with UPnP) and reported as `kith status`'s `upnp` with protocol `nat-pmp`. This module owns
// that lifecycle; the wire is ./pmp.ts's, when to try (pacing, which network) ./port-mapping.ts's.
import { isPrivateIp } from '@libp2p/utils'
import debug from 'debug'
import { PMP_FIRST_TIMEOUT_MS, PMP_TRIES, type PmpClient } from './pmp.js'
import type { UpnpInfo } from '../status.js'

const log = debug('kith:node:pmp')

/** Lifetime asked for, in seconds: the UPnP path's UPNP_LEASE_MS (1 h) so a killed daemon's
 *  mapping ends as soon under either protocol. Renewed at half the granted lifetime (§3.3). */
export const PMP_LIFETIME_S = 3_600
/** Budget of the delete sent on stop (as the UPnP path's 1 s in upnp-nat's UPnPPortMapper.stop). */
export const PMP_STOP_BUDGET_MS = 1_000

/** What PmpMapping needs of libp2p's address manager. */
export interface PublicMappings {
  addPublicAddressMapping(ih: string, ip: number, eh: string, ep: number, p: 'tcp'): void
  removePublicAddressMapping(ih: string, ip: number, eh: string, ep: number, p: 'tcp'): void
}

interface Held {
  internalHost: string
  internalPort: number
  external: string
  externalPort: number
  since: number
}

/** The TCP mapping of our listen port on one NAT-PMP gateway: made by attempt(), renewed at
 *  half its lifetime, deleted by stop(). */
export class PmpMapping {
  readonly #client: PmpClient
  readonly #am: PublicMappings
  readonly #ports: (local: string) => number[]
  #held: Held | undefined
  #busy = false
  #stopped = false
  #renew: ReturnType<typeof setTimeout> | undefined
  /** Called after a new mapping entered the address manager (to ask AutoNAT at once). */
  onMapped: () => void = () => undefined

  /** `ports(local)`: our TCP listen ports on address `local` (the one facing the gateway). */
  constructor(client: PmpClient, am: PublicMappings, ports: (local: string) => number[]) {
    this.#client = client
    this.#am = am
    this.#ports = ports
  }

  info(): UpnpInfo | null {
    const h = this.#held
    if (h === undefined) return null
    return {
      gateway: this.#client.gateway,
      externalAddr: `/ip4/${h.external}/tcp/${h.externalPort}`,
      since: h.since,
      protocol: 'nat-pmp',
    }
  }

  /** Maps our listen port unless a mapping is held or being made; errors are logged. */
  async attempt(): Promise<void> {
    if (this.#held !== undefined || this.#busy || this.#stopped) return
    this.#busy = true
    try {
      const { external, local } = await this.#client.externalAddress()
      // A private external address: the router is behind another NAT (carrier-grade); a
      // mapping there would announce nothing reachable (upnp-nat's DoubleNATError likewise).
      if (isPrivateIp(external) !== false) {
        log('NAT-PMP gateway %s is behind another NAT: not mapping', this.#client.gateway)
        return
      }
      const port = this.#ports(local)[0]
      if (port === undefined || this.#stopped) return
      const grant = await this.#client.mapTcp(port, PMP_LIFETIME_S)
      if (this.#stopped) {
        await this.#client.mapTcp(port, 0).catch(() => undefined)
        return
      }
      this.#hold(
        {
          internalHost: local,
          internalPort: port,
          external,
          externalPort: grant.externalPort,
          since: Date.now(),
        },
        grant.lifetimeS,
      )
      log(
        'mapped a TCP port on NAT-PMP gateway %s: %s',
        this.#client.gateway,
        this.info()?.externalAddr,
      )
      this.onMapped()
    } catch (err) {
      log(
        'NAT-PMP on %s: %s',
        this.#client.gateway,
        err instanceof Error ? err.message : String(err),
      )
    } finally {
      this.#busy = false
    }
  }

  #hold(h: Held, lifetimeS: number): void {
    const old = this.#held
    if (old !== undefined && (old.external !== h.external || old.externalPort !== h.externalPort))
      this.#am.removePublicAddressMapping(
        old.internalHost,
        old.internalPort,
        old.external,
        old.externalPort,
        'tcp',
      )
    if (old === undefined || old.external !== h.external || old.externalPort !== h.externalPort)
      this.#am.addPublicAddressMapping(
        h.internalHost,
        h.internalPort,
        h.external,
        h.externalPort,
        'tcp',
      )
    this.#held = { ...h, since: old?.since ?? h.since }
    clearTimeout(this.#renew)
    // §3.3: renew at half the lifetime the gateway granted (it may grant less than asked).
    this.#renew = setTimeout(
      () => void this.#renewNow(Date.now() + lifetimeS * 1000),
      (lifetimeS * 1000) / 2,
    )
    this.#renew.unref()
  }

  /** Renews the mapping; on failure tries again at half the time left, and drops it (its
   *  address withdrawn) once it has expired. */
  async #renewNow(expiresAt: number): Promise<void> {
    const h = this.#held
    if (h === undefined || this.#stopped) return
    try {
      const { external } = await this.#client.externalAddress()
      const grant = await this.#client.mapTcp(h.internalPort, PMP_LIFETIME_S)
      if (!this.#stopped)
        this.#hold({ ...h, external, externalPort: grant.externalPort }, grant.lifetimeS)
    } catch (err) {
      const left = expiresAt - Date.now()
      log(
        'NAT-PMP renewal failed (%s), %d s left',
        err instanceof Error ? err.message : String(err),
        Math.round(left / 1000),
      )
      if (left <= PMP_FIRST_TIMEOUT_MS * 2 ** PMP_TRIES) {
        this.#drop()
        return
      }
      this.#renew = setTimeout(() => void this.#renewNow(expiresAt), left / 2)
      this.#renew.unref()
    }
  }

  /** Forgets the mapping and withdraws its address. */
  #drop(): Held | undefined {
    clearTimeout(this.#renew)
    const h = this.#held
    this.#held = undefined
    if (h !== undefined)
      this.#am.removePublicAddressMapping(
        h.internalHost,
        h.internalPort,
        h.external,
        h.externalPort,
        'tcp',
      )
    return h
  }

  /** Withdraws the address and deletes the mapping on the gateway (within PMP_STOP_BUDGET_MS;
   *  a gateway out of reach lets the lifetime end it). */
  async stop(): Promise<void> {
    this.#stopped = true
    const h = this.#drop()
    if (h === undefined) return
    await this.#client
      .mapTcp(h.internalPort, 0, AbortSignal.timeout(PMP_STOP_BUDGET_MS))
      .catch((err: unknown) =>
        log('NAT-PMP delete failed: %s', err instanceof Error ? err.message : String(err)),
      )
  }
}
