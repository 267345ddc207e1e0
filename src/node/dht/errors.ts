// Typed errors of Kith's bounded DHT server (STYLE.md §4). Thrown inside kad-dht's inbound RPC
// handler, each one aborts that stream (kad-dht rpc/index.js: `stream.abort(err)`) and is counted
// by name in NodeMetrics.dht.rejected. Messages never hold record bytes.
import { defineError as define } from '../../core/errors.js'

/** An ADD_PROVIDER: Kith uses no provider records, so peers may store none with us. */
export class DhtProviderRefusedError extends define('DhtProviderRefusedError') {}
/** A PUT_VALUE under a key namespace Kith does not store (anything but /kith-card/). */
export class DhtRecordRefusedError extends define('DhtRecordRefusedError') {}
/** A PUT_VALUE whose record loses to the one we hold (the selector: a lower card seq). */
export class DhtStaleRecordError extends define('DhtStaleRecordError') {}
/** A PUT_VALUE over the putter's or its network group's rate (DHT_*_PUTS_PER_MINUTE). */
export class DhtRateLimitError extends define('DhtRateLimitError') {}
/** An inbound DHT stream over the opener's or its network group's stream rate
 *  (DHT_*_STREAMS_PER_MINUTE): reset before kad-dht reads it. */
export class DhtStreamRateLimitError extends define('DhtStreamRateLimitError') {}
/** An inbound DHT stream over DHT_MAX_INBOUND_STREAM_BYTES. */
export class DhtStreamTooLargeError extends define('DhtStreamTooLargeError') {}
/** Open inbound DHT streams together over DHT_INBOUND_BUDGET_BYTES. */
export class DhtInboundBudgetError extends define('DhtInboundBudgetError') {}
/** The store is full of records nothing may evict (only the node's own): never with sane limits. */
export class DhtStoreFullError extends define('DhtStoreFullError') {}
