// Libp2pKithNode: the KithNode port (types.ts) over a built js-libp2p node (./libp2p/node.ts builds
// it) — the thin mapping from the string-typed KithNode interface to libp2p's objects and its
// services: lifecycle, status and metrics, peers and the watch list, pubsub, DHT cards, and the
// events the service listens to. The stream protocols' ports (dm, mailbox, sync, file, /kith/card)
// are ./stream-ports.ts, which it extends. The protocol logic lives in its own modules (dm/,
// mailbox/, sync/, connectivity/dialer.ts, card/routing.ts, …); this module knows nothing of
// sessions or messages.
import debug from 'debug'
import { CardRouting } from './card/routing.js'
import { KithPubsub } from './pubsub/index.js'
import type { PubsubGuard } from './pubsub/guard.js'
import { ReservationClock } from './connectivity/reservations.js'
import type { WatchState } from './connectivity/dial-round.js'
import type { ConnectionInfo, KithNode, PubsubVerdict } from './types.js'
import type { NatStatus, NetworkInfo, NodeMetrics, ReservationInfo, UpnpInfo } from './status.js'
import { buildLibp2p, type KithLibp2p } from './libp2p/node.js'
import type { KithNodeOptions, KithNodeTuning } from './libp2p/options.js'
import { parseAddrs, parsePeer } from './parse.js'
import { StreamPorts } from './stream-ports.js'

const log = debug('kith:node')

type Listener = (peer: string, addrs: string[]) => void
type KithEvent = 'peer:connect' | 'peer:disconnect' | 'peer:discovery' | 'peer:identify'

export class Libp2pKithNode extends StreamPorts implements KithNode {
  readonly peerId: string
  readonly #listeners = new Map<KithEvent, Set<Listener>>()
  /** Protocols each connected peer announced through identify. */
  readonly #protocols = new Map<string, string[]>()
  /** Contact cards in the DHT and our card's refresh (card/routing.ts). */
  readonly #cards: CardRouting
  /** Group topics on gossipsub (pubsub/index.ts). */
  readonly #pubsub: KithPubsub
  /** Since when each relay reservation is held (connectivity/reservations.ts). */
  readonly #reservations = new ReservationClock()

  constructor(libp2p: KithLibp2p, tuning: KithNodeTuning = {}) {
    super(libp2p)
    this.peerId = libp2p.peerId.toString()
    this.#cards = new CardRouting(
      {
        peerId: this.peerId,
        dht: libp2p.services.dht,
        peerRouting: libp2p.peerRouting,
        events: libp2p,
      },
      tuning.cards,
    )
    this.#pubsub = new KithPubsub(libp2p.services.pubsub, tuning.pubsubGuard)
    // A watched peer whose addresses all failed is looked up by its card and peer routing.
    libp2p.services.dialer.setLookup((peer, options) => this.#cards.lookupAddrs(peer, options))
    // Network back or woke up (connectivity/connectivity.ts): our addresses are read again (connectivity/addr-policy.ts
    // OWN_ADDRS_TTL_MS) and contacts are redialled at once.
    libp2p.services.connectivity.onReconnect(() => {
      libp2p.services.addrPolicy.invalidate()
      libp2p.services.dialer.redialAll()
    })
    libp2p.addEventListener('peer:connect', (evt) => {
      this.#emit('peer:connect', evt.detail.toString(), [])
    })
    libp2p.addEventListener('peer:disconnect', (evt) => {
      const peer = evt.detail.toString()
      this.#protocols.delete(peer)
      this.#emit('peer:disconnect', peer, [])
    })
    libp2p.addEventListener('self:peer:update', () => {
      this.#reservations.update(libp2p.getMultiaddrs())
    })
    libp2p.addEventListener('peer:discovery', (evt) => {
      const addrs = evt.detail.multiaddrs.map((ma) => ma.toString())
      this.#emit('peer:discovery', evt.detail.id.toString(), addrs)
    })
    libp2p.addEventListener('peer:identify', (evt) => {
      const peer = evt.detail.peerId.toString()
      this.#protocols.set(peer, [...evt.detail.protocols])
      // The peer's own listen addresses, so they can be remembered and dialled back later.
      const addrs = evt.detail.listenAddrs.map((ma) => `${ma.toString()}/p2p/${peer}`)
      this.#emit('peer:identify', peer, addrs)
    })
  }

  async start(): Promise<void> {
    await this.libp2p.start()
    this.#cards.start()
    log('started %s on %o', this.peerId, this.addrs())
  }

  async stop(): Promise<void> {
    this.#cards.stop()
    await this.libp2p.stop()
    this.#protocols.clear()
    log('stopped %s', this.peerId)
  }

  addrs(): string[] {
    return this.libp2p.getMultiaddrs().map((ma) => ma.toString())
  }

  candidateAddrs(): string[] {
    const self = `/p2p/${this.peerId}`
    const all = this.libp2p.services.addrPolicy
      .candidates()
      .map((ma) => ma.toString())
      .map((a) => (a.endsWith(self) ? a : `${a}${self}`))
    return [...new Set(all)]
  }

