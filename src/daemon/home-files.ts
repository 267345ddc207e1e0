// The files a running daemon or relay leaves in KITH_HOME (CLI.md "Node"): `api-token` and
// `daemon.json`, both 0600 and written atomically, and the check that no other daemon runs on a
// home. It owns their names' use and their modes; what they hold is the API's (src/api/client.ts
// reads them). Nothing here touches keys or messages.
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
import { defineError } from '../core/errors.js'
import { ApiClient, DaemonNotRunningError, TOKEN_FILE, type DaemonInfo } from '../api/client.js'

/** `kith daemon` (or `restore`) on a home whose daemon is running (exit 1). */
export class DaemonRunningError extends defineError('DaemonRunning') {}

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

/** Removes daemon.json if it is still ours (a newer daemon may have replaced it). */
export function removeDaemonFile(path: string): void {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as Partial<DaemonInfo>
    if (info.pid === process.pid) rmSync(path, { force: true })
  } catch {
    // already gone
  }
}
