// The route table's shape and the argument checks every route module shares: a route is a method,
// a path pattern and one handler calling one ChatApi method. Bad arguments are 400 InvalidRequest
// naming the field. This module knows nothing of HTTP plumbing (./server.ts) or of what the
// routes do.
import { HttpError } from './errors.js'

export type Body = Record<string, unknown>

export interface Request {
  /** The path's captured segments, URI-decoded. */
  params: string[]
  query: URLSearchParams
  body: Body
}

export interface Reply {
  status?: number
  body: unknown
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE'
  path: RegExp
  handle(r: Request): Reply | Promise<Reply>
}

/** One path segment: a contact's or group's name or id, a PeerId (URI-encoded by the client). */
export const REF = '([^/]+)'

/** A message id as `messages --json` prints it (32 hex chars), e.g. a history cursor. */
export function messageId(v: string, field: string): string {
  if (!/^[0-9a-f]{32}$/.test(v)) throw bad(`"${field}" must be a message id (32 hex chars)`)
  return v
}

export function bad(message: string): HttpError {
  return new HttpError(400, 'InvalidRequest', message)
}

export function str(body: Body, field: string, optional: true): string | undefined
export function str(body: Body, field: string): string
export function str(body: Body, field: string, optional = false): string | undefined {
  const v = body[field]
  if (v === undefined && optional) return undefined
  if (typeof v !== 'string' || v.length === 0) throw bad(`"${field}" must be a non-empty string`)
  return v
}

export function int(v: unknown, field: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw bad(`"${field}" must be an integer from ${min} to ${max}`)
  }
  return n
}

/** A boolean query flag: absent, `0`/`false` → false; `1`/`true` → true; else 400. */
export function flag(query: URLSearchParams, field: string): boolean {
  const v = query.get(field)
  if (v === null || v === '0' || v === 'false') return false
  if (v === '' || v === '1' || v === 'true') return true
  throw bad(`"${field}" must be 1 or 0`)
}
