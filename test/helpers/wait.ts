// The one wait helper of the test suite: poll a condition until it holds (or throw naming it),
// and a named sleep for the few places where time itself is the point (asserting that something
// does NOT happen within a window, or pacing a sender). Every test waits through here.
//
// The timer functions are captured when this module loads, so a test that mocks timers
// (node:test `mock.timers`, as the outbox retry tests do to drive the service's retry timer)
// still polls in real time.
const realSetTimeout = globalThis.setTimeout

/** Resolves after `ms` real milliseconds. Use only where the wait itself is what is tested or
 *  paced; name the duration at the call site (a constant saying why that long). */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => realSetTimeout(resolve, ms))

/** Default time `until` waits: generous, the machine running the suite is shared and loaded. */
export const UNTIL_TIMEOUT_MS = 10_000
/** Default poll interval of `until`. */
export const UNTIL_EVERY_MS = 20

/**
 * Polls `fn` every `everyMs` until it returns something other than undefined or false (and
 * returns that); a throw counts as "not yet" (its message is named if the wait times out).
 * Throws `timed out waiting for <what>` after `timeoutMs`.
 */
export async function until<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = UNTIL_TIMEOUT_MS,
  everyMs = UNTIL_EVERY_MS,
): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: Error | undefined
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      last = err as Error
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out waiting for ${what}${last === undefined ? '' : `: ${last.message}`}`,
      )
    }
    await sleep(everyMs)
  }
}
