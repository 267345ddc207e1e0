// The page's live link to the daemon (docs/web.md "Live updates"): the /v1/events WebSocket,
// authenticated by the session cookie (the browser sends it with the upgrade; the API checks our
// Origin). This module owns reconnecting with backoff, the online/offline state the banner shows,
// and resuming: it asks for event ids (`?since=`), reconnects with `?since=<last eventId>` and
// the daemon sends what it missed
// (src/api/event-log.ts). When the daemon cannot (it restarted, or too much happened) it sends
// `{"event":"resync"}` and the screens re-read from the durable history instead — nothing is lost
// and nothing is shown twice (messages are keyed by id). Knows nothing of screens.
import type { ServiceEvent } from '../api/contract.js'

/** First reconnect delay; doubled per failed attempt up to RECONNECT_MAX_MS. Short, as the daemon
 *  is on this machine: a restart is over in a second or two. */
export const RECONNECT_MIN_MS = 250
/** Longest wait between reconnect attempts while the daemon is away. */
export const RECONNECT_MAX_MS = 5_000

export interface LiveHandlers {
  event(e: ServiceEvent): void
  /** Events may have been missed and cannot be replayed: refetch what is shown. */
  resync(): void
  /** Connected or not (the offline banner). */
  online(up: boolean): void
  /** The socket closed: true if the session is still good (else the app shows the login). */
  stillLoggedIn(): Promise<boolean>
}

export interface Live {
  close(): void
}

export function connectLive(h: LiveHandlers): Live {
  let ws: WebSocket | undefined
  let delay = RECONNECT_MIN_MS
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false
  let everOpen = false
  /** The id of the last event received: where a reconnect resumes. */
  let last: string | undefined

  function open(): void {
    const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/events`
    const sock = new WebSocket(`${base}?since=${encodeURIComponent(last ?? '')}`)
    ws = sock
    sock.onopen = () => {
      delay = RECONNECT_MIN_MS
      h.online(true)
      // Down before any event came: no cursor to resume from.
      if (everOpen && last === undefined) h.resync()
      everOpen = true
    }
    sock.onmessage = (m: MessageEvent<unknown>) => {
      if (typeof m.data !== 'string') return
      let frame: (ServiceEvent & { eventId?: string }) | { event: 'resync' }
      try {
        frame = JSON.parse(m.data) as typeof frame
      } catch {
        return // not JSON: ignore
      }
      if (frame.event === 'resync') {
        last = undefined
        h.resync()
        return
      }
      if (typeof frame.eventId === 'string') last = frame.eventId
      h.event(frame)
    }
    sock.onclose = () => {
      if (closed) return
      h.online(false)
      everOpen = true
      void h.stillLoggedIn().then((ok) => {
        if (!ok || closed) return
        timer = setTimeout(open, delay)
        delay = Math.min(delay * 2, RECONNECT_MAX_MS)
      })
    }
  }

  open()
  return {
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      ws?.close()
    },
  }
}
