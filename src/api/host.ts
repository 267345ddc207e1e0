// Host and Origin checks of the local API (issue 11, finding 14). This module owns which names a
// request may use to reach the API and which web origins may open its WebSocket; it knows nothing
// of tokens (./auth.ts) or routes.
//
// DNS rebinding: a web page on evil.example can make its own name resolve to 127.0.0.1 and then
// talk to the API as a same-origin page would; the browser still sends `Host: evil.example:PORT`.
// Refusing every Host that is not the API's own address stops it before the token is even looked
// at (the defence RFC 9110 §7.2 makes possible and the Chromium/Jupyter/Docker local servers use).
// A WebSocket is not covered by the same-origin policy: a page anywhere may open one to
// 127.0.0.1, and only its Origin header (RFC 6455 §4.2.1, §10.2) tells the server who asked.
// Clients outside a browser (the CLI) send no Origin; a browser always does.
import type { IncomingMessage } from 'node:http'
import { HttpError } from './errors.js'

/** The host names by which the API may be addressed (it listens on 127.0.0.1 only). */
export const LOCAL_API_HOSTNAMES: readonly string[] = ['127.0.0.1', 'localhost']

/** A request whose Host is not the API's own `127.0.0.1:PORT` / `localhost:PORT` (RFC 9110
 *  §15.5.20: 421, the request was directed at a server that will not answer for that name). */
export class HostNotAllowedError extends HttpError {
  constructor() {
    super(421, 'HostNotAllowed', 'the Host header must be the API’s own 127.0.0.1:PORT')
  }
}

/** A browser request (or WebSocket upgrade) from a page of another origin. */
export class OriginNotAllowedError extends HttpError {
  constructor() {
    super(403, 'OriginNotAllowed', 'requests from other web origins are refused')
  }
}

/** True if `host` (a Host header value) names this API: one of LOCAL_API_HOSTNAMES with `port`
 *  (or without a port when `port` is 80, RFC 9110 §7.2). Case-insensitive, as host names are. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase())
  if (m === null) return false
  const name = m[1] ?? ''
  const given = m[2] === undefined ? 80 : Number(m[2])
  return LOCAL_API_HOSTNAMES.includes(name) && given === port
}

/** True if `origin` (an Origin header value) is absent or this API's own `http://` origin. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // includes the opaque origin "null" (sandboxed frames, file: pages)
  }
  const givenPort = url.port === '' ? 80 : Number(url.port)
  return (
    url.protocol === 'http:' &&
    LOCAL_API_HOSTNAMES.includes(url.hostname) &&
    givenPort === port &&
    url.origin === origin.toLowerCase()
  )
}

/** Throws HostNotAllowedError or OriginNotAllowedError unless `req` came to this API (on
 *  `port`) by its own name and, if from a browser, from its own origin. Run before auth. */
export function checkHostAndOrigin(req: IncomingMessage, port: number): void {
  if (!hostAllowed(req.headers.host, port)) throw new HostNotAllowedError()
  if (!originAllowed(req.headers.origin, port)) throw new OriginNotAllowedError()
}
