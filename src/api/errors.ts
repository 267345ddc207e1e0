// How the local API reports a failure: an HTTP status and `{ "error": "<Name>", "message": "…" }`.
// This module owns the mapping from thrown errors (service, store, core, node layers — all told
// apart by `.name`, STYLE.md §4) to statuses. It never echoes what it does not recognize: an
// unknown error becomes a 500 with a generic message, so no stack, path, message text or key
// material reaches a client. Known errors carry messages their layers keep free of secrets.
import { ServiceError } from '../service/index.js'

export interface ApiErrorBody {
  error: string
  message: string
}

/** Longest error message the API returns (a known error's message is short by design). */
export const MAX_ERROR_MESSAGE_CHARS = 300

/** An error the API itself raises (bad request shape, auth, routing, size limits). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    override readonly name: string,
    message: string,
  ) {
    super(message)
  }
}

/** Maps a known error name to an HTTP status, or undefined for an unknown one. */
export function statusForName(name: string): number | undefined {
  if (/NotFound(Error)?$/.test(name)) return 404
  if (/^ContactExists(Error)?$/.test(name)) return 409
  if (/^Group(State|Epoch)Error$/.test(name)) return 409 // a group log no action can extend
  if (/^(Invalid|Malformed)/.test(name) || /^MessageTooLarge(Error)?$/.test(name)) return 400
  return undefined
}

function oneLine(message: string): string {
  const s = message.replace(/\s+/g, ' ').trim()
  return s.length > MAX_ERROR_MESSAGE_CHARS ? `${s.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : s
}

/** The status and body to answer for `err`. */
export function toHttpError(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof HttpError || err instanceof ServiceError) {
    return { status: err.status, body: { error: err.name, message: oneLine(err.message) } }
  }
  if (err instanceof Error) {
    const status = statusForName(err.name)
    if (status !== undefined) {
      return { status, body: { error: err.name, message: oneLine(err.message) } }
    }
  }
  return { status: 500, body: { error: 'InternalError', message: 'internal error' } }
}
