// What `kith chat` prints, and how it keeps a message's ticks current on the message's own line.
// On a TTY a status change (✓ sent → ✓✓ delivered → ✓✓✓ read) rewrites the tick field of that
// line in place: the screen remembers the rows each recent line took, saves the cursor (DECSC,
// ECMA-48 / VT100 "ESC 7"), moves up to the line (CUU, ECMA-48 §8.3.22), rewrites it at the same
// width and restores the cursor ("ESC 8"); a line that has scrolled off is left alone. On a pipe,
// ticks print nothing. A date line comes before the first message of each day. Colour (SGR,
// ECMA-48 §8.3.117) only on a TTY and never when NO_COLOR is set (https://no-color.org). This
// module owns the layout; it never reads the keyboard or calls the API.
import type { MessageStatus, MessageView } from '../../api/contract.js'
import { CONTINUATION, printable, ticks } from '../output.js'
import { rowsOf } from './width.js'

export interface Terminal {
  write(s: string): unknown
  readonly isTTY?: boolean
  readonly columns?: number
  readonly rows?: number
}

export interface ScreenOptions {
  out: Terminal
  /** Where error lines go when `out` is not a TTY (stderr); on a TTY they are chat lines. */
  err: Terminal
  tty: boolean
  color: boolean
  /** Redraws the prompt and the line being typed, after something was printed above it. */
  reprompt(): void
  /** The row of the cursor inside what is being typed (0 unless it wraps). */
  inputRow(): number
}

/** Colour only on a TTY and never when NO_COLOR is set to anything but "" (no-color.org). */
export function useColor(tty: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return tty && (env.NO_COLOR === undefined || env.NO_COLOR === '')
}

const SGR = { dim: '2', bold: '1', red: '31', green: '32', blue: '34', cyan: '36' } as const
type Style = keyof typeof SGR

const RANK: Record<MessageStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3 }
/** Status changes remembered for messages not printed yet (a send's answer can come after its
 *  first status event); bounded, since a chat may see statuses of messages it never shows. */
export const MAX_EARLY_STATUSES = 1000
/** Ticks are printed in a field this wide, so rewriting them never changes how a line wraps. */
export const TICK_FIELD = 3

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

function dayOf(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`
}

function dayLine(ms: number): string {
  const d = new Date(ms)
  const opts = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } as const
  return `── ${d.toLocaleDateString('en-GB', opts)} ──`
}

interface Entry {
  rows: number
  id?: string
  render?: (status: MessageStatus) => string
}

export class ChatScreen {
  readonly #o: ScreenOptions
  /** Recent lines, oldest first, no more than fill the terminal. */
  readonly #entries: Entry[] = []
  readonly #status = new Map<string, MessageStatus>()
  /** Status changes of messages not printed yet (their send is still being answered). */
  readonly #early = new Map<string, MessageStatus>()
  #lastDay: string | undefined

  constructor(o: ScreenOptions) {
    this.#o = o
  }

  #paint(style: Style, s: string): string {
    return this.#o.color ? `\x1b[${SGR[style]}m${s}\x1b[0m` : s
  }

  /** Forgets where lines are (the terminal was resized: they have rewrapped). */
  forgetRows(): void {
    this.#entries.length = 0
  }

  #columns(): number {
    return Math.max(1, this.#o.out.columns ?? 80)
  }

  #put(plain: string, styled: string, entry: Omit<Entry, 'rows'> = {}): void {
    if (!this.#o.tty) {
      this.#o.out.write(`${plain}\n`)
      return
    }
    this.#o.out.write(`\r\x1b[2K${styled}\n`)
    this.#entries.push({ ...entry, rows: rowsOf(plain, this.#columns()) })
    const keep = Math.max(1, (this.#o.out.rows ?? 24) - 1)
    let total = this.#entries.reduce((n, e) => n + e.rows, 0)
    while (total > keep && this.#entries.length > 0) total -= this.#entries.shift()?.rows ?? 0
    this.#o.reprompt()
  }

  /** A line of the chat's own (title, notices), dim. `text` is already printable. */
  info(text: string): void {
    this.#put(text, this.#paint('dim', text))
  }

  /** An error line: on a TTY in red among the chat lines, else on stderr. */
  error(text: string): void {
    if (!this.#o.tty) this.#o.err.write(`${text}\n`)
    else this.#put(text, this.#paint('red', text))
  }

  #dateLine(ms: number): void {
    const day = dayOf(ms)
    if (day === this.#lastDay) return
    this.#lastDay = day
    const text = dayLine(ms)
    this.#put(text, this.#paint('dim', text))
  }

  #ticks(status: MessageStatus, color: boolean): string {
    const field = ticks(status).padEnd(TICK_FIELD)
    if (!color) return field
    return this.#paint(status === 'read' ? 'blue' : status === 'queued' ? 'dim' : 'green', field)
  }

  /** Prints a message once (by id), after a date line if its day is not the last one shown.
   *  `who` is the sender's name, already printable; the text is made printable here. */
  message(m: MessageView, who: string): void {
    if (this.#status.has(m.id)) return
    const status = this.#best(m.id, m.status)
    this.#status.set(m.id, status)
    this.#dateLine(m.sentAt)
    const d = new Date(m.sentAt)
    const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`
    const text = printable(m.text, CONTINUATION)
    const out = m.direction === 'out'
    const line = (s: MessageStatus, color: boolean) => {
      const paint = (style: Style, x: string) => (color ? this.#paint(style, x) : x)
      const name = paint(out ? 'bold' : 'cyan', who)
      const mark = out ? `  ${this.#ticks(s, color)}` : ''
      return `${paint('dim', time)} ${name}: ${text}${mark}`
    }
    this.#put(line(status, false), line(status, this.#o.color), {
      id: m.id,
      ...(out ? { render: (s: MessageStatus) => line(s, this.#o.color) } : {}),
    })
  }

  #best(id: string, status: MessageStatus): MessageStatus {
    const seen = this.#status.get(id) ?? this.#early.get(id)
    return seen !== undefined && RANK[seen] > RANK[status] ? seen : status
  }

  /** A message's status moved: rewrite its line in place if it is still on screen (TTY only). */
  status(id: string, status: MessageStatus): void {
    const shown = this.#status.get(id)
    if (shown === undefined) {
      if (this.#early.size < MAX_EARLY_STATUSES) this.#early.set(id, this.#best(id, status))
      return
    }
    if (RANK[status] <= RANK[shown]) return
    this.#status.set(id, status)
    if (!this.#o.tty) return
    const i = this.#entries.findIndex((e) => e.id === id)
    const entry = this.#entries[i]
    if (entry?.render === undefined) return
    const below = this.#entries.slice(i + 1).reduce((n, e) => n + e.rows, 0)
    const up = this.#o.inputRow() + below + entry.rows
    if (up > (this.#o.out.rows ?? 24) - 1) return // scrolled off: print nothing
    this.#o.out.write(`\x1b7\x1b[${up}A\r${entry.render(status)}\x1b8`)
  }
}
