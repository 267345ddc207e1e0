// The multi-process mode of the group bench (issue 17): P child processes (group-child.ts) each
// host K real Kith nodes, N = P × K members over loopback TCP with the product's libp2p stack
// (Noise, yamux with its window patch, gossipsub as configured in src/node/pubsub/index.ts), linked as
// the in-process mode links them (group-net.ts graphEdges, ≈ 8 links per member, across process
// boundaries). Senders make their own Sender Key; the parent relays the distributions (over IPC,
// standing in for the pairwise sessions that carry them in the product). Messages go out at a
// fixed rate round robin over the senders; latency to all = from the moment a message is due
// to the moment the last of the N − 1 others decrypted it (wall clock, shared by all processes).
// CPU per member per message = Σ over children of utime + stime (/proc/<pid>/stat) during the
// cell ÷ messages ÷ N; the children's idle CPU (heartbeats, pings) is measured just before and
// reported separately. With `baseline` set the children run one of group-bare.ts's baselines on
// the same layout, links and schedule (bare-streams floods over floodNeighbours' subgraph of the
// links, from the same seed). It owns the children and the schedule; the nodes' code is the
// product's.
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { NODE_LOADER_ARGS } from './dm-daemons.js'
import type { FromChild, GroupTuning, ToChild } from './group-child.js'
import { floodNeighbours, type Baseline } from './group-bare.js'
import { DEGREE, graphEdges, prng } from './group-net.js'
import { percentile } from './group-run.js'

const CHILD = join(new URL('.', import.meta.url).pathname, 'group-child.ts')
/** Kernel clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux x86-64). */
const CLOCK_TICKS = 100

export interface ProcsConfig {
  processes: number
  perProcess: number
  rate: number
  messages: number
  senders: number
  drainMs: number
  meshTimeoutMs: number
  /** Quiet time before the cell over which idle CPU is measured. */
  idleMs: number
  /** Write a V8 CPU profile of the first child during the cell to this .cpuprofile file. */
  profile?: string
  /** The same during the idle window before the cell (heartbeats, pings: idle work per member). */
  profileIdle?: string
  /** The nodes' tuning (a `--variant`); none: the product's configuration. */
  tuning?: GroupTuning
  /** Run a baseline (group-bare.ts) instead of the product's group messages. */
  baseline?: Baseline
}

export interface ProcsResult {
  n: number
  sent: number
  complete: number
  duplicates: number
  p50: number
  p99: number
  max: number
  /** CPU (all children) per member per message during the cell, ms. */
  cpuPerMemberMsg: number
  /** Share of that CPU spent in the kernel (stime), 0–1. */
  sysShare: number
  /** The same with the idle rate subtracted, ms. */
  cpuPerMemberMsgNet: number
  /** CPU (all children) per decryption, ms: the per-member figure when not every message reached
   *  every member in time (a starved run), since undelivered copies cost nothing. */
  cpuPerDelivery: number
  /** The same with the idle rate subtracted (a starved cell drains longer, idling more). */
  cpuPerDeliveryNet: number
  /** Idle CPU per member, ms per second. */
  idlePerMemberSec: number
  links: number
  failedLinks: number
  meshReady: boolean
  rejected: number
  sendErrors: number
  load: number
  /** Decryptions reported during the cell (all members); (N − 1) × sent when nothing is lost. */
  deliveries: number
  /** Socket writes (all members, net.Socket write calls) per member per message in the cell. */
  writesPerMemberMsg: number
  /** Copies of a message a member received (gossipsub: messages in RPCs, duplicates included;
   *  bare-streams: frames), per member per message in the cell. */
  copiesPerMemberMsg: number
}

/** utime + stime of `pid`, ms (fields 14 and 15 of /proc/<pid>/stat, after the comm field), and
 *  stime alone (the kernel's share: syscalls, and on loopback the receiver's TCP path too). */
function cpuMs(pid: number): { all: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const sys = (Number(f[12]) * 1000) / CLOCK_TICKS
  return { all: (Number(f[11]) * 1000) / CLOCK_TICKS + sys, sys }
}

class Child {
  readonly proc: ChildProcess
  readonly #waiters = new Map<string, Array<(m: FromChild) => void>>()
  onDelivered: (list: Array<[string, number, number]>) => void = () => undefined
  readonly #onExit: Array<(err: Error) => void> = []

