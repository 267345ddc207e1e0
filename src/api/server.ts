// The local API: HTTP + WebSocket on 127.0.0.1, the only door to a running node (ARCHITECTURE.md
// "Data flow"). This module owns the HTTP side — binding, the Host/Origin checks (./host.ts), the
// web app's files and sessions (./web-routes.ts), then bearer-token (or web session) auth, JSON bodies under MAX_BODY_BYTES, the route table (status,
// peers, messages here; ./contact-routes.ts, ./group-routes.ts, ./conversation-routes.ts) — and maps each route to one
// ChatApi call. It knows nothing of libp2p, the store or the protocol; errors are mapped to
// statuses by ./errors.ts and events are streamed by ./events.ts. Logs name routes and statuses,
// never bodies, tokens or message text.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import createDebug from 'debug'
import { afterWritesDone, type ChatApi } from '../service/index.js'
import { MAX_TEXT_BYTES } from './limits.js'
import { authorized } from './auth.js'
import { contactRoutes } from './contact-routes.js'
import { conversationRoutes } from './conversation-routes.js'
import { messageRoutes, replyTo, sendBatch } from './message-routes.js'
import { searchRoutes } from './search-routes.js'
import { HttpError, toHttpError } from './errors.js'
import { attachEvents } from './events.js'
import { fileRoutes } from './file-routes.js'
import { groupRoutes, MAX_MESSAGES_LIMIT } from './group-routes.js'
import { checkHostAndOrigin } from './host.js'
import { bad, int, str, type Body, type Route, messageId } from './routes.js'
import { WEB_REJECTIONS } from './web-auth.js'
import { webGate } from './web-routes.js'
import { fileStreams } from './upload.js'

export { MAX_MESSAGES_LIMIT }

const log = createDebug('kith:api')

/** Largest request body accepted; beyond it the answer is 413. It must hold the longest text
 *  a message may have in its worst JSON form (every byte a control character, escaped as six,
 *  `\u0001`) plus the other fields, so that a text just over MAX_TEXT_BYTES is answered with the
 *  typed MessageTooLong rather than PayloadTooLarge: 6 × 64,512 + 64 KiB = 452,608 bytes. */
export const MAX_BODY_BYTES = 6 * MAX_TEXT_BYTES + 64 * 1024
/** `wait` on POST /v1/messages: default and largest time to hold the request. */
export const DEFAULT_WAIT_TIMEOUT_MS = 30_000
export const MAX_WAIT_TIMEOUT_MS = 10 * 60_000
/** The only address the API binds to: it is a local API. */
export const API_HOST = '127.0.0.1'

export interface ApiServerOptions {
  host: typeof API_HOST
  /** 0 picks a free port. */
  port: number
  /** The bearer token every request must carry. */
  token: string
  /** Where the web app's sessions persist (src/api/web-auth.ts); none: in memory. */
  webSessionsFile?: string
  /** Where browser uploads are staged (KITH_HOME/uploads; ./upload.ts); none: the OS temp dir. */
  uploadDir?: string
  /** Largest upload (tests); default MAX_FILE_BYTES. */
  maxUploadBytes?: number
}

export interface ApiServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  close(): Promise<void>
}

function routes(api: ChatApi, rejected: () => Record<string, number>): Route[] {
  return [
    ...groupRoutes(api),
    ...fileRoutes(api),
    ...contactRoutes(api),
    ...conversationRoutes(api),
    ...messageRoutes(api),
    ...searchRoutes(api),
    {
      method: 'GET',
      path: /^\/v1\/status$/,
      handle: () => {
        const s = api.status()
        // The API's own refusals (Host, Origin, token) next to the node's (issue 11, finding 14).
        return { body: { ...s, metrics: { ...s.metrics, apiRejected: rejected() } } }
      },
    },
    { method: 'GET', path: /^\/v1\/peers$/, handle: () => ({ body: api.peers() }) },
    {
      method: 'POST',
      path: /^\/v1\/messages$/,
      handle: async ({ body }) => {
        if (body.texts !== undefined) return { body: sendBatch(api, body) } // issue 17
        const contact = str(body, 'contact')
        if (typeof body.text !== 'string') throw bad('"text" must be a string')
        if (body.wait !== undefined && typeof body.wait !== 'boolean') {
          throw bad('"wait" must be a boolean')
        }
        const timeoutMs =
          body.timeoutMs === undefined
            ? DEFAULT_WAIT_TIMEOUT_MS
            : int(body.timeoutMs, 'timeoutMs', 0, MAX_WAIT_TIMEOUT_MS)
        const sent = api.send(contact, body.text, replyTo(body))
        const acked = (s: string) => s === 'delivered' || s === 'read'
        if (body.wait !== true || acked(sent.status)) {
          // Answered once the frame is on the wire (issue 17): the recipient starts on it while
          // we write the answer. The message is durable already.
          await afterWritesDone()
          return { body: sent }
        }
        const status = await api.waitDelivered(sent.id, timeoutMs)
        if (acked(status)) return { body: { id: sent.id, status } }
        return {
          status: 504,
          body: {
            error: 'Timeout',
            message: `not delivered within ${timeoutMs} ms`,
            id: sent.id,
            status,
          },
        }
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/messages$/,
      handle: ({ query }) => {
        const contact = query.get('contact') ?? ''
        const limit = query.get('limit')
        const before = query.get('before')
        return {
          body: api.messages({
            ...(contact !== '' ? { contact } : {}),
            ...(limit !== null ? { limit: int(limit, 'limit', 1, MAX_MESSAGES_LIMIT) } : {}),
            ...(before !== null ? { before: messageId(before, 'before') } : {}),
          }),
        }
      },
    },
  ]
}

/** Reads a JSON object body of at most MAX_BODY_BYTES. */
async function readJson(req: IncomingMessage): Promise<Body> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'PayloadTooLarge', 'body too large')
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'UnsupportedMediaType', 'body must be application/json')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PayloadTooLarge', 'body too large')
    chunks.push(chunk)
  }
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw bad('body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw bad('body must be a JSON object')
  }
  return body as Body
}

