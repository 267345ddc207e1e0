// How a message is shown on one line (CLI.md "Messages"): its time, who, the text with its reply
// quote, (edited)/(deleted) marks and reactions, a group's tag and history sentences, and the
// delivery ticks — every name and text escaped through `printable`, so no peer can forge a line.
// Shared by messages, search, requests, group and chat. Pure formatting; it knows no API calls.
import type { GroupEvent, MessageView } from '../../api/contract.js'
import { eventSentence } from '../../api/limits.js'
import { CONTINUATION, formatTime, printable, ticks } from '../output.js'

/** Compact reactions: `[👍 2  🎉]` (the count only when more than one). */
export function reactionsText(r: Record<string, string[]> | undefined): string {
  const parts = Object.entries(r ?? {}).map(([e, who]) =>
    who.length > 1 ? `${e} ${who.length}` : e,
  )
  return parts.length === 0 ? '' : `  [${parts.join('  ')}]`
}

/** A message's text as shown (not yet escaped): "↪ reply to …" first, "(deleted)" instead of a
 *  wiped text, "(edited)" and the reactions after it. `quote` finds the quoted message's text. */
export function shownText(m: MessageView, quote?: (id: string) => string | undefined): string {
  let reply = ''
  if (m.replyTo != null) {
    const q = quote?.(m.replyTo)
    reply = `↪ reply to ${q === undefined ? m.replyTo.slice(0, 8) : `"${snippetRaw(q, 24)}"`}  `
  }
  const body = m.deleted === true ? '(deleted)' : m.text
  const edited = m.editedAt != null && m.deleted !== true ? ' (edited)' : ''
  return `${reply}${body}${edited}${reactionsText(m.reactions)}`
}

function snippetRaw(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ')
  return one.length > max ? `${one.slice(0, max - 1)}…` : one
}

/** One human line for a message (more if its text has line breaks: each continues indented
 *  after CONTINUATION). Names and text are shown through `printable`: no peer can forge a line.
 *  With `conv` (several conversations), a group's lines start with `[group name]` (issue 14). A
 *  group history line (`kind` event) is `* <sentence>`, built here with `name`, not the daemon's
 *  stored sentence, so it shows the names of now, escaped like every name. */
export function messageLine(
  m: MessageView,
  name: (peerId: string) => string,
  conv: boolean,
  quote?: (id: string) => string | undefined,
) {
  const tag = conv && m.group !== undefined ? `[${printable(m.group.name)}] ` : ''
  if (m.event !== undefined) return `${formatTime(m.sentAt)}  ${tag}* ${eventLine(m.event, name)}`
  const who = m.direction === 'out' ? 'me' : printable(name(m.from))
  const where =
    conv && m.direction === 'out' && m.group === undefined
      ? ` → ${printable(name(m.conversation))}`
      : ''
  const mark = m.direction === 'out' ? `  ${ticks(m.status)}` : ''
  const text = printable(shownText(m, quote), CONTINUATION)
  return `${formatTime(m.sentAt)}  ${tag}${who}${where}: ${text}${mark}`
}

/** An event's sentence with the name book (ourselves: the PeerId it calls "me" → "you"). */
function eventLine(e: GroupEvent, name: (peerId: string) => string): string {
  const me = [e.by, ...e.members].find((p) => name(p) === 'me') ?? ''
  return eventSentence(
    e,
    me,
    (p) => printable(name(p)),
    (s) => `"${printable(s)}"`,
  )
}

/** The start of a message's text on one line, escaped (`--follow` status lines, chat ticks). */
export function snippet(text: string, max = 40): string {
  const one = text.replace(/\s+/g, ' ')
  return printable(one.length > max ? `${one.slice(0, max - 1)}…` : one)
}