  constructor() {
    this.proc = fork(CHILD, [], {
      execArgv: NODE_LOADER_ARGS,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.proc.once('exit', () => {
      for (const f of this.#onExit.splice(0)) f(new Error('group child exited'))
    })
    this.proc.on('message', (m: FromChild) => {
      if (m.type === 'delivered') return this.onDelivered(m.list)
      const w = this.#waiters.get(m.type)?.shift()
      w?.(m)
    })
  }

  tell(m: ToChild): void {
    this.proc.send(m)
  }

  ask<T extends FromChild['type']>(
    m: ToChild,
    answer: T,
  ): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(answer) ?? []
      list.push((x) => resolve(x as Extract<FromChild, { type: T }>))
      this.#waiters.set(answer, list)
      this.#onExit.push(reject)
      this.tell(m)
    })
  }

  cpu(): number {
    return cpuMs(this.proc.pid!).all
  }

  sys(): number {
    return cpuMs(this.proc.pid!).sys
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)))
const wall = (): number => performance.timeOrigin + performance.now()

/** Runs the multi-process cell; every child is stopped before it returns. */
export async function runProcs(
  cfg: ProcsConfig,
  seed: number,
  log: (s: string) => void,
): Promise<ProcsResult> {
  const n = cfg.processes * cfg.perProcess
  const groupId = randomBytes(16).toString('hex')
  const topic = `/kith/group/1/bench-${groupId}`
  const s = Math.min(cfg.senders, n)
  const senders = Array.from({ length: s }, (_, k) => Math.floor((k * n) / s))
  const owner = (member: number): number => Math.floor(member / cfg.perProcess)
  const children = Array.from({ length: cfg.processes }, () => new Child())
  try {
    const t0 = performance.now()
    const started = await Promise.all(
      children.map((c, p) =>
        c.ask(
          {
            type: 'start',
            first: p * cfg.perProcess,
            count: cfg.perProcess,
            senders,
            topic,
            groupId,
            ...(cfg.tuning !== undefined ? { tuning: cfg.tuning } : {}),
            ...(cfg.baseline !== undefined ? { baseline: cfg.baseline } : {}),
          },
          'started',
        ),
      ),
    )
    const addrs = started.flatMap((x) => x.addrs)
    const dists = started.flatMap((x) => x.dists)
    const t1 = performance.now()
    const edges = graphEdges(n, DEGREE, prng(seed))
    const pairs = children.map(() => [] as Array<[number, string[]]>)
    for (const [i, j] of edges) pairs[owner(i)]!.push([i, addrs[j]!])
    const dialed = await Promise.all(
      children.map((c, p) => c.ask({ type: 'dial', pairs: pairs[p]! }, 'dialed')),
    )
    const failedLinks = dialed.reduce((a, d) => a + d.failed, 0)
    const dialErrors: Record<string, number> = {}
    for (const d of dialed) {
      for (const [k, v] of Object.entries(d.errors)) dialErrors[k] = (dialErrors[k] ?? 0) + v
    }
    // bare-streams: each child's members and their neighbours' addresses.
    const neighbours = children.map(() => [] as Array<[number, string[][]]>)
    if (cfg.baseline === 'bare-streams') {
      floodNeighbours(n, edges, prng(seed + 1)).forEach((list, i) => {
        neighbours[owner(i)]!.push([i, list.map((j) => addrs[j]!)])
      })
    }
    const subscribed = await Promise.all(
      children.map((c, p) =>
        c.ask({ type: 'keys', dists, neighbours: neighbours[p]! }, 'subscribed'),
      ),
    )
    const failedStreams = subscribed.reduce((a, x) => a + x.failedStreams, 0)
    let meshReady = false
    const meshEnd = performance.now() + cfg.meshTimeoutMs
    while (!meshReady && performance.now() < meshEnd) {
      const r = await Promise.all(children.map((c) => c.ask({ type: 'mesh' }, 'mesh')))
      meshReady = r.every((x) => x.ready)
      if (!meshReady) await sleep(200)
    }
    log(
      `N=${n} in ${cfg.processes} processes × ${cfg.perProcess} nodes: ${edges.length} links` +
        ` (${failedLinks} failed; dial errors ${JSON.stringify(dialErrors)}), started in ${Math.round(t1 - t0)} ms, linked in` +
        ` ${Math.round(performance.now() - t1)} ms, mesh ${meshReady ? 'ready' : 'NOT ready (timed out)'}` +
        (cfg.baseline === 'bare-streams' ? `, ${failedStreams} neighbour streams failed` : ''),
    )

    // Deliveries: tag → members seen, due time, time the last member decrypted it.
    const due = new Map<string, number>()
    const seen = new Map<string, Set<number>>()
    const done = new Map<string, number>()
    let duplicates = 0
    let delivered = 0
    for (const c of children) {
      c.onDelivered = (list) => {
        for (const [tag, member, at] of list) {
          const set = seen.get(tag)
          if (set === undefined) continue
          if (set.has(member)) {
            duplicates++
            continue
          }
          set.add(member)
          delivered++
          // The set holds the sender too: complete when all N have it.
          if (set.size === n) done.set(tag, at)
        }
      }
    }
    const cell = async (messages: number): Promise<string[]> => {
      const id = randomBytes(8).toString('hex')
      const tags: string[] = []
      const start = performance.now()
      for (let i = 0; i < messages; i++) {
        await sleep(start + (i * 1000) / cfg.rate - performance.now())
        const tag = id + i.toString(16).padStart(8, '0')
        const sender = senders[i % senders.length]!
        due.set(tag, wall())
        seen.set(tag, new Set([sender]))
        tags.push(tag)
        children[owner(sender)]!.tell({ type: 'send', sender, tag })
      }
      const end = performance.now() + cfg.drainMs
      while (tags.some((t) => !done.has(t)) && performance.now() < end) await sleep(20)
      await Promise.all(children.map((c) => c.ask({ type: 'flush' }, 'flushed')))
      return tags
    }
    // One untimed round first (streams, JIT, mesh), then the idle CPU, then the cell.
    await cell(Math.min(10, cfg.messages))
    const idle0 = children.map((c) => c.cpu())
    if (cfg.profileIdle !== undefined) await children[0]!.ask({ type: 'profile' }, 'profiled')
    const i0 = performance.now()
    await sleep(cfg.idleMs)
    if (cfg.profileIdle !== undefined) {
      await children[0]!.ask({ type: 'profile', file: cfg.profileIdle }, 'profiled')
      log(`CPU profile of process 0 while idle: ${cfg.profileIdle}`)
    }
    const idleMs = children.reduce((a, c, k) => a + c.cpu() - idle0[k]!, 0)
    const idleSec = (performance.now() - i0) / 1000
    if (cfg.profile !== undefined) await children[0]!.ask({ type: 'profile' }, 'profiled')
    const delivered0 = delivered
    const before = await Promise.all(children.map((c) => c.ask({ type: 'flush' }, 'flushed')))
    const cpu0 = children.map((c) => c.cpu())
    const sys0 = children.map((c) => c.sys())
    const c0 = performance.now()
    const tags = await cell(cfg.messages)
    if (cfg.profile !== undefined) {
      await children[0]!.ask({ type: 'profile', file: cfg.profile }, 'profiled')
      log(`CPU profile of process 0 during the cell: ${cfg.profile}`)
    }
    const cellSec = (performance.now() - c0) / 1000
    const cellCpu = children.reduce((a, c, k) => a + c.cpu() - cpu0[k]!, 0)
    const cellSys = children.reduce((a, c, k) => a + c.sys() - sys0[k]!, 0)
    const flushed = await Promise.all(children.map((c) => c.ask({ type: 'flush' }, 'flushed')))
    const lat = tags.filter((t) => done.has(t)).map((t) => done.get(t)! - due.get(t)!)
    const idleRate = idleMs / idleSec
    return {
      n,
      sent: tags.length,
      complete: lat.length,
      duplicates,
      p50: lat.length > 0 ? percentile(lat, 0.5) : NaN,
      p99: lat.length > 0 ? percentile(lat, 0.99) : NaN,
      max: lat.length > 0 ? Math.max(...lat) : NaN,
      cpuPerMemberMsg: cellCpu / tags.length / n,
      sysShare: cellSys / Math.max(1, cellCpu),
      cpuPerMemberMsgNet: Math.max(0, cellCpu - idleRate * cellSec) / tags.length / n,
      cpuPerDelivery: cellCpu / Math.max(1, delivered - delivered0),
      cpuPerDeliveryNet:
        Math.max(0, cellCpu - idleRate * cellSec) / Math.max(1, delivered - delivered0),
      idlePerMemberSec: idleRate / n,
      links: edges.length,
      failedLinks,
      meshReady,
      rejected: flushed.reduce((a, f) => a + f.rejected, 0),
      sendErrors: flushed.reduce((a, f) => a + f.sendErrors, 0),
      load: loadavg()[0]!,
      deliveries: delivered - delivered0,
      writesPerMemberMsg:
        flushed.reduce((a, f, k) => a + f.writes - before[k]!.writes, 0) / tags.length / n,
      copiesPerMemberMsg:
        flushed.reduce((a, f, k) => a + f.copies - before[k]!.copies, 0) / tags.length / n,
    }
  } finally {
    await Promise.all(
      children.map(async (c) => {
        if (c.proc.exitCode !== null) return
        const gone = new Promise((r) => c.proc.once('exit', r))
        try {
          c.tell({ type: 'stop' })
        } catch {
          // already disconnected
        }
        const t = setTimeout(() => c.proc.kill('SIGKILL'), 10_000)
        await gone
        clearTimeout(t)
      }),
    )
  }
}
