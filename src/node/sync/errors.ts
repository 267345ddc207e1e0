// Typed errors of /kith/sync: one class per failure, told apart by `.name` (STYLE.md §4). A
// responder never explains a refusal on the wire (it resets the stream), so the requester sees
// SyncStreamError for it. Messages never hold ciphertext or op bytes.
import { defineError } from '../../core/errors.js'

/** The peer does not speak /kith/sync (UnsupportedProtocolError on the stream). */
export class SyncRefusedError extends defineError('SyncRefusedError') {}
/** A /kith/sync stream could not be opened, or was closed or reset before the answer. */
export class SyncStreamError extends defineError('SyncStreamError') {}
/** No answer within SYNC_REQUEST_TIMEOUT_MS. */
export class SyncTimeoutError extends defineError('SyncTimeoutError') {}
/** The answer broke the protocol (bad frame, bad fields, over a limit). */
export class SyncProtocolError extends defineError('SyncProtocolError') {}
/** An inbound stream sent no complete request within SYNC_STREAM_IDLE_MS. */
export class SyncIdleTimeoutError extends defineError('SyncIdleTimeoutError') {}
/** The handler did not answer within SYNC_HANDLER_TIMEOUT_MS. */
export class SyncHandlerTimeoutError extends defineError('SyncHandlerTimeoutError') {}
/** A request arrived before onSyncRequest installed a handler. */
export class SyncNoHandlerError extends defineError('SyncNoHandlerError') {}
/** The asker is no one we sync with (not a member of a group we are in): refused before its
 *  request is read. */
export class SyncNotAllowedError extends defineError('SyncNotAllowedError') {}
/** SYNC_MAX_INBOUND_STREAMS inbound sync streams were already being served. */
export class SyncBusyError extends defineError('SyncBusyError') {}
