// `kith daemon`: assembles one running node — store, libp2p node, ChatService, local API — and
// tears it down again (CLI.md "Node"). This module owns the order of that assembly, the files a
// running daemon leaves in KITH_HOME (`api-token`, `daemon.json`, both 0600, written atomically),
// the listen ports remembered between runs, and signal handling. Each layer's own behaviour is in
// its module; nothing here touches keys or messages. Loaded lazily: it pulls in libp2p.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { chmodSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import createDebug from 'debug'
import {
  ApiClient,
  DAEMON_FILE,
  DaemonNotRunningError,
  TOKEN_FILE,
  type DaemonInfo,
} from '../api/client.js'
import { startApiServer, type ApiServer } from '../api/server.js'
import { WEB_SESSIONS_FILE } from '../api/web-auth.js'
import { FILEBOX_DIR } from '../node/file/box-store.js'
import { createKithNode } from '../node/libp2p.js'
import { STUN_DEFAULT_PORT } from '../node/stun.js'
import type { KithNode } from '../node/types.js'
import { nodeCrypto, nodeRng } from '../platform/node-crypto.js'
import { createChatService, type ChatService } from '../service/chat.js'
import { DOWNLOADS_DIR, FILES_DIR } from '../service/files/limits.js'
import type { ChatApi } from '../service/types.js'
import type { SqliteNodeStore } from '../store/index.js'
import { openOrCreateStore } from './local.js'
import { UsageError, writeErr, writeJson, writeOut } from './output.js'

const log = createDebug('kith:daemon')

/** Store settings holding the TCP and WebSocket ports of the last run (default listen only). */
export const SETTING_TCP_PORT = 'daemon.listen.tcpPort'
export const SETTING_WS_PORT = 'daemon.listen.wsPort'
/** Store setting holding the local API's port of the last run (with the default `--api`). */
export const SETTING_API_PORT = 'daemon.api.port'
/** A shutdown that takes longer than this is cut short (exit 1). */
export const SHUTDOWN_TIMEOUT_MS = 10_000

export interface DaemonOptions {
  home: string
  /** Multiaddrs to listen on; empty: TCP and WebSockets on all interfaces, last used ports. */
  listen: string[]
  bootstrap: string[]
  /** `--mailbox MA` (repeatable, with /p2p/<id>): mailboxes the user chose besides the bootstrap
   *  relays and accepted contacts (src/service/mailboxes.ts). */
  mailbox?: string[] | undefined
  /** STUN servers (`host:port`) for hole punching; default: port STUN_DEFAULT_PORT of every
   *  bootstrap peer with an IP address (a `kith relay` runs one). */
  stun?: string[] | undefined
  mdns: boolean
  api: { host: '127.0.0.1'; port: number }
  passphrase?: string | undefined
  /** Name of the identity if the daemon has to create one. */
  name?: string | undefined
  json: boolean
}

export interface RunningDaemon {
  info: DaemonInfo
  name: string
  stop(): Promise<void>
}

export class DaemonRunningError extends Error {
  override readonly name = 'DaemonRunning'
}

/** Writes `data` to `path` atomically (tmp + fsync + rename) with mode 0600. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, data)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}

/** The API token of `home`: created once (32 random bytes, hex, 0600), then reused. */
export function ensureApiToken(home: string): string {
  const path = join(home, TOKEN_FILE)
  try {
    const existing = readFileSync(path, 'utf8').trim()
    if (/^[0-9a-f]{64}$/.test(existing)) {
      chmodSync(path, 0o600)
      return existing
    }
  } catch {
    // none yet
  }
  const token = randomBytes(32).toString('hex')
  writeFileAtomic(path, `${token}\n`)
  return token
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

/** `--mailbox MA`: a multiaddr naming its peer (/p2p/<id>), or UsageError. */
export function parseMailboxAddr(value: string): string {
  let peer: string | undefined
  try {
    peer = multiaddr(value)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value
  } catch {
    peer = undefined
  }
  if (peer === undefined) {
    throw new UsageError(`--mailbox must be a multiaddr ending in /p2p/<PeerId>, not "${value}"`)
  }
  return value
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
      // With relays to use (bootstrap `kith relay` nodes): reserve on them, punch holes via WebRTC
      // with their STUN servers (docs/connectivity.md). Plain LAN/loopback nodes do neither.
      relayed: opts.bootstrap.length > 0,
      stun: opts.stun ?? stunFromBootstrap(opts.bootstrap),
      // Every node is a mailbox for its own contacts (the service sets that policy), within the
      // holdings' quotas.
      mailbox: { holdings: store.mailboxHoldings() },
      // File chunks deposited by contacts for each other (node/file/box.ts), on disk.
      filebox: { dir: join(opts.home, FILEBOX_DIR) },
    })
    try {
      await node.start()
    } catch (err) {
      await node.stop().catch(() => undefined)
      throw err
    }
    return node
  }
  try {
    return await make(defaults?.listen ?? opts.listen)
  } catch (err) {
    // The ports of the last run may be taken now: fall back to any free port.
    if (defaults?.remembered !== true) throw err
    log('last used ports unavailable (%s); listening on any port', (err as Error).name)
    return make([`/ip4/0.0.0.0/tcp/0`, `/ip4/0.0.0.0/tcp/0/ws`])
  }
}

