// The service's own lifecycle errors (issue 13: no untyped `new Error` out of the service), in the
// one error family (core's defineError, ./errors.ts); their HTTP status and exit code are rows of
// src/api/error-table.ts. This module owns nothing else.
import { defineError } from './errors.js'

/** A call that needs what ChatService.start creates (groups, our prekey bundle) before it ran,
 *  or after stop (API 503: the daemon is not ready yet; try again). */
export class ServiceNotStartedError extends defineError('ServiceNotStarted') {}
