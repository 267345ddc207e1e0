// How many terminal columns a string takes, close enough to tell how many rows a printed line
// wraps onto (./screen.ts moves the cursor up that many rows to update a line in place). This
// module owns that estimate only: wcwidth's rules (https://www.cl.cam.ac.uk/~mgk25/ucs/wcwidth.c)
// for combining marks (0) and East Asian Wide/Fullwidth characters (2, Unicode UAX #11), plus
// emoji (2). Escape sequences are not counted: callers pass the text without its colour codes.

const ZERO = /[\p{Mn}\p{Me}\u200b-\u200f]/u
const EMOJI = /\p{Extended_Pictographic}/u

/** UAX #11 East Asian Wide (W) and Fullwidth (F) ranges, as wcwidth.c lists them. */
function wide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe6f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
}

export function displayWidth(text: string): number {
  let n = 0
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0
    if (ZERO.test(ch) || (cp >= 0xfe00 && cp <= 0xfe0f)) continue // marks, ZW*, variation selectors
    n += wide(cp) || (cp > 0x2000 && EMOJI.test(ch) && cp >= 0x1f000) ? 2 : 1
  }
  return n
}

/** Rows a line (which may hold "\n") takes in a terminal `columns` wide. */
export function rowsOf(text: string, columns: number): number {
  return text
    .split('\n')
    .reduce((rows, part) => rows + Math.max(1, Math.ceil(displayWidth(part) / columns)), 0)
}
