// Whether and how `kith invite` (and `kith verify`) show a QR code (issue 14: "QR only when stdout is a TTY and
// fits"). A QR drawn with ANSI colours is only for a terminal: never into a pipe or a file, where
// the escape codes would corrupt what a script reads. And only if each row fits the terminal's
// width, since a wrapped QR cannot be scanned; otherwise a one-line hint says why it is missing.
// This module decides; drawing is `qrCode` (./output.ts), printing the command's.
import { qrCode } from './output.js'

/** What is known of the stream the QR would go to. */
export interface TerminalInfo {
  isTTY: boolean
  /** Columns of the terminal (undefined when unknown). */
  columns: number | undefined
}

/** Assumed width when a TTY does not report its size: the classic 80 columns. */
export const DEFAULT_TERMINAL_COLUMNS = 80

/** Columns a line takes on screen, ANSI SGR sequences not counted (the QR uses only those and
 *  one-column block characters). */
export function visibleWidth(line: string): number {
  // ECMA-48 §8.3.117 SGR: ESC [ params m
  // eslint-disable-next-line no-control-regex
  return [...line.replace(/\x1b\[[0-9;]*m/g, '')].length
}

/** The QR of `text` to print, a hint (for stderr) saying why there is none on a terminal, or
 *  undefined when stdout is not a terminal. */
export async function terminalQr(
  text: string,
  term: TerminalInfo,
): Promise<{ qr: string } | { hint: string } | undefined> {
  if (!term.isTTY) return undefined // a pipe or a file: the link alone, no escape codes
  const qr = await qrCode(text)
  if (qr === undefined) return { hint: '(too long for a QR code)' }
  const columns = term.columns ?? DEFAULT_TERMINAL_COLUMNS
  const width = Math.max(...qr.split('\n').map(visibleWidth))
  if (width > columns) {
    return {
      hint: `(the QR code needs ${width} columns, the terminal has ${columns}: widen it to see the code)`,
    }
  }
  return { qr }
}
