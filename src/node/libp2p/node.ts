// The KithNode (../types.ts) on js-libp2p v3, built: key, transports, encryption, muxer and services
// with their named limits (createKithNode). The mapping from the KithNode interface to libp2p's
// objects is ../kith-node.ts (Libp2pKithNode, re-exported here); what tests may shorten is
// ./tuning.ts (KithNodeTuning); the protocol logic lives in its own modules: /kith/dm in dm/,
// redial and peer-store hygiene in ../connectivity/dialer.ts, reachability in
// ../connectivity/nat.ts, the js-libp2p workarounds in patches.ts. This module knows nothing of
// sessions.
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
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { yamux } from '@libp2p/yamux'
import { yamuxLazyWindow } from './yamux-window.js'
import { batchedNoise } from './write-batch.js'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { AddrPolicy } from '../connectivity/addr-policy.js'
import { installInterfacesCache } from '../connectivity/interfaces-cache.js'
import { parseAddrs } from '../parse.js'
import { connectivity } from '../connectivity/connectivity.js'
import { dialAnchors } from '../connectivity/anchors.js'
import { CARD_KEY_NAMESPACE, cardRecordPolicy } from '../card/record.js'
import { boundedKadDHT } from '../dht/index.js'
import { dialer } from '../connectivity/dialer.js'
import { dm } from '../dm/index.js'
import { gatedWebRTC, rtcConfiguration, type WebRTCDialer } from '../connectivity/webrtc.js'
import {
  punchPrimer,
  type PrimerComponents,
  type PrimerInit,
  type PunchPrimer,
} from '../connectivity/prime.js'
import { holePunch } from '../connectivity/holepunch.js'
import { mailbox } from '../mailbox/index.js'
import { OfflineGate } from '../connectivity/offline-gate.js'
import { natTracker } from '../connectivity/nat.js'
import { upnpAllowed, UpnpSearchPacer } from '../connectivity/upnp.js'
import { kithUpnp } from '../connectivity/port-mapping.js'
import { autoNATService, webSocketsTransport } from './patches.js'
import { PacedRandomWalk, withPacedWalk } from './random-walk.js'
import { pubsubService } from '../pubsub/index.js'
import { relayServer } from '../connectivity/relay.js'
import { ConnectionBudget } from './resources.js'
import { jitteredConnectionMonitor } from './conn-monitor.js'
import { sync } from '../sync/index.js'
import { card } from '../card/index.js'
import { filebox } from '../file/box.js'
import { file } from '../file/index.js'
import type { KithNodeOptions, KithNodeTuning } from './options.js'

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
/**
 * Outbound /ipfs/ping/1.0.0 streams one connection may hold at once (@libp2p/ping 3.1's default is
 * 1). Connection pings (conn-monitor.ts, like libp2p 3.3's own monitor) and hole-punch probes
 * (../connectivity/holepunch.ts) use the ping service's protocol, so they are held to the same limit; libp2p's
 * monitor let its pings overlap (each waits up to its adaptive timeout, 5–60 s) and took the
 * resulting TooManyOutboundProtocolStreamsError for a dead peer, aborting a healthy, busy
 * connection with every stream on it (test/node/sync-abuse.test.ts: whole strangers' held
 * requests reset). Ours never overlaps and ignores that error; four leaves room for probes.
 * patches.ts "pingStreamLimit"; canary: test/node/ping-limit.test.ts.
 */
export const PING_MAX_OUTBOUND_STREAMS = 4
/** Inbound ping streams one connection may hold at once (the default is 2): a peer whose monitor
 *  pings overlap, as above, is answered instead of reset. */
export const PING_MAX_INBOUND_STREAMS = 4

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

