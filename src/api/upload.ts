// The two file routes whose bodies are bytes, not JSON (docs/web.md "Files"; CLI.md "Files"):
// `POST /v1/files/upload?to=<ref>&name=<name>` — the browser cannot name a path on this machine, so
// it sends the file's bytes; they are streamed to a private temp directory under KITH_HOME
// (never more than the limit: 413 while streaming), then handed to the existing send path
// (ChatApi.sendFile seals a copy into the chunk store) and removed. And
// `GET /v1/files/:id/content` — a finished file's bytes as an attachment download, never
// rendered by the browser. Runs after the API's auth (token, or session + CSRF: ./server.ts);
// knows nothing of sessions, sealing or the other routes. Names are sanitised by the file
// service's own safeName (../service/files/disk.ts).
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { safeName, type ChatApi } from '../service/index.js'
import { MAX_FILE_BYTES } from './limits.js'
import { HttpError } from './errors.js'
import { bad } from './routes.js'

/** The upload route's path. */
export const UPLOAD_PATH = '/v1/files/upload'
const CONTENT_PATH = /^\/v1\/files\/([0-9a-f]{32})\/content$/

export interface FileStreamOptions {
  /** Where uploads are staged (KITH_HOME/uploads; created 0700). Default: the OS temp dir. */
  dir?: string
  /** Largest upload; more is refused with 413. Default MAX_FILE_BYTES, the files' own limit. */
  maxBytes?: number
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'FileTooLarge', `a file may have at most ${max} bytes`)
}

/** Streams `req` into `path`, refusing (413) once more than `max` bytes arrived. */
async function receive(req: IncomingMessage, path: string, max: number): Promise<number> {
  let size = 0
  await pipeline(
    req,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length
        if (size > max) throw tooLarge(max)
        yield chunk
      }
    },
    createWriteStream(path, { flags: 'wx', mode: 0o600 }),
  )
  return size
}

/** RFC 6266 `attachment` with an ASCII fallback and the UTF-8 name (RFC 5987 `filename*`). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

export interface FileStreams {
  /** Answers the upload and content routes; false for any other path. Throws HttpError. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>
}

export function fileStreams(api: ChatApi, opts: FileStreamOptions = {}): FileStreams {
  const max = opts.maxBytes ?? MAX_FILE_BYTES

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (api.sendFile === undefined)
      throw new HttpError(404, 'NotAvailable', 'this node has no files')
    const to = url.searchParams.get('to') ?? ''
    if (to === '') throw bad('"to" must be a non-empty string')
    const name = safeName(url.searchParams.get('name') ?? '')
    if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge(max)
    const base = opts.dir ?? tmpdir()
    await mkdir(base, { recursive: true, mode: 0o700 })
    const dir = await mkdtemp(join(base, 'upload-'))
    let info: unknown
    try {
      const path = join(dir, name)
      await receive(req, path, max)
      info = await api.sendFile(to, path) // sealed into the chunk store: the copy can go
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const data = JSON.stringify(info)
    res.writeHead(201, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(data),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    })
    res.end(data)
  }

  async function content(res: ServerResponse, fileId: string): Promise<void> {
    if (api.listFiles === undefined || api.getFile === undefined) {
      throw new HttpError(404, 'NotAvailable', 'this node has no files')
    }
    const row = (await api.listFiles()).find((f) => f.fileId === fileId)
    if (row === undefined) throw new HttpError(404, 'FileNotFound', `no file ${fileId}`)
    // Only what is already here: a GET fetches nothing (POST /v1/files/:id/get does).
    if (row.direction === 'in' && row.state !== 'done') {
      throw new HttpError(409, 'FileNotReady', 'the file has not been downloaded yet')
    }
    const { path, name } = await api.getFile(fileId)
    const st = await stat(path)
    res.writeHead(200, {
      // Bytes to save, never to render: no sniffing, an attachment, no scripts if opened anyway.
      'Content-Type': 'application/octet-stream',
      'Content-Length': st.size,
      'Content-Disposition': contentDisposition(name),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'no-store',
    })
    await pipeline(createReadStream(path), res)
  }

  return {
    async handle(req, res, url) {
      const method = req.method ?? 'GET'
      if (url.pathname === UPLOAD_PATH) {
        if (method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`)
        await upload(req, res, url)
        return true
      }
      const m = CONTENT_PATH.exec(url.pathname)
      if (m === null) return false
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', `${method} not allowed`)
      await content(res, m[1] ?? '')
      return true
    },
  }
}
