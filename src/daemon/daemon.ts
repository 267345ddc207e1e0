// `kith daemon`: assembles one running node — store, libp2p node, ChatService, local API — and
// tears it down again (CLI.md "Node"). This module owns the order of that assembly and the listen
// ports remembered between runs; the home's files are in ./home-files.ts, running and signals
// in ./run.ts. Each layer's own behaviour is in its module; nothing here touches keys or messages.
// Loaded lazily by the CLI: it pulls in libp2p.
import { join } from 'node:path'
import createDebug from 'debug'
import type { DaemonInfo } from '../api/client.js'
import { FILEBOX_DIR } from '../node/file/box-store.js'
import { createKithNode } from '../node/kith-node.js'
import { MAILBOX_HOLDINGS } from '../node/mailbox/limits.js'
import { STUN_DEFAULT_PORT } from '../node/connectivity/stun.js'
import type { KithNode } from '../node/types.js'
import { nodeCrypto, nodeRng } from '../platform/node-crypto.js'
import { type ChatService, createChatService, DOWNLOADS_DIR, FILES_DIR } from '../service/index.js'
import type { ChatApi } from '../service/index.js'
import type { SqliteNodeStore } from '../store/index.js'
import {
  startInHome,
  startOrStop,
  runUntilSignalled,
  serveLocalApi,
  type ApiListen,
  type Cleanup,
  type RunningDaemon,
} from './run.js'
import { errorName } from '../core/errors.js'

const log = createDebug('kith:daemon')

/** Store settings holding the TCP and WebSocket ports of the last run (default listen only). */
export const SETTING_TCP_PORT = 'daemon.listen.tcpPort'
export const SETTING_WS_PORT = 'daemon.listen.wsPort'
/** Store setting holding the local API's port of the last run (with the default `--api`). */
export const SETTING_API_PORT = 'daemon.api.port'

export interface DaemonOptions {
  home: string
  /** Multiaddrs to listen on; empty: TCP and WebSockets on all interfaces, last used ports. */
  listen: string[]
  bootstrap: string[]
  /** `--mailbox MA` (repeatable, with /p2p/<id>): mailboxes the user chose besides the bootstrap
   *  relays and accepted contacts (src/service/offline/mailboxes.ts). */
  mailbox?: string[] | undefined
  /** STUN servers (`host:port`) for hole punching; default: port STUN_DEFAULT_PORT of every
   *  bootstrap peer with an IP address (a `kith relay` runs one). */
  stun?: string[] | undefined
  mdns: boolean
  /** Map the TCP listen port on the home router (UPnP IGD) when listening on a private address;
   *  false: `--no-upnp` (docs/connectivity.md "Port mapping"). */
  upnp?: boolean | undefined
  api: ApiListen
  passphrase?: string | undefined
  /** Name of the identity if the daemon has to create one. */
  name?: string | undefined
  json: boolean
}

function defaultListen(store: SqliteNodeStore): { listen: string[]; remembered: boolean } {
  const tcp = Number(store.getSetting(SETTING_TCP_PORT) ?? 0)
  const ws = Number(store.getSetting(SETTING_WS_PORT) ?? 0)
  const port = (p: number) => (Number.isInteger(p) && p > 0 && p < 65536 ? p : 0)
  return {
    listen: [`/ip4/0.0.0.0/tcp/${port(tcp)}`, `/ip4/0.0.0.0/tcp/${port(ws)}/ws`],
    remembered: port(tcp) !== 0 || port(ws) !== 0,
  }
}

function rememberPorts(store: SqliteNodeStore, addrs: string[]): void {
  const ws = addrs.map((a) => /\/tcp\/(\d+)\/ws(\/|$)/.exec(a)?.[1]).find((p) => p !== undefined)
  const tcp = addrs.map((a) => /\/tcp\/(\d+)(\/p2p\/|$)/.exec(a)?.[1]).find((p) => p !== undefined)
  if (tcp !== undefined) store.setSetting(SETTING_TCP_PORT, tcp)
  if (ws !== undefined) store.setSetting(SETTING_WS_PORT, ws)
}

/**
 * The API on the port of the last run when `--api` asks for any port (the default): the web app's
 * page has origin `http://127.0.0.1:PORT`, so only the same port lets an open page reconnect
 * after a restart (docs/web.md). That port taken by now: any free one, remembered in turn.
 */