export async function buildLibp2p(opts: KithNodeOptions, tuning: KithNodeTuning) {
  const seed = opts.identitySeed
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new RangeError('identitySeed must be 32 bytes')
  }
  // RFC 8032 §5.1.5: the Ed25519 key pair is derived from its 32-byte seed, so the libp2p key
  // (and PeerId) is the core's identity key (src/core/identity/identity.ts).
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
  /** The hole puncher's way to dial WebRTC, set by gatedWebRTC (../connectivity/holepunch.ts). */
  const webrtcDialer: WebRTCDialer = {}
  /** libp2p's randomWalk, paced (random-walk.ts): relay discovery and AutoNAT use it. */
  const walk = new PacedRandomWalk()
  const anchors = parseAddrs('bootstrap', opts.bootstrap)
  /** No dial leaves a socket while the host is offline (../connectivity/offline-gate.ts). */
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
  // Which addresses are dialled, in what order (../connectivity/addr-policy.ts): one object for libp2p's own
  // dials (gater, address sorter) and the dialer's.
  const addrPolicy = new AddrPolicy()
  // One netlink read of the interfaces shared by libp2p's address listings (interfaces-cache.ts).
  installInterfacesCache()
  const listen = opts.listen.length > 0 ? opts.listen : DEFAULT_LISTEN
  /** Gateway searches for the port mapping, when this node may map at all; whether it maps on
   *  the network of the moment is decided again on every change (../connectivity/port-mapping.ts). */
  const upnpOpts = { ...opts, listen }
  const upnpPacer = upnpAllowed(upnpOpts) ? new UpnpSearchPacer() : undefined
  return createLibp2p({
    start: false,
    privateKey,
    nodeInfo: { name: 'kith' },
    addresses: {
      listen: [
        ...listen,
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
      // Dialled only by the hole puncher (../connectivity/holepunch.ts).
      gatedWebRTC(
        // rtcConfiguration: a function, so a primed punch gets its port (connectivity/prime.ts).
        webRTC({ rtcConfiguration: rtcConfiguration(iceServers(opts.stun ?? [])) }),
        webrtcDialer,
      ),
      withPacedWalk(
        circuitRelayTransport({ reservationConcurrency: RELAY_RESERVATION_CONCURRENCY }),
        walk,
      ),
    ],
    // Noise whose connections send one socket write per loop turn (write-batch.ts).
    connectionEncrypters: [batchedNoise(tuning.transport)],
    streamMuxers: [
      // yamux-window.ts (a WINDOW_UPDATE only past half a window) is NOT used by default: it
      // raised group latency before write batching and saved no measurable CPU after it
      // (docs/performance.md "Groups"); benches switch it on through tuning.transport.
      (tuning.transport?.lazyWindowUpdates === true ? yamuxLazyWindow : yamux)({
        // The connection monitor pings through the muxer (conn-monitor.ts, every ≈ 10 s, and it
        // aborts a silent connection); yamux's own keep-alive (30 s, never aborting) would be a
        // second ping of every connection.
        enableKeepAlive: false,
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
      connectionMonitor: jitteredConnectionMonitor(tuning.connectionMonitor),
      resources: budget.service(),
      identify: identify(),
      ping: ping({
        maxOutboundStreams: PING_MAX_OUTBOUND_STREAMS,
        maxInboundStreams: PING_MAX_INBOUND_STREAMS,
      }),
      // clientMode false: answer queries even before AutoNAT finds a public address (LANs,
      // loopback); passthroughMapper: keep private addresses in DHT answers (LAN peers).
      // Bounded server side (dht/index.ts): records capped, quotas per PeerId and /24, providers
      // refused, the selector on every put, inbound streams metered.
      dht: boundedKadDHT({
        protocol: KITH_DHT_PROTOCOL,
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        // Signed contact cards under /kith-card/<PeerId> (src/node/card/routing.ts): nothing else.
        records: { [CARD_KEY_NAMESPACE]: cardRecordPolicy() },
        ...(tuning.dht != null ? { limits: tuning.dht } : {}),
      }),
      autonat: withPacedWalk(autoNATService(), walk),
      // Network state (../connectivity/connectivity.ts): a reconnect round when the network is back or the
      // node woke up restarts the walks and dials the bootstrap relays; the dialer redials
      // contacts (Libp2pKithNode's constructor).
      connectivity: (
        components: Parameters<ReturnType<typeof connectivity>>[0] & {
          connectionManager: Parameters<typeof dialAnchors>[0]
        },
      ) => {
        const c = connectivity(tuning.connectivity)(components)
        gate.attach(c)
        upnpPacer?.attach(() => c.state() === 'offline')
        c.onReconnect(() => {
          walk.reset()
          upnpPacer?.reset()
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
      // Group messages (../pubsub/index.ts) and group healing (sync/): design §3–4.
      pubsub: pubsubService(tuning.pubsub),
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
      // Opens our NAT before a punch (../connectivity/prime.ts); the hole puncher and the
      // WebRTC answer reach it through webrtcDialer.
      ...(opts.relayed === true
        ? { prime: primerFor(webrtcDialer, { stun: opts.stun ?? [], ...tuning.prime }) }
        : {}),
      // After autonat: it asks AutoNAT to confirm a new mapping (components.autonat).
      ...(upnpPacer !== undefined ? { upnp: kithUpnp(upnpPacer, upnpOpts) } : {}),
    },
  })
}

/** The punch primer service, registered with the hole puncher's WebRTC dialer. */
function primerFor(dialer: WebRTCDialer, init: PrimerInit) {
  return (components: PrimerComponents): PunchPrimer => {
    const primer = punchPrimer(init)(components)
    dialer.prime = (peer, signal) => primer.prime(peer, signal)
    dialer.answerPort = (peer) => primer.take(peer)
    return primer
  }
}

/** The js-libp2p node buildLibp2p makes, with Kith's services (Libp2pKithNode wraps it). */
export type KithLibp2p = Awaited<ReturnType<typeof buildLibp2p>>
