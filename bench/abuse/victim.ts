// The honest side of `npm run bench -- abuse`: the victim daemon and the honest contact daemon
// (real `./bin/kith daemon` processes, temp homes, 127.0.0.1, --no-mdns: bench/lib/dm-daemons.ts),
// the honest contact added through the victim's invite, the honest send → delivered timings
// (POST /v1/messages with `wait`) and the victim's RSS and CPU read from /proc. Knows no flood.
import { Worker } from 'node:worker_threads'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { decodeInviteLink, type DecodedInvite } from '../../src/core/wire/invite.js'
import {
  api,
  cpuMs,
  removeHome,
  rssMiB,
  startDaemon,
  stopChild,
  type Daemon,
} from '../lib/dm-daemons.js'

/** Pause between two honest sends (one message in flight at a time). */
export const HONEST_GAP_MS = 100
/** An honest message not delivered within this long counts as this long (and as a timeout). */
export const HONEST_TIMEOUT_MS = 10_000
/** How often the victim's RSS is read during a flood. */
export const RSS_SAMPLE_MS = 100
/** Tries of the first honest message to a new victim (the connection may still be coming up). */
const WARM_UP_TRIES = 3

export interface Victim {
  daemon: Daemon
  /** The honest contact's name for it. */
  name: string
  addr: Multiaddr
  invite: DecodedInvite
}

export async function invite(d: Daemon): Promise<DecodedInvite> {
  return decodeInviteLink((await api<{ link: string }>(d, 'GET', '/v1/invite?full=1')).link)
}

export function alive(d: Daemon): boolean {
  return d.proc.exitCode === null && d.proc.signalCode === null
}

/** Starts a victim daemon in a fresh home; the honest contact adds it from its invite and one
 *  honest message is delivered both ways' worth (message, then the victim's receipt). */
export async function startVictim(honest: Daemon, name: string): Promise<Victim> {
  const daemon = await startDaemon('victim')
  const { link } = await api<{ link: string }>(daemon, 'GET', '/v1/invite?full=1')
  await api(honest, 'POST', '/v1/contacts', { link, name })
  for (let i = 1; ; i++) {
    try {
      await api(honest, 'POST', '/v1/messages', {
        contact: name,
        text: 'hello before the flood',
        wait: true,
        timeoutMs: HONEST_TIMEOUT_MS,
      })
      break
    } catch (err) {
      if (i >= WARM_UP_TRIES) throw err
    }
  }
  return {
    daemon,
    name,
    addr: multiaddr(`/ip4/127.0.0.1/tcp/${daemon.port}/p2p/${daemon.peerId}`),
    invite: decodeInviteLink(link),
  }
}

/** Stops the victim, removes its home, and has the honest contact forget it (no redials). */
export async function stopVictim(honest: Daemon, v: Victim): Promise<void> {
  await stopChild(v.daemon.proc)
  removeHome(v.daemon.home)
  await api(honest, 'DELETE', `/v1/contacts/${encodeURIComponent(v.name)}?purge=1`).catch(
    () => undefined,
  )
}

export interface HonestTimings {
  /** Send → delivered, ms, one per message (timeouts count HONEST_TIMEOUT_MS). */
  samples: number[]
  timeouts: number
}

/** Samples a process's RSS (MiB) every RSS_SAMPLE_MS; `onSample` may react (the RSS guard). */
export class RssSampler {
  peak = 0
  last = 0
  readonly #timer: ReturnType<typeof setInterval>

  constructor(
    readonly pid: number,
    onSample: (mib: number) => void = () => undefined,
  ) {
    const read = () => {
      try {
        this.last = rssMiB(pid)
        this.peak = Math.max(this.peak, this.last)
        onSample(this.last)
      } catch {
        /* the process is gone: keep the last figures */
      }
    }
    read()
    this.#timer = setInterval(read, RSS_SAMPLE_MS)
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}

/** CPU seconds a live process has used, NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    return cpuMs(pid) / 1000
  } catch {
    return NaN
  }
}

/** The honest contact's sends, run in a worker thread (honest-worker.ts) so that the hostile
 *  nodes' work on the main thread never delays an honest message's timing. */
export class HonestClient {
  readonly #worker: Worker
  #waiting: ((r: HonestTimings[]) => void) | undefined

  constructor(honest: Daemon) {
    this.#worker = new Worker(new URL('./honest-worker.mjs', import.meta.url), {
      workerData: { api: honest.api, token: honest.token },
    })
    this.#worker.on('message', (r: HonestTimings[]) => {
      const w = this.#waiting
      this.#waiting = undefined
      w?.(r)
    })
    this.#worker.on('error', () => this.#waiting?.([]))
  }

  /** Starts (or moves on to) phase `phase` of sends to the contact `name`. */
  phase(name: string, phase: number): void {
    this.#worker.postMessage({ type: 'phase', name, phase })
  }

  /** Stops sending; the timings of each phase since the last collect. */
  collect(): Promise<HonestTimings[]> {
    return new Promise((resolve) => {
      this.#waiting = resolve
      this.#worker.postMessage({ type: 'collect' })
    })
  }

  async close(): Promise<void> {
    await this.#worker.terminate()
  }
}
