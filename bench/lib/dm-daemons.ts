// Real Kith daemons for the dm bench: each is `./bin/kith daemon` in a temp KITH_HOME on
// 127.0.0.1 with mDNS off (the idea of test/integration/harness.ts; a bench must not import from
// test/). This module owns spawning a daemon and timing it to its ready line, a keep-alive HTTP
// client for its local API, its /v1/events WebSocket, reading a process's RSS, and killing every
// process it started (also if the bench dies). It knows nothing of what a bench measures.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request, type ClientRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import WebSocket from 'ws'

const root = new URL('../../', import.meta.url).pathname
export const KITH = join(root, 'bin/kith')
/** What bin/kith runs node with (tsx's loader and the Node 20 polyfill), for other children. */
export const NODE_LOADER_ARGS = [
  '--import',
  `file://${join(root, 'node_modules/tsx/dist/loader.mjs')}`,
  '--import',
  `file://${join(root, 'src/platform/polyfill.ts')}`,
]

/** A daemon that does not print its ready line within this long failed to start. */
export const READY_TIMEOUT_MS = 60_000
/** SIGTERM first; a process still alive after this is killed. */
const STOP_GRACE_MS = 10_000

const running = new Set<ChildProcess>()
const homes = new Set<string>()

// If the bench throws or is interrupted, no child outlives it.
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL')
  for (const h of homes) rmSync(h, { recursive: true, force: true })
})

export function newHome(name: string): string {
  const home = mkdtempSync(join(tmpdir(), `kith-bench-${name}-`))
  homes.add(home)
  return home
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true })
  homes.delete(home)
}

export interface Child {
  name: string
  proc: ChildProcess
  pid: number
  /** performance.now() at spawn (profile windows are relative to it). */
  spawnedAt: number
  /** Milliseconds from spawn() to the ready line. */
  readyMs: number
  /** The parsed ready line. */
  ready: Record<string, unknown>
  stderr: string[]
}

/**
 * Spawns `cmd args` and resolves when it prints a JSON line with `"event":"ready"` on stdout,
 * with the time from spawn to that line.
 */
export function spawnUntilReady(
  name: string,
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Child> {
  const start = performance.now()
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
  running.add(proc)
  proc.once('exit', () => running.delete(proc))
  const stderr: string[] = []
  proc.stderr.on('data', (d: Buffer) => stderr.push(d.toString()))
  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`${name}: no ready line in ${READY_TIMEOUT_MS} ms; ${stderr.join('')}`))
    }, READY_TIMEOUT_MS)
    const onExit = (code: number | null) => {
      clearTimeout(timer)
      reject(new Error(`${name}: exited ${code} before ready; stderr: ${stderr.join('')}`))
    }
    proc.once('exit', onExit)
    const rl = createInterface({ input: proc.stdout })
    rl.on('line', (line) => {
      let ev: Record<string, unknown>
      try {
        ev = JSON.parse(line) as Record<string, unknown>
      } catch {
        return
      }
      if (ev.event !== 'ready') return
      const readyMs = performance.now() - start
      clearTimeout(timer)
      proc.off('exit', onExit)
      rl.close()
      proc.stdout.resume()
      resolve({ name, proc, pid: proc.pid!, spawnedAt: start, readyMs, ready: ev, stderr })
    })
  })
}

/** Stops a child with SIGTERM (SIGKILL after a grace period); resolves when it has exited. */
export function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS)
    proc.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    proc.kill('SIGTERM')
  })
}

/** Kills every child still running (SIGTERM, then SIGKILL) and removes every temp home. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => stopChild(p)))
  for (const h of [...homes]) removeHome(h)
}

/** VmRSS of a live process, in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(kb) / 1024
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux/x86). */
const USER_HZ = 100

/** CPU time (user + system, all threads) a live process has used so far, in ms (Linux /proc). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after "(comm)": state is the 3rd field of the line, utime the 14th, stime the 15th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ
}

// ---- daemons ----------------------------------------------------------------------------------

export interface Daemon extends Child {
  home: string
  peerId: string
  api: string
  /** The libp2p TCP listen port. */
  port: number
  token: string
}

export interface DaemonOptions {
  home?: string
  /** Extra environment (DEBUG…). */
  env?: Record<string, string>
  /**
   * Extra node flags (`--cpu-prof`, which Node 20 refuses in NODE_OPTIONS). With them, node is
   * run directly with the arguments bin/kith would give it.
   */
  nodeFlags?: string[]
}