function reply(res: ServerResponse, status: number, body: unknown, close = false): void {
  const data = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...(close ? { Connection: 'close' } : {}),
  })
  res.end(data)
}

/** Starts the API on 127.0.0.1. Resolves once it listens. */
export async function startApiServer(api: ChatApi, opts: ApiServerOptions): Promise<ApiServer> {
  if (opts.host !== API_HOST) throw new RangeError('host: the API binds to 127.0.0.1 only')
  if (opts.token.length === 0) throw new RangeError('token: must not be empty')
  let port = 0 // known once listening; no request is handled before
  const rejected: Record<string, number> = {}
  const countRejected = (name: string) => {
    rejected[name] = (rejected[name] ?? 0) + 1
  }
  const table = routes(api, () => ({ ...rejected }))
  // The web app: its files, login and sessions (CLI.md "Web", ./web-routes.ts).
  const web = webGate({
    port: () => port,
    bearer: (req) => authorized(req, opts.token),
    ...(opts.webSessionsFile !== undefined ? { sessionsFile: opts.webSessionsFile } : {}),
  })
  // Routes whose bodies are file bytes (upload, download), not JSON.
  const streams = fileStreams(api, {
    ...(opts.uploadDir !== undefined ? { dir: opts.uploadDir } : {}),
    ...(opts.maxUploadBytes !== undefined ? { maxBytes: opts.maxUploadBytes } : {}),
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const method = req.method ?? 'GET'
    try {
      // Host and Origin first: a rebinding page is refused whatever it knows (./host.ts).
      checkHostAndOrigin(req, port)
      if (await web.handle(req, res, url.pathname)) {
        log('%s %s %d', method, url.pathname, res.statusCode)
        return
      }
      if (!authorized(req, opts.token) && !web.sessionAllows(req)) {
        throw new HttpError(401, 'Unauthorized', 'missing or wrong API token')
      }
      if (await streams.handle(req, res, url)) {
        log('%s %s %d', method, url.pathname, res.statusCode)
        return
      }
      const matches = table
        .map((r) => ({ r, m: r.path.exec(url.pathname) }))
        .filter((x) => x.m !== null)
      if (matches.length === 0) throw new HttpError(404, 'NotFound', 'no such endpoint')
      const hit = matches.find((x) => x.r.method === method)
      if (hit === undefined) throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`)
      let params: string[]
      try {
        params = (hit.m ?? []).slice(1).map((p) => decodeURIComponent(p ?? ''))
      } catch {
        throw bad('malformed path')
      }
      const body = method === 'POST' ? await readJson(req) : {}
      const out = await hit.r.handle({ params, query: url.searchParams, body })
      reply(res, out.status ?? 200, out.body)
      log('%s %s %d', method, url.pathname, out.status ?? 200)
    } catch (err) {
      const { status, body } = toHttpError(err)
      const refusals = ['HostNotAllowed', 'OriginNotAllowed', 'Unauthorized', ...WEB_REJECTIONS]
      if (refusals.includes(body.error)) {
        countRejected(body.error)
      }
      if (status === 500) log('%s %s failed: %O', method, url.pathname, err)
      else log('%s %s %d %s', method, url.pathname, status, body.error)
      if (!res.headersSent) reply(res, status, body, status === 413)
      else res.destroy()
    }
  }

  const server = createServer((req, res) => void handle(req, res))
  server.headersTimeout = 10_000
  const closeEvents = attachEvents(server, api, {
    token: opts.token,
    authorize: (req) => authorized(req, opts.token) || web.upgradeAllowed(req),
    port: () => port,
    onRejected: countRejected,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, API_HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const url = `http://${API_HOST}:${port}`
  log('listening on %s', url)

  let closing: Promise<void> | undefined
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        closeEvents()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
