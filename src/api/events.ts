// The local API's event stream: a WebSocket at /v1/events that sends every ServiceEvent as one
// JSON text frame; with `?since=` each frame has an `eventId`, and `?since=<eventId>` resumes
// after that event (./event-log.ts). This
// module owns the upgrade (Host, Origin, token and path checks, in that order; the token only
// from the Authorization header, never the URL), the per-socket subscription to the ChatApi and
// the bounds on a slow or dead client. It knows nothing of the
// HTTP routes. Clients send nothing we read: incoming frames are limited and ignored.
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import createDebug from 'debug'
import { WebSocketServer, type WebSocket } from 'ws'
import type { ChatApi } from '../service/index.js'
import { authorized } from './auth.js'
import { toHttpError } from './errors.js'
import { EventLog, RESYNC_FRAME } from './event-log.js'
import { checkHostAndOrigin } from './host.js'

const log = createDebug('kith:api:events')

export const EVENTS_PATH = '/v1/events'
/** Largest frame a client may send (we ignore them; this only bounds what ws buffers). */
export const MAX_WS_INCOMING_BYTES = 4 * 1024
/** A client that lets more than this pile up unsent is cut off (close code 1013). */
export const MAX_WS_BUFFERED_BYTES = 4 * 1024 * 1024
/** Ping interval; a client that missed the previous pong is terminated. */
export const WS_PING_INTERVAL_MS = 30_000

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  421: 'Misdirected Request',
}

function reject(socket: Duplex, status: number, name: string, message: string): void {
  const body = JSON.stringify({ error: name, message })
  const reason = REASONS[status] ?? 'Bad Request'
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

export interface EventsOptions {
  /** The bearer token (Authorization header only). */
  token: string
  /** Overrides the token check: the server also admits the web app's session (./web-routes.ts). */
  authorize?(req: IncomingMessage): boolean
  /** The port the API listens on, for the Host and Origin checks (known once it listens). */
  port(): number
  /** Called with the error name of every refused upgrade (counted in status metrics). */
  onRejected(name: string): void
}

/** Serves /v1/events on `server`'s upgrade requests. Returns a function closing every socket. */
export function attachEvents(server: Server, api: ChatApi, opts: EventsOptions): () => void {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_INCOMING_BYTES,
    perMessageDeflate: false,
  })
  const alive = new WeakMap<WebSocket, boolean>()
  // Registered before any socket's listener, so every event has its id before it is sent.
  const events = new EventLog()
  const offLog = api.on((e) => void events.append(e))

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    try {
      checkHostAndOrigin(req, opts.port())
    } catch (err) {
      const { status, body } = toHttpError(err)
      log('upgrade refused: %s', body.error)
      opts.onRejected(body.error)
      reject(socket, status, body.error, body.message)
      return
    }
    // The CLI sends the Authorization header; a browser cannot set one on a WebSocket and will
    // authenticates with the web app's session cookie (CLI.md "Web"), never a token in the URL.
    if (!(opts.authorize?.(req) ?? authorized(req, opts.token))) {
      log('upgrade refused: bad token')
      opts.onRejected('Unauthorized')
      reject(socket, 401, 'Unauthorized', 'missing or wrong API token')
      return
    }
    if (url.pathname !== EVENTS_PATH) {
      reject(socket, 404, 'NotFound', 'no such endpoint')
      return
    }
    const since = url.searchParams.get('since')
    wss.handleUpgrade(req, socket, head, (ws) => subscribe(ws, req, since, socket))
  })

  function subscribe(
    ws: WebSocket,
    req: IncomingMessage,
    since: string | null,
    socket: Duplex,
  ): void {
    alive.set(ws, true)
    log('events client connected (%d)', wss.clients.size)
    // Resume (./event-log.ts): a client that sends `since` (empty on its first connect) gets
    // frames with ids, and what it missed after a non-empty one; nothing runs in between. One
    // that does not gets the frames as before, without ids.
    const withIds = since !== null
    if (withIds && since !== '') for (const f of events.since(since) ?? [RESYNC_FRAME]) ws.send(f)
    // Events come in bursts (a receive batch's after-commit work emits one per stored message):
    // the socket is corked for the rest of the tick, so a burst leaves in one write instead of
    // one syscall per frame (issue 17). ws's own cork/uncork pairs nest inside ours.
    let corked = false
    const uncork = () => {
      corked = false
      socket.uncork()
    }
    const off = api.on((event) => {
      if (ws.readyState !== 1) return
      // A web session may end (logout, expiry) while its socket is open: nothing more for it.
      if (opts.authorize !== undefined && !opts.authorize(req)) {
        ws.close(1008, 'session ended')
        return
      }
      if (ws.bufferedAmount > MAX_WS_BUFFERED_BYTES) {
        log('events client too slow: closing')
        ws.close(1013, 'too slow')
        return
      }
      if (!corked) {
        corked = true
        socket.cork()
        process.nextTick(uncork)
      }
      ws.send(withIds ? events.frameOf(event) : events.plainOf(event))
    })
    ws.on('pong', () => alive.set(ws, true))
    ws.on('message', () => undefined)
    ws.on('error', (err) => log('events socket error %s', err.name))
    ws.on('close', () => {
      off()
      log('events client gone (%d)', wss.clients.size)
    })
  }

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) !== true) {
        ws.terminate()
        continue
      }
      alive.set(ws, false)
      ws.ping()
    }
  }, WS_PING_INTERVAL_MS)
  pinger.unref()

  return () => {
    offLog()
    clearInterval(pinger)
    for (const ws of wss.clients) ws.terminate()
    wss.close()
  }
}
