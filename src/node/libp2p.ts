// The KithNode (types.ts) on js-libp2p v3: key, transports, encryption, muxer and services, and
// the thin mapping from the string-typed KithNode interface to libp2p's objects. The protocol
// logic lives in its own modules: /kith/dm in dm/, redial and peer-store hygiene in dialer.ts,
// reachability in nat.ts. This module knows nothing of sessions or messages.
//
// Import src/platform/polyfill.ts first in any entry point (libp2p needs Promise.withResolvers,
// missing on Node 20).
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { dcutr } from '@libp2p/dcutr'
import { identify } from '@libp2p/identify'
import { passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import debug from 'debug'
import { createLibp2p } from 'libp2p'
import { AddrPolicy } from './addr-policy.js'
import { connectivity, dialAnchors, type ConnectivityInit } from './connectivity.js'
import { CARD_KEY_NAMESPACE, CardRouting, cardRecordPolicy } from './cards.js'
import { boundedKadDHT, type DhtLimits } from './dht/index.js'
import { dialer } from './dialer.js'
import { dm } from './dm/index.js'
import { gatedWebRTC, holePunch, type WebRTCDialer } from './holepunch.js'
import { mailbox } from './mailbox/index.js'
import { OfflineGate } from './offline-gate.js'
import { autoNATService, natTracker } from './nat.js'
import { PacedRandomWalk, withPacedWalk } from './random-walk.js'
import { KithPubsub, pubsubService } from './pubsub.js'
import type { PubsubGuard } from './pubsub-guard.js'
import { relayServer } from './relay.js'
import { ReservationClock } from './reservations.js'
import { ConnectionBudget } from './resources.js'
import { jitteredConnectionMonitor } from './conn-monitor.js'
import { sync } from './sync/index.js'
import { card, type CardHandler, type CardInit } from './card/index.js'
import { filebox, type FileBoxInit } from './file/box.js'
import { file, type FileInit, type FileRequest, type FileServeHandler } from './file/index.js'
import type { CardRoutingInit } from './cards.js'
import type { DialerInit, WatchState } from './dialer.js'
import type { DmInit } from './dm/index.js'
import type { HolePunchInit } from './holepunch.js'
import type { RelayLimits } from './relay.js'
import type { ResourceLimits } from './resources.js'
import type { MailboxInit } from './mailbox/index.js'
import type { MailboxItem, MailboxPolicy, MailboxSign, MailboxUsage } from './mailbox/types.js'
import type { SyncInit } from './sync/index.js'
import type {
  ConnectionInfo,
  DmHandler,
  KithNode,
  KithNodeOptions,
  NatStatus,
  NetworkInfo,
  NodeMetrics,
  ReservationInfo,
  PubsubVerdict,
  SyncHandler,
  SyncRequest,
  SyncResponse,
} from './types.js'
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = debug('kith:node')

/** Kith's own Kademlia protocol: Kith is its own DHT, not IPFS's (ARCHITECTURE.md). */
export const KITH_DHT_PROTOCOL = '/kith/kad/1.0.0'
/** Listen addresses when KithNodeOptions.listen is empty: TCP and WebSockets, any port. */
/** Delay before the bootstrap list is handed to libp2p (its default is 1,000 ms). */
export const BOOTSTRAP_DELAY_MS = 0

export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws']
/** Listen addresses added for a node that uses relays (KithNodeOptions.relayed): a reservation
 *  on the relays it knows, and WebRTC connections upgraded from relayed ones. */
export const RELAYED_LISTEN = ['/p2p-circuit', '/webrtc']
/** Relays a private node holds a reservation on at once (libp2p's default is 1). */
export const RELAY_RESERVATION_CONCURRENCY = 2

/** RTCIceServer entries for `host:port` STUN servers (IPv6 hosts in brackets). */
export function iceServers(stun: readonly string[]): Array<{ urls: string }> {
  return stun.map((hostPort) => ({ urls: `stun:${hostPort}` }))
}

/** Connection manager limits: a node is client, relay and mailbox for its contacts at once. */
export const MAX_CONNECTIONS = 400
/** Inbound connections one host may open per second (libp2p's default, 5, trips on a LAN party). */
export const INBOUND_CONNECTION_THRESHOLD = 50
/** Inbound connections being upgraded (Noise + yamux) at once (libp2p default 10). */
export const MAX_INCOMING_PENDING_CONNECTIONS = 50

/**
 * Largest yamux receive window of a stream (yamux's default cap is 16 MiB). A reader that
 * pauses a stream (the /kith/dm reader under backpressure) must be able to hold one whole
 * window unread, and libp2p resets a stream with more than 4 MiB unread (maxReadBufferLength).
 * Measured on loopback with the 16 MiB cap: 400 × 64 KiB frames to a handler taking 1 ms each
 * got the honest stream reset (StreamBufferError); with 2 MiB they all arrive. 2 MiB per RTT
 * is still 40 MB/s per stream at 50 ms.
 */
export const YAMUX_MAX_STREAM_WINDOW_BYTES = 2 * 1024 * 1024
/**
 * Inbound streams one connection may hold open at once, negotiated or not (yamux's default is
 * 1,000). The per-protocol caps of what a node runs sum to about 100 (dm 8, mailbox 4, sync 4,
 * meshsub 8, DHT 16, relay hop and stop, identify, ping, AutoNAT, DCUtR). A stream still
 * negotiating its protocol may hold one 256 KiB receive window for libp2p's 10 s negotiation
 * timeout, so this bounds what one connection pins before any handler runs (issue 11).
 */
export const YAMUX_MAX_INBOUND_STREAMS = 128

/** Timings the tests shorten. Production code passes nothing. */
export interface KithNodeTuning {
  dialer?: DialerInit
  dm?: DmInit
  /** /kith/mailbox timings and clock (holdings and policy come from KithNodeOptions.mailbox). */
  mailbox?: Omit<MailboxInit, 'holdings' | 'policy'>
  cards?: CardRoutingInit
  /** Tests: smaller DHT server bounds (dht/limits.ts). */
  dht?: Partial<DhtLimits>
  /** /kith/sync timings. */
  sync?: SyncInit
  /** /kith/card timings. */
  card?: CardInit
  /** /kith/file timings and caps. */
  file?: FileInit
  /** /kith/filebox timings and quotas (the directory comes from KithNodeOptions.filebox). */
  filebox?: Omit<FileBoxInit, 'dir'>
  holePunch?: HolePunchInit
  /** Tests: a relay server (KithNodeOptions.relayServer) with smaller limits. */
  relay?: RelayLimits
  /** Tests: e.g. refuse inbound connections from one peer (a NAT'd node). */
  connectionGater?: ConnectionGater
  /** Tests: network-state polling and sleep detection (connectivity.ts). */
  connectivity?: ConnectivityInit
  /** Tests: smaller connection budgets (resources.ts). */
  resources?: Partial<ResourceLimits>
  /** Tests: a shorter pubsub partial-frame timeout or smaller budgets (pubsub-guard.ts). */
  pubsubGuard?: { partialFrameTimeoutMs?: number; nodeBytes?: number; perPeerBytes?: number }
}

/** The PeerIds named by /p2p/ in multiaddrs (the configured relays: protected peers). */
function peersOf(addrs: readonly string[]): string[] {
  return addrs.flatMap((a) => {
    try {
      const p = multiaddr(a)
        .getComponents()
        .findLast((c) => c.name === 'p2p')?.value
      return p === undefined ? [] : [p]
    } catch {
      return []
    }
  })
}

type Listener = (peer: string, addrs: string[]) => void
type KithEvent = 'peer:connect' | 'peer:disconnect' | 'peer:discovery' | 'peer:identify'

/**
 * WebSockets listen everywhere; dialling them needs a global WebSocket (Node ≥ 22, or 20 with
 * --experimental-websocket). Without one, hide /ws addresses from the dialer so libp2p tries
 * TCP instead of failing on a ReferenceError.
 */
function webSocketsTransport(): ReturnType<typeof webSockets> {
  const factory = webSockets()
  return (components) => {
    const transport = factory(components)
    if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
      transport.dialFilter = () => []
    }
    return transport
  }
}

