// The search index's background catch-up (issue 17). A stored message is indexed for `kith
// search` after its commit, not inside it (../store/search.ts: the watermark and its invariant;
// a search catches up by itself first, so this only keeps that first search short and the
// backlog small). This module owns WHEN to catch up: a look SEARCH_INDEX_DELAY_MS after a message
// was stored (noteStored; and once at start) checks the backlog (an index lookup and a bounded
// count) and catches up when SEARCH_INDEX_BATCH rows wait, or when some wait and nothing was
// stored since the previous look (the writes have gone quiet), one SEARCH_INDEX_BATCH per
// transaction with the event loop free in between; it looks again while rows wait, and sleeps
// (no timer: an idle daemon is not woken every second) once none do. It knows no SQL and nothing
// of messages: it sees only the store's catchUp and backlog.
import debug from 'debug'
import { errorName } from '../core/errors.js'
import type { NodeStore } from '../store/types.js'

const log = debug('kith:service:search-index')

/**
 * Rows indexed per catch-up transaction, and the backlog that starts one without waiting for
 * quiet. FTS5 writes one index segment per transaction (≈ 130 µs on SQLCipher, measured in
 * bench/search.ts); at 256 rows that is < 1 µs per message against ≈ 9 µs of tokenizing, and
 * the transaction holds the event loop ≈ 2–3 ms — short enough not to be felt by a burst being
 * received (about the cost of one message's own commit).
 */
export const SEARCH_INDEX_BATCH = 256

/**
 * How often the backlog is looked at, and how long the writes must have been quiet for a
 * smaller backlog to be indexed: a message becomes indexed 1–2 s after the last one stored. The
 * look costs a few µs; a search in between catches up by itself, so this delay is never seen.
 */
export const SEARCH_INDEX_DELAY_MS = 1000

/** The slice of the service the catch-up uses (a narrow port). */
export interface SearchIndexDeps {
  store: Pick<NodeStore, 'search'>
  stopped(): boolean
}

export class SearchIndexer {
  readonly #deps: SearchIndexDeps
  #timer: NodeJS.Timeout | undefined
  #draining = false
  #started = false
  /** The newest rowid at the previous look: unchanged means nothing was stored since. */
  #lastNewest = -1
  /** Catch-up transactions run (tests, diagnostics). */
  readonly metrics = { batches: 0, rows: 0 }
  /** Looks at the backlog by the timer (tests: a daemon with nothing to index stops looking). */
  looks = 0

  constructor(deps: SearchIndexDeps) {
    this.#deps = deps
  }

  start(): void {
    this.#started = true
    this.noteStored() // rows stored while it slept (a restore, a crash before the catch-up)
  }

  stop(): void {
    this.#started = false
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** A message was stored: look at the backlog within SEARCH_INDEX_DELAY_MS (cheap: a no-op
   *  while a look is already scheduled). */
  noteStored(): void {
    if (this.#timer !== undefined || !this.#started) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.looks++
      if (this.tick() > 0) this.noteStored()
    }, SEARCH_INDEX_DELAY_MS)
    this.#timer.unref()
  }

  /** One look at the backlog (the timer's callback; tests call it): how many rows waited (0
   *  also when it could not look). Never throws. */
  tick(): number {
    if (this.#deps.stopped()) return 0
    if (this.#draining) return 1 // a catch-up is running: look again after it
    try {
      const { rows, newest } = this.#deps.store.search.backlog(SEARCH_INDEX_BATCH)
      const quiet = newest === this.#lastNewest
      this.#lastNewest = newest
      if (rows >= SEARCH_INDEX_BATCH || (rows > 0 && quiet)) this.#drain(quiet)
      return rows
    } catch (err) {
      log('backlog failed: %s', errorName(err))
      return 0
    }
  }

  /**
   * One batch now, then the next after the event loop has run (setImmediate) while there is
   * more: with `all` (the writes have gone quiet) until nothing is left, otherwise (a burst still
   * arriving) only while a full batch waits — at most one catch-up transaction per
   * SEARCH_INDEX_BATCH stored messages; a smaller remainder waits for quiet.
   */
  #drain(all: boolean): void {
    if (this.#deps.stopped()) {
      this.#draining = false
      return
    }
    this.#draining = true
    let more = false
    try {
      const n = this.#deps.store.search.catchUp(SEARCH_INDEX_BATCH)
      this.metrics.batches++
      this.metrics.rows += n
      more =
        n === SEARCH_INDEX_BATCH &&
        (all || this.#deps.store.search.backlog(SEARCH_INDEX_BATCH).rows >= SEARCH_INDEX_BATCH)
    } catch (err) {
      log('catch-up failed: %s', errorName(err))
    }
    if (more) setImmediate(() => this.#drain(all)).unref()
    else this.#draining = false
  }
}
