// Message commands (CLI.md "Messages"): send and messages [--follow]. Through the API; --follow
// subscribes to the daemon's event socket before reading history, so nothing falls in between.
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import type { ApiClient } from '../../api/client.js'
import { DeliveryTimeoutError } from '../../api/client.js'
import type { MessageView, ServiceEvent } from '../../api/contract.js'
import {
  isBlank,
  MAX_SEND_BATCH,
  MAX_TEXT_BYTES,
  MessageTooLongError,
  textTooLong,
} from '../../api/limits.js'
import { ctxOf, positiveInt } from '../context.js'
import { ticks, UsageError, writeJson, writeOut } from '../output.js'
import { messageLine, snippet } from './message-lines.js'
import { openFollow, untilInterrupted, type Follow } from './follow.js'

/** `send -`: the most read from stdin. Above MAX_TEXT_BYTES, so a text a little too long is
 *  refused with its size (MessageTooLong) rather than as an unreadable stdin. */
export const MAX_STDIN_BYTES = 1024 * 1024

/** `send --timeout` default and bounds, in seconds. 0 is allowed, as by the API: `--wait
 *  --timeout 0` does not wait, it only checks (exit 0 if already delivered, else exit 5). */
export const DEFAULT_SEND_TIMEOUT_S = 30

export const MAX_SEND_TIMEOUT_S = 600

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_STDIN_BYTES) throw new UsageError(`stdin is over ${MAX_STDIN_BYTES} bytes`)
    chunks.push(chunk)
  }
  // A trailing newline (echo, heredocs) is not part of the message.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** `send - --lines`: the most bytes of text one batch request carries (the API's body limit is
 *  6 × MAX_TEXT_BYTES + 64 KiB; JSON escaping can grow a text up to 6×, so 64 KiB of text is
 *  always under it). A batch closes at MAX_SEND_BATCH texts or at this many bytes. */
export const MAX_SEND_BATCH_BYTES = 64 * 1024

/**
 * `send <contact> - --lines` (issue 17): one message per stdin line, sent in batches of
 * MAX_SEND_BATCH texts (one request and one transaction each), in order. Blank lines are skipped
 * (a message is never blank); a line over MAX_TEXT_BYTES stops the command with MessageTooLong,
 * after the batches before it were queued. Returns every queued id, in order.
 */
async function sendLines(client: ApiClient, ref: string): Promise<string[]> {
  const ids: string[] = []
  let batch: string[] = []
  let bytes = 0
  const flush = async () => {
    if (batch.length === 0) return
    const r = await client.sendMany(ref, batch)
    ids.push(...r.ids)
    batch = []
    bytes = 0
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of lines) {
    if (isBlank(line)) continue
    checkTextArg(line)
    const size = Buffer.byteLength(line)
    if (batch.length >= MAX_SEND_BATCH || bytes + size > MAX_SEND_BATCH_BYTES) await flush()
    batch.push(line)
    bytes += size
  }
  await flush()
  return ids
}

function parseTimeout(value: string): number {
  const s = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
  if (!(s >= 0 && s <= MAX_SEND_TIMEOUT_S)) {
    throw new UsageError(
      `--timeout must be a number of seconds from 0 (do not wait, only check) to ${MAX_SEND_TIMEOUT_S}`,
    )
  }
  return Math.round(s * 1000)
}

/** The service's text rules (src/service/text.ts), checked before the API is called so the CLI's
 *  error is the service's own: a blank text is a usage error (exit 2), a long one MessageTooLong. */
export function checkTextArg(text: string): void {
  if (isBlank(text)) throw new UsageError('empty message')
  const tooLong = textTooLong(text)
  if (tooLong !== undefined) throw new MessageTooLongError(tooLong)
}

/** Names for PeerIds in human output: contacts by name, ourselves as "me". */
export async function nameBook(client: ApiClient): Promise<(peerId: string) => string> {
  const contacts = await client.listContacts()
  const names = new Map(contacts.map((c) => [c.peerId, c.name]))
  return (peerId) => (peerId === client.info.peerId ? 'me' : (names.get(peerId) ?? peerId))
}

/** The contact `ref` means: a PeerId always means that PeerId (issue 11, finding 7: a contact
 *  named like another's PeerId must not capture it), else a name. */
export function findContact<C extends { name: string; peerId: string }>(
  contacts: C[],
  ref: string,
): C | undefined {
  return contacts.find((c) => c.peerId === ref) ?? contacts.find((c) => c.name === ref)
}

/** A message id argument as `messages --json` prints it (32 hex chars). */
export function messageIdArg(flag: string, id: string): string {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError(`${flag} takes a message id (32 hex chars)`)
  return id
}

/** `--reply-to <id>`. */
export function replyToArg(id: string | undefined): { replyTo?: string } {
  return id === undefined ? {} : { replyTo: messageIdArg('--reply-to', id) }
}

