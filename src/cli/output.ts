// What the CLI prints and how it exits (CLI.md "Conventions"): with --json exactly one JSON
// document on stdout (streams: one object per line); errors as one line `Name: message` on
// stderr; exit codes 0 ok · 1 failure · 2 usage · 3 daemon not running · 4 not found · 5 timed
// out, by the error's name (src/api/error-table.ts). This module owns those rules, the small formatting helpers of the human output, and
// `printable`, the one function every human line passes a peer's text or name through.
import QRCode from 'qrcode'
import { EXIT_FAILURE, exitCodeForName } from '../api/error-table.js'
import { defineError } from '../api/errors.js'

// The exit codes are the contract's; their one home is the error table, which also maps names.
export {
  EXIT_OK,
  EXIT_FAILURE,
  EXIT_USAGE,
  EXIT_DAEMON_NOT_RUNNING,
  EXIT_NOT_FOUND,
  EXIT_TIMEOUT,
} from '../api/error-table.js'

/** A command line that does not make sense (exit 2), raised by our own argument checks. */
export class UsageError extends defineError('UsageError') {}

/** A command that exists in the contract but is not built yet. */
export class NotImplementedError extends defineError('NotImplemented') {}

/** A `verify --confirm` whose number did not match (exit 1). */
export class SafetyNumberMismatchError extends defineError('SafetyNumberMismatch') {}

/** The exit code for `err`: its name's row in src/api/error-table.ts, else 1. */
export function exitCodeFor(err: unknown): number {
  return err instanceof Error ? exitCodeForName(err.name) : EXIT_FAILURE
}

/**
 * What a peer could use to drive or fool a terminal (issue 11, finding 8), matched per code point:
 * - \p{Cc}: C0 controls, DEL and C1 controls (ECMA-48 §5: ESC starts CSI/OSC sequences that clear
 *   the screen or set the window title, 0x9B is a one-byte CSI, BEL ends an OSC, CR rewrites the
 *   current line, LF forges a new one);
 * - \p{Cf}: format characters, among them the bidi embeddings and overrides U+202A–202E, isolates
 *   U+2066–2069 and marks U+200E/200F/061C (Unicode UAX #9 §2; "Trojan Source", CVE-2021-42574)
 *   and invisible ones (U+200B zero width space, U+2060 word joiner, U+FEFF, U+00AD);
 * - \p{Zl}, \p{Zp}: U+2028/2029, which some terminals and viewers break lines at;
 * - \p{Cs}: a lone surrogate (JSON can carry one), shown rather than turned into U+FFFD;
 * - U+2060–206F as a whole: the invisible-operator and bidi-isolate block, whose unassigned code
 *   points (U+2065, \p{Cn} today) may become format characters in a later Unicode version or be
 *   rendered as such by a terminal with newer tables (found by the property test in CI).
 * Exempt: ZWNJ/ZWJ (U+200C/200D) and the tag characters U+E0020–E007F, which emoji sequences and
 * some scripts need and which move no cursor. (Names with them are refused by the service.)
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u2060-\u206f]/gu

function exempt(cp: number): boolean {
  return cp === 0x200c || cp === 0x200d || (cp >= 0xe0020 && cp <= 0xe007f)
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** The visible escape of one unsafe code point: \n \r \t, \x1b, \u202e or \u{e0001}. */
function escapeChar(c: string): string {
  const named = NAMED[c]
  if (named !== undefined) return named
  const cp = c.codePointAt(0) ?? 0
  if (exempt(cp)) return c
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`
  return `\\u{${cp.toString(16)}}`
}

/**
 * Text from a peer (message text, names, profile and group names, invite names, error messages
 * that quote them) made safe for a terminal: every control, format and separator character is
 * shown as a visible escape (`\x1b`, `\r`, `\u202e`), so nothing it holds can move the cursor,
 * run an escape sequence, reorder what follows, or start a line of its own. With `continuation`,
 * a line break (LF or CRLF) in the text is kept but the next line begins with `continuation`,
 * so a message's own lines can never pass for lines of the output (which start at column 0);
 * a lone CR is still escaped. Only for human output: --json prints the exact strings.
 */
export function printable(text: string, continuation?: string): string {
  if (continuation === undefined) return text.replace(UNSAFE, escapeChar)
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(UNSAFE, escapeChar))
    .join(`\n${continuation}`)
}

/** How the second and later lines of a multi-line message begin in human output: indented and
 *  marked, so they never look like a line of their own (which starts with a time, at column 0). */
export const CONTINUATION = '    │ '

/** The one stderr line for an error: `Name: message`, newlines folded, escapes shown. */
export function errorLine(err: unknown): string {
  if (!(err instanceof Error)) return `Error: ${printable(String(err))}`
  const message = err.message.replace(/\s*\n\s*/g, ' ').trim()
  return printable(message === '' ? err.name : `${err.name}: ${message}`)
}

// Lines and JSON documents reach stdout/stderr the way the daemon writes its own (one home).
export { writeErr, writeJson, writeOut } from '../daemon/output.js'

/** Left-aligned columns under a header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

/** Local time, `YYYY-MM-DD HH:MM`. */
export function formatTime(ms: number): string {
  const d = new Date(ms)
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}`
  )
}

/** Delivery ticks of an outgoing message: queued ·, sent ✓, delivered ✓✓, read ✓✓✓. */
export function ticks(status: string): string {
  if (status === 'read') return '✓✓✓'
  return status === 'delivered' ? '✓✓' : status === 'sent' ? '✓' : '·'
}

/** A terminal QR code of `text`, or undefined if it does not fit in one. Long texts (invites
 *  carry a post-quantum prekey) fall back to the lowest error correction, which holds the most. */
export async function qrCode(text: string): Promise<string | undefined> {
  for (const errorCorrectionLevel of ['M', 'L'] as const) {
    try {
      return await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel })
    } catch {
      // too long at this level
    }
  }
  return undefined
}
