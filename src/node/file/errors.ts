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

// ---- /kith/filebox/1.0.0 (./box.ts): chunks deposited with a recipient's mailbox ----
/** The mailbox holds no deposits for this recipient from this depositor (its mailbox policy: an
 *  accepted contact of the recipient's, or anyone on a relay), or the depositor is the recipient. */
export class FileBoxNotAllowedError extends defineError('FileBoxNotAllowedError') {}
/** A deposit would exceed a file box quota (total, per recipient, per depositor). */
export class FileBoxQuotaError extends defineError('FileBoxQuotaError') {}
/** Another depositor already holds this file for this recipient, or the deposit is malformed. */
export class FileBoxRefusedError extends defineError('FileBoxRefusedError') {}
/** This node keeps no file box (no directory configured). */
export class FileBoxDisabledError extends defineError('FileBoxDisabledError') {}
/** A fetch for a file the box holds nothing of for the asker (only the recipient may fetch). */
export class FileBoxNotEntitledError extends defineError('FileBoxNotEntitledError') {}
