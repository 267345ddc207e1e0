// Reachability of this node ('public' | 'private' | 'unknown'), read from what libp2p's address
// manager learned through identify and AutoNAT. js-libp2p v3 has no reachability event: AutoNAT
// marks an address verified (confirmObservedAddr) when peers could dial it back, or drops an
// observed address / unverifies a transport address when they could not. This module owns the
// interpretation of that address metadata and nothing else.
//
//  - 'public'  a verified, non-relay address with a public IP (or a DNS name), including
//              operator-announced addresses (`announce`), which libp2p treats as verified;
//  - 'private' we hold a relay (/p2p-circuit) address, or AutoNAT rejected one of our public
//              addresses (an unverified public transport address with a retry time, or a public
//              observed address that vanished without being verified);
//  - 'unknown' otherwise. On loopback or a LAN with no public address nothing can be learned, so
//              the status stays 'unknown' (expected in tests).
import { autoNAT } from '@libp2p/autonat'
import { getNetConfig, isLinkLocal, isPrivate } from '@libp2p/utils'
import { isMultiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { NatStatus } from './types.js'
import type { Libp2pEvents, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'

/** What the address manager reports of each of our addresses (libp2p's NodeAddress). */
export interface AddressInfo {
  multiaddr: Multiaddr
  verified: boolean
  type: string
  expires: number
}

export interface NatComponents {
  addressManager: { getAddressesWithMetadata(): AddressInfo[] }
  events: TypedEventTarget<Libp2pEvents>
}

export function isRelayAddr(ma: Multiaddr): boolean {
  return ma.getComponents().some((c) => c.name === 'p2p-circuit')
}

/** A non-relay address others could reach on the internet: public IP, or a DNS name. */
export function isPublicAddr(ma: Multiaddr): boolean {
  if (isRelayAddr(ma)) return false
  try {
    const config = getNetConfig(ma)
    if (config.type === 'ip4' || config.type === 'ip6') return !isPrivate(ma) && !isLinkLocal(ma)
    return 'host' in config && typeof config.host === 'string' && config.host !== 'localhost'
  } catch {
    return false
  }
}

export class NatTracker implements Startable {
  readonly #components: NatComponents
  /** Public observed addresses seen unverified, waiting for AutoNAT's verdict. */
  readonly #pending = new Set<string>()
  #rejected = false
  #started = false
  readonly #onUpdate = (): void => {
    this.status()
  }

  constructor(components: NatComponents) {
    this.#components = components
  }

  readonly [Symbol.toStringTag] = 'kith:nat'

  isStarted(): boolean {
    return this.#started
  }

  start(): void {
    this.#components.events.addEventListener('self:peer:update', this.#onUpdate)
    this.#components.events.addEventListener('peer:identify', this.#onUpdate)
    this.#started = true
  }

  stop(): void {
    this.#components.events.removeEventListener('self:peer:update', this.#onUpdate)
    this.#components.events.removeEventListener('peer:identify', this.#onUpdate)
    this.#started = false
  }

  /**
   * Workaround (libp2p 3.3.11): the address manager has no stop(), and a 'transport:close'
   * during libp2p.stop() arms its debounced self-address update, a ref'd 1 s timer that holds
   * the process after stop. Cancel it once everything has stopped.
   */
  afterStop(): void {
    const am = this.#components.addressManager as {
      _updatePeerStoreAddresses?: { stop?: () => void }
    }
    am._updatePeerStoreAddresses?.stop?.()
  }

  status(): NatStatus {
    const addrs = this.#components.addressManager.getAddressesWithMetadata()
    const present = new Set<string>()
    let relayed = false
    let unverifiedPublic = false
    let verifiedPublic = false
    for (const a of addrs) {
      if (isRelayAddr(a.multiaddr)) {
        relayed = true
        continue
      }
      if (!isPublicAddr(a.multiaddr)) continue
      const key = a.multiaddr.toString()
      present.add(key)
      if (a.verified) {
        verifiedPublic = true
        this.#pending.delete(key)
      } else if (a.type === 'observed') {
        this.#pending.add(key)
      } else if (a.type === 'transport' && a.expires > 0) {
        // AutoNAT unconfirmed a public interface address (unconfirm() sets a retry time).
        unverifiedPublic = true
      }
    }
    for (const key of this.#pending) {
      if (!present.has(key)) {
        // removeObservedAddr(): AutoNAT's dial-backs to this observed address failed.
        this.#pending.delete(key)
        this.#rejected = true
      }
    }
    if (verifiedPublic) {
      this.#rejected = false
      return 'public'
    }
    if (relayed || unverifiedPublic || this.#rejected) return 'private'
    return 'unknown'
  }
}

/** Factory in the js-libp2p service style: `services: { nat: natTracker() }`. */
export function natTracker(): (components: NatComponents) => NatTracker {
  return (components) => new NatTracker(components)
}

/**
 * @libp2p/autonat with its dial-back fixed. Workaround (autonat 3.0.28): the AutoNAT server
 * dials the address to verify with `openConnection(multiaddr)`, which returns the requester's
 * existing connection (libp2p reuses one per peer); its remote address (an ephemeral port) then
 * differs from the address asked about, the check fails, and the server *closes that
 * connection* — every public node asking a relay to verify its address was cut off from it.
 * Forcing a new connection for a dial-back to a multiaddr makes the server dial the address it
 * was asked about, as AutoNAT v1 intends (libp2p specs, autonat/README.md "Dial").
 */
export function autoNATService(
  init: Parameters<typeof autoNAT>[0] = {},
): ReturnType<typeof autoNAT> {
  const factory = autoNAT(init)
  return (components) => {
    const forced = new Proxy(components.connectionManager, {
      get(target, key, receiver) {
        if (key !== 'openConnection') return Reflect.get(target, key, receiver) as unknown
        return (
          peer: PeerId | Multiaddr | Multiaddr[],
          options: Parameters<typeof target.openConnection>[1] = {},
        ) => target.openConnection(peer, isMultiaddr(peer) ? { ...options, force: true } : options)
      },
    })
    const wrapped = new Proxy(components, {
      get(target, key, receiver) {
        if (key === 'connectionManager') return forced
        return Reflect.get(target, key, receiver) as unknown
      },
    })
    return factory(wrapped)
  }
}
