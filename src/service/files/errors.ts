// Typed errors of the file service: one class per failure, an HTTP status for the API (as
// ../errors.ts). Messages never hold file contents, keys or full paths of other users.
import { defineServiceError as define } from '../errors.js'

/** No file with that id is known here. */
export class FileNotFoundError extends define('FileNotFound', 404) {}
/** The file is over MAX_FILE_BYTES (or is not a regular file). */
export class FileTooLargeError extends define('FileTooLarge', 413) {}
/** The path to send cannot be read. */
export class FileUnreadableError extends define('FileUnreadable', 400) {}
/** No source could give the missing chunks now; what was verified is kept (`get` resumes). */
export class FileUnavailableError extends define('FileUnavailable', 503) {}
/** The file was cancelled (`kith file cancel`), or its sender is blocked. */
export class FileCancelledError extends define('FileCancelled', 409) {}
/** Writing the download failed (disk full, no permission); the partial state stays consistent. */
export class FileWriteError extends define('FileWrite', 507) {}
