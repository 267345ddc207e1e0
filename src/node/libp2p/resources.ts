// The node's connection budget (issue 11, finding 3): who may hold one of the MAX_CONNECTIONS
// slots. js-libp2p has no resource manager like go-libp2p's (p2p/host/resource-manager: system,
// transient, peer and protocol scopes); its connection manager refuses every inbound connection
// once maxConnections are open, before it knows the peer, and prunes only when outbound dials
// push it over the limit. So strangers could fill every slot for good. This module adds, in one
// place (the connection gater and `connection:open`):
//  - protected peers (accepted contacts, through setProtected; configured relays) are always
//    admitted and never evicted, and are tagged in the peer store so libp2p's own pruner
//    (connection-pruner.ts sorts by tag value) closes strangers first too;
//  - inbound strangers per IP and per network prefix (/24, IPv6 /48) are capped;
//  - strangers together hold at most MAX_CONNECTIONS - RESERVED_CONNECTIONS slots. When that
//    pool is full, a newcomer takes the slot of an evicted stranger chosen as Bitcoin Core's
//    inbound eviction does (node/eviction.cpp SelectNodeToEvict: the network group with the most
//    connections loses one, so no single group can crowd out the others), in that group the one
//    idle longest (no stream opened for the longest time).
// It knows nothing of contacts (the service's predicate decides) or of any protocol.
import { defineError } from '../../core/errors.js'
import { ipOf, ipPrefix, networkPrefix } from '../connectivity/net-prefix.js'
import debug from 'debug'
import type {
  Connection,
  ConnectionGater,
  Libp2pEvents,
  MultiaddrConnection,
  PeerData,
  PeerId,
  Startable,
  TypedEventTarget,
} from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node:resources')

/** Inbound connections from strangers one IP may hold. A home NAT or a small office shares one
 *  IP; 64 is a sixth of the slots, and ten daemons on one loopback in tests stay far below. */
export const MAX_STRANGER_CONNECTIONS_PER_IP = 64
/** Inbound connections from strangers one /24 (IPv6 /48: one site) may hold: a third of the
 *  slots, so one hosting network cannot take them all. */
export const MAX_STRANGER_CONNECTIONS_PER_PREFIX = 128
/** Slots strangers never take: contacts and configured relays always find room (a node is a
 *  client, relay and mailbox for its contacts at once; 40 covers a busy group member's links). */
export const RESERVED_CONNECTIONS = 40
/** An admitted inbound connection still being upgraded counts against its IP for this long
 *  (libp2p's inbound upgrade timeout is shorter). */
export const PENDING_ADMISSION_MS = 10_000
/** How long the service's answer to "is this peer protected?" is reused: a contact accepted
 *  just now is protected within 2 s. */
export const PROTECTED_CACHE_MS = 2_000
/** Peer-store tag of protected peers (its value orders libp2p's own pruning). */
export const PROTECTED_TAG = 'kith-protected'
const PROTECTED_TAG_VALUE = 100
const PROTECTED_TAG_TTL_MS = 60 * 60 * 1000

/** A stranger's connection was closed to make room (the node-wide stranger pool was full). */
export class ConnectionEvictedError extends defineError('ConnectionEvictedError') {}

export interface ResourceLimits {
  maxConnections: number
  reserved?: number
  perIp?: number
  perPrefix?: number
}

export interface ResourceMetrics {
  /** Stranger connections closed to admit another (Bitcoin-style eviction). */
  evicted: number
  /** Inbound strangers refused: their IP held MAX_STRANGER_CONNECTIONS_PER_IP. */
  deniedIp: number
  /** Inbound strangers refused: their /24 (/48) held MAX_STRANGER_CONNECTIONS_PER_PREFIX. */
  deniedPrefix: number
  /** Inbound strangers refused: the stranger pool was full and no one could be evicted. */
  deniedFull: number
}

export interface ResourcesComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: { getConnections(): Connection[] }
  peerStore: { merge(peer: PeerId, data: PeerData): Promise<unknown> }
}

