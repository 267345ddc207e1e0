// Event ids and resume for the local API's event stream (docs/web.md "Live"): every ServiceEvent
// gets an id `<epoch>:<n>` (epoch: random per daemon run; n counts up), and the last
// EVENT_LOG_MAX events are kept as their JSON frames so a client that reconnects with
// `?since=<id>` is sent what it missed, in order, before live events. A cursor this log cannot
// serve (another run's epoch, older than the log, malformed) gets one `{"event":"resync"}` frame:
// the client must re-read what it shows. Knows nothing of sockets or HTTP.
import { randomBytes } from 'node:crypto'
import type { ServiceEvent } from '../service/index.js'

/** Events kept for resume: enough for a page that was away for a daemon-side burst (a restart of
 *  the browser's network, a laptop lid closed for a minute), small enough to cost little memory
 *  (frames are a few hundred bytes; message texts are bounded by MAX_TEXT_BYTES). */
export const EVENT_LOG_MAX = 1000

/** The frame telling a client its cursor cannot be served: re-read, then follow live events. */
export const RESYNC_FRAME = JSON.stringify({ event: 'resync' })

export class EventLog {
  readonly epoch = randomBytes(6).toString('hex')
  #next = 1
  readonly #frames: string[] = []
  readonly #byEvent = new WeakMap<ServiceEvent, { plain: string; frame: string }>()

  /** Assigns `e` its id and keeps its frame; returns the frame. */
  append(e: ServiceEvent): string {
    return this.#append(e).frame
  }

  #append(e: ServiceEvent): { plain: string; frame: string } {
    // One JSON.stringify per event (issue 17: it ran twice, once here with the id and once per
    // client without). The id goes last, as `{ ...e, eventId }` would put it.
    const plain = JSON.stringify(e)
    const id = `"eventId":"${this.epoch}:${this.#next++}"`
    const frame = plain === '{}' ? `{${id}}` : `${plain.slice(0, -1)},${id}}`
    this.#frames.push(frame)
    if (this.#frames.length > EVENT_LOG_MAX) this.#frames.shift()
    const both = { plain, frame }
    this.#byEvent.set(e, both)
    return both
  }

  /** The frame of an event already appended (the same object), else a new frame for it. */
  frameOf(e: ServiceEvent): string {
    return (this.#byEvent.get(e) ?? this.#append(e)).frame
  }

  /** The event's JSON without an id (clients that did not ask for ids), made by `append`. */
  plainOf(e: ServiceEvent): string {
    return this.#byEvent.get(e)?.plain ?? JSON.stringify(e)
  }

  /** The frames after `cursor`, or undefined if this log cannot tell (resync). */
  since(cursor: string): string[] | undefined {
    const m = /^([0-9a-f]{12}):(\d{1,15})$/.exec(cursor)
    if (m === null || m[1] !== this.epoch) return undefined
    const n = Number(m[2])
    const first = this.#next - this.#frames.length // id of the oldest frame kept
    if (n >= this.#next || n < first - 1) return undefined
    return this.#frames.slice(n - first + 1)
  }
}
