// The one table from an error's `.name` to how it is reported: the local API's HTTP status
// (`{ "error": "<Name>" }`, docs/api.md) and the CLI's exit code (CLI.md "Conventions", docs/cli.md).
// api/errors.ts (toHttpError) and cli/output.ts (exitCodeFor) both read it, so the two cannot
// disagree; test/api/error-table.test.ts checks that every error class the layers export is here or
// in INTERNAL_ERRORS, and that the rows agree with the codes docs/cli.md names. The names are the
// contract and never change (docs/architecture.md "Errors"). This module knows no error class,
// only names: it imports nothing.

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_DAEMON_NOT_RUNNING = 3
export const EXIT_NOT_FOUND = 4
export const EXIT_TIMEOUT = 5

export type ExitCode =
  | typeof EXIT_FAILURE
  | typeof EXIT_USAGE
  | typeof EXIT_DAEMON_NOT_RUNNING
  | typeof EXIT_NOT_FOUND
  | typeof EXIT_TIMEOUT

/** How one error name is reported. `http` is absent for an error the API never answers with (one
 *  raised by the CLI or the daemon's local commands, or one the API answers as 500). */
export interface ErrorReport {
  readonly http?: number
  readonly exit: ExitCode
}

const row = (http: number | undefined, exit: ExitCode): ErrorReport =>
  http === undefined ? { exit } : { http, exit }
const notFound = row(404, EXIT_NOT_FOUND)
const bad = row(400, EXIT_FAILURE)
const conflict = row(409, EXIT_FAILURE)
const forbidden = row(403, EXIT_FAILURE)
const local = row(undefined, EXIT_FAILURE)

/** Every error name a user or script may see, with its HTTP status and exit code. */
export const ERROR_TABLE: Readonly<Record<string, ErrorReport>> = {
  // ---- the service (src/service/errors.ts, files/errors.ts, text.ts) ----
  ContactNotFound: notFound,
  MessageNotFound: notFound,
  GroupNotFound: notFound,
  RequestNotFound: notFound,
  FileNotFound: notFound,
  InvalidInvite: bad,
  InvalidArgument: bad,
  InvalidName: bad,
  MessageTooLong: bad,
  GroupExists: conflict,
  GroupAmbiguous: conflict,
  GroupLogFull: conflict,
  NameTaken: conflict,
  EditWindowClosed: conflict,
  MessageDeleted: conflict,
  NotAnAdmin: forbidden,
  NotAMember: forbidden,
  BlockedPeer: forbidden,
  StrangerFrame: forbidden,
  NotYourMessage: forbidden,
  InviterUnreachable: row(504, EXIT_FAILURE),
  NotImplemented: row(501, EXIT_FAILURE),
  FileTooLarge: row(413, EXIT_FAILURE),
  FileUnreadable: bad,
  FileUnavailable: row(503, EXIT_FAILURE),
  FileCancelled: conflict,
  FileWrite: row(507, EXIT_FAILURE),
  ServiceNotStarted: row(503, EXIT_FAILURE),
  // ---- the daemon (src/daemon/relay-api.ts): every chat route of a relay ----
  NotAvailableOnRelay: row(404, EXIT_FAILURE),
  // ---- the core and the store, when a request's input reaches them ----
  PrekeyNotFoundError: notFound,
  StoreNotFoundError: notFound,
  ContactExistsError: conflict,
  GroupStateError: conflict, // a group log no action can extend
  GroupEpochError: conflict,
  MalformedMessageError: bad,
  MessageTooLargeError: bad,
  InvalidSignatureError: bad,
  InvalidKeyError: bad,
  InvalidManifestError: bad,
  // ---- the API itself (HttpError in src/api/*.ts; the server sends the status it names) ----
  InvalidRequest: bad,
  Unauthorized: row(401, EXIT_FAILURE),
  SessionRequired: row(401, EXIT_FAILURE), // web-auth.ts: the browser's session
  LoginCodeRefused: row(401, EXIT_FAILURE),
  CsrfTokenMissing: forbidden,
  OriginNotAllowed: forbidden,
  HostNotAllowed: row(421, EXIT_FAILURE),
  NotFound: notFound,
  NotAvailable: row(404, EXIT_FAILURE),
  WebNotBuilt: row(404, EXIT_FAILURE),
  FileNotReady: conflict,
  MethodNotAllowed: row(405, EXIT_FAILURE),
  PayloadTooLarge: row(413, EXIT_FAILURE),
  UnsupportedMediaType: row(415, EXIT_FAILURE),
  /** `send --wait` not acked in time (api/server.ts); the client raises DeliveryTimeoutError. */
  Timeout: row(504, EXIT_TIMEOUT),
  InternalError: row(500, EXIT_FAILURE),
  // ---- raised by the CLI, the API client or the daemon's local commands; never answered ----
  UsageError: row(undefined, EXIT_USAGE),
  DaemonNotRunning: row(undefined, EXIT_DAEMON_NOT_RUNNING),
  DaemonTimeout: local,
  BadResponse: local, // the daemon answered without JSON (client-errors.ts ApiError)
  DaemonRunning: local,
  SafetyNumberMismatch: local,
  HomeNotEmpty: local,
  StoreExistsError: local,
  StoreLockedError: local,
  StoreVersionError: local,
  BackupPassphraseError: local,
  BackupCorruptError: local,
}

