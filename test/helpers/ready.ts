// The one reader of a daemon's ready line (`kith daemon|relay --json` prints
// {"event":"ready","peerId","addrs","api"} once it listens: src/daemon/run.ts), for the
// integration and netns harnesses, and the port a daemon listening on tcp/0 was given (read back
// from that line, so no test picks a "free" port that another process can take before the daemon
// binds it).
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** How long a daemon may take to print its ready line. From TypeScript sources (no dist/) on a
 *  loaded 2-core machine a start took over 30 s when two test files started daemons at once. */
export const DAEMON_READY_TIMEOUT_MS = 90_000

export interface ReadyLine {
  event: 'ready'
  peerId: string
  addrs: string[]
  api: string
}

/**
 * Resolves with `proc`'s ready line; rejects if it exits first or prints none within
 * `timeoutMs` (the error names `what` and carries the stderr collected so far). Lines that are
 * not JSON are skipped; every stdout line before the ready line is pushed to `lines` if given.
 */
export function readyLine(
  proc: ChildProcess,
  opts: { what: string; timeoutMs: number; stderr: string[]; lines?: string[] },
): Promise<ReadyLine> {
  const { what, timeoutMs, stderr, lines } = opts
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${what}: no ready line in ${timeoutMs / 1000} s; stderr: ${stderr.join('')}`),
        ),
      timeoutMs,
    )
    if (proc.stdout === null) throw new TypeError(`${what}: stdout is not piped`)
    createInterface({ input: proc.stdout }).on('line', (line) => {
      lines?.push(line)
      try {
        const ev = JSON.parse(line) as Partial<ReadyLine>
        if (ev.event === 'ready') {
          clearTimeout(timer)
          resolve(ev as ReadyLine)
        }
      } catch {
        /* not JSON: ignore */
      }
    })
    proc.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${what}: exited ${code}; stderr: ${stderr.join('')}`))
    })
  })
}

/** The TCP port of the first `/ip4/<host>/tcp/<port>` address in `addrs` (a ready line's). */
export function tcpPort(addrs: readonly string[], host = '127.0.0.1'): number {
  for (const a of addrs) {
    const m = new RegExp(`^/ip4/${host.replaceAll('.', '\\.')}/tcp/(\\d+)(/|$)`).exec(a)
    if (m !== null) return Number(m[1])
  }
  throw new Error(`no /ip4/${host}/tcp address in ${addrs.join(' ')}`)
}