interface Slot {
  id: string
  group: string
  /** When a stream was last opened on it (or it opened). */
  lastActive: number
}

/**
 * The stranger to evict, or undefined: the group with the most slots (ties: the group holding
 * the most recently active slot, as Bitcoin Core breaks ties by youngest), and in it the slot
 * idle longest.
 */
export function pickEviction(slots: readonly Slot[]): Slot | undefined {
  const groups = new Map<string, Slot[]>()
  for (const s of slots) groups.set(s.group, [...(groups.get(s.group) ?? []), s])
  let best: Slot[] | undefined
  const newest = (g: Slot[]): number => Math.max(...g.map((s) => s.lastActive))
  for (const g of groups.values()) {
    if (best === undefined || g.length > best.length) best = g
    else if (g.length === best.length && newest(g) > newest(best)) best = g
  }
  if (best === undefined) return undefined
  return best.reduce((a, b) => (b.lastActive < a.lastActive ? b : a))
}

type StrangerSlot = Slot & { conn: Connection; inbound: boolean; ip: string | undefined }

export class ConnectionBudget implements Startable {
  readonly #maxConnections: number
  readonly #reserved: number
  readonly #perIp: number
  readonly #perPrefix: number
  readonly #fixed: Set<string>
  readonly #pending: Array<{ addr: string; ip: string; at: number }> = []
  readonly #evicting = new Set<string>()
  readonly #metrics: ResourceMetrics = { evicted: 0, deniedIp: 0, deniedPrefix: 0, deniedFull: 0 }
  #isProtected: (peer: string) => boolean = () => false
  readonly #cache = new Map<string, { value: boolean; at: number }>()
  #c: ResourcesComponents | undefined

  /** `fixed`: PeerIds always protected (the configured relays). */
  constructor(limits: ResourceLimits, fixed: Iterable<string> = []) {
    this.#maxConnections = limits.maxConnections
    this.#reserved = limits.reserved ?? RESERVED_CONNECTIONS
    this.#perIp = limits.perIp ?? MAX_STRANGER_CONNECTIONS_PER_IP
    this.#perPrefix = limits.perPrefix ?? MAX_STRANGER_CONNECTIONS_PER_PREFIX
    this.#fixed = new Set(fixed)
  }

  readonly [Symbol.toStringTag] = 'kith:resources'

  /** The service factory: `services: { resources: budget.service() }`. */
  service(): (components: ResourcesComponents) => ConnectionBudget {
    return (components) => {
      this.#c = components
      return this
    }
  }

  start(): void {
    this.#c?.events.addEventListener('connection:open', this.#onOpen)
  }

  stop(): void {
    this.#c?.events.removeEventListener('connection:open', this.#onOpen)
    this.#pending.length = 0
    this.#evicting.clear()
  }

  setProtected(isProtected: (peer: string) => boolean): void {
    if (typeof isProtected !== 'function') throw new TypeError('isProtected must be a function')
    this.#isProtected = isProtected
    this.#cache.clear()
  }