  connections(): ConnectionInfo[] {
    const holePunch = this.libp2p.services.holePunch
    return this.libp2p.getConnections().map((conn) => {
      const peerId = conn.remotePeer.toString()
      return {
        peerId,
        addrs: [conn.remoteAddr.toString()],
        // A relayed (circuit v2) connection carries limits; a direct one has none (NOTES.md). A
        // WebRTC connection counts once it answered its liveness probe (connectivity/holepunch.ts).
        direct: conn.limits == null && !holePunch.probing(conn.id),
        since: Math.max(conn.timeline.open, holePunch.verifiedAt(conn) ?? 0),
        protocols: this.#protocols.get(peerId) ?? [],
      }
    })
  }

  isConnected(peer: string): boolean {
    return this.libp2p.getConnections(parsePeer('peer', peer)).length > 0
  }

  /** Reservations held on our circuit relay server (`kith relay`); 0 on a node that runs none. */
  relayReservations(): number {
    return this.libp2p.services.relay?.reservations.size ?? 0
  }

  nat(): NatStatus {
    return this.libp2p.services.nat.status()
  }

  network(): NetworkInfo {
    const c = this.libp2p.services.connectivity
    return { state: c.state(), since: c.since() }
  }

  reservations(): ReservationInfo[] {
    return this.#reservations.update(this.libp2p.getMultiaddrs())
  }

  upnp(): UpnpInfo | null {
    return this.libp2p.services.upnp?.mapping() ?? null
  }

  metrics(): NodeMetrics {
    return {
      network: this.libp2p.services.connectivity.counts(),
      ...this.libp2p.services.dm.metrics(),
      mailbox: this.libp2p.services.mailbox.metrics(),
      syncRejected: this.libp2p.services.sync.rejected(),
      cardRejected: this.libp2p.services.card.rejected(),
      file: this.libp2p.services.file.metrics(),
      filebox: this.libp2p.services.filebox.metrics(),
      holePunch: this.libp2p.services.holePunch.metrics(),
      dht: this.libp2p.services.dht.kithMetrics(),
      resources: this.libp2p.services.resources.metrics(),
      pubsubRejected: this.#pubsub.guard.rejected(),
    }
  }

  setProtectedPeers(isProtected: (peer: string) => boolean): void {
    this.libp2p.services.resources.setProtected(isProtected)
  }

  pubsubSubscribe(
    topic: string,
    validate: (data: Uint8Array) => PubsubVerdict,
    onMessage: (data: Uint8Array) => void,
  ): void {
    this.#pubsub.subscribe(topic, validate, onMessage)
  }

  pubsubUnsubscribe(topic: string): void {
    this.#pubsub.unsubscribe(topic)
  }

  pubsubPublish(topic: string, data: Uint8Array): Promise<number> {
    return this.#pubsub.publish(topic, data)
  }

  pubsubPeers(topic: string): string[] {
    return this.#pubsub.peers(topic)
  }

  watch(peer: string, addrs: string[]): void {
    this.libp2p.services.dialer.watch(parsePeer('peer', peer), parseAddrs('addrs', addrs))
  }

  unwatch(peer: string): void {
    this.libp2p.services.dialer.unwatch(parsePeer('peer', peer))
  }

  async publishCard(signedCard: Uint8Array): Promise<void> {
    await this.#cards.publish(signedCard)
  }

  findCard(peer: string): Promise<Uint8Array | undefined> {
    return this.#cards.findCard(peer)
  }

  findPeerAddrs(peer: string): Promise<string[]> {
    return this.#cards.findPeerAddrs(peer)
  }

  setCardSource(makeCard: (() => Promise<Uint8Array>) | undefined): void {
    this.#cards.setSource(makeCard)
  }

  /** The inbound gossipsub guard (pubsub/guard.ts): partial bytes held (diagnostics, tests). */
  get pubsubGuard(): PubsubGuard {
    return this.#pubsub.guard
  }

  /** The dialer's view of a watched peer (diagnostics, tests). */
  watchState(peer: string): WatchState | undefined {
    return this.libp2p.services.dialer.watchState(peer)
  }

  on(event: 'peer:connect' | 'peer:disconnect', fn: (peer: string) => void): void
  on(event: 'peer:discovery' | 'peer:identify', fn: (peer: string, addrs: string[]) => void): void
  on(event: KithEvent, fn: Listener): void {
    let set = this.#listeners.get(event)
    if (set == null) {
      set = new Set()
      this.#listeners.set(event, set)
    }
    set.add(fn)
  }

  #emit(event: KithEvent, peer: string, addrs: string[]): void {
    for (const fn of this.#listeners.get(event) ?? []) {
      try {
        fn(peer, addrs)
      } catch (err) {
        log('%s listener threw: %s', event, err instanceof Error ? err.name : String(err))
      }
    }
  }
}

/** Builds a stopped node (js-libp2p with Kith's protocols, ./libp2p/node.ts); call start(). */
export async function createKithNode(
  opts: KithNodeOptions,
  tuning: KithNodeTuning = {},
): Promise<Libp2pKithNode> {
  return new Libp2pKithNode(await buildLibp2p(opts, tuning), tuning)
}
