// The parent's side of the files bench's source processes (./file-source.ts): spawning one per
// source, reading its ready line, and ending it. It knows nothing of what is measured.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { NODE_LOADER_ARGS } from './dm-daemons.js'

/** The raw libp2p stream the sources serve the plain file on (the baseline). */
export const RAW_PROTOCOL = '/kith-bench/raw/1.0.0'
/** A source that prints no ready line within this long failed to start. */
const SOURCE_READY_MS = 60_000
/** A source still alive this long after its stdin closed is killed. */
const SOURCE_STOP_MS = 10_000

const here = new URL('.', import.meta.url).pathname

export interface Source {
  peerId: string
  addrs: string[]
  tcpPort: number
  proc: ChildProcess
}

/** Starts one source process serving `src` (plain), `chunks` and `hashes` (sealed). */
export function startSource(src: string, chunks: string, hashes: string | undefined, size: number) {
  const proc = spawn(
    process.execPath,
    [...NODE_LOADER_ARGS, join(here, 'file-source.ts'), src, chunks, hashes ?? '-', String(size)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  return new Promise<Source>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error('a file source did not start'))
    }, SOURCE_READY_MS)
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer)
      resolve({ ...(JSON.parse(line) as Omit<Source, 'proc'>), proc })
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`a file source exited (${code})`))
    })
  })
}

/** Ends a source (closes its stdin; SIGKILL after SOURCE_STOP_MS). */
export async function stopSource(s: Source): Promise<void> {
  if (s.proc.exitCode !== null) return
  const exited = new Promise<void>((r) => s.proc.once('exit', () => r()))
  s.proc.stdin?.end()
  const t = setTimeout(() => s.proc.kill('SIGKILL'), SOURCE_STOP_MS)
  await exited
  clearTimeout(t)
}
