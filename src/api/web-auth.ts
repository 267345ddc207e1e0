// Who the web app is (CLI.md "Web", docs/web.md "Security model"). This module owns the one-time
// login codes `kith web` hands out, the sessions they are exchanged for (an HttpOnly,
// SameSite=Strict cookie), the CSRF token every state-changing request from a session carries, and
// their lifetimes. It knows nothing of routes, static files or the API token: the server asks it
// "which session is this?" and "may this session do that?".
//
// Secrets are 256-bit random values, base64url. Codes and session ids are kept only as SHA-256
// digests, so a lookup never compares a secret byte by byte, and a dump of this process's maps
// holds nothing a browser could present. Sessions (digests, CSRF tokens, expiry) are kept in a file
// of the node's home when the daemon names one, so an open page survives a daemon restart.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { HttpError } from './errors.js'

/** How long a login code from `kith web` may wait to be used (CLI.md "Web": 5 minutes): long
 *  enough to switch to a browser, short enough that a code seen in a terminal scrollback or a
 *  shell history is useless by the time anyone else reads it. */
export const WEB_LOGIN_CODE_TTL_MS = 5 * 60_000
/** A session's absolute lifetime: a working day. After it the page shows the login screen and
 *  `kith web` must be run again; a stolen cookie is worth at most this long. */
export const WEB_SESSION_TTL_MS = 12 * 60 * 60_000
/** Codes outstanding at once; the oldest is dropped beyond it (a loop of `kith web` cannot grow
 *  this process's memory). */
export const MAX_WEB_LOGIN_CODES = 16
/** Sessions held at once; the oldest is ended beyond it (one per browser profile is the norm). */
export const MAX_WEB_SESSIONS = 32
/** The header a session's state-changing requests carry its CSRF token in (a page of another
 *  origin can neither read the token nor set a custom header without a CORS preflight we refuse). */
export const CSRF_HEADER = 'x-kith-csrf'
/** Longest cookie header or CSRF header read (ours are 43 characters). */
export const MAX_WEB_SECRET_CHARS = 4096

/** The file in the node's home holding web sessions (digests of their ids; never a login code). */
export const WEB_SESSIONS_FILE = 'web-sessions.json'

const SECRET_BYTES = 32

/** A login code that is unknown, already used or expired (all three look the same to a client). */
export class LoginCodeRefusedError extends HttpError {
  constructor() {
    super(401, 'LoginCodeRefused', 'the login code is wrong, used or expired: run `kith web` again')
  }
}

/** A session request that changes state without the session's CSRF token. */
export class CsrfTokenMissingError extends HttpError {
  constructor() {
    super(403, 'CsrfTokenMissing', `a state-changing request needs the ${CSRF_HEADER} header`)
  }
}

/** A request with no valid session cookie where one is needed (expired, logged out, none). */
export class SessionRequiredError extends HttpError {
  constructor() {
    super(401, 'SessionRequired', 'no valid web session: run `kith web` to log in')
  }
}

/** Error names the API counts in `metrics.apiRejected` (server.ts). */
export const WEB_REJECTIONS: readonly string[] = [
  'LoginCodeRefused',
  'CsrfTokenMissing',
  'SessionRequired',
]

export interface WebSession {
  /** The CSRF token: given to the page in a JSON body, never in a cookie. */
  csrf: string
  expiresAt: number
}

function secret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}

function digest(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64url')
}

/** The session cookie's name: per port, as cookies are not isolated by port and two daemons on one
 *  machine (two users, or tests) must not overwrite each other's session. */
export function sessionCookieName(port: number): string {
  return `kith_session_${port}`
}

/** The value of cookie `name` in `header`, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header.length > MAX_WEB_SECRET_CHARS) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export interface WebAuthOptions {
  now?: () => number
  /** Where sessions persist (0600, replaced atomically); none: in memory only. */
  file?: string
}

export class WebAuth {
  readonly #codes = new Map<string, number>() // digest → expiresAt
  readonly #sessions = new Map<string, WebSession>() // digest → session
  readonly #now: () => number
  readonly #file: string | undefined

  constructor(opts: WebAuthOptions = {}) {
    this.#now = opts.now ?? Date.now
    this.#file = opts.file
    this.#load()
  }

