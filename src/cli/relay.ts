// `kith relay`: a public node anyone can deploy with one command (CLI.md "Node"; ARCHITECTURE.md
// "Network"): circuit relay v2 server (limits in src/node/relay.ts), Kad-DHT server, bootstrap
// peer for others, and mailbox for anyone within quotas (src/node/mailbox/limits.ts). It has no
// chat service: its local API answers /v1/status (with mailbox usage in `metrics.mailbox`) and
// /v1/peers, so `kith status` works against it, and refuses every chat route. This module owns
// that assembly and its teardown; the files it leaves in KITH_HOME are the daemon's
// (`daemon.json`, `api-token`), and its identity and holdings live in the same store a daemon
// uses, so both survive restarts. Loaded lazily: it pulls in libp2p.
import { join } from 'node:path'
import createDebug from 'debug'
import { FILEBOX_DIR } from '../node/file/box-store.js'
import { createKithNode, type Libp2pKithNode } from '../node/libp2p.js'
import { MAILBOX_MAX_TTL_MS } from '../node/mailbox/limits.js'
import { startStunServer, type StunMetrics, type StunServer } from '../node/stun.js'
import { ServiceError } from '../service/errors.js'
import type { ChatApi, NodeStatus } from '../service/types.js'
import type { SqliteNodeStore } from '../store/index.js'
import { openHome, runUntilSignalled, serveLocalApi, type RunningDaemon } from './daemon.js'
import { UsageError, writeErr } from './output.js'

const log = createDebug('kith:relay')

/** Default listen addresses of a relay: fixed, well-known ports, so that its address can be
 *  published (bootstrap lists, other nodes' cards): TCP 4001 (the port libp2p nodes customarily
 *  use) and WebSockets on 4002 for browsers, on all interfaces. */
export const RELAY_DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws']
/** Identity name of a relay created without --name. */
export const RELAY_DEFAULT_NAME = 'kith-relay'

export interface RelayOptions {
  home: string
  /** Multiaddrs to listen on; empty: RELAY_DEFAULT_LISTEN. */
  listen: string[]
  /** Public addresses to announce instead (behind port forwarding or a load balancer). */
  announce: string[]
  /** Other relays to join the DHT through. */
  bootstrap: string[]
  /** UDP port of the STUN server next to the relay (STUN_DEFAULT_PORT; 0: any); undefined: no
   *  STUN server (`--no-stun`). */
  stunPort?: number | undefined
  mdns: boolean
  api: { host: '127.0.0.1'; port: number }
  passphrase?: string | undefined
  name?: string | undefined
  json: boolean
  /** `--mailbox-ttl`: how long held envelopes are kept (default MAILBOX_TTL_MS). */
  mailboxTtlMs?: number | undefined
  /** `--file-hold-hours`: how long deposited file chunks are kept (default FILE_HOLD_MS). */
  fileHoldMs?: number | undefined
}

/** Longest `--file-hold-hours` (30 days): a file box is a short-term courier, not storage. */
export const MAX_FILE_HOLD_HOURS = 720

/** `--file-hold-hours N` (1 to MAX_FILE_HOLD_HOURS), or UsageError. */
export function parseFileHoldHours(value: string): number {
  const n = /^\d{1,4}$/.test(value) ? Number(value) : NaN
  if (!(n >= 1 && n <= MAX_FILE_HOLD_HOURS)) {
    throw new UsageError(`--file-hold-hours must be 1 to ${MAX_FILE_HOLD_HOURS}, not "${value}"`)
  }
  return n * 3_600_000
}

/** `--mailbox-ttl N[d|h|m]` (bare N: days), 1 minute to MAILBOX_MAX_TTL_MS, or UsageError. */
export function parseMailboxTtl(value: string): number {
  const m = /^(\d{1,6})(d|h|m)?$/.exec(value)
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[m?.[2] ?? 'd'] ?? 86_400_000
  const ms = Number(m?.[1]) * unit
  if (m === null || ms < 60_000 || ms > MAILBOX_MAX_TTL_MS) {
    throw new UsageError(
      `--mailbox-ttl must be 1m to ${MAILBOX_MAX_TTL_MS / 86_400_000}d (e.g. 14d, 36h), not "${value}"`,
    )
  }
  return ms
}

/** Every chat route of the local API on a relay. */
export class NotAvailableOnRelayError extends ServiceError {
  override readonly name = 'NotAvailableOnRelay'
  readonly code = 'NotAvailableOnRelay'
  readonly status = 404
}

export type RelayStatus = NodeStatus & {
  relay: { reservations: number; stun?: { port: number } & StunMetrics }
}

