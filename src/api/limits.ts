// The daemon's limits a client of the API checks before it asks (the CLI's option and argument
// checks, the web app's forms): re-exported from the layers that enforce them, so each number
// has one definition. Constants only.
export { MAILBOX_MAX_TTL_MS } from '../node/mailbox/limits.js'
