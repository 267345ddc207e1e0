// QR codes as images (docs/web.md): the `qrcode` package renders an SVG string, shown through an
// <img> with a data: URL (the CSP allows data: images), never inserted as markup. Only our own
// invite link or a safety number is ever encoded. Knows nothing of screens.
import QRCode from 'qrcode'

/** `level` L for long texts (an invite link is several hundred characters: fewer, larger modules
 *  scan more easily), M otherwise. */
export async function qrDataUrl(text: string, level: 'L' | 'M' = 'M'): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: level })
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}
