// Conversations and read marks (CLI.md "Conversations, receipts, edits"): `kith conversations`
// lists each direct and group conversation, most recent first, with its unread count and last
// message; `kith read <contact|group>` marks one read (the daemon sends a read receipt unless
// they are off); `kith settings [--read-receipts on|off]` shows or changes the settings. Through
// the daemon's API. Names and message text are a peer's: human output passes them through
// `printable` (via `snippet`).
import type { Command } from 'commander'
import type { ConversationView } from '../../api/contract.js'
import { ctxOf } from '../context.js'
import { formatTime, printable, table, UsageError, writeJson, writeOut } from '../output.js'
import { snippet } from './message-lines.js'

function lastCell(c: ConversationView): string {
  if (c.last === null) return ''
  const who = c.last.direction === 'out' ? 'me: ' : ''
  return `${who}${snippet(c.last.text)}`
}

export function registerConversations(program: Command): void {
  program
    .command('conversations')
    .description('your direct and group conversations, most recent first, with unread counts')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const list = await ctx.client().conversations()
      if (ctx.json) {
        writeJson(list)
        return
      }
      if (list.length === 0) {
        writeOut('no conversations')
        return
      }
      writeOut(
        table(
          ['NAME', 'KIND', 'UNREAD', 'LAST', 'MESSAGE'],
          list.map((c) => [
            printable(c.name),
            c.kind,
            String(c.unread),
            c.last === null ? '' : formatTime(c.last.sentAt),
            lastCell(c),
          ]),
        ),
      )
    })

  program
    .command('read <conversation>')
    .description('mark a contact’s or group’s conversation read (sends a read receipt)')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().readConversation(ref)
      if (ctx.json) writeJson(r)
      else writeOut(`Marked ${r.read} message${r.read === 1 ? '' : 's'} read`)
    })

  program
    .command('settings')
    .description('show or change settings')
    .option('--read-receipts <on|off>', 'send read receipts when you read a conversation')
    .action(async (o: { readReceipts?: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      let readReceipts: boolean | undefined
      if (o.readReceipts !== undefined) {
        if (o.readReceipts !== 'on' && o.readReceipts !== 'off')
          throw new UsageError('--read-receipts must be on or off')
        readReceipts = o.readReceipts === 'on'
      }
      const client = ctx.client()
      const s =
        readReceipts === undefined
          ? await client.settings()
          : await client.setSettings({ readReceipts })
      if (ctx.json) writeJson(s)
      else writeOut(`read receipts: ${s.readReceipts ? 'on' : 'off'}`)
    })
}