function parsePeer(field: string, peer: string): PeerId {
  try {
    return peerIdFromString(peer)
  } catch {
    throw new TypeError(`${field} is not a PeerId`)
  }
}

function parseAddrs(field: string, addrs: readonly string[]): Multiaddr[] {
  return addrs.map((a, i) => {
    try {
      return multiaddr(a)
    } catch {
      throw new TypeError(`${field}[${i}] is not a multiaddr`)
    }
  })
}

async function buildLibp2p(opts: KithNodeOptions, tuning: KithNodeTuning) {
  const seed = opts.identitySeed
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new RangeError('identitySeed must be 32 bytes')
  }
  // RFC 8032 §5.1.5: the Ed25519 key pair is derived from its 32-byte seed, so the libp2p key
  // (and PeerId) is the core's identity key (src/core/identity/identity.ts).
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
  /** The hole puncher's way to dial WebRTC, set by gatedWebRTC (holepunch.ts). */
  const webrtcDialer: WebRTCDialer = {}
  /** libp2p's randomWalk, paced (random-walk.ts): relay discovery and AutoNAT use it. */
  const walk = new PacedRandomWalk()
  const anchors = parseAddrs('bootstrap', opts.bootstrap)
  /** No dial leaves a socket while the host is offline (offline-gate.ts). */
  const gate = new OfflineGate()
  const peerDiscovery: Array<ReturnType<typeof mdns> | ReturnType<typeof bootstrap>> = []
  if (opts.mdns) peerDiscovery.push(mdns())
  // No start-up delay (the default is 1 s): a returning node should reach its relays, and the
  // mail they hold, at once.
  if (opts.bootstrap.length > 0) {
    peerDiscovery.push(bootstrap({ list: opts.bootstrap, timeout: BOOTSTRAP_DELAY_MS }))
  }
  // Who may hold a connection slot (resources.ts); configured relays are always protected.
  const budget = new ConnectionBudget(
    { maxConnections: MAX_CONNECTIONS, ...tuning.resources },
    peersOf(opts.bootstrap),
  )
  // Which addresses are dialled, in what order (addr-policy.ts): one object for libp2p's own
  // dials (gater, address sorter) and the dialer's.
  const addrPolicy = new AddrPolicy()
  return createLibp2p({
    start: false,
    privateKey,
    nodeInfo: { name: 'kith' },
    addresses: {
      listen: [
        ...(opts.listen.length > 0 ? opts.listen : DEFAULT_LISTEN),
        // Reserve slots on the relays we know and accept WebRTC upgrades (docs/connectivity.md).
        ...(opts.relayed === true ? RELAYED_LISTEN : []),
      ],
      ...(opts.announce != null && opts.announce.length > 0 ? { announce: opts.announce } : {}),
    },
    transports: [
      tcp(),
      webSocketsTransport(),
      // Never the library's default ICE servers (public Google/Cloudflare STUN: a privacy leak):
      // only the STUN servers we were given, or none (NOTES.md "Hole punching").
      // Dialled only by the hole puncher (holepunch.ts).
      gatedWebRTC(
        webRTC({ rtcConfiguration: { iceServers: iceServers(opts.stun ?? []) } }),
        webrtcDialer,
      ),
      withPacedWalk(
        circuitRelayTransport({ reservationConcurrency: RELAY_RESERVATION_CONCURRENCY }),
        walk,
      ),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [
      // yamux-window.ts (a WINDOW_UPDATE only past half a window) is NOT used: in the
      // multi-process group bench it raised p50 from ≈ 14 to ≈ 250–700 ms (cause not found yet).
      yamux({
        maxInboundStreams: YAMUX_MAX_INBOUND_STREAMS,
        streamOptions: { maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW_BYTES },
      }),
    ],
    peerDiscovery,
    connectionManager: {
      maxConnections: MAX_CONNECTIONS,
      inboundConnectionThreshold: INBOUND_CONNECTION_THRESHOLD,
      maxIncomingPendingConnections: MAX_INCOMING_PENDING_CONNECTIONS,
      addressSorter: addrPolicy.compare,
    },
    // The offline gate first (no socket while the network is gone; and our address rules, which
    // read the interfaces, are not even asked), then our address rules, then the budget.
    connectionGater: gate.gater(addrPolicy.gater(budget.gater(tuning.connectionGater))),
    // Replaced by connectionMonitor below: the same pings, each connection on its own phase.
    connectionMonitor: { enabled: false },
    services: {
      connectionMonitor: jitteredConnectionMonitor(),
      resources: budget.service(),
      identify: identify(),
      ping: ping(),
      // clientMode false: answer queries even before AutoNAT finds a public address (LANs,
      // loopback); passthroughMapper: keep private addresses in DHT answers (LAN peers).
      // Bounded server side (dht/index.ts): records capped, quotas per PeerId and /24, providers
      // refused, the selector on every put, inbound streams metered.
      dht: boundedKadDHT({
        protocol: KITH_DHT_PROTOCOL,
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        // Signed contact cards under /kith-card/<PeerId> (src/node/cards.ts): nothing else.
        records: { [CARD_KEY_NAMESPACE]: cardRecordPolicy() },
        ...(tuning.dht != null ? { limits: tuning.dht } : {}),
      }),
      autonat: withPacedWalk(autoNATService(), walk),
      // Network state (connectivity.ts): a reconnect round when the network is back or the
      // node woke up restarts the walks and dials the bootstrap relays; the dialer redials
      // contacts (Libp2pKithNode's constructor).
      connectivity: (
        components: Parameters<ReturnType<typeof connectivity>>[0] & {
          connectionManager: Parameters<typeof dialAnchors>[0]
        },
      ) => {
        const c = connectivity(tuning.connectivity)(components)
        gate.attach(c)
        c.onReconnect(() => {
          walk.reset()
          dialAnchors(components.connectionManager, anchors)
        })
        c.onProbe(() => gate.probe(components.connectionManager, anchors))
        return c
      },
      dcutr: dcutr(),
      holePunch: holePunch({
        enabled: opts.relayed === true,
        webrtc: webrtcDialer,
        ...tuning.holePunch,
      }),
      dm: dm(tuning.dm),
      addrPolicy: addrPolicy.service(),
      dialer: dialer({ ...tuning.dialer, policy: addrPolicy }),
      nat: natTracker(),
      mailbox: mailbox({ ...tuning.mailbox, ...opts.mailbox }),
      // Group messages (pubsub.ts) and group healing (sync/): design §3–4.
      pubsub: pubsubService(),
      sync: sync(tuning.sync),
      // First contact by a short invite link: our signed card to whoever proves its secret.
      card: card(tuning.card),
      file: file(tuning.file),
      filebox: filebox({
        ...tuning.filebox,
        ...(opts.filebox !== undefined ? { dir: opts.filebox.dir } : {}),
        ...(opts.mailbox?.policy !== undefined ? { policy: opts.mailbox.policy } : {}),
        limits: {
          ...tuning.filebox?.limits,
          ...(opts.filebox?.holdMs !== undefined ? { holdMs: opts.filebox.holdMs } : {}),
        },
      }),
      ...(opts.relayServer === true ? { relay: relayServer(tuning.relay) } : {}),
    },
  })
}

