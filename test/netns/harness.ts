// Real daemons in the NAT test network of net.sh (docs/connectivity.md). Every process this
// harness starts — `kith relay`, `kith daemon`, every CLI call, the bulk sender — runs through
// `ip netns exec <namespace>`, and each is checked to run in a network namespace other than the
// host's before it dials anything; a daemon's local API is on its namespace's own 127.0.0.1, so
// CLI calls run in the same namespace. Nothing is ever dialled from the host namespace. The
// namespaces are created by net.sh and removed by netDown() (after() and before every run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { netEnv, variant } from './variants.js'
import { DAEMON_READY_TIMEOUT_MS, readyLine } from '../helpers/ready.js'

import { until } from '../integration/harness.js'

export { until }

const root = new URL('../../', import.meta.url).pathname
const KITH = join(root, 'bin/kith')
const NET = join(root, 'test/netns/net.sh')
const API = join(root, 'test/netns/api.mjs')
/** Namespace names are `${PREFIX}-<role>`; net.sh removes every one with this prefix. */
export const PREFIX = process.env.KITH_NETNS_PREFIX ?? 'kithnt'
/** The topology variant this run builds (KITH_NET_VARIANT; test/netns/variants.ts). */
export const VARIANT = variant()
export const ROLES = ['inet', 'relay', 'pa', 'pb', 'r1', 'r2', 'r3', 'h1', 'h2', 'h3'] as const
/** Roles net.sh makes in some variants only: the carrier NAT and its customers' segment, two
 *  IPv6-only public hosts, and a second device on h1's LAN. */
export type Role = (typeof ROLES)[number] | 'cg' | 'cgnet' | 'q1' | 'q2' | 'h4'
/** Every namespace net.sh makes in this variant. */
const NAMESPACES: Role[] = [
  ...ROLES,
  ...(VARIANT.cgnat ? (['cg', 'cgnet'] as const) : []),
  ...(VARIANT.v6 ? (['q1', 'q2'] as const) : []),
  ...(VARIANT.shared ? (['h4'] as const) : []),
]
/** The relay's public address on the test "internet" (net.sh). */
export const RELAY_IP = `${VARIANT.pub}.10`
export const RELAY_PORT = 4001
/** The port daemons listen on: fixed, or 0 (the system picks one) in a `random` variant. */
export const DAEMON_PORT = VARIANT.ports === 'fixed' ? 4001 : 0

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

const procs = new Set<ChildProcess>()
const homes: string[] = []
const hostNetNs = readlinkSync('/proc/self/ns/net')

/** Why the suite cannot run here (not root, no `ip netns`, no iptables), or undefined. */
export function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  for (const [cmd, args] of [
    ['ip', ['netns', 'list']],
    ['iptables', ['--version']],
    ['conntrack', ['--version']],
  ] as const) {
    const r = spawnSync(cmd, [...args], { stdio: 'ignore' })
    if (r.error != null || r.status !== 0)
      return `\`${cmd}\` is unavailable (apt-get install iproute2 iptables conntrack)`
  }
  if (VARIANT.upnp && spawnSync('test', ['-x', '/usr/sbin/miniupnpd']).status !== 0)
    return `variant ${VARIANT.name} needs miniupnpd (apt-get install miniupnpd-iptables)`
  return undefined
}

/** net.sh <args>; throws on failure. */
export function net(...args: string[]): void {
  const r = spawnSync(NET, args, {
    env: { ...process.env, ...netEnv(VARIANT), KITH_NETNS_PREFIX: PREFIX },
  })
  if (r.status !== 0) throw new Error(`net.sh ${args.join(' ')}: ${r.stderr.toString()}`)
}

export function ns(role: Role): string {
  return `${PREFIX}-${role}`
}

/** Runs `cmd` inside `role`'s namespace and collects its output. */
export function inNs(role: Role, cmd: string[], input = ''): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns(role), ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    p.stdin.on('error', () => undefined) // a command that reads no input may exit first (EPIPE)
    p.stdin.end(input)
  })
}

/**
 * Safety checks before anything is dialled: `ip netns exec` really enters another network
 * namespace, and no namespace can route to the host's own networks except the homes through
 * their NAT router, which has no route there itself.
 */
export async function assertIsolated(hostAddrs: string[]): Promise<void> {
  for (const role of NAMESPACES) {
    const inner = await inNs(role, ['readlink', '/proc/self/ns/net'])
    if (inner.code !== 0 || inner.stdout.trim() === hostNetNs) {
      throw new Error(`${role}: not inside its own network namespace`)
    }
    for (const addr of hostAddrs) {
      const r = await inNs(role, ['ip', 'route', 'get', addr])
      // Homes route via their router, a router behind the carrier NAT via the carrier's.
      const gateways = [
        ...VARIANT.lans.map((l) => `${l}.1`),
        ...(VARIANT.cgnat ? ['100.64.0.1'] : []),
      ]
      const viaRouter =
        gateways.some((g) => r.stdout.includes(`via ${g} `)) && /^(h\d|r1)$/.test(role)
      if (r.code === 0 && !viaRouter) {
        throw new Error(`${role} has a route to the host network (${addr}): ${r.stdout}`)
      }
    }
  }
}

/** The host's own IPv4 addresses (read, never dialled). */
export function hostAddrs(): string[] {
  const r = spawnSync('ip', ['-4', '-o', 'addr', 'show'])
  return [...r.stdout.toString().matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)]
    .map((m) => m[1]!)
    .filter((a) => !a.startsWith('127.'))
}

