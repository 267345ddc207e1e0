// Network loss and sleep with real daemons in network namespaces (issue 12; docs/connectivity.md
// "Network loss and sleep"). Its own tiny network, apart from net.sh's: two namespaces
// `kithloss-r` and `kithloss-a` joined by one veth (11.77.0.1 ↔ 11.77.0.2). In r run a
// `kith relay` and daemon B, in a daemon A; both daemons use the relay (`--bootstrap`). Every
// process runs through `ip netns exec`; nothing is dialled from the host namespace.
//  1. For each way a network goes (the veth deleted, set down, its far end down so A has no
//     carrier, A's routes flushed): A's status says `offline`; 30 s after the cut, over 30 s, A
//     uses ≤ 2 % of a core (/proc/<pid>/stat), then over 15 s creates ≤ 1 socket a second
//     (strace -c when installed, else new socket inodes in /proc/<pid>/fd). A and B each queue
//     a message meanwhile; the network comes back and both arrive within 10 s (and A holds a
//     relay reservation again).
//  2. A is stopped (SIGSTOP) for SLEEP_MS, as a laptop's sleep; B sends meanwhile. After SIGCONT
//     A is connected to B again and has B's message within 10 s. The manual 5-minute run:
//     `KITH_LOSS_SLEEP_S=300 npm run test:netns`.
// Run as root (`npm run test:netns`); skipped with the reason when namespaces cannot be made.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { until } from '../integration/harness.js'
import { DAEMON_READY_TIMEOUT_MS, readyLine } from '../helpers/ready.js'
import { decodeInviteLink } from '../../src/core/wire/invite.js'
import { unpackAddrs } from '../../src/node/card/index.js'

const root = new URL('../../', import.meta.url).pathname
const KITH = join(root, 'bin/kith')
const NS_R = 'kithloss-r'
const NS_A = 'kithloss-a'
const IP_R = '11.77.0.1'
const IP_A = '11.77.0.2'
/** How long A sleeps (SIGSTOP) in case 2; the figure is 5 min (run that by hand). */
const SLEEP_MS = Number(process.env.KITH_LOSS_SLEEP_S ?? 60) * 1_000
/** The goals of issue 12. */
const MAX_CPU_SHARE = 0.02
const MAX_SOCKETS_PER_S = 1
const RECONNECT_MS = 10_000
/** When the measurements start after the link is gone (≤ 60 s), and how long they last. */
const SETTLE_MS = 30_000
const WINDOW_MS = 30_000
/** strace's window comes after the CPU window (ptrace would add to A's CPU time). */
const SOCKET_WINDOW_MS = 15_000

const hostNetNs = readlinkSync('/proc/self/ns/net')
const procs = new Set<ChildProcess>()
const homes: string[] = []

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  const r = spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' })
  if (r.error != null || r.status !== 0) return '`ip netns` is unavailable (iproute2)'
  return undefined
}

function sh(cmd: string[], allowFail = false): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1))
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd.join(' ')}: ${r.stderr.toString()}`)
  return r.stdout?.toString() ?? ''
}

function netDown(): void {
  for (const ns of [NS_R, NS_A]) {
    for (const pid of sh(['ip', 'netns', 'pids', ns], true).split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {
        /* gone */
      }
    }
    sh(['ip', 'netns', 'del', ns], true)
  }
}

/** The veth between the namespaces, with addresses, up (also to restore it). */
function linkUp(): void {
  sh([
    'ip',
    'link',
    'add',
    'loss-r0',
    'netns',
    NS_R,
    'type',
    'veth',
    'peer',
    'name',
    'loss-a0',
    'netns',
    NS_A,
  ])
  sh(['ip', '-n', NS_R, 'addr', 'add', `${IP_R}/24`, 'dev', 'loss-r0'])
  sh(['ip', '-n', NS_A, 'addr', 'add', `${IP_A}/24`, 'dev', 'loss-a0'])
  sh(['ip', '-n', NS_R, 'link', 'set', 'loss-r0', 'up'])
  sh(['ip', '-n', NS_A, 'link', 'set', 'loss-a0', 'up'])
  operUp()
}

/** Waits until both ends of the veth are operationally up. The kernel reports a new carrier
 *  through linkwatch up to a second later, and until then libuv (os.networkInterfaces: only
 *  IFF_UP and IFF_RUNNING) does not list the interface: a daemon started at once sees only
 *  its loopback address (its first invite then named only 127.0.0.1: fresh-clone CI,
 *  2026-12-05, once the bundled daemon got ready in 0.3 s). */
function operUp(): void {
  const end = Date.now() + 5_000
  for (;;) {
    const up = [
      [NS_R, 'loss-r0'],
      [NS_A, 'loss-a0'],
    ].every(([ns, dev]) => /\bstate UP\b/.test(sh(['ip', '-n', ns!, '-o', 'link', 'show', dev!])))
    if (up) return
    if (Date.now() > end) throw new Error('the veth did not come up in 5 s')
    spawnSync('sleep', ['0.05'])
  }
}

function netUp(): void {
  netDown()
  for (const ns of [NS_R, NS_A]) {
    sh(['ip', 'netns', 'add', ns])
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    const inner = sh(['ip', 'netns', 'exec', ns, 'readlink', '/proc/self/ns/net']).trim()
    if (inner === hostNetNs) throw new Error(`${ns} is the host's network namespace`)
  }
  linkUp()
}