/** The local API of a relay: status and peers; everything else is NotAvailableOnRelay. */
export function relayApi(node: Libp2pKithNode, name: string, stun?: StunServer): ChatApi {
  const refuse = (): never => {
    throw new NotAvailableOnRelayError('a relay has no chat: only /v1/status and /v1/peers')
  }
  return {
    status: (): RelayStatus => ({
      peerId: node.peerId,
      name,
      addrs: node.addrs(),
      connections: node.connections().length,
      nat: node.nat(),
      // A relay uses no mailbox: it is one (its holdings are in metrics.mailbox.usage).
      mailboxes: [],
      metrics: node.metrics(),
      relay: {
        reservations: relayReservations(node),
        ...(stun != null ? { stun: { port: stun.port, ...stun.metrics() } } : {}),
      },
    }),
    peers: () => node.connections(),
    invite: refuse,
    addContact: () => Promise.reject(new NotAvailableOnRelayError('a relay has no contacts')),
    listContacts: refuse,
    removeContact: refuse,
    renameContact: refuse,
    blockContact: refuse,
    unblockContact: refuse,
    listRequests: refuse,
    acceptRequest: refuse,
    blockRequest: refuse,
    safetyNumber: refuse,
    confirmSafetyNumber: refuse,
    send: refuse,
    waitDelivered: () => Promise.reject(new NotAvailableOnRelayError('a relay sends nothing')),
    messages: refuse,
    profile: refuse,
    setProfileName: refuse,
    on: () => () => undefined,
  }
}

function relayReservations(node: Libp2pKithNode): number {
  const services = node.libp2p.services as { relay?: { reservations: { size: number } } }
  return services.relay?.reservations.size ?? 0
}

async function startNode(store: SqliteNodeStore, opts: RelayOptions): Promise<Libp2pKithNode> {
  const identity = await store.protocol.getIdentityKeyPair()
  const seed = identity.exportSeed()
  try {
    const node = await createKithNode({
      identitySeed: seed,
      listen: opts.listen.length > 0 ? opts.listen : RELAY_DEFAULT_LISTEN,
      announce: opts.announce,
      bootstrap: opts.bootstrap,
      mdns: opts.mdns,
      relayServer: true,
      // A mailbox for anyone, within the default quotas (the holdings refuse beyond them).
      // Quotas per recipient, depositor, depositor network prefix and in total (limits.ts).
      mailbox: {
        holdings: store.mailboxHoldings(
          opts.mailboxTtlMs !== undefined ? { ttlMs: opts.mailboxTtlMs } : {},
        ),
        policy: () => true,
      },
      // Sealed file chunks deposited for recipients, on disk, same rule (anyone within quotas).
      filebox: {
        dir: join(opts.home, FILEBOX_DIR),
        ...(opts.fileHoldMs !== undefined ? { holdMs: opts.fileHoldMs } : {}),
      },
    })
    try {
      await node.start()
    } catch (err) {
      await node.stop().catch(() => undefined)
      throw err
    }
    return node
  } finally {
    seed.fill(0)
  }
}

/** Starts a relay for `opts.home` and writes daemon.json. The caller prints the ready line. */
export async function startRelay(opts: RelayOptions): Promise<RunningDaemon> {
  const { store, cleanup, undo } = await openHome(
    opts.home,
    opts.name ?? RELAY_DEFAULT_NAME,
    opts.passphrase,
  )
  try {
    const name = store.getIdentityName()
    const node = await startNode(store, opts)
    cleanup.push(() => node.stop())
    // The STUN server WebRTC hole punching needs (docs/connectivity.md): daemons that bootstrap
    // from this relay use <its IP>:STUN_DEFAULT_PORT.
    // A taken port does not stop the relay (circuits, DHT and mailboxes work without it); it
    // says so, and `status` then reports no `relay.stun`.
    let stun: StunServer | undefined
    if (opts.stunPort !== undefined) {
      try {
        const server = await startStunServer(opts.stunPort)
        cleanup.push(() => server.close())
        stun = server
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name
        writeErr(`kith relay: no STUN server (UDP ${opts.stunPort}: ${code}); nodes behind NATs`)
        writeErr('  using this relay will not learn their public UDP address (no hole punching)')
      }
    }
    const api = relayApi(node, name, stun)
    const info = await serveLocalApi(opts.home, api, opts.api, node, cleanup)
    log('relay ready: %s api %s', info.peerId, info.api)
    let stopping: Promise<void> | undefined
    return { info, name, stop: () => (stopping ??= undo()) }
  } catch (err) {
    await undo()
    throw err
  }
}

/** `kith relay`: runs until SIGINT/SIGTERM, then shuts down cleanly. Resolves the exit code. */
export function runRelay(opts: RelayOptions): Promise<number> {
  return runUntilSignalled(
    'relay',
    () => startRelay(opts),
    opts.json,
    ' (give these to others as bootstrap / relay addresses)',
  )
}
