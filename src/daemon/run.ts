// How a daemon or relay runs (CLI.md "Node"): the home opened with a teardown stack, the local API
// served and daemon.json written as the last step of starting, the ready line, and the process's
// signals (SIGINT/SIGTERM stop it cleanly within SHUTDOWN_TIMEOUT_MS). Shared by ./daemon.ts and
// ./relay.ts, which own what they assemble; nothing here touches keys or messages.
import { join } from 'node:path'
import createDebug from 'debug'
import { DAEMON_FILE, type DaemonInfo } from '../api/client.js'
import { startApiServer, type ApiServer } from '../api/server.js'
import { WEB_SESSIONS_FILE } from '../api/web-auth.js'
import type { ChatApi } from '../service/index.js'
import type { SqliteNodeStore } from '../store/index.js'
import { ensureApiToken, refuseIfRunning, removeDaemonFile, writeFileAtomic } from './home-files.js'
import { openOrCreateStore } from './local.js'
import { writeErr, writeJson, writeOut } from './output.js'
import { errorName } from '../core/errors.js'

const log = createDebug('kith:daemon')

/** A shutdown that takes longer than this is cut short (exit 1). */
export const SHUTDOWN_TIMEOUT_MS = 10_000

/** Where the local API listens: 127.0.0.1 only (`--api`). */
export interface ApiListen {
  host: '127.0.0.1'
  port: number
}

export interface RunningDaemon {
  info: DaemonInfo
  name: string
  stop(): Promise<void>
}

export type Cleanup = () => Promise<void> | void

/**
 * Starts a daemon or a relay in `home`: refuses a home another daemon runs on, opens (or
 * creates) its store, then runs `assemble`, which pushes the undoing of each step it takes onto
 * `cleanup`. The running daemon's stop() runs that stack once, newest first, logging and
 * skipping steps that fail; so does a failed `assemble`, before its error is rethrown.
 */
export async function startInHome(
  home: string,
  name: string | undefined,
  passphrase: string | undefined,
  assemble: (store: SqliteNodeStore, cleanup: Cleanup[]) => Promise<Omit<RunningDaemon, 'stop'>>,
): Promise<RunningDaemon> {
  await refuseIfRunning(home)
  const { store, created } = openOrCreateStore(home, name, passphrase)
  if (created) writeErr(`kith: created a new identity ${store.peerId} in ${home}`)
  const cleanup: Cleanup[] = [() => store.close()]
  const undo = async () => {
    for (const fn of cleanup.reverse()) {
      try {
        await fn()
      } catch (err) {
        log('shutdown step failed: %s', errorName(err))
      }
    }
  }
  try {
    const running = await assemble(store, cleanup)
    log('ready: %s api %s', running.info.peerId, running.info.api)
    let stopping: Promise<void> | undefined
    return { ...running, stop: () => (stopping ??= undo()) }
  } catch (err) {
    await undo()
    throw err
  }
}

/** Starts `node`; one that fails to start is stopped (closing what it opened) before the error
 *  is rethrown. */
export async function startOrStop<N extends { start(): Promise<void>; stop(): Promise<void> }>(
  node: N,
): Promise<N> {
  try {
    await node.start()
  } catch (err) {
    await node.stop().catch(() => undefined)
    throw err
  }
  return node
}

/**
 * Starts the local API for `api` with the home's token, then writes daemon.json (0600, atomic):
 * the last step of starting a daemon or a relay. Registers their undoing in `cleanup`.
 */
export async function serveLocalApi(
  home: string,
  api: ChatApi,
  listen: ApiListen,
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
