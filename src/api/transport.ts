// How the API client talks to a daemon: one authenticated JSON request (`request`, with a timeout
// and the daemon's error answers re-thrown as ./client-errors.ts's errors) and the event stream
// over WebSocket (`events`). A refused connection means DaemonNotRunningError. The typed routes
// are ./chat-routes.ts's and ./client.ts's, which extend this class; it knows no route.
import WebSocket from 'ws'
import { ApiError, DaemonNotRunningError, DeliveryTimeoutError } from './client-errors.js'
import type { MessageStatus, ServiceEvent } from './contract.js'
import type { DaemonInfo } from './daemon-info.js'

/** How long a plain request may take before the daemon is considered hung. */
export const REQUEST_TIMEOUT_MS = 30_000

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8')
}

export interface EventStream {
  close(): void
  /** Resolves when the socket closed (by us, or because the daemon went away). */
  closed: Promise<void>
}

export class ApiTransport {
  readonly info: DaemonInfo
  readonly #token: string

  constructor(info: DaemonInfo, token: string) {
    this.info = info
    this.#token = token
  }

  /** `method path` with `body` as JSON; resolves the JSON answer. Throws DaemonNotRunningError,
   *  ApiError (named by the answer's `error`) or DeliveryTimeoutError. */
  protected async request<T>(method: string, path: string, body?: unknown, timeoutMs?: number) {
    let res: Response
    try {
      res = await fetch(new URL(path, this.info.api), {
        method,
        headers: {
          Authorization: `Bearer ${this.#token}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs ?? REQUEST_TIMEOUT_MS),
      })
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') {
        throw new ApiError('DaemonTimeout', 'the daemon did not answer in time', 0)
      }
      throw new DaemonNotRunningError(`the daemon at ${this.info.api} is not answering`)
    }
    const text = await res.text()
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      throw new ApiError(
        'BadResponse',
        `the daemon answered ${res.status} without JSON`,
        res.status,
      )
    }
    if (!res.ok) {
      const e = (data ?? {}) as {
        error?: unknown
        message?: unknown
        id?: unknown
        status?: unknown
      }
      const name = typeof e.error === 'string' ? e.error : `Http${res.status}`
      const message = typeof e.message === 'string' ? e.message : `HTTP ${res.status}`
      if (res.status === 504 && typeof e.id === 'string') {
        throw new DeliveryTimeoutError(message, e.id, e.status as MessageStatus)
      }
      throw new ApiError(name, message, res.status)
    }
    return data as T
  }

  /** Subscribes to the daemon's events. Resolves once the socket is open. */
  events(onEvent: (e: ServiceEvent) => void): Promise<EventStream> {
    const url = new URL('/v1/events', this.info.api)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${this.#token}` },
      handshakeTimeout: REQUEST_TIMEOUT_MS,
      perMessageDeflate: false,
    })
    const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()))
    ws.on('message', (data) => {
      let event: ServiceEvent
      try {
        event = JSON.parse(rawText(data)) as ServiceEvent
      } catch {
        return
      }
      onEvent(event)
    })
    return new Promise((resolve, reject) => {
      ws.on('open', () => resolve({ close: () => ws.close(), closed }))
      ws.on('unexpected-response', (_req, res) => {
        reject(
          new ApiError(
            res.statusCode === 401 ? 'Unauthorized' : 'BadResponse',
            `events: HTTP ${res.statusCode}`,
            res.statusCode ?? 0,
          ),
        )
        res.resume()
        ws.terminate()
      })
      ws.on('error', () => {
        reject(new DaemonNotRunningError(`the daemon at ${this.info.api} is not answering`))
      })
    })
  }
}
