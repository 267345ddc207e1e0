// What every command action gets: the resolved home, --json, and the API client of the home's
// daemon (created on first use, so a missing daemon is reported only by commands that need one).
import type { Command } from 'commander'
import { ApiClient } from '../api/client.js'
import { resolveHome } from './home.js'
import { UsageError } from './output.js'

export interface Ctx {
  home: string
  json: boolean
  client(): ApiClient
}

export function ctxOf(cmd: Command): Ctx {
  const g = cmd.optsWithGlobals<{ home?: string; json?: boolean }>()
  const home = resolveHome(g.home)
  let client: ApiClient | undefined
  return {
    home,
    json: g.json === true,
    client: () => (client ??= ApiClient.fromHome(home)),
  }
}

/** Parses a positive integer option (exit 2 otherwise). */
export function positiveInt(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be an integer from 1 to ${max}`)
  }
  return n
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
