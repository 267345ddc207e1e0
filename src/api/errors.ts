// How the local API reports a failure: an HTTP status and `{ "error": "<Name>", "message": "…" }`.
// This module turns a thrown error into that answer; which name gets which status is the one table
// in ./error-table.ts (service, store, core, node errors are all KithErrors told apart by `.name`,
// STYLE.md §4). It never echoes what it does not recognize: an error whose name is not in the
// table becomes a 500 with a generic message, so no stack, path, message text or key material
// reaches a client. Known errors carry messages their layers keep free of secrets.
import { KithError, defineError } from '../service/limits.js'
import { statusForName } from './error-table.js'

/** The one error family, for the CLI (which imports only src/api). */
export { KithError, defineError, statusForName }

export interface ApiErrorBody {
  error: string
  message: string
}

/** Longest error message the API returns (a known error's message is short by design). */
export const MAX_ERROR_MESSAGE_CHARS = 300

/** An error the API itself raises (bad request shape, auth, routing, size limits). Its name is in
 *  ./error-table.ts with the status given here (test/api/error-table.test.ts checks they agree). */
export class HttpError extends KithError {
  readonly code: string
  constructor(
    readonly status: number,
    override readonly name: string,
    message: string,
  ) {
    super(message)
    this.code = name
  }
}

function oneLine(message: string): string {
  const s = message.replace(/\s+/g, ' ').trim()
  return s.length > MAX_ERROR_MESSAGE_CHARS ? `${s.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : s
}

/** The status and body to answer for `err`. */
export function toHttpError(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof HttpError) {
    return { status: err.status, body: { error: err.name, message: oneLine(err.message) } }
  }
  if (KithError.isKithError(err)) {
    const status = statusForName(err.name)
    if (status !== undefined) {
      return { status, body: { error: err.name, message: oneLine(err.message) } }
    }
  }
  return { status: 500, body: { error: 'InternalError', message: 'internal error' } }
}
