// The web app's door in the local API (CLI.md "Web", docs/web.md "Security model"): the app's
// files (./static.ts), login-code issue (`POST /v1/web/codes`, API token only: what `kith web`
// calls), the code-for-cookie exchange (`POST /v1/web/login`), the page's session and CSRF token
// (`GET /v1/web/session`), logout (`POST /v1/web/logout`), and the answer to "may this request
// use the API as a session?". Runs after the Host/Origin checks (./host.ts) and before the token
// check. Knows nothing of the other routes; secrets live in ./web-auth.ts.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError } from './errors.js'
import { PAGE_HEADERS, serveStatic } from './static.js'
import {
  cookieValue,
  SessionRequiredError,
  sessionCookieName,
  WEB_SESSION_TTL_MS,
  WebAuth,
  type WebSession,
} from './web-auth.js'

/** Largest body of POST /v1/web/login (`{"code":"…"}` is under 100 bytes). */
export const MAX_LOGIN_BODY_BYTES = 1024

export interface WebGateOptions {
  /** The API's port (for the login URL and the cookie's name). */
  port(): number
  /** True if `req` carries the API token (the CLI). */
  bearer(req: IncomingMessage): boolean
  /** Where web sessions persist (the node's home), so a page survives a daemon restart. */
  sessionsFile?: string
}

export interface WebGate {
  /** Serves the app's files and /v1/web/*; true if it answered `req`. Throws HttpError. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>
  /** True if `req` comes from a live session (and, unless GET/HEAD, carries its CSRF token: else
   *  throws CsrfTokenMissingError); false if it has no session cookie at all. */
  sessionAllows(req: IncomingMessage): boolean
  /** True if a WebSocket upgrade comes from a live session's page: the cookie and an Origin
   *  header (a browser always sends one; checked against our own origin by ./host.ts). */
  upgradeAllowed(req: IncomingMessage): boolean
}

function json(res: ServerResponse, status: number, body: unknown, cookie?: string): void {
  const data = JSON.stringify(body)
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-store',
    ...(cookie !== undefined ? { 'Set-Cookie': cookie } : {}),
  })
  res.end(data)
}

async function loginCode(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'UnsupportedMediaType', 'body must be application/json')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_LOGIN_BODY_BYTES) throw new HttpError(413, 'PayloadTooLarge', 'body too large')
    chunks.push(chunk)
  }
  try {
    return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: unknown }).code
  } catch {
    throw new HttpError(400, 'InvalidRequest', 'body is not valid JSON')
  }
}

export function webGate(opts: WebGateOptions): WebGate {
  const auth = new WebAuth(opts.sessionsFile !== undefined ? { file: opts.sessionsFile } : {})
  const cookieName = () => sessionCookieName(opts.port())
  const sessionId = (req: IncomingMessage) => cookieValue(req.headers.cookie, cookieName())
  const cookie = (value: string, maxAgeS: number) =>
    `${cookieName()}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}`
  const view = (s: WebSession) => ({ csrf: s.csrf, expiresAt: s.expiresAt })

  function live(req: IncomingMessage): WebSession {
    const s = auth.session(sessionId(req))
    if (s === undefined) throw new SessionRequiredError()
    return s
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET'
    const want = path === 'session' ? 'GET' : 'POST'
    if (!['codes', 'login', 'session', 'logout'].includes(path)) {
      throw new HttpError(404, 'NotFound', 'no such endpoint')
    }
    if (method !== want) throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`)
    if (path === 'codes') {
      // Only the API token mints codes: a session cannot make itself new sessions.
      if (!opts.bearer(req)) throw new HttpError(401, 'Unauthorized', 'missing or wrong API token')
      const { code, expiresAt } = auth.issueCode()
      // The code rides in the fragment: a browser never sends it to a server, so it reaches no
      // log or Referer; the page reads it, POSTs it to /v1/web/login and removes it from history.
      json(res, 201, { url: `http://127.0.0.1:${opts.port()}/#code=${code}`, expiresAt })
    } else if (path === 'login') {
      const { id, session } = auth.exchange(await loginCode(req))
      json(res, 200, view(session), cookie(id, Math.floor(WEB_SESSION_TTL_MS / 1000)))
    } else if (path === 'session') {
      json(res, 200, view(live(req)))
    } else {
      auth.checkCsrf(live(req), req)
      auth.end(sessionId(req))
      json(res, 200, { loggedOut: true }, cookie('', 0))
    }
  }

  return {
    async handle(req, res, pathname) {
      if (pathname.startsWith('/v1/web/')) {
        await api(req, res, pathname.slice('/v1/web/'.length))
        return true
      }
      if (pathname.startsWith('/v1/')) return false
      if (await serveStatic(req, res, pathname)) return true
      return false
    },
    sessionAllows(req) {
      const id = sessionId(req)
      if (id === undefined) return false
      const s = auth.session(id)
      if (s === undefined) return false
      auth.checkCsrf(s, req)
      return true
    },
    upgradeAllowed(req) {
      return req.headers.origin !== undefined && auth.session(sessionId(req)) !== undefined
    },
  }
}
