// Finding the daemon of a KITH_HOME: `daemon.json` and `api-token`, written by the daemon when it
// is ready (CLI.md "Node"). A missing file or a dead pid means DaemonNotRunningError. This module
// owns those two file names and how they are read; it knows no route.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DaemonNotRunningError } from './client-errors.js'

/** Written by the daemon when ready: `{ pid, peerId, addrs, api }` (CLI.md "Node"). */
export const DAEMON_FILE = 'daemon.json'
/** The bearer token of the daemon's API, 0600. */
export const TOKEN_FILE = 'api-token'

export interface DaemonInfo {
  pid: number
  peerId: string
  addrs: string[]
  api: string
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Reads `home`'s daemon.json, checking its pid is alive. Throws DaemonNotRunningError. */
export function readDaemonInfo(home: string): DaemonInfo {
  let info: Partial<DaemonInfo>
  try {
    info = JSON.parse(readFileSync(join(home, DAEMON_FILE), 'utf8')) as Partial<DaemonInfo>
  } catch {
    throw new DaemonNotRunningError(`no daemon running for ${home} (start one: kith daemon)`)
  }
  if (typeof info.api !== 'string' || typeof info.pid !== 'number' || !pidAlive(info.pid)) {
    throw new DaemonNotRunningError(`no daemon running for ${home} (stale ${DAEMON_FILE})`)
  }
  return info as DaemonInfo
}

/** Reads `home`'s API token. Throws DaemonNotRunningError. */
export function readApiToken(home: string): string {
  try {
    return readFileSync(join(home, TOKEN_FILE), 'utf8').trim()
  } catch {
    throw new DaemonNotRunningError(`no daemon running for ${home} (no ${TOKEN_FILE})`)
  }
}
