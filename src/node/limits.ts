// The node's limits that the layers above read (the service sizes its work to them; the API's
// clients check the mailbox TTL): re-exported from each protocol's limits module, where they are
// defined and documented. Constants only, so importing it loads no libp2p.
export {
  MAILBOX_DEPOSIT_REPLICAS,
  MAILBOX_FETCH_MAX_BYTES_PER_ROUND,
  MAILBOX_FETCH_MAX_ENVELOPES_PER_ROUND,
  MAILBOX_FETCH_MAX_PAGES_PER_ROUND,
  MAILBOX_MAX_TTL_MS,
  MAILBOX_PROTOCOL,
} from './mailbox/limits.js'
export { MAX_SYNC_ENVELOPES, MAX_SYNC_OPS, MAX_SYNC_RESPONSE_BYTES } from './sync/limits.js'
export { FILE_MAX_CHUNKS_PER_REQUEST } from './file/limits.js'
