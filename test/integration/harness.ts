// Real daemons for integration tests: each runs `./bin/kith daemon` in its own temp KITH_HOME on
// 127.0.0.1 with mDNS off, and is driven through the CLI (and, for bulk sends, the local HTTP
// API the CLI itself uses). Every process started here is killed in `stopAll()`.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MessageView } from '../../src/service/types.js'
import { DAEMON_READY_TIMEOUT_MS, readyLine, tcpPort } from '../helpers/ready.js'
export { DAEMON_READY_TIMEOUT_MS }
import { until as waitUntil } from '../helpers/wait.js'

const root = new URL('../../', import.meta.url).pathname
export const KITH = join(root, 'bin/kith')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export function run(
  home: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(KITH, ['--home', home, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    p.stdin.end(opts.input ?? '')
  })
}

/** Runs a `--json` command, asserting exit 0, and parses its single JSON document. */
export async function json<T = unknown>(home: string, args: string[]): Promise<T> {
  const r = await run(home, [...args, '--json'])
  if (r.code !== 0) throw new Error(`kith ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`)
  return JSON.parse(r.stdout) as T
}

/** Parses JSON-lines output (messages). */
export async function jsonLines<T = unknown>(home: string, args: string[]): Promise<T[]> {
  const r = await run(home, [...args, '--json'])
  if (r.code !== 0) throw new Error(`kith ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`)
  const out = r.stdout.trim()
  if (out === '') return []
  // `messages --json` prints one document: an array, or one object per line when following.
  if (out.startsWith('[')) return JSON.parse(out) as T[]
  return out.split('\n').map((l) => JSON.parse(l) as T)
}

export interface Daemon {
  name: string
  home: string
  port: number
  peerId: string
  api: string
  proc: ChildProcess
  stderr: string[]
}

const running = new Set<ChildProcess>()

export function newHome(name: string): string {
  return mkdtempSync(join(tmpdir(), `kith-it-${name}-`))
}

/** Starts (or restarts, same home and port) a daemon and waits for its ready line. Without a
 *  port it listens on tcp/0 and the port it was given is read back from the ready line. */
export async function startDaemon(
  name: string,
  home = newHome(name),
  port?: number,
  extra: string[] = [],
  command: 'daemon' | 'relay' = 'daemon',
): Promise<Daemon> {
  const proc = spawn(
    KITH,
    [
      '--home',
      home,
      command,
      '--json',
      '--no-mdns',
      '--listen',
      `/ip4/127.0.0.1/tcp/${port ?? 0}`,
      ...extra,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    },
  )
  running.add(proc)
  proc.on('exit', () => running.delete(proc))
  const stderr: string[] = []
  proc.stderr.on('data', (d: Buffer) => stderr.push(d.toString()))
  const ready = await readyLine(proc, { what: name, timeoutMs: DAEMON_READY_TIMEOUT_MS, stderr })
  const p = port ?? tcpPort(ready.addrs)
  return { name, home, port: p, peerId: ready.peerId, api: ready.api, proc, stderr }
}

export async function stopDaemon(
  d: Daemon,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (d.proc.exitCode !== null || d.proc.signalCode !== null) return d.proc.exitCode
  return new Promise((resolve) => {
    d.proc.once('exit', (code) => resolve(code))
    d.proc.kill(signal)
  })
}

export function stopAll(homes: string[] = []): void {
  for (const p of running) p.kill('SIGKILL')
  running.clear()
  for (const h of homes) rmSync(h, { recursive: true, force: true })
}

export function token(home: string): string {
  return readFileSync(join(home, 'api-token'), 'utf8').trim()
}

/** Direct API call (what the CLI does), for bulk operations in tests. */
export async function api<T>(d: Daemon, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${d.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token(d.home)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const data = (await res.json()) as T
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`)
  return data
}

/** How long an integration wait polls by default: daemons on a loaded 2-core machine are slow. */
export const IT_UNTIL_TIMEOUT_MS = 30_000
/** How often an integration wait polls: each poll is often a CLI run or an API call. */
export const IT_UNTIL_EVERY_MS = 200

/** test/helpers/wait.ts `until` with the integration tests' defaults. */
export function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = IT_UNTIL_TIMEOUT_MS,
  everyMs = IT_UNTIL_EVERY_MS,
): Promise<T> {
  return waitUntil(what, fn, timeoutMs, everyMs)
}

/** One line of `kith messages --json` (the API's message view). */
export type MessageLine = MessageView

/** Message lines without group history lines (issue 14: `"kind":"event"`), for counting texts. */
export const chatOnly = <M extends { kind?: string }>(ms: M[]): M[] =>
  ms.filter((m) => m.kind !== 'event')

/** Alice and Bob daemons; Bob added Alice from her invite under the name "alice". */
export async function startPair(homes: string[]): Promise<[Daemon, Daemon]> {
  const a = await startDaemon('alice')
  const b = await startDaemon('bob')
  homes.push(a.home, b.home)
  const { link } = await json<{ link: string }>(a.home, ['invite'])
  const added = await json<{ name: string; peerId: string }>(b.home, [
    'contacts',
    'add',
    link,
    '--name',
    'alice',
  ])
  if (added.peerId !== a.peerId) throw new Error('invite named another peer')
  return [a, b]
}

/** Writes `size` random bytes to `dir/name` (1 MiB at a time, so a file of hundreds of MB never
 *  sits in memory) and returns its path and SHA-256 (the file tests' sources). */
export async function makeRandomFile(
  dir: string,
  name: string,
  size: number,
): Promise<{ path: string; sha256: string }> {
  const MiB = 1024 * 1024
  const path = join(dir, name)
  const h = createHash('sha256')
  const out = createWriteStream(path)
  for (let off = 0; off < size; off += MiB) {
    const b = randomBytes(Math.min(MiB, size - off))
    h.update(b)
    if (!out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())))
  return { path, sha256: h.digest('hex') }
}