async function serveApiOnRememberedPort(
  store: SqliteNodeStore,
  opts: DaemonOptions,
  api: ChatApi,
  node: { peerId: string; addrs(): string[] },
  cleanup: Cleanup[],
): Promise<DaemonInfo> {
  if (opts.api.port !== 0) return serveLocalApi(opts.home, api, opts.api, node, cleanup)
  const last = Number(store.getSetting(SETTING_API_PORT) ?? 0)
  let info: DaemonInfo | undefined
  if (Number.isInteger(last) && last > 0 && last < 65536) {
    try {
      info = await serveLocalApi(opts.home, api, { ...opts.api, port: last }, node, cleanup)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    }
  }
  info ??= await serveLocalApi(opts.home, api, opts.api, node, cleanup)
  store.setSetting(SETTING_API_PORT, new URL(info.api).port)
  return info
}

/** `host:port` of the STUN server each bootstrap peer with an IP address runs (`kith relay`). */
export function stunFromBootstrap(bootstrap: readonly string[]): string[] {
  const out = new Set<string>()
  for (const ma of bootstrap) {
    const m = /^\/ip([46])\/([^/]+)\//.exec(ma)
    if (m == null) continue
    out.add(m[1] === '6' ? `[${m[2]}]:${STUN_DEFAULT_PORT}` : `${m[2]}:${STUN_DEFAULT_PORT}`)
  }
  return [...out]
}

async function startNode(
  store: SqliteNodeStore,
  seed: Uint8Array,
  opts: DaemonOptions,
): Promise<KithNode> {
  const defaults = opts.listen.length === 0 ? defaultListen(store) : undefined
  const make = async (listen: string[]) => {
    const node = await createKithNode({
      identitySeed: seed,
      listen,
      bootstrap: opts.bootstrap,
      mdns: opts.mdns,
      upnp: opts.upnp ?? true,
      // With relays to use (bootstrap `kith relay` nodes): reserve on them, punch holes via WebRTC
      // with their STUN servers (docs/connectivity.md). Plain LAN/loopback nodes do neither.
      relayed: opts.bootstrap.length > 0,
      stun: opts.stun ?? stunFromBootstrap(opts.bootstrap),
      // Every node is a mailbox for its own contacts (the service sets that policy), within the
      // holdings' quotas.
      mailbox: { holdings: store.mailboxHoldings(MAILBOX_HOLDINGS) },
      // File chunks deposited by contacts for each other (node/file/box.ts), on disk.
      filebox: { dir: join(opts.home, FILEBOX_DIR) },
    })
    return await startOrStop(node)
  }
  try {
    return await make(defaults?.listen ?? opts.listen)
  } catch (err) {
    // The ports of the last run may be taken now: fall back to any free port.
    if (defaults?.remembered !== true) throw err
    log('last used ports unavailable (%s); listening on any port', errorName(err))
    return make([`/ip4/0.0.0.0/tcp/0`, `/ip4/0.0.0.0/tcp/0/ws`])
  }
}

/** Starts a node for `opts.home` and writes daemon.json. The caller prints the ready line. */
export function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  return startInHome(opts.home, opts.name, opts.passphrase, async (store, cleanup) => {
    const identity = store.protocol.getIdentityKeyPair()
    const name = store.getIdentityName()
    const seed = identity.exportSeed()
    let node: KithNode
    try {
      node = await startNode(store, seed, opts)
    } finally {
      seed.fill(0)
    }
    cleanup.push(() => node.stop())
    if (opts.listen.length === 0) rememberPorts(store, node.addrs())

    const service: ChatService = createChatService({
      store,
      node,
      identity,
      ctx: { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() },
      name,
      // Our mailboxes are only peers the user chose: these, and accepted contacts.
      mailboxes: { bootstrap: opts.bootstrap, explicit: opts.mailbox ?? [] },
      files: { dir: join(opts.home, FILES_DIR), downloads: join(opts.home, DOWNLOADS_DIR) },
    })
    cleanup.push(() => service.stop())
    await service.start()

    const info = await serveApiOnRememberedPort(store, opts, service, node, cleanup)
    return { info, name }
  })
}

/** `kith daemon`: runs until SIGINT/SIGTERM, then shuts down cleanly. Resolves the exit code. */
export function runDaemon(opts: DaemonOptions): Promise<number> {
  return runUntilSignalled('daemon', () => startDaemon(opts), opts.json)
}
