// Edit, delete, react and disappearing (CLI.md "Conversations, receipts, edits"): one API call
// each. Message ids are the ones `messages --json` prints; a reaction is one emoji (checked again
// by the daemon); a timer is seconds (MIN_TTL_SECONDS..MAX_TTL_SECONDS) or `off`. Human output
// is one line; `--json` the API's answer.
import type { Command } from 'commander'
import { MAX_TTL_SECONDS, MIN_TTL_SECONDS, ttlPhrase } from '../../api/limits.js'
import { ctxOf } from '../context.js'
import { printable, UsageError, writeJson, writeOut } from '../output.js'
import { checkTextArg } from './messages.js'
import { reactionsText } from './message-lines.js'

function messageId(id: string): string {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError('a message id is 32 hex chars')
  return id
}

/** `<seconds|off>`: 0 and `off` turn the timer off. */
export function parseTtl(value: string): number {
  if (value === 'off' || value === '0') return 0
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(n >= MIN_TTL_SECONDS && n <= MAX_TTL_SECONDS))
    throw new UsageError(
      `the timer is "off" or ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS} seconds (4 weeks)`,
    )
  return n
}

export function registerEdits(program: Command): void {
  program
    .command('edit <id> <text...>')
    .description('edit one of your messages (both sides show the new text; within 24 h)')
    .action(async (id: string, words: string[], _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const text = words.join(' ')
      checkTextArg(text)
      const r = await ctx.client().editMessage(messageId(id), text)
      if (ctx.json) writeJson(r)
      else writeOut(`edited ${r.id}`)
    })

  program
    .command('delete <id>')
    .description('delete a message here (its text is wiped from the store)')
    .option('--for-everyone', 'also on the other side(s): your own messages only')
    .action(async (id: string, o: { forEveryone?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().deleteMessage(messageId(id), o.forEveryone === true)
      if (ctx.json) writeJson(r)
      else writeOut(`deleted ${r.id}${o.forEveryone === true ? ' for everyone' : ''}`)
    })

  program
    .command('react <id> <emoji>')
    .description('react to a message with one emoji (one reaction of yours per message)')
    .option('--remove', 'remove your reaction')
    .action(async (id: string, emoji: string, o: { remove?: boolean }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().reactMessage(messageId(id), emoji, o.remove === true)
      if (ctx.json) writeJson(r)
      else writeOut(`${r.id}${printable(reactionsText(r.reactions)) || '  (no reactions)'}`)
    })

  program
    .command('disappearing <conversation> <seconds>')
    .description(
      'messages of a contact or group disappear after <seconds> ("off" to stop): ' +
        'yours after sending, theirs after you read them',
    )
    .action(async (ref: string, value: string, _o: unknown, cmd: Command) => {
      const ctx = ctxOf(cmd)
      const r = await ctx.client().setDisappearing(ref, parseTtl(value))
      if (ctx.json) writeJson(r)
      else
        writeOut(
          r.ttlSeconds === 0
            ? 'disappearing messages off'
            : `messages disappear after ${ttlPhrase(r.ttlSeconds)}`,
        )
    })
}
