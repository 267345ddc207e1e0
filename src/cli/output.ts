// What the CLI prints and how it exits (CLI.md "Conventions"): with --json exactly one JSON
// document on stdout (streams: one object per line); errors as one line `Name: message` on
// stderr; exit codes 0 ok · 1 failure · 2 usage · 3 daemon not running · 4 not found · 5 timed
// out. This module owns those rules and the small formatting helpers of the human output.
import QRCode from 'qrcode'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_DAEMON_NOT_RUNNING = 3
export const EXIT_NOT_FOUND = 4
export const EXIT_TIMEOUT = 5

/** A command line that does not make sense (exit 2), raised by our own argument checks. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** A command that exists in the contract but is not built yet. */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplemented'
}

/** A `verify --confirm` whose number did not match (exit 1). */
export class SafetyNumberMismatchError extends Error {
  override readonly name = 'SafetyNumberMismatch'
}

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof Error)) return EXIT_FAILURE
  if (err.name === 'UsageError') return EXIT_USAGE
  if (err.name === 'DaemonNotRunning') return EXIT_DAEMON_NOT_RUNNING
  if (/NotFound(Error)?$/.test(err.name)) return EXIT_NOT_FOUND
  if (err.name === 'Timeout') return EXIT_TIMEOUT
  return EXIT_FAILURE
}

/** The one stderr line for an error: `Name: message`, newlines folded. */
export function errorLine(err: unknown): string {
  if (!(err instanceof Error)) return `Error: ${String(err)}`
  const message = err.message.replace(/\s*\n\s*/g, ' ').trim()
  return message === '' ? err.name : `${err.name}: ${message}`
}

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

export function writeErr(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** One JSON document (or one line of a stream) on stdout. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}

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

/** Delivery ticks of an outgoing message: queued ·, sent ✓, delivered ✓✓. */
export function ticks(status: string): string {
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
