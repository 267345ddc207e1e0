// The service's light public face: the limits and text rules the API checks and its clients (the
// CLI, the web app) check again before they ask, so each error is the same one everywhere. It
// re-exports them from where they are defined and enforced and imports nothing that loads SQLite
// or libp2p, so a CLI command that only talks to the API stays quick to start. The service's full
// face is ./index.ts.
export {
  isBlank,
  MAX_SEND_BATCH,
  MAX_TEXT_BYTES,
  MessageTooLongError,
  textTooLong,
} from './text.js'
/** The one error family (core/errors.ts imports nothing), for the API and the CLI's own errors. */
export { KithError, defineError } from './errors.js'
export { eventSentence, ttlPhrase, type GroupEvent, type GroupEventType } from './group-event.js'
export { MAX_SEARCH_LIMIT, MAX_SEARCH_QUERY_CHARS } from '../store/search.js'
export { MAX_TTL_SECONDS, MIN_TTL_SECONDS } from '../core/wire/limits.js'
export { MAX_FILE_BYTES } from '../core/file/limits.js'
export { MAILBOX_MAX_TTL_MS } from '../node/limits.js'
