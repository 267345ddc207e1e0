// Named limits and timings of the file service (docs/files.md "Limits"; STYLE.md §5).

/** Files up to this size download by themselves when their manifest arrives (CLI.md "Files,
 *  more"): a photo or a document; larger ones wait for `kith file get`. */
export const AUTO_DOWNLOAD_MAX_BYTES = 8 * 1024 * 1024
/** What one sender's files may make us download by ourselves in AUTO_DOWNLOAD_WINDOW_MS: an
 *  accepted contact cannot fill our disk 8 MiB at a time (a day of photos fits); beyond it its
 *  files wait for `kith file get`. */
export const AUTO_DOWNLOAD_PER_SENDER_BYTES = 64 * 1024 * 1024
/** The same for all senders together. */
export const AUTO_DOWNLOAD_TOTAL_BYTES = 256 * 1024 * 1024
/** The window of both budgets. */
export const AUTO_DOWNLOAD_WINDOW_MS = 24 * 60 * 60_000
/** Sources one download asks at once (the sender and group members that hold the file). */
export const FILE_MAX_SOURCES = 4
/** Requests in flight per source: two keep a source's link busy across each request's round
 *  trip (each asks for up to FILE_MAX_CHUNKS_PER_REQUEST chunks) without hogging its per-peer
 *  cap (FILE_MAX_INBOUND_PER_PEER, 4). */
export const FILE_PARALLEL_PER_SOURCE = 2
/** Rounds a download makes over its sources before it gives up for now (FileUnavailableError;
 *  `kith file get` resumes later): a source that failed or lacked chunks is tried again after
 *  the others in the next round. */
export const FILE_SOURCE_ROUNDS = 3
/** Bad chunks (wrong hash or length) after which a source is dropped for the rest of a download
 *  (penalised): one. An honest source never sends one; the chunk is refetched elsewhere. */
export const FILE_MAX_BAD_CHUNKS_PER_SOURCE = 1
/** Progress events (API event stream) at most this often per download, plus the last one. */
export const FILE_PROGRESS_EVENT_MS = 200
/** Rows `kith file list` shows, newest first. */
export const FILE_LIST_MAX = 500
/** Sub-directories of KITH_HOME: sealed chunks of every file (sent or received), and finished
 *  downloads when `--out` is not given. */
export const FILES_DIR = 'files'
export const DOWNLOADS_DIR = 'downloads'
