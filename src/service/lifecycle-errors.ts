// The service's own lifecycle errors (issue 13: no untyped `new Error` out of the service), in the
// one error family of ./errors.ts (defineServiceError). This module owns nothing else.
import { defineServiceError } from './errors.js'

/** A call that needs what ChatService.start creates (groups, our prekey bundle) before it ran,
 *  or after stop. 503: the daemon is not ready yet; try again. */
export class ServiceNotStartedError extends defineServiceError('ServiceNotStarted', 503) {}
