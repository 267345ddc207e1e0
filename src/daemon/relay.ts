// `kith relay`: a public node anyone can deploy with one command (CLI.md "Node"; ARCHITECTURE.md
// "Network"): circuit relay v2 server (limits in src/node/connectivity/relay.ts), Kad-DHT server, bootstrap
// peer for others, and mailbox for anyone within quotas (src/node/mailbox/limits.ts). It has no
// chat service: its local API answers /v1/status (with mailbox usage in `metrics.mailbox`) and
// /v1/peers, so `kith status` works against it, and refuses every chat route. This module owns
// that assembly and its teardown; the files it leaves in KITH_HOME are the daemon's
// (`daemon.json`, `api-token`: ./home-files.ts), its API ./relay-api.ts, and its identity and holdings live in the same store a daemon
// uses, so both survive restarts. Loaded lazily: it pulls in libp2p.
import { join } from 'node:path'
import { FILEBOX_DIR } from '../node/file/box-store.js'
import { createKithNode, type Libp2pKithNode } from '../node/kith-node.js'
import { MAILBOX_HOLDINGS } from '../node/mailbox/limits.js'
import { startStunServer, type StunServer } from '../node/connectivity/stun.js'
import type { SqliteNodeStore } from '../store/index.js'
import { writeErr } from './output.js'
import { RelayApi } from './relay-api.js'
import {
  startInHome,
  startOrStop,
  runUntilSignalled,
  serveLocalApi,
  type ApiListen,
  type RunningDaemon,
} from './run.js'
import { errorName } from '../core/errors.js'

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
  api: ApiListen
  passphrase?: string | undefined
  name?: string | undefined
  json: boolean
  /** `--mailbox-ttl`: how long held envelopes are kept (default MAILBOX_TTL_MS). */
  mailboxTtlMs?: number | undefined
  /** `--file-hold-hours`: how long deposited file chunks are kept (default FILE_HOLD_MS). */
  fileHoldMs?: number | undefined
}

async function startNode(store: SqliteNodeStore, opts: RelayOptions): Promise<Libp2pKithNode> {
  const identity = store.protocol.getIdentityKeyPair()
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
          MAILBOX_HOLDINGS,
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
    return await startOrStop(node)
  } finally {
    seed.fill(0)
  }
}

/** Starts a relay for `opts.home` and writes daemon.json. The caller prints the ready line. */
export function startRelay(opts: RelayOptions): Promise<RunningDaemon> {
  const identityName = opts.name ?? RELAY_DEFAULT_NAME
  return startInHome(opts.home, identityName, opts.passphrase, async (store, cleanup) => {
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
        const code = (err as NodeJS.ErrnoException).code ?? errorName(err)
        writeErr(`kith relay: no STUN server (UDP ${opts.stunPort}: ${code}); nodes behind NATs`)
        writeErr('  using this relay will not learn their public UDP address (no hole punching)')
      }
    }
    const api = new RelayApi(node, name, stun)
    const info = await serveLocalApi(opts.home, api, opts.api, node, cleanup)
    return { info, name }
  })
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