type KithLibp2p = Awaited<ReturnType<typeof buildLibp2p>>

export class Libp2pKithNode implements KithNode {
  readonly peerId: string
  /** The underlying js-libp2p node (DHT, handlers of other Kith protocols, tests). */
  readonly libp2p: KithLibp2p
  readonly #listeners = new Map<KithEvent, Set<Listener>>()
  /** Protocols each connected peer announced through identify. */
  readonly #protocols = new Map<string, string[]>()
  /** Contact cards in the DHT and our card's refresh (cards.ts). */
  readonly #cards: CardRouting
  /** Group topics on gossipsub (pubsub.ts). */
  readonly #pubsub: KithPubsub
  /** Since when each relay reservation is held (reservations.ts). */
  readonly #reservations = new ReservationClock()

  constructor(libp2p: KithLibp2p, tuning: KithNodeTuning = {}) {
    this.libp2p = libp2p
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
    // Network back or woke up (connectivity.ts): our addresses are read again (addr-policy.ts
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

  connections(): ConnectionInfo[] {
    return this.libp2p.getConnections().map((conn) => {
      const peerId = conn.remotePeer.toString()
      return {
        peerId,
        addrs: [conn.remoteAddr.toString()],
        // A relayed (circuit v2) connection carries limits; a direct one has none (NOTES.md). A
        // WebRTC connection counts once it answered its liveness probe (holepunch.ts).
        direct: conn.limits == null && !this.libp2p.services.holePunch.probing(conn.id),
        protocols: this.#protocols.get(peerId) ?? [],
      }
    })
  }

  isConnected(peer: string): boolean {
    return this.libp2p.getConnections(parsePeer('peer', peer)).length > 0
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

  onDm(handler: DmHandler): void {
    this.libp2p.services.dm.setHandler(handler)
  }

  async sendDm(peer: string, frames: Uint8Array[], addrs: string[] = []): Promise<void> {
    await this.libp2p.services.dm.send(parsePeer('peer', peer), frames, parseAddrs('addrs', addrs))
  }

  async mailboxDeposit(
    mailbox: string,
    recipient: string,
    envelope: Uint8Array,
    addrs: string[] = [],
  ): Promise<void> {
    const m = parsePeer('mailbox', mailbox)
    await this.libp2p.services.mailbox.deposit(m, recipient, envelope, parseAddrs('addrs', addrs))
  }

  async mailboxFetch(
    mailbox: string,
    sign: MailboxSign,
    addrs: string[] = [],
  ): Promise<MailboxItem[]> {
    const m = parsePeer('mailbox', mailbox)
    return await this.libp2p.services.mailbox.fetch(m, sign, parseAddrs('addrs', addrs))
  }

  async mailboxConfirm(
    mailbox: string,
    ids: string[],
    sign: MailboxSign,
    addrs: string[] = [],
  ): Promise<number> {
    const m = parsePeer('mailbox', mailbox)
    return await this.libp2p.services.mailbox.confirm(m, ids, sign, parseAddrs('addrs', addrs))
  }

  setMailboxPolicy(policy: MailboxPolicy): void {
    this.libp2p.services.mailbox.setPolicy(policy)
    // File chunks are held under the same rule as envelopes (node/file/box.ts).
    this.libp2p.services.filebox.setPolicy(policy)
  }

  mailboxUsage(): Promise<MailboxUsage | undefined> {
    return this.libp2p.services.mailbox.usage()
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

  onSyncRequest(handler: SyncHandler, allow?: (peer: string) => boolean): void {
    this.libp2p.services.sync.setHandler(handler, allow)
  }

  async syncFetch(peer: string, req: SyncRequest, addrs: string[] = []): Promise<SyncResponse> {
    const p = parsePeer('peer', peer)
    return await this.libp2p.services.sync.fetch(p, req, parseAddrs('addrs', addrs))
  }

  onCardRequest(handler: CardHandler): void {
    this.libp2p.services.card.setHandler(handler)
  }

  async fetchCard(peer: string, secret: Uint8Array, addrs: string[] = []): Promise<Uint8Array> {
    const p = parsePeer('peer', peer)
    return await this.libp2p.services.card.fetch(p, secret, parseAddrs('addrs', addrs))
  }

  onFileRequest(handler: FileServeHandler | undefined): void {
    this.libp2p.services.file.setHandler(handler)
  }

  async fileFetch(
    peer: string,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
    addrs: string[] = [],
  ): Promise<number> {
    const p = parsePeer('peer', peer)
    return await this.libp2p.services.file.fetch(p, req, onChunk, parseAddrs('addrs', addrs))
  }

  async fileboxDeposit(
    mailbox: string,
    recipient: string,
    fileId: Uint8Array,
    count: number,
    chunk: (index: number) => Promise<Uint8Array>,
    addrs: string[] = [],
  ): Promise<void> {
    const m = parsePeer('mailbox', mailbox)
    await this.libp2p.services.filebox.deposit(
      m,
      recipient,
      fileId,
      count,
      chunk,
      parseAddrs('addrs', addrs),
    )
  }

  async fileboxFetch(
    mailbox: string,
    req: FileRequest,
    onChunk: (index: number, data: Uint8Array) => void | Promise<void>,
    addrs: string[] = [],
  ): Promise<number> {
    const m = parsePeer('mailbox', mailbox)
    return await this.libp2p.services.filebox.fetch(m, req, onChunk, parseAddrs('addrs', addrs))
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

  /** The inbound gossipsub guard (pubsub-guard.ts): partial bytes held (diagnostics, tests). */
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

/** Builds a stopped node; call start(). */
export async function createKithNode(
  opts: KithNodeOptions,
  tuning: KithNodeTuning = {},
): Promise<Libp2pKithNode> {
  return new Libp2pKithNode(await buildLibp2p(opts, tuning), tuning)
}
