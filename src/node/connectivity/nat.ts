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
import { getNetConfig, isLinkLocal, isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { cancelSelfAddressUpdate } from '../libp2p/patches.js'
import type { NatStatus } from '../status.js'
import type { Libp2pEvents, Startable, TypedEventTarget } from '@libp2p/interface'

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

  /** Once everything has stopped: the address manager's pending timer (../libp2p/patches.ts). */
  afterStop(): void {
    cancelSelfAddressUpdate(this.#components.addressManager)
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