/** Ways a network goes away (issue 12: "links down, routes gone or namespace links deleted")
 *  and comes back. `KITH_LOSS_CASES=deleted,routes` runs a subset. */
const ALL_VARIANTS: Array<{ name: string; cut: () => void; restore: () => void }> = [
  {
    name: 'link deleted',
    cut: () => sh(['ip', '-n', NS_A, 'link', 'del', 'loss-a0']),
    restore: () => linkUp(),
  },
  {
    name: 'link down',
    cut: () => sh(['ip', '-n', NS_A, 'link', 'set', 'loss-a0', 'down']),
    restore: () => sh(['ip', '-n', NS_A, 'link', 'set', 'loss-a0', 'up']),
  },
  {
    // The far end goes down: A's link stays up but has no carrier; its routes stay in the table.
    name: 'carrier lost',
    cut: () => sh(['ip', '-n', NS_R, 'link', 'set', 'loss-r0', 'down']),
    restore: () => sh(['ip', '-n', NS_R, 'link', 'set', 'loss-r0', 'up']),
  },
  {
    name: 'routes gone',
    cut: () => sh(['ip', '-n', NS_A, 'route', 'flush', 'table', 'main']),
    restore: () => sh(['ip', '-n', NS_A, 'route', 'add', '11.77.0.0/24', 'dev', 'loss-a0']),
  },
]
const VARIANTS = ALL_VARIANTS.filter((v) => {
  const only = process.env.KITH_LOSS_CASES
  return only === undefined || only.split(',').some((x) => v.name.includes(x.trim()))
})

interface Daemon {
  ns: string
  home: string
  pid: number
  peerId: string
  stderr: string[]
  json<T>(args: string[]): Promise<T>
}

function inNs(
  ns: string,
  cmd: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

async function start(ns: string, command: 'daemon' | 'relay', extra: string[]): Promise<Daemon> {
  const home = mkdtempSync(join(tmpdir(), `kith-loss-${ns}-`))
  homes.push(home)
  const proc = spawn(
    'ip',
    ['netns', 'exec', ns, KITH, '--home', home, command, '--json', '--no-mdns', ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBUG: process.env.KITH_NETNS_DEBUG ?? 'kith:node:connectivity' },
    },
  )
  procs.add(proc)
  proc.on('exit', () => procs.delete(proc))
  const stderr: string[] = []
  proc.stderr.on('data', (d: Buffer) => stderr.push(d.toString()))
  const ready = await readyLine(proc, { what: ns, timeoutMs: DAEMON_READY_TIMEOUT_MS, stderr })
  const pid = (JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { pid: number }).pid
  if (readlinkSync(`/proc/${pid}/ns/net`) === hostNetNs) {
    proc.kill('SIGKILL')
    throw new Error(`${ns}: the daemon runs in the host network namespace`)
  }
  return {
    ns,
    home,
    pid,
    peerId: ready.peerId,
    stderr,
    async json<T>(args: string[]): Promise<T> {
      const r = await inNs(ns, [KITH, '--home', home, ...args, '--json'])
      if (r.code !== 0) throw new Error(`${ns}: kith ${args.join(' ')}: ${r.code} ${r.stderr}`)
      return JSON.parse(r.stdout) as T
    },
  }
}