/** Starts `kith daemon` in `home` (a new temp home by default) listening on a free port. */
export async function startDaemon(name: string, opts: DaemonOptions = {}): Promise<Daemon> {
  const home = opts.home ?? newHome(name)
  const args = ['--home', home, 'daemon', '--json', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
  const env = { ...process.env, ...opts.env }
  const child =
    opts.nodeFlags === undefined || opts.nodeFlags.length === 0
      ? await spawnUntilReady(name, KITH, args, env)
      : await spawnUntilReady(
          name,
          process.execPath,
          [...opts.nodeFlags, ...NODE_LOADER_ARGS, join(root, 'src/cli/main.ts'), ...args],
          env,
        )
  const addrs = child.ready.addrs as string[]
  const port = Number(/\/tcp\/(\d+)/.exec(addrs[0] ?? '')?.[1])
  return {
    ...child,
    home,
    peerId: child.ready.peerId as string,
    api: child.ready.api as string,
    port,
    token: readFileSync(join(home, 'api-token'), 'utf8').trim(),
  }
}

// ---- the local API ------------------------------------------------------------------------------

/**
 * Idle keep-alive sockets are closed after this long, well before the daemon's HTTP server closes
 * them (Node's `server.keepAliveTimeout`, 5 s): a request written to a socket the server is
 * closing meets ECONNRESET / "socket hang up" (seen at load ≥ 4 after a phase that left the
 * sockets idle, e.g. Nostr's between Kith's latency and rate phases).
 */
const API_IDLE_SOCKET_MS = 2_000

/** Keep-alive connections, as a chat client would hold them; up to 16 requests in flight. */
const agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: API_IDLE_SOCKET_MS })

/**
 * The keep-alive race that remains when a loaded host runs the idle timer late: the request went
 * out on a REUSED socket that the server had already closed, so the server never read it (the
 * retry Node's http documentation gives for `request.reusedSocket`). A fresh socket's error is
 * never retried.
 */
function staleKeepAlive(req: ClientRequest, err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')
}

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError'
}

/** Where api() sends a request: a daemon, or any server with its URL and bearer token (the
 *  floor's minimal HTTP server, ./dm-floor.ts). */
export type ApiTarget = Pick<Daemon, 'api' | 'token'>

/** One JSON request to a daemon's API. Rejects on a non-2xx answer. */
export async function api<T>(
  d: ApiTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const data = body === undefined ? undefined : JSON.stringify(body)
  try {
    return await apiOnce<T>(d, method, path, data)
  } catch (err) {
    if (!(err instanceof StaleSocketError)) throw err
    return apiOnce<T>(d, method, path, data)
  }
}

/** A request lost to a keep-alive socket the server had closed (staleKeepAlive): retried once. */
class StaleSocketError extends Error {
  override readonly name = 'StaleSocketError'
}

function apiOnce<T>(
  d: ApiTarget,
  method: string,
  path: string,
  data: string | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request(
      `${d.api}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${d.token}`,
          ...(data === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = res.statusCode ?? 0
          if (status < 200 || status >= 300) {
            reject(new ApiRequestError(`${method} ${path}: ${status} ${text}`))
            return
          }
          try {
            resolve(JSON.parse(text) as T)
          } catch {
            reject(new ApiRequestError(`${method} ${path}: ${status}, not JSON: ${text}`))
          }
        })
        res.on('error', reject)
      },
    )
    req.on('error', (err) =>
      reject(staleKeepAlive(req, err) ? new StaleSocketError(err.message, { cause: err }) : err),
    )
    req.end(data)
  })
}

/** Closes the idle keep-alive sockets (so the bench process can exit). */
export function closeApiClients(): void {
  agent.destroy()
}

export interface MessageEvent {
  event: 'message'
  message: {
    id: string
    conversation: string
    from: string
    direction: 'in' | 'out'
    text: string
    sentAt: number
    receivedAt: number
    status: string
  }
}

/** A daemon's /v1/events stream; `onMessage` sees every `message` event with its arrival time
 *  (and returns a function that removes the listener). */
export interface Events {
  onMessage(fn: (e: MessageEvent, at: number) => void): () => void
  close(): void
}

export async function openEvents(d: Daemon): Promise<Events> {
  const ws = new WebSocket(`${d.api.replace(/^http/, 'ws')}/v1/events`, {
    headers: { authorization: `Bearer ${d.token}` },
    perMessageDeflate: false,
  })
  const listeners = new Set<(e: MessageEvent, at: number) => void>()
  ws.on('message', (data: Buffer) => {
    const at = performance.now()
    const e = JSON.parse(data.toString('utf8')) as { event: string }
    if (e.event !== 'message') return
    for (const fn of listeners) fn(e as MessageEvent, at)
  })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    onMessage(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    close: () => ws.close(),
  }
}

/** Two daemons on loopback; A has added B from B's invite link (B learns A from A's first DM). */
export async function startPair(
  opts: Omit<DaemonOptions, 'home'> = {},
): Promise<{ a: Daemon; b: Daemon }> {
  const [a, b] = await Promise.all([startDaemon('a', opts), startDaemon('b', opts)])
  const { link } = await api<{ link: string }>(b, 'GET', '/v1/invite')
  await api(a, 'POST', '/v1/contacts', { link, name: 'b' })
  return { a, b }
}
