// `kith chat <contact|group>`: an interactive terminal chat (CLI.md "Messages" and "Conversations,
// receipts, edits"). Shows recent history, then live messages from the daemon's event socket with
// their ticks kept current on each message's own line (../chat/screen.ts), and sends each line
// typed; a line starting with "/" is a command (../chat/input.ts: /help, /read, /quit), never a
// message. A group's chat shows each sender's name and sends to the group. Works with piped stdin
// too: every line is sent, and it exits once they are all queued. This module owns the session:
// which conversation, the API calls, the readline loop.
import { createInterface, type Interface } from 'node:readline'
import type { Command } from 'commander'
import {
  ApiError,
  DaemonNotRunningError,
  type ApiClient,
  type EventStream,
} from '../../api/client.js'
import type { ContactView, GroupView, MessageStatus } from '../../api/contract.js'
import type { MessageView, ServiceEvent } from '../../api/contract.js'
import { helpLines, parseLine, unknownLine } from '../chat/input.js'
import { LastMessages, runEditCommand } from '../chat/edit-commands.js'
import { ChatScreen, useColor } from '../chat/screen.js'
import { displayWidth } from '../chat/width.js'
import { ctxOf } from '../context.js'
import { CONTINUATION, errorLine, printable, UsageError } from '../output.js'
import { checkTextArg, findContact, nameBook } from './messages.js'
import { shownText } from './message-lines.js'

/** Past messages shown when the chat opens (`--history`). */
export const DEFAULT_HISTORY = 20
/** The most `--history` may ask for (the API's own cap on a page of messages). */
export const MAX_HISTORY = 10_000

/** The conversation a chat is about: a contact's (by PeerId) or a group's (by id). */
type Target =
  | { kind: 'direct'; id: string; ref: string; contact: ContactView | undefined }
  | { kind: 'group'; id: string; ref: string; group: GroupView }

function historyArg(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n > MAX_HISTORY) {
    throw new UsageError(`--history must be an integer from 0 to ${MAX_HISTORY}`)
  }
  return n
}