/** CPU seconds (user + system) the process used so far (/proc/<pid>/stat fields 14, 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(sh(['getconf', 'CLK_TCK']).trim()) || 100
  return (Number(fields[11]) + Number(fields[12])) / ticks
}

/** socket() calls of `pid` (all threads) during `ms`: strace -c if installed, else new socket
 *  inodes seen in /proc/<pid>/fd every 50 ms (misses sockets shorter-lived than that). */
async function socketsCreated(pid: number, ms: number): Promise<{ n: number; how: string }> {
  if (spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0) {
    const r = await new Promise<string>((resolve) => {
      const p = spawn('timeout', [
        '-s',
        'INT',
        String(ms / 1_000),
        'strace',
        '-f',
        '-c',
        '-e',
        'trace=socket',
        '-p',
        String(pid),
      ])
      let out = ''
      p.stderr.on('data', (d: Buffer) => (out += d.toString()))
      p.on('close', () => resolve(out))
    })
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+socket$/m.exec(r)
    return { n: m == null ? 0 : Number(m[1]), how: 'strace' }
  }
  const inodes = (): Set<string> => {
    const s = new Set<string>()
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const l = readlinkSync(`/proc/${pid}/fd/${fd}`)
        if (l.startsWith('socket:')) s.add(l)
      } catch {
        /* closed meanwhile */
      }
    }
    return s
  }
  let seen = inodes()
  let n = 0
  const end = Date.now() + ms
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50))
    const now = inodes()
    for (const i of now) if (!seen.has(i)) n++
    seen = now
  }
  return { n, how: '/proc/<pid>/fd' }
}

interface Status {
  network?: string
  reservations?: unknown[]
  contactsConnected?: { direct: number; relayed: number }
}
interface Msg {
  text: string
  direction: string
}

const skip = skipReason()
let relay: Daemon
let a: Daemon
let b: Daemon

/** Whether `d` received a message `text` (`kith messages --json`: one JSON object a line). */
async function has(d: Daemon, text: string): Promise<boolean> {
  const r = await inNs(d.ns, [KITH, '--home', d.home, 'messages', '--json'])
  if (r.code !== 0) throw new Error(`${d.ns}: kith messages: ${r.code} ${r.stderr}`)
  const msgs = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Msg)
  return msgs.some((m) => m.direction === 'in' && m.text === text)
}

