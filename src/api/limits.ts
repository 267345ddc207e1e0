// The daemon's limits and text rules a client of the API checks before it asks (the CLI's option
// and argument checks, the web app's forms), so a refusal reads the same as the daemon's: each
// defined once where it is enforced and re-exported through the service's light face, which
// loads no SQLite or libp2p.
export {
  eventSentence,
  isBlank,
  MAILBOX_MAX_TTL_MS,
  MAX_FILE_BYTES,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_QUERY_CHARS,
  MAX_SEND_BATCH,
  MAX_TEXT_BYTES,
  MAX_TTL_SECONDS,
  MessageTooLongError,
  MIN_TTL_SECONDS,
  textTooLong,
  ttlPhrase,
} from '../service/limits.js'