export function registerChat(program: Command): void {
  program
    .command('chat <contact-or-group>')
    .description('interactive terminal chat with a contact or a group (/help lists commands)')
    .option('--history <n>', 'how many past messages to show (0: none)', String(DEFAULT_HISTORY))
    .action(async (ref: string, o: { history: string }, cmd: Command) => {
      const ctx = ctxOf(cmd)
      if (ctx.json) throw new UsageError('chat has no --json output')
      const limit = historyArg(o.history)
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

/** A contact by name or PeerId wins over a group of the same name (the group's id still works). */
async function resolve(client: ApiClient, ref: string): Promise<Target> {
  const contact = findContact(await client.listContacts(), ref)
  if (contact !== undefined) return { kind: 'direct', id: contact.peerId, ref, contact }
  const groups = await client.listGroups()
  // Names compare as the service compares them (groups/naming.ts: NFC, case-folded); two
  // groups with the name are refused as the group commands refuse them, never picked from.
  const key = (n: string) => n.normalize('NFC').toLowerCase().normalize('NFC')
  const named = groups.filter((g) => key(g.name) === key(ref))
  if (named.length > 1 && !groups.some((g) => g.groupId === ref)) {
    throw new ApiError(
      'GroupAmbiguous',
      `${named.length} groups are named "${printable(ref)}": use the group id`,
      409,
    )
  }
  const group = groups.find((g) => g.groupId === ref) ?? named[0]
  if (group !== undefined) return { kind: 'group', id: group.groupId, ref: group.groupId, group }
  return { kind: 'direct', id: ref, ref, contact: undefined }
}

async function runChat(
  ref: string,
  limit: number,
  client: ApiClient,
  stream: EventStream,
  early: ServiceEvent[],
  setOnEvent: (fn: (e: ServiceEvent) => void) => void,
): Promise<void> {
  const target = await resolve(client, ref)
  const history =
    target.kind === 'group'
      ? limit === 0
        ? []
        : await client.groupMessages(target.id, { limit })
      : // Also how an unknown <contact-or-group> is reported (ContactNotFound → exit 4).
        (await client.messages({ contact: target.ref, limit: Math.max(1, limit) })).slice(
          limit === 0 ? 1 : 0,
        )
  const book = await nameBook(client)
  const groupNames = new Map((await client.listGroups()).map((g) => [g.groupId, g.name]))
  // Everything a peer chose (names, text) is shown through `printable` (CLI.md).
  const name = (peerId: string) => printable(book(peerId))
  const tty = process.stdin.isTTY && process.stdout.isTTY

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty })
  rl.setPrompt('> ')
  const screen = new ChatScreen({
    out: process.stdout,
    err: process.stderr,
    tty,
    color: useColor(tty),
    reprompt: () => rl.prompt(true),
    inputRow: () => rl.getCursorPos().rows,
  })
  if (tty) process.stdout.on('resize', () => screen.forgetRows())
  title(screen, target)
  // A group's history line ("alice added carol") is a notice, not someone's message.
  // Replies, "(edited)", "(deleted)" and reactions are part of the shown text (escaped there).
  const texts = new Map(history.map((m) => [m.id, m.text]))
  const shown = (m: MessageView): MessageView => ({
    ...m,
    text: shownText(m, (id) => texts.get(id)),
  })
  const last = new LastMessages()
  const show = (m: MessageView) => {
    texts.set(m.id, m.text)
    last.saw(m)
    if (m.kind === 'event') screen.info(`* ${printable(m.text, CONTINUATION)}`)
    else screen.message(shown(m), m.direction === 'out' ? 'me' : name(m.from))
  }
  for (const m of history) show(m)

  const groupName = async (groupId: string) => {
    if (!groupNames.has(groupId)) {
      for (const g of await client.listGroups()) groupNames.set(g.groupId, g.name)
    }
    return printable(groupNames.get(groupId) ?? 'a group')
  }
  const handle = (e: ServiceEvent) => {
    if (e.event === 'message') {
      const m = e.message
      if (m.conversation === target.id) {
        show(m)
      } else if (m.kind === 'event') {
        // another conversation's history line: nothing to announce
      } else if (m.direction === 'in' && m.conversation !== m.from) {
        void groupName(m.conversation).then((g) =>
          screen.info(`(${name(m.from)} in ${g}: new message)`),
        )
      } else if (m.direction === 'in') {
        screen.info(`(new message from ${name(m.from)})`)
      }
    } else if (e.event === 'update') {
      // A visible message was edited, deleted, disappeared or reacted to: a notice line with it.
      const m = e.message
      if (m.conversation !== target.id || !texts.has(m.id)) return
      texts.set(m.id, m.text)
      const who = m.direction === 'out' ? 'me' : name(m.from)
      screen.info(
        `~ ${who}: ${printable(
          shownText(m, (id) => texts.get(id)),
          CONTINUATION,
        )}`,
      )
    } else if (e.event === 'status') {
      if (e.conversation === target.id) screen.status(e.id, e.status)
    } else if (e.event === 'contact' && target.kind === 'direct' && e.peerId === target.id) {
      screen.info(`* ${printable(e.name)} is ${e.online ? 'online' : 'offline'}`)
    }
  }
  early.splice(0).forEach(handle)
  setOnEvent(handle)
  await readLoop(rl, tty, client, target, screen, stream, last, shown)
}

function title(screen: ChatScreen, target: Target): void {
  if (target.kind === 'group') {
    const n = target.group.members.length
    screen.info(
      `Group chat ${printable(target.group.name)} (${target.id}), ${n} member${n === 1 ? '' : 's'}. /help lists commands.`,
    )
    return
  }
  const c = target.contact
  const state = [
    c?.verified === true ? 'verified' : 'not verified',
    c?.online === true ? 'online' : 'offline',
  ].join(', ')
  const who = printable(c?.name ?? target.ref)
  screen.info(`Chat with ${who} (${printable(target.id)}), ${state}. /help lists commands.`)
  if (c?.keyChanged === true) {
    screen.error(
      `Warning: ${who}'s identity key changed; check it with: kith verify ${printable(target.ref)}`,
    )
  }
}

async function readLoop(
  rl: Interface,
  tty: boolean,
  client: ApiClient,
  target: Target,
  screen: ChatScreen,
  stream: EventStream,
  last: LastMessages,
  shown: (m: MessageView) => MessageView,
): Promise<void> {
  const pending = new Set<Promise<void>>()
  const track = (p: Promise<void>) => {
    const q = p
      .catch((err: unknown) => screen.error(errorLine(err)))
      .finally(() => pending.delete(q))
    pending.add(q)
  }
  const send = async (text: string, replyTo?: string) => {
    checkTextArg(text)
    const opts = replyTo === undefined ? {} : { replyTo }
    const r =
      target.kind === 'group'
        ? await client.sendGroup(target.id, text, opts)
        : await client.send(target.ref, text, opts)
    const now = Date.now()
    const status: MessageStatus = r.status
    screen.message(
      shown({
        id: r.id,
        conversation: target.id,
        from: client.info.peerId,
        direction: 'out',
        text,
        sentAt: now,
        receivedAt: now,
        status,
        replyTo: replyTo ?? null,
      }),
      'me',
    )
    last.saw({ id: r.id, direction: 'out' })
  }
  let daemonGone = false
  await new Promise<void>((done) => {
    rl.on('line', (line) => {
      // The echoed input (it may have wrapped); the message line replaces it.
      if (tty) {
        const rows = Math.max(
          1,
          Math.ceil((2 + displayWidth(line)) / (process.stdout.columns || 80)),
        )
        process.stdout.write(`\x1b[${rows}A\x1b[0J`)
      }
      const typed = parseLine(line)
      if (typed.kind === 'empty') {
        if (tty) rl.prompt()
      } else if (typed.kind === 'unknown') {
        screen.error(printable(unknownLine(typed.word)))
      } else if (typed.kind === 'send') {
        track(send(typed.text))
      } else if (typed.name === 'quit') {
        rl.close()
      } else if (typed.name === 'help') {
        for (const l of helpLines()) screen.info(l)
      } else if (typed.name !== 'read') {
        track(
          runEditCommand(typed.name, typed.arg, last, client, send).then((info) => {
            if (info !== undefined) screen.info(info)
          }),
        )
      } else {
        track(
          client.readConversation(target.id).then((r) => {
            screen.info(`(marked ${r.read} message${r.read === 1 ? '' : 's'} read)`)
          }),
        )
      }
    })
    rl.on('SIGINT', () => rl.close())
    rl.on('close', () => done())
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