/** Throws DaemonRunningError if a daemon of `home` answers (a dead pid or a silent API: stale). */
export async function refuseIfRunning(home: string): Promise<void> {
  let pid = 0
  try {
    const client = ApiClient.fromHome(home)
    pid = client.info.pid
    await client.status()
  } catch (err) {
    if (err instanceof DaemonNotRunningError) return
    // It answered, if only to refuse our token: something is running there.
  }
  throw new DaemonRunningError(`a daemon (pid ${pid}) is already running for ${home}`)
}

type Cleanup = () => Promise<void> | void

/**
 * The first step of starting a daemon or a relay: refuses a home another daemon runs on, opens
 * (or creates) its store, and returns a teardown stack — `undo` runs it newest first, logging
 * and skipping steps that fail.
 */
export async function openHome(
  home: string,
  name: string | undefined,
  passphrase: string | undefined,
): Promise<{ store: SqliteNodeStore; cleanup: Cleanup[]; undo: () => Promise<void> }> {
  await refuseIfRunning(home)
  const { store, created } = openOrCreateStore(home, name, passphrase)
  if (created) writeErr(`kith: created a new identity ${store.peerId} in ${home}`)
  const cleanup: Cleanup[] = [() => store.close()]
  const undo = async () => {
    for (const fn of cleanup.reverse()) {
      try {
        await fn()
      } catch (err) {
        log('shutdown step failed: %s', (err as Error).name)
      }
    }
  }
  return { store, cleanup, undo }
}

/** Starts a node for `opts.home` and writes daemon.json. The caller prints the ready line. */
export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const { store, cleanup, undo } = await openHome(opts.home, opts.name, opts.passphrase)
  try {
    const identity = await store.protocol.getIdentityKeyPair()
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
    log('ready: %s api %s', info.peerId, info.api)

    let stopping: Promise<void> | undefined
    return { info, name, stop: () => (stopping ??= undo()) }
  } catch (err) {
    await undo()
    throw err
  }
}

/**
 * Starts the local API for `api` with the home's token, then writes daemon.json (0600, atomic):
 * the last step of starting a daemon or a relay. Registers their undoing in `cleanup`.
 */
export async function serveLocalApi(
  home: string,
  api: ChatApi,
  listen: DaemonOptions['api'],
  node: { peerId: string; addrs(): string[] },
  cleanup: Cleanup[],
): Promise<DaemonInfo> {
  const token = ensureApiToken(home)
  const webSessionsFile = join(home, WEB_SESSIONS_FILE)
  const uploadDir = join(home, 'uploads') // browser uploads, staged then sealed (src/api/upload.ts)
  const server: ApiServer = await startApiServer(api, {
    ...listen,
    token,
    webSessionsFile,
    uploadDir,
  })
  cleanup.push(() => server.close())
  const info: DaemonInfo = {
    pid: process.pid,
    peerId: node.peerId,
    addrs: node.addrs(),
    api: server.url,
  }
  const daemonFile = join(home, DAEMON_FILE)
  writeFileAtomic(daemonFile, `${JSON.stringify(info)}\n`)
  cleanup.push(() => removeDaemonFile(daemonFile))
  return info
}

/** Removes daemon.json if it is still ours (a newer daemon may have replaced it). */
export function removeDaemonFile(path: string): void {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as Partial<DaemonInfo>
    if (info.pid === process.pid) rmSync(path, { force: true })
  } catch {
    // already gone
  }
}

/** `kith daemon`: runs until SIGINT/SIGTERM, then shuts down cleanly. Resolves the exit code. */
export function runDaemon(opts: DaemonOptions): Promise<number> {
  return runUntilSignalled('daemon', () => startDaemon(opts), opts.json)
}

/**
 * Runs a node (`kith daemon` or `kith relay`) in the foreground until SIGINT/SIGTERM; resolves the
 * exit code. Signals are handled from the start: one that arrives while the node starts stops it
 * as soon as it is up instead of killing it half-assembled; a second one exits at once.
 */
export async function runUntilSignalled(
  kind: 'daemon' | 'relay',
  start: () => Promise<RunningDaemon>,
  json: boolean,
  listenNote = '',
): Promise<number> {
  let signalled: NodeJS.Signals | undefined
  let onStop: ((signal: NodeJS.Signals) => void) | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled !== undefined) {
      writeErr(`kith: ${signal} again, exiting now`)
      process.exit(1)
    }
    signalled = signal
    onStop?.(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const running = await start()
  const { info } = running
  if (signalled === undefined) printReady(kind, running, json, listenNote)
  return new Promise<number>((resolve) => {
    onStop = (signal) => {
      log('%s: shutting down', signal)
      const timer = setTimeout(() => {
        writeErr(`ShutdownTimeout: the ${kind} did not stop in time`)
        resolve(1)
      }, SHUTDOWN_TIMEOUT_MS)
      timer.unref()
      running.stop().then(
        () => {
          clearTimeout(timer)
          log('stopped %s', info.peerId)
          resolve(0)
        },
        () => resolve(1),
      )
    }
    if (signalled !== undefined) onStop(signalled)
  })
}

function printReady(kind: string, daemon: RunningDaemon, json: boolean, listenNote: string): void {
  const { info } = daemon
  if (json) {
    writeJson({ event: 'ready', peerId: info.peerId, addrs: info.addrs, api: info.api })
    return
  }
  writeOut(
    [
      `kith ${kind} ready (pid ${info.pid})`,
      `  peer id  ${info.peerId}`,
      `  name     ${daemon.name}`,
      `  api      ${info.api}`,
      `  listening on${listenNote}`,
      ...info.addrs.map((a) => `    ${a}`),
      'Stop it with Ctrl-C.',
    ].join('\n'),
  )
}
