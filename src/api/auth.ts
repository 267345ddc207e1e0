// Bearer-token checks for the local API. The token is compared in constant time: both sides are
// hashed first (SHA-256), so timingSafeEqual always sees equal lengths and the comparison reveals
// neither the token's bytes nor its length.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Longest Authorization header value accepted (a token is 64 hex chars). */
export const MAX_TOKEN_CHARS = 1024

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest()
}

/** True if `given` equals `token`, in time independent of where they differ. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined || given.length > MAX_TOKEN_CHARS) return false
  // Always run the comparison, so a missing or empty token costs the same as a wrong one.
  const same = timingSafeEqual(digest(given), digest(token))
  return same && given.length > 0
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization
  if (h === undefined) return undefined
  const m = /^Bearer +(\S+) *$/i.exec(h)
  return m?.[1]
}

/**
 * Checks the Authorization header, the only place the token is read from. Never the URL (the
 * events socket's `?token=` is gone, issue 11 finding 14): a URL ends up in logs, proxies,
 * browser history and Referer headers.
 */
export function authorized(req: IncomingMessage, token: string): boolean {
  return tokenMatches(bearerToken(req), token)
}
