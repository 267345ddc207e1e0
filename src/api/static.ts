// The web app's files (docs/web.md): GET/HEAD of `/` (dist/web/index.html) and `/assets/<file>`
// (the bundle esbuild wrote, scripts/build-web.mjs). This module owns which paths map to which
// files, their content types, caching and the security headers every page response carries. It
// knows nothing of sessions or the API routes; it serves no directory listing and no path outside
// dist/web (an asset name is one plain segment, checked before any file is opened).
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import { HttpError } from './errors.js'

/** Where `npm run build` puts the app: dist/web at the repository root (two levels up from both
 *  src/api and dist/api). */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url))

/** The Content-Security-Policy of every page response: only our own scripts, styles and
 *  connections; images also from data:/blob: URLs (QR codes); never framed (clickjacking), no
 *  <base> (a peer's text is never HTML anyway, but this stops a planted base URL). */
export const WEB_CSP =
  "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
  "img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/** Hashed assets (`app-ABCD1234.js`) never change under their name: cached for a year. */
export const ASSET_MAX_AGE_S = 365 * 24 * 60 * 60

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
}

/** Headers every response of the web app carries. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': WEB_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

function webNotBuilt(): HttpError {
  return new HttpError(404, 'WebNotBuilt', 'the web app is not built: run `npm run build`')
}

/** If `pathname` is one of the app's files, sends it and returns true; else false (an API path). */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  root = WEB_ROOT,
): Promise<boolean> {
  const method = req.method ?? 'GET'
  let file: string
  let cache: string
  if (pathname === '/' || pathname === '/index.html') {
    file = 'index.html'
    cache = 'no-cache'
  } else if (pathname.startsWith('/assets/')) {
    const name = pathname.slice('/assets/'.length)
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)+$/.test(name)) {
      throw new HttpError(404, 'NotFound', 'no such file')
    }
    file = `assets/${name}`
    cache = `public, max-age=${ASSET_MAX_AGE_S}, immutable`
  } else {
    return false
  }
  if (method !== 'GET' && method !== 'HEAD') {
    throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`)
  }
  const ext = /\.[a-z]+$/.exec(file)?.[0] ?? ''
  const type = file === 'index.html' ? 'text/html; charset=utf-8' : TYPES[ext]
  if (type === undefined) throw new HttpError(404, 'NotFound', 'no such file')
  let data: Buffer
  try {
    data = await readFile(root + file)
  } catch {
    if (file === 'index.html') throw webNotBuilt()
    throw new HttpError(404, 'NotFound', 'no such file')
  }
  res.writeHead(200, {
    ...PAGE_HEADERS,
    'Content-Type': type,
    'Content-Length': data.length,
    'Cache-Control': cache,
  })
  res.end(method === 'HEAD' ? undefined : data)
  return true
}
