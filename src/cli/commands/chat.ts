// `kith chat <contact>`: an interactive terminal chat (CLI.md "Messages"). Shows recent history,
// then live messages and delivery ticks (✓ sent, ✓✓ delivered) from the daemon's event socket,
// and sends each line typed; /quit (or Ctrl-D, Ctrl-C) leaves. Works with piped stdin too: every
// line is sent, and it exits once they are all queued.
import { createInterface } from 'node:readline'
import type { Command } from 'commander'
import { DaemonNotRunningError, type ApiClient, type EventStream } from '../../api/client.js'
import type { MessageView, ServiceEvent } from '../../service/types.js'
import { ctxOf, positiveInt } from '../context.js'
import { CONTINUATION, errorLine, printable, ticks, UsageError } from '../output.js'
import { findContact, nameBook, snippet } from './messages.js'

const DEFAULT_HISTORY = 20

function hhmm(ms: number): string {
  const d = new Date(ms)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

export function registerChat(program: Command): void {
  program
    .command('chat <contact>')
    .description('interactive terminal chat (/quit leaves)')
    .option('--history <n>', 'how many past messages to show', String(DEFAULT_HISTORY))
    .action(async (ref: string, o: { history: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      if (ctx.json) throw new UsageError('chat has no --json output')
      const limit = positiveInt('--history', o.history, 10_000)
      const client = ctx.client()
      let onEvent: ((e: ServiceEvent) => void) | undefined
      const early: ServiceEvent[] = []
      const stream = await client.events((e) => (onEvent ? onEvent(e) : early.push(e)))
      try {
        await runChat(ref, limit, client, stream, early, (fn) => (onEvent = fn))
      } finally {
        stream.close()
      }
    })
}

async function runChat(
  ref: string,
  limit: number,
  client: ApiClient,
  stream: EventStream,
  early: ServiceEvent[],
  setOnEvent: (fn: (e: ServiceEvent) => void) => void,
): Promise<void> {
  const history = await client.messages({ contact: ref, limit }) // ContactNotFound → exit 4
  const contacts = await client.listContacts()
  const contact = findContact(contacts, ref)
  const peer = contact?.peerId ?? ref
  const book = await nameBook(client)
  // Everything a peer chose (names, text) is shown through `printable` (CLI.md).
  const name = (peerId: string) => printable(book(peerId))
  const tty = process.stdin.isTTY && process.stdout.isTTY

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty })
  rl.setPrompt('> ')
  const print = (line: string) => {
    if (tty) process.stdout.write(`\r\x1b[2K${line}\n`)
    else process.stdout.write(`${line}\n`)
    if (tty) rl.prompt(true)
  }
  const texts = new Map<string, string>()
  const show = (m: MessageView) => {
    if (texts.has(m.id)) return
    texts.set(m.id, m.text)
    const who = m.direction === 'out' ? 'me' : name(m.from)
    const mark = m.direction === 'out' ? `  ${ticks(m.status)}` : ''
    print(`${hhmm(m.sentAt)} ${who}: ${printable(m.text, CONTINUATION)}${mark}`)
  }

  const state = [
    contact?.verified === true ? 'verified' : 'not verified',
    contact?.online === true ? 'online' : 'offline',
  ].join(', ')
  const title = printable(contact?.name ?? ref)
  print(`Chat with ${title} (${printable(peer)}), ${state}. /quit leaves.`)
  if (contact?.keyChanged === true) {
    print(`Warning: ${title}'s identity key changed; check it with: kith verify ${printable(ref)}`)
  }
  history.forEach(show)

  const handle = (e: ServiceEvent) => {
    if (e.event === 'message') {
      if (e.message.conversation === peer) show(e.message)
      else if (e.message.direction === 'in') print(`(new message from ${name(e.message.from)})`)
    } else if (e.event === 'status') {
      const text = texts.get(e.id)
      if (e.conversation === peer && text !== undefined && e.status !== 'queued') {
        print(`      ${ticks(e.status)} ${e.status}: ${snippet(text, 30)}`)
      }
    } else if (e.event === 'contact' && e.peerId === peer) {
      print(`* ${printable(e.name)} is ${e.online ? 'online' : 'offline'}`)
    }
  }
  early.splice(0).forEach(handle)
  setOnEvent(handle)

  const pending = new Set<Promise<void>>()
  let daemonGone = false
  await new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      const text = line.trim()
      if (text === '/quit') {
        rl.close()
        return
      }
      if (tty) process.stdout.write('\x1b[1A\x1b[2K') // the echoed input; the message line replaces it
      if (text === '') {
        if (tty) rl.prompt()
        return
      }
      const p = client
        .send(ref, text)
        .then((r) =>
          show({
            id: r.id,
            conversation: peer,
            from: client.info.peerId,
            direction: 'out',
            text,
            sentAt: Date.now(),
            receivedAt: Date.now(),
            status: r.status,
          }),
        )
        .catch((err: unknown) => print(errorLine(err)))
        .finally(() => pending.delete(p))
      pending.add(p)
    })
    rl.on('SIGINT', () => rl.close())
    rl.on('close', () => resolve())
    void stream.closed.then(() => {
      daemonGone = true
      rl.close()
    })
    if (tty) rl.prompt()
  })
  await Promise.all(pending)
  if (tty) process.stdout.write('\n')
  if (daemonGone) throw new DaemonNotRunningError('the daemon closed the event stream')
}
