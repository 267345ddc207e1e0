// The errors the API client raises (./client.ts and the modules under it): the daemon is not
// there, the daemon answered an error (re-thrown with the server's `error` field as its name, so
// callers tell failures apart by name as everywhere else, STYLE.md §4), or a `send --wait` timed
// out. Their exit codes are ./error-table.ts's. Knows no route.
import type { MessageStatus } from './contract.js'
import { KithError, defineError } from './errors.js'

/** No daemon runs for the home, or it does not answer (exit 3). */
export class DaemonNotRunningError extends defineError('DaemonNotRunning') {}

/** An error answered by the API; `name` is its `error` field. */
export class ApiError extends KithError {
  readonly code: string
  constructor(
    override readonly name: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message)
    this.code = name
  }
}

/** `send` with `wait` whose message was not delivered in time (HTTP 504, exit 5). */
export class DeliveryTimeoutError extends defineError('Timeout') {
  constructor(
    message: string,
    readonly id: string,
    readonly status: MessageStatus,
  ) {
    super(message)
  }
}