export interface Node {
  role: Role
  home: string
  peerId: string
  addrs: string[]
  proc: ChildProcess
  stderr: string[]
  /** `kith --home <home> <args…> --json` inside the node's namespace; parses stdout. */
  json<T = unknown>(args: string[]): Promise<T>
  cli(args: string[]): Promise<RunResult>
}

/** Starts `kith daemon` (or `kith relay`) in `role`'s namespace and waits for its ready line. */
export async function startNode(
  role: Role,
  command: 'daemon' | 'relay',
  extra: string[] = [],
): Promise<Node> {
  const home = mkdtempSync(join(tmpdir(), `kith-nt-${role}-`))
  homes.push(home)
  const args = [KITH, '--home', home, command, '--json', '--no-mdns']
  const proc = spawn('ip', ['netns', 'exec', ns(role), ...args, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The hole puncher logs each punch and its duration (punchTimes()).
    env: { ...process.env, DEBUG: process.env.KITH_NETNS_DEBUG ?? 'kith:node:holepunch' },
  })
  procs.add(proc)
  proc.on('exit', () => procs.delete(proc))
  const stderr: string[] = []
  proc.stderr.on('data', (d: Buffer) => stderr.push(d.toString()))
  const ready = await readyLine(proc, { what: role, timeoutMs: DAEMON_READY_TIMEOUT_MS, stderr })
  // The process (ip → exec → bin/kith → exec node, one pid) must not be in the host namespace.
  if (readlinkSync(`/proc/${proc.pid}/ns/net`) === hostNetNs) {
    proc.kill('SIGKILL')
    throw new Error(`${role}: the daemon runs in the host network namespace`)
  }
  const cli = (a: string[]) => inNs(role, [KITH, '--home', home, ...a])
  const node: Node = {
    role,
    home,
    proc,
    stderr,
    peerId: ready.peerId,
    addrs: ready.addrs,
    cli,
    async json<T>(a: string[]): Promise<T> {
      const r = await cli([...a, '--json'])
      if (r.code !== 0) throw new Error(`${role}: kith ${a.join(' ')}: ${r.code} ${r.stderr}`)
      return JSON.parse(r.stdout) as T
    },
  }
  started.push(node)
  return node
}

/** Sends `count` messages `<prefix>-<i>` (padded to `size` chars) from `from` to `to` through
 *  its local API, inside its namespace (test/netns/api.mjs). */
export async function bulkSend(
  from: Node,
  to: string,
  prefix: string,
  count: number,
  size = 0,
): Promise<void> {
  const r = await inNs(from.role, [
    process.execPath,
    API,
    'send',
    from.home,
    to,
    prefix,
    String(count),
    String(size),
  ])
  if (r.code !== 0) throw new Error(`bulk send from ${from.role}: ${r.stderr}`)
}

export interface MessageLine {
  text: string
  direction: 'in' | 'out'
  status: string
  from: string
}

/** Every message `node` holds, oldest first (GET /v1/messages inside its namespace). */
export async function messages(node: Node): Promise<MessageLine[]> {
  const r = await inNs(node.role, [
    process.execPath,
    API,
    'get',
    node.home,
    '/v1/messages?limit=100000',
  ])
  if (r.code !== 0) throw new Error(`${node.role}: messages: ${r.stderr} ${r.stdout}`)
  return JSON.parse(r.stdout) as MessageLine[]
}

/** Durations (ms) of the punches `node` made to `peer` that succeeded, from its log. */
export function punchTimes(node: Node, peer: string): number[] {
  const re = new RegExp(`direct connection to ${peer} after (\\d+) ms`, 'g')
  return [...node.stderr.join('').matchAll(re)].map((m) => Number(m[1]))
}

/** Punches `node` started to `peer` that failed, from its log. */
export function punchFailures(node: Node, peer: string): number {
  return node.stderr.join('').split(`punch to ${peer} via`).length - 1
}

/** How long a daemon may take to hold a port mapping its peers confirmed: the gateway search
 *  (≤ 5 s), @libp2p/upnp-nat's 5 s debounce before mapping, one AutoNAT dial-back. */
export const MAPPING_TIMEOUT_MS = 45_000

/** Waits until `node` holds a UPnP mapping (`status.upnp`) and announces its address (AutoNAT
 *  confirmed it); resolves the mapped address. */
export async function untilMapped(node: Node): Promise<string> {
  let addr = ''
  await until(
    `${node.role} holds a confirmed port mapping`,
    async () => {
      const st = await node.json<{ upnp?: { externalAddr: string } | null; addrs: string[] }>([
        'status',
      ])
      addr = st.upnp?.externalAddr ?? ''
      return addr !== '' && st.addrs.some((a) => a.startsWith(`${addr}/`))
    },
    MAPPING_TIMEOUT_MS,
  )
  return addr
}

/** Bytes the relay's namespace received on its link to the "internet" so far. */
export async function relayRxBytes(): Promise<number> {
  const r = await inNs('relay', ['cat', '/sys/class/net/eth0/statistics/rx_bytes'])
  return Number(r.stdout.trim())
}

const started: Node[] = []

/** Kills every process started here and removes the homes and the namespaces; with
 *  $KITH_NETNS_LOGS set, first writes each daemon's stderr there (<role>-<peerId>.log). */
export function teardown(): void {
  const dir = process.env.KITH_NETNS_LOGS
  if (dir !== undefined && dir !== '') {
    mkdirSync(dir, { recursive: true })
    for (const n of started)
      writeFileSync(join(dir, `${n.role}-${n.peerId}.log`), n.stderr.join(''))
  }
  started.length = 0
  for (const p of procs) p.kill('SIGKILL')
  procs.clear()
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
  try {
    net('down')
  } catch {
    /* already gone */
  }
}
