// The media type a sender puts in a manifest's `mime` (docs/files.md "Format"): sniffed from the
// file's first bytes by the signatures of the WHATWG MIME Sniffing Standard (§6.1 "Matching an
// image type pattern", §6.2 "Matching an audio or video type pattern", §6.3 archives, §7.1 PDF),
// then a short extension table for text formats that have no signature. Unknown: '' (the
// manifest's field stays empty, as before). Never a type a browser would run or render as a
// document (HTML, SVG, XML): those stay ''. Pure: bytes and a name in, a string out.

/** A signature: bytes at an offset (undefined = any byte). */
interface Pattern {
  at: number
  bytes: (number | undefined)[]
  mime: string
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0))
const ANY4 = [undefined, undefined, undefined, undefined]

/** Bytes of the head sniffing reads at most (the longest pattern ends before 12). */
export const MIME_SNIFF_BYTES = 16

const PATTERNS: Pattern[] = [
  // WHATWG §6.1: PNG, JPEG, GIF87a/89a, WebP (RIFF....WEBPVP), BMP, ICO.
  { at: 0, bytes: [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a], mime: 'image/png' },
  { at: 0, bytes: [0xff, 0xd8, 0xff], mime: 'image/jpeg' },
  { at: 0, bytes: ascii('GIF87a'), mime: 'image/gif' },
  { at: 0, bytes: ascii('GIF89a'), mime: 'image/gif' },
  { at: 0, bytes: [...ascii('RIFF'), ...ANY4, ...ascii('WEBPVP')], mime: 'image/webp' },
  { at: 0, bytes: ascii('BM'), mime: 'image/bmp' },
  // §6.2: WAVE, Ogg, MP3 with an ID3 tag, MP4-family (`ftyp` box at offset 4), WebM/Matroska.
  { at: 0, bytes: [...ascii('RIFF'), ...ANY4, ...ascii('WAVE')], mime: 'audio/wav' },
  { at: 0, bytes: ascii('OggS\0'), mime: 'audio/ogg' },
  { at: 0, bytes: ascii('ID3'), mime: 'audio/mpeg' },
  { at: 4, bytes: ascii('ftyp'), mime: 'video/mp4' },
  { at: 0, bytes: [0x1a, 0x45, 0xdf, 0xa3], mime: 'video/webm' },
  // §6.3 archives: gzip, zip, rar; §7.1: PDF.
  { at: 0, bytes: [0x1f, 0x8b, 0x08], mime: 'application/gzip' },
  { at: 0, bytes: [...ascii('PK'), 0x03, 0x04], mime: 'application/zip' },
  { at: 0, bytes: ascii('Rar!\x1a\x07'), mime: 'application/x-rar-compressed' },
  { at: 0, bytes: ascii('%PDF-'), mime: 'application/pdf' },
]

/** Text formats have no signature: by extension only (lower case, with the dot). */
const BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.json': 'application/json',
}

const matches = (head: Uint8Array, p: Pattern): boolean =>
  head.length >= p.at + p.bytes.length &&
  p.bytes.every((b, i) => b === undefined || head[p.at + i] === b)

/** The media type of a file whose first bytes are `head` and whose name is `name`, or ''. */
export function sniffMime(head: Uint8Array, name: string): string {
  for (const p of PATTERNS) if (matches(head, p)) return p.mime
  const dot = name.lastIndexOf('.')
  return dot > 0 ? (BY_EXTENSION[name.slice(dot).toLowerCase()] ?? '') : ''
}
