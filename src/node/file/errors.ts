// Typed errors of /kith/file: one class per failure, told apart by `.name` (STYLE.md §4). A
// responder never explains a refusal on the wire (it resets the stream), so the requester sees
// FileStreamError for it. Messages never hold chunk bytes or keys.
import { defineError } from '../../core/errors.js'

/** The peer does not speak /kith/file (UnsupportedProtocolError on the stream). */
export class FileRefusedError extends defineError('FileRefusedError') {}
/** A /kith/file stream could not be opened (only a limited, relayed connection counts as none),
 *  or was closed or reset early. */
export class FileStreamError extends defineError('FileStreamError') {}
/** A source's next chunk did not arrive within FILE_CHUNK_STALL_MS (or the open timed out). */
export class FileStallError extends defineError('FileStallError') {}
/** A source's answer broke the protocol (bad frame, index outside the range or out of order). */
export class FileProtocolError extends defineError('FileProtocolError') {}
/** An inbound stream sent no complete request within FILE_REQUEST_IDLE_MS. */
export class FileIdleTimeoutError extends defineError('FileIdleTimeoutError') {}
/** A request arrived before a handler was installed. */
export class FileNoHandlerError extends defineError('FileNoHandlerError') {}
/** The asker is no one we share files with (not a contact or co-member): refused unread. */
export class FileNotAllowedError extends defineError('FileNotAllowedError') {}
/** The asker is not entitled to this file (not in its conversation), or we hold no such file. */
export class FileNotEntitledError extends defineError('FileNotEntitledError') {}
/** Too many inbound streams already served: for this peer, its network prefix, or node-wide. */
export class FileBusyError extends defineError('FileBusyError') {}