describe('network loss and sleep (network namespaces)', { skip, timeout: 900_000 }, () => {
  before(async () => {
    netUp()
    relay = await start(NS_R, 'relay', [
      '--listen',
      '/ip4/0.0.0.0/tcp/4001',
      '--announce',
      `/ip4/${IP_R}/tcp/4001`,
    ])
    const bootstrap = `/ip4/${IP_R}/tcp/4001/p2p/${relay.peerId}`
    ;[a, b] = await Promise.all([
      start(NS_A, 'daemon', ['--listen', '/ip4/0.0.0.0/tcp/4001', '--bootstrap', bootstrap]),
      start(NS_R, 'daemon', ['--listen', '/ip4/0.0.0.0/tcp/4002', '--bootstrap', bootstrap]),
    ])
    const { link: la } = await a.json<{ link: string }>(['invite'])
    // Made at once after start, before AutoNAT judged A's public address: the invite still
    // carries it (a fresh-clone CI run once got only 127.0.0.1 here; addr-policy.ts candidates).
    const inv = decodeInviteLink(la)
    const invAddrs = inv.version === 1 ? inv.addrs : unpackAddrs(inv.packedAddrs)
    assert.ok(
      invAddrs.some((x) => x.startsWith(`/ip4/${IP_A}/tcp/4001`)),
      `A's first invite names ${IP_A}:4001: ${JSON.stringify(invAddrs)}`,
    )
    await b.json(['contacts', 'add', la, '--name', 'a'])
    const { link: lb } = await b.json<{ link: string }>(['invite'])
    await a.json(['contacts', 'add', lb, '--name', 'b'])
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = await from.json<{ status: string }>([
        'send',
        to.peerId,
        'hello',
        '--wait',
        '--timeout',
        '60',
      ])
      assert.equal(r.status, 'delivered')
    }
  })

  after(() => {
    const dir = process.env.KITH_NETNS_LOGS
    if (dir !== undefined && dir !== '') {
      mkdirSync(dir, { recursive: true })
      for (const d of [relay, a, b]) {
        if (d != null) writeFileSync(join(dir, `loss-${d.ns}-${d.peerId}.log`), d.stderr.join(''))
      }
    }
    for (const p of procs) p.kill('SIGKILL')
    netDown()
    for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
  })

  for (const v of VARIANTS) {
    it(`${v.name}: A rests (≤ 2 % CPU, ≤ 1 socket/s); back, queued messages flow in 10 s`, async () => {
      v.cut()
      try {
        const lost = Date.now()
        await until(
          'A says offline',
          async () => (await a.json<Status>(['status'])).network === 'offline',
          20_000,
        )
        await a.json(['send', b.peerId, `queued-by-a-${v.name}`])
        await b.json(['send', a.peerId, `queued-by-b-${v.name}`])
        await new Promise((r) => setTimeout(r, Math.max(0, lost + SETTLE_MS - Date.now())))
        const c0 = cpuSeconds(a.pid)
        const t0 = performance.now()
        await new Promise((r) => setTimeout(r, WINDOW_MS))
        const share = (cpuSeconds(a.pid) - c0) / ((performance.now() - t0) / 1_000)
        const sockets = await socketsCreated(a.pid, SOCKET_WINDOW_MS)
        const perS = sockets.n / (SOCKET_WINDOW_MS / 1_000)
        console.log(
          `${v.name}: offline A used ${(share * 100).toFixed(2)} % of a core, ${perS.toFixed(2)} sockets/s (${sockets.how})`,
        )
        assert.ok(share <= MAX_CPU_SHARE, `A used ${(share * 100).toFixed(2)} % of a core offline`)
        assert.ok(perS <= MAX_SOCKETS_PER_S, `A created ${perS} sockets/s offline`)
      } finally {
        v.restore()
      }
      const back = performance.now()
      await until(
        'both queued messages delivered',
        async () =>
          (await has(b, `queued-by-a-${v.name}`)) && (await has(a, `queued-by-b-${v.name}`)),
        RECONNECT_MS + 5_000,
      )
      const took = performance.now() - back
      await until(
        'A says online',
        async () => (await a.json<Status>(['status'])).network === 'online',
        10_000,
      )
      await until(
        'A holds a relay reservation again',
        async () => ((await a.json<Status>(['status'])).reservations?.length ?? 0) > 0,
        30_000,
      )
      const reserved = performance.now() - back
      console.log(
        `${v.name}: network back, queued messages delivered after ${Math.round(took)} ms, reservation after ${Math.round(reserved)} ms`,
      )
      assert.ok(took <= RECONNECT_MS, `took ${Math.round(took)} ms`)
    })
  }

  it(`after ${SLEEP_MS / 1_000} s stopped (a laptop's sleep) A reconnects and gets what B sent in 10 s`, async () => {
    process.kill(a.pid, 'SIGSTOP')
    try {
      await new Promise((r) => setTimeout(r, 2_000))
      await b.json(['send', a.peerId, 'sent-while-asleep'])
      await new Promise((r) => setTimeout(r, SLEEP_MS - 2_000))
    } finally {
      process.kill(a.pid, 'SIGCONT')
    }
    const woke = performance.now()
    await until(
      'A has the message sent while it slept',
      () => has(a, 'sent-while-asleep'),
      RECONNECT_MS + 5_000,
    )
    await until(
      'A is connected to B',
      async () => {
        const c = (await a.json<Status>(['status'])).contactsConnected
        return (c?.direct ?? 0) + (c?.relayed ?? 0) > 0
      },
      RECONNECT_MS,
    )
    const took = performance.now() - woke
    console.log(`woke up: reconnected and delivered after ${Math.round(took)} ms`)
    assert.ok(took <= RECONNECT_MS, `took ${Math.round(took)} ms`)
    const r = await a.json<{ status: string }>([
      'send',
      b.peerId,
      'after-sleep',
      '--wait',
      '--timeout',
      '10',
    ])
    assert.equal(r.status, 'delivered')
  })
})
