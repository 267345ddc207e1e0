// Typed errors of the network layer: one class per failure, told apart by `.name` (STYLE.md §4).
// They extend the core's KithError, so `KithError.isKithError(err)` covers both layers. Input
// errors shared with the core (MessageTooLargeError, MalformedMessageError) are re-exported from
// there rather than redefined: a /kith/dm frame over its limit is the same failure as an envelope
// over its limit. Messages never contain frame bytes.
import {
  KithError,
  MalformedMessageError,
  MessageTooLargeError,
  defineError as define,
} from '../core/errors.js'

export { KithError, MalformedMessageError, MessageTooLargeError }

/** The peer could not be dialled (no address worked, or none is known). */
export class PeerUnreachableError extends define('PeerUnreachableError') {}
/** A /kith/dm stream could not be opened or was closed/reset while frames were being written. */
export class DmStreamError extends define('DmStreamError') {}
/** Writing to a /kith/dm stream did not drain within DM_WRITE_TIMEOUT_MS (the peer stopped reading). */
export class DmWriteTimeoutError extends define('DmWriteTimeoutError') {}
/** An inbound /kith/dm stream sent no complete frame for DM_INBOUND_IDLE_MS. */
export class DmIdleTimeoutError extends define('DmIdleTimeoutError') {}
/** An inbound /kith/dm stream arrived before `onDm` installed a handler. */
export class DmNoHandlerError extends define('DmNoHandlerError') {}
/** The node is not started (or is stopping). */
export class NodeNotStartedError extends define('NodeNotStartedError') {}