  /** Whether `peer` is protected; the service's answer is cached PROTECTED_CACHE_MS per peer
   *  (admission scans every connection, and the predicate may be a database lookup). */
  isProtected(peer: string): boolean {
    if (this.#fixed.has(peer)) return true
    const now = Date.now()
    const hit = this.#cache.get(peer)
    if (hit !== undefined && now - hit.at < PROTECTED_CACHE_MS) return hit.value
    let value = false
    try {
      value = this.#isProtected(peer) === true
    } catch {
      value = false
    }
    if (this.#cache.size >= 4 * this.#maxConnections) this.#cache.clear()
    this.#cache.set(peer, { value, at: now })
    return value
  }

  metrics(): ResourceMetrics {
    return { ...this.#metrics }
  }

  /** The gater: `inner` (tests) first, then admission after Noise told us who the peer is. */
  gater(inner: ConnectionGater = {}): ConnectionGater {
    return {
      ...inner,
      denyInboundEncryptedConnection: async (peer: PeerId, maConn: MultiaddrConnection) => {
        if ((await inner.denyInboundEncryptedConnection?.(peer, maConn)) === true) return true
        return !this.admit(peer.toString(), maConn.remoteAddr)
      },
    }
  }

  /** Whether an inbound connection from `peer` at `addr` may have a slot (evicting if needed). */
  admit(peer: string, addr: Multiaddr): boolean {
    if (this.isProtected(peer)) return true
    const now = Date.now()
    while (this.#pending.length > 0 && now - this.#pending[0]!.at > PENDING_ADMISSION_MS) {
      this.#pending.shift()
    }
    const strangers = this.#strangers()
    const ip = ipOf(addr)
    if (ip !== undefined) {
      const prefix = ipPrefix(ip)
      const inbound = strangers.filter((s) => s.inbound && s.ip !== undefined)
      const ips = [...inbound.map((s) => s.ip), ...this.#pending.map((p) => p.ip)]
      if (ips.filter((i) => i === ip).length >= this.#perIp) {
        this.#metrics.deniedIp++
        return false
      }
      if (ips.filter((i) => i !== undefined && ipPrefix(i) === prefix).length >= this.#perPrefix) {
        this.#metrics.deniedPrefix++
        return false
      }
    }
    if (strangers.length + this.#pending.length >= this.#maxConnections - this.#reserved) {
      if (!this.#evictOne(strangers)) {
        this.#metrics.deniedFull++
        return false
      }
    }
    if (ip !== undefined) this.#pending.push({ addr: addr.toString(), ip, at: now })
    return true
  }

  #strangers(): StrangerSlot[] {
    const conns = this.#c?.connectionManager.getConnections() ?? []
    const out: StrangerSlot[] = []
    for (const conn of conns) {
      if (this.#evicting.has(conn.id) || conn.status !== 'open') continue
      if (this.isProtected(conn.remotePeer.toString())) continue
      const ip = ipOf(conn.remoteAddr)
      // A relayed connection's group is its relay: one relay cannot crowd out direct peers.
      const group = networkPrefix(conn.remoteAddr)
      const opened = conn.streams.map((s) => s.timeline.open)
      const lastActive = Math.max(conn.timeline.open, ...opened)
      out.push({ id: conn.id, group, lastActive, conn, inbound: conn.direction === 'inbound', ip })
    }
    return out
  }

  #evictOne(strangers: StrangerSlot[]): boolean {
    // Inbound strangers first; our own outbound dials (DHT peers) only if there is none.
    const inbound = strangers.filter((s) => s.inbound)
    const victim = pickEviction(inbound.length > 0 ? inbound : strangers)
    const slot = strangers.find((s) => s.id === victim?.id)
    if (slot === undefined) return false
    this.#metrics.evicted++
    this.#evicting.add(slot.id)
    log('evicting an idle stranger in %s', slot.group)
    const conn = slot.conn
    conn
      .close({ signal: AbortSignal.timeout(1_000) })
      .catch(() => conn.abort(new ConnectionEvictedError('evicted to make room')))
      .finally(() => this.#evicting.delete(slot.id))
    return true
  }

  readonly #onOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    // The connection's address is the raw one with /p2p/<peer> appended.
    const addr = conn.remoteAddr.toString()
    const i = this.#pending.findIndex((p) => addr === p.addr || addr.startsWith(p.addr + '/p2p/'))
    if (i >= 0) this.#pending.splice(i, 1)
    const peer = conn.remotePeer
    if (this.isProtected(peer.toString())) {
      const tag = { value: PROTECTED_TAG_VALUE, ttl: PROTECTED_TAG_TTL_MS }
      this.#c?.peerStore.merge(peer, { tags: { [PROTECTED_TAG]: tag } }).catch(() => undefined)
    }
    // Keep a few slots free for protected peers whatever opened: libp2p refuses every inbound
    // connection at maxConnections, before it can know the peer is protected.
    const total = this.#c?.connectionManager.getConnections().length ?? 0
    if (total >= this.#maxConnections - 2) this.#evictOne(this.#strangers())
  }
}