export function registerMessages(program: Command): void {
  program
    .command('send <contact> <text...>')
    .description(
      `queue a message (text "-" reads stdin); at most ${MAX_TEXT_BYTES.toLocaleString('en-US')} ` +
        'bytes of UTF-8 (63 KiB), not blank',
    )
    .option('--wait', 'return once the peer acknowledged it (exit 5 on timeout)')
    .option('--reply-to <id>', 'reply to message <id> of this conversation')
    .option(
      '--lines',
      `with text "-": one message per stdin line, queued in batches of ${MAX_SEND_BATCH}`,
    )
    .option(
      '--timeout <seconds>',
      'how long --wait waits, 0 to 600 (0: only check)',
      String(DEFAULT_SEND_TIMEOUT_S),
    )
    .action(
      async (
        ref: string,
        words: string[],
        o: { wait?: boolean; timeout: string; replyTo?: string; lines?: boolean },
        cmd: Command,
      ) => {
        const ctx = ctxOf(cmd)
        const timeoutMs = parseTimeout(o.timeout)
        const reply = replyToArg(o.replyTo)
        if (o.lines === true) {
          if (words.length !== 1 || words[0] !== '-')
            throw new UsageError('--lines reads stdin: give "-" as the text')
          if (o.wait === true || o.replyTo !== undefined)
            throw new UsageError('--lines goes without --wait and --reply-to')
          const ids = await sendLines(ctx.client(), ref)
          if (ctx.json) writeJson({ ids, status: 'queued' })
          else writeOut(`queued ${ids.length} message${ids.length === 1 ? '' : 's'}`)
          return
        }
        const text = words.length === 1 && words[0] === '-' ? await readStdin() : words.join(' ')
        checkTextArg(text)
        const wait = o.wait === true
        let r: { id: string; status: string }
        try {
          r = await ctx.client().send(ref, text, { ...reply, ...(wait ? { wait, timeoutMs } : {}) })
        } catch (err) {
          if (err instanceof DeliveryTimeoutError) {
            // Scripts still get the id to follow up on; the exit code says it timed out.
            if (ctx.json) writeJson({ id: err.id, status: err.status })
            throw new DeliveryTimeoutError(
              `message ${err.id} not delivered within ${timeoutMs / 1000} s (status: ${err.status})`,
              err.id,
              err.status,
            )
          }
          throw err
        }
        if (ctx.json) writeJson(r)
        else writeOut(`${r.status} ${ticks(r.status)}  ${r.id}`)
      },
    )

  program
    .command('messages [contact]')
    .description('history, oldest first (all conversations without a contact)')
    .option('--limit <n>', 'only the last N messages')
    .option('--before <id>', 'only messages shown before that one (page back with --limit)')
    .option('--follow', 'keep printing new messages')
    .action(
      async (
        ref: string | undefined,
        o: { limit?: string; follow?: boolean; before?: string },
        cmd: Command,
      ): Promise<void> => {
        const ctx = ctxOf(cmd)
        const limit = o.limit === undefined ? undefined : positiveInt('--limit', o.limit, 100_000)
        const before = o.before === undefined ? undefined : messageIdArg('--before', o.before)
        const client = ctx.client()
        const f = await openFollow(client, o.follow)
        try {
          const history = await client.messages({
            ...(ref !== undefined ? { contact: ref } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(before !== undefined ? { before } : {}),
          })
          const name = ctx.json ? (p: string) => p : await nameBook(client)
          const texts = new Map(history.map((m) => [m.id, m.text]))
          const quote = (id: string) => texts.get(id)
          const print = (m: MessageView) =>
            ctx.json ? writeJson(m) : writeOut(messageLine(m, name, ref === undefined, quote))
          history.forEach(print)
          if (f === undefined) return
          await follow(client, ref, history, print, ctx.json, f.start, name)
          await untilInterrupted(f.stream)
        } finally {
          f?.stream.close()
        }
      },
    )
}

async function follow(
  client: ApiClient,
  ref: string | undefined,
  history: MessageView[],
  print: (m: MessageView) => void,
  json: boolean,
  start: Follow['start'],
  name: (peerId: string) => string = (p) => p,
): Promise<void> {
  let conversation: string | undefined
  if (ref !== undefined) {
    const contacts = await client.listContacts()
    conversation = findContact(contacts, ref)?.peerId ?? ref
  }
  const texts = new Map(history.map((m) => [m.id, m.text]))
  const onEvent = (e: ServiceEvent) => {
    if (e.event === 'message') {
      if (conversation !== undefined && e.message.conversation !== conversation) return
      if (texts.has(e.message.id)) return
      texts.set(e.message.id, e.message.text)
      print(e.message)
    } else if (e.event === 'status' && !json) {
      if (conversation !== undefined && e.conversation !== conversation) return
      const text = texts.get(e.id)
      if (text === undefined) return
      writeOut(`  ${ticks(e.status)} ${e.status}: ${snippet(text)}`)
    } else if (e.event === 'update') {
      // Edited, deleted, disappeared or reacted to: the line again (JSON: the whole message).
      if (conversation !== undefined && e.message.conversation !== conversation) return
      if (!texts.has(e.message.id)) return
      texts.set(e.message.id, e.message.text)
      if (json) writeJson(e.message)
      else writeOut(`  ~ ${messageLine(e.message, name, ref === undefined)}`)
    }
  }
  start(onEvent)
}