/**
 * Errors the API answers as 500 `InternalError` with a generic message (their own message is not
 * echoed) and the CLI exits 1 for: a peer's, the network's or the protocol's failure that no
 * request names and a user cannot act on by name, or a bug. A new error class lands here or in
 * ERROR_TABLE (the test fails until it does), so none is reported by accident.
 */
export const INTERNAL_ERRORS: ReadonlySet<string> = new Set([
  // core
  'DecryptionError',
  'DuplicateMessageError',
  'TooManySkippedKeysError',
  'UnsupportedVersionError',
  'NoSessionError',
  'UntrustedIdentityError',
  'NoSenderKeyError',
  'CardExpiredError',
  'CardExpiryTooFarError',
  'ChunkAuthError',
  'ChunkHashError',
  'ChunkRangeError',
  'FileDigestError',
  'HashListError',
  // node
  'PeerUnreachableError',
  'DmStreamError',
  'DmWriteTimeoutError',
  'DmIdleTimeoutError',
  'DmNoHandlerError',
  'NodeNotStartedError',
  'MailboxQuotaError',
  'MailboxRefusedError',
  'MailboxEnvelopeError',
  'MailboxAuthError',
  'MailboxProtocolError',
  'MailboxStreamError',
  'MailboxTimeoutError',
  'MailboxIdleTimeoutError',
  'SyncRefusedError',
  'SyncStreamError',
  'SyncTimeoutError',
  'SyncProtocolError',
  'SyncIdleTimeoutError',
  'SyncHandlerTimeoutError',
  'SyncNoHandlerError',
  'SyncNotAllowedError',
  'SyncBusyError',
  'FileRefusedError',
  'FileStreamError',
  'FileStallError',
  'FileProtocolError',
  'FileIdleTimeoutError',
  'FileNoHandlerError',
  'FileNotAllowedError',
  'FileNotEntitledError',
  'FileBusyError',
  'FileBoxNotAllowedError',
  'FileBoxQuotaError',
  'FileBoxRefusedError',
  'FileBoxDisabledError',
  'FileBoxNotEntitledError',
  'DhtProviderRefusedError',
  'DhtRecordRefusedError',
  'DhtStaleRecordError',
  'DhtRateLimitError',
  'DhtStreamRateLimitError',
  'DhtStreamTooLargeError',
  'DhtInboundBudgetError',
  'DhtStoreFullError',
  'CardRefusedError',
  'CardTimeoutError',
  'CardStreamError',
  'CardBusyError',
  'CardIdleTimeoutError',
  'CardUnknownSecretError',
  'ConnectionEvictedError',
  'DmRepeatedFrameError',
  'DmBackoffError',
  'PubsubFrameTimeoutError',
  'PubsubPeerBudgetError',
  'PubsubNodeBudgetError',
  'PmpError',
  'PrimeRefusedError',
  'PrimeBusyError',
  'PrimeIdleTimeoutError',
  'PrimeAddressError',
  'PrimeTimeoutError',
  'PrimeStreamError',
  'WebRTCFailedError',
  'WebRTCAnswerBusyError',
  // service
  'MailboxTrialBudgetError',
  'ServiceStoppedError',
  // store
  'BackupPayloadError',
])

/** The HTTP status the API answers `name` with, or undefined (then: 500 InternalError). */
export function statusForName(name: string): number | undefined {
  return Object.hasOwn(ERROR_TABLE, name) ? ERROR_TABLE[name]?.http : undefined
}

/** The CLI's exit code for an error named `name` (EXIT_FAILURE for any name not in the table). */
export function exitCodeForName(name: string): ExitCode {
  return Object.hasOwn(ERROR_TABLE, name) ? (ERROR_TABLE[name]?.exit ?? EXIT_FAILURE) : EXIT_FAILURE
}
