// `kith search <query> [--conversation <c>] [--limit N]` (CLI.md "Conversations, receipts,
// edits"): full-text search of history in the daemon's encrypted store, through the API. Prints
// message lines, newest first: with --json one JSON object per line, as `kith messages --json`;
// otherwise the same human lines as `kith messages` (peer text passed through `printable`).
import type { Command } from 'commander'
import { MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_CHARS } from '../../api/limits.js'
import { ctxOf, positiveInt } from '../context.js'
import { UsageError, writeJson, writeOut } from '../output.js'
import { nameBook } from './messages.js'
import { messageLine } from './message-lines.js'

export function registerSearch(program: Command): void {
  program
    .command('search <query...>')
    .description(
      `full-text search of history, newest first (every word must match, as a prefix; ` +
        `at most ${MAX_SEARCH_QUERY_CHARS} characters)`,
    )
    .option('--conversation <c>', 'only this contact’s or group’s conversation')
    .option('--limit <n>', `at most N results, 1 to ${MAX_SEARCH_LIMIT} (default 50)`)
    .action(async (words: string[], o: { conversation?: string; limit?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const query = words.join(' ')
      if (query.trim() === '') throw new UsageError('the query must not be blank')
      if (query.length > MAX_SEARCH_QUERY_CHARS) {
        throw new UsageError(`the query must be at most ${MAX_SEARCH_QUERY_CHARS} characters`)
      }
      const limit =
        o.limit === undefined ? undefined : positiveInt('--limit', o.limit, MAX_SEARCH_LIMIT)
      const client = ctx.client()
      const found = await client.search(query, {
        ...(o.conversation !== undefined ? { conversation: o.conversation } : {}),
        ...(limit !== undefined ? { limit } : {}),
      })
      if (ctx.json) {
        found.forEach((m) => writeJson(m))
        return
      }
      if (found.length === 0) {
        writeOut('no messages found')
        return
      }
      const name = await nameBook(client)
      found.forEach((m) => writeOut(messageLine(m, name, o.conversation === undefined)))
    })
}