  /** A new one-time login code, good once and for WEB_LOGIN_CODE_TTL_MS. */
  issueCode(): { code: string; expiresAt: number } {
    this.#prune()
    const code = secret()
    const expiresAt = this.#now() + WEB_LOGIN_CODE_TTL_MS
    this.#codes.set(digest(code), expiresAt)
    while (this.#codes.size > MAX_WEB_LOGIN_CODES) this.#dropOldest(this.#codes)
    return { code, expiresAt }
  }

  /** Exchanges a code for a session: the code is gone whatever the outcome. Throws
   *  LoginCodeRefusedError. Returns the session id (for the cookie) and the session. */
  exchange(code: unknown): { id: string; session: WebSession } {
    if (typeof code !== 'string' || code.length > MAX_WEB_SECRET_CHARS) {
      throw new LoginCodeRefusedError()
    }
    const key = digest(code)
    const expiresAt = this.#codes.get(key)
    this.#codes.delete(key)
    if (expiresAt === undefined || expiresAt <= this.#now()) throw new LoginCodeRefusedError()
    const id = secret()
    const session = { csrf: secret(), expiresAt: this.#now() + WEB_SESSION_TTL_MS }
    this.#sessions.set(digest(id), session)
    while (this.#sessions.size > MAX_WEB_SESSIONS) this.#dropOldest(this.#sessions)
    this.#save()
    return { id, session }
  }

  /** The live session whose id is `id`, if any (an expired one is ended here). */
  session(id: string | undefined): WebSession | undefined {
    if (id === undefined || id.length > MAX_WEB_SECRET_CHARS) return undefined
    const key = digest(id)
    const s = this.#sessions.get(key)
    if (s === undefined) return undefined
    if (s.expiresAt <= this.#now()) {
      this.#sessions.delete(key)
      return undefined
    }
    return s
  }

  /** Ends the session `id` (logout). */
  end(id: string | undefined): void {
    if (id !== undefined && id.length <= MAX_WEB_SECRET_CHARS) this.#sessions.delete(digest(id))
    this.#save()
  }

  /** Throws CsrfTokenMissingError unless `req` carries `s`'s CSRF token (checked for every method
   *  but GET and HEAD, which change nothing). */
  checkCsrf(s: WebSession, req: IncomingMessage): void {
    const method = req.method ?? 'GET'
    if (method === 'GET' || method === 'HEAD') return
    const given = req.headers[CSRF_HEADER]
    if (typeof given !== 'string' || given.length > MAX_WEB_SECRET_CHARS) {
      throw new CsrfTokenMissingError()
    }
    if (digest(given) !== digest(s.csrf)) throw new CsrfTokenMissingError()
  }

  #prune(): void {
    const now = this.#now()
    for (const [k, exp] of this.#codes) if (exp <= now) this.#codes.delete(k)
    for (const [k, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(k)
  }

  #load(): void {
    if (this.#file === undefined) return
    let rows: unknown
    try {
      rows = (JSON.parse(readFileSync(this.#file, 'utf8')) as { sessions?: unknown }).sessions
    } catch {
      return // none yet, or unreadable: start with no sessions
    }
    if (!Array.isArray(rows)) return
    for (const r of rows.slice(-MAX_WEB_SESSIONS) as unknown[]) {
      const [key, csrf, expiresAt] = Array.isArray(r) ? (r as unknown[]) : []
      if (typeof key === 'string' && typeof csrf === 'string' && typeof expiresAt === 'number') {
        this.#sessions.set(key, { csrf, expiresAt })
      }
    }
    this.#prune()
  }

  #save(): void {
    if (this.#file === undefined) return
    this.#prune()
    const sessions = [...this.#sessions].map(([k, s]) => [k, s.csrf, s.expiresAt])
    const tmp = `${this.#file}.tmp`
    writeFileSync(tmp, `${JSON.stringify({ sessions })}\n`, { mode: 0o600 })
    renameSync(tmp, this.#file)
  }

  #dropOldest(m: Map<string, unknown>): void {
    const first = m.keys().next()
    if (first.done !== true) m.delete(first.value)
  }
}
