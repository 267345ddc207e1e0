// `--follow` (CLI.md "Messages"): the event stream opened before the history is read (so no
// message falls in between) with its events held until the history is printed, and waiting
// until the user interrupts or the daemon closes the stream. It knows nothing of what is printed.
import type { ApiClient } from '../../api/client.js'
import { DaemonNotRunningError } from '../../api/client.js'
import type { ServiceEvent } from '../../api/contract.js'

export interface Follow {
  readonly stream: Awaited<ReturnType<ApiClient['events']>>
  /** Replays the events that arrived since the stream opened, then hands on every new one. */
  readonly start: (onEvent: (e: ServiceEvent) => void) => void
}

/**
 * `--follow`: opens the event stream before the history is read, so no message falls between the
 * two; events are held until `start`. undefined without --follow.
 */
export async function openFollow(
  client: ApiClient,
  follow: boolean | undefined,
): Promise<Follow | undefined> {
  if (follow !== true) return undefined
  const buffered: ServiceEvent[] = []
  let live: ((e: ServiceEvent) => void) | undefined
  const stream = await client.events((e) => (live ? live(e) : buffered.push(e)))
  return {
    stream,
    start: (onEvent) => {
      for (const e of buffered.splice(0)) onEvent(e)
      live = onEvent
    },
  }
}

/**
 * `--follow`: waits until the user interrupts (SIGINT/SIGTERM: exit 0) or the daemon closes the
 * event stream (DaemonNotRunningError).
 */
export async function untilInterrupted(stream: {
  close(): void
  readonly closed: Promise<unknown>
}): Promise<void> {
  let interrupted = false
  const stop = () => {
    interrupted = true
    stream.close()
  }
  process.once('SIGINT', stop).once('SIGTERM', stop)
  await stream.closed
  if (!interrupted) throw new DaemonNotRunningError('the daemon closed the event stream')
}
