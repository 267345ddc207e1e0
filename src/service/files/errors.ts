// Typed errors of the file service: one class per failure, told apart by `.name` (as ../errors.ts;
// their HTTP statuses and exit codes are src/api/error-table.ts's). Messages never hold file
// contents, keys or full paths of other users.
import { defineError as define } from '../../core/errors.js'

/** No file with that id is known here. */
export class FileNotFoundError extends define('FileNotFound') {}
/** The file is over MAX_FILE_BYTES (or is not a regular file). */
export class FileTooLargeError extends define('FileTooLarge') {}
/** The path to send cannot be read. */
export class FileUnreadableError extends define('FileUnreadable') {}
/** No source could give the missing chunks now; what was verified is kept (`get` resumes). */
export class FileUnavailableError extends define('FileUnavailable') {}
/** The file was cancelled (`kith file cancel`), or its sender is blocked. */
export class FileCancelledError extends define('FileCancelled') {}
/** Writing the download failed (disk full, no permission); the partial state stays consistent. */
export class FileWriteError extends define('FileWrite') {}
