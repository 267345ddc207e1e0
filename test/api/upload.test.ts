// The byte-bodied file routes (src/api/upload.ts) against a fake ChatApi with only the file
// methods: an upload is staged under its sanitised name, handed to sendFile and removed; one over
// the limit is refused with 413, whether declared (Content-Length) or found while streaming
// (chunked, no length); the content route serves an attachment with nosniff and refuses a file
// not yet downloaded. Token auth; the web session's CSRF rule is web-auth's (test/api/web-auth).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { startApiServer, type ApiServer } from '../../src/api/server.js'
import type { ChatApi } from '../../src/service/types.js'
import type { FileListRow } from '../../src/service/types.js'

const TOKEN = 'upload-test-token'
/** A small limit so the streaming refusal needs only a few KiB. */
const LIMIT = 4096
const ID_DONE = 'a'.repeat(32)
const ID_PENDING = 'b'.repeat(32)

describe('file upload and content routes', () => {
  const home = mkdtempSync(join(tmpdir(), 'kith-upload-'))
  const uploads = join(home, 'uploads')
  const sent: { to: string; name: string; bytes: Buffer }[] = []
  let server: ApiServer
  const row = (fileId: string, state: FileListRow['state']): FileListRow => ({
    fileId,
    name: 'a<b>.html',
    size: 5,
    sha256: '0'.repeat(64),
    from: 'peer',
    have: 5,
    direction: 'in',
    conversation: 'peer',
    state,
  })
  const fake = {
    on: () => () => undefined,
    sendFile(to: string, path: string) {
      sent.push({ to, name: basename(path), bytes: readFileSync(path) })
      return Promise.resolve({ fileId: ID_DONE, name: basename(path), size: 1, sha256: '' })
    },
    listFiles: () => Promise.resolve([row(ID_DONE, 'done'), row(ID_PENDING, 'fetching')]),
    getFile(fileId: string) {
      const path = join(home, 'written.html')
      writeFileSync(path, '<b>hi</b>')
      return Promise.resolve({ ...row(fileId, 'done'), path })
    },
  } as unknown as ChatApi

  before(async () => {
    server = await startApiServer(fake, {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      uploadDir: uploads,
      maxUploadBytes: LIMIT,
    })
  })
  after(async () => {
    await server.close()
    rmSync(home, { recursive: true, force: true })
  })

  /** POSTs `chunks` one by one (chunked unless `length` is given); the status and JSON body. */
  function post(path: string, chunks: Buffer[], length?: number) {
    return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = request(new URL(path, server.url), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/octet-stream',
          ...(length !== undefined ? { 'content-length': length } : {}),
        },
      })
      req.on('response', (res) => {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>,
          }),
        )
      })
      req.on('error', reject)
      if (length !== undefined && chunks.length === 0) {
        req.flushHeaders() // declared only: the server must answer before any byte
        return
      }
      for (const c of chunks) req.write(c)
      req.end()
    })
  }

  it('stages the bytes under the sanitised name, sends, then removes them', async () => {
    const bytes = Buffer.from('hello file')
    const r = await post(
      `/v1/files/upload?to=bob&name=${encodeURIComponent('../x/.e\u202ev.txt')}`,
      [bytes],
    )
    assert.equal(r.status, 201)
    assert.equal(sent.length, 1)
    assert.equal(sent[0]?.to, 'bob')
    assert.equal(sent[0]?.name, 'ev.txt', 'no directories, no dot file, no bidi control')
    assert.deepEqual(sent[0]?.bytes, bytes)
    assert.deepEqual(readdirSync(uploads), [], 'the staged copy is gone')
  })

  it('refuses a declared length over the limit with 413 before reading it', async () => {
    const r = await post('/v1/files/upload?to=bob&name=big', [], LIMIT + 1)
    assert.equal(r.status, 413)
    assert.equal(r.body.error, 'FileTooLarge')
    assert.equal(sent.length, 1, 'nothing sent')
  })

  it('refuses a chunked body once it passes the limit, and keeps nothing', async () => {
    const chunk = Buffer.alloc(1024, 1)
    const r = await post('/v1/files/upload?to=bob&name=big', Array<Buffer>(6).fill(chunk))
    assert.equal(r.status, 413)
    assert.equal(r.body.error, 'FileTooLarge')
    assert.equal(sent.length, 1, 'nothing sent')
    assert.deepEqual(readdirSync(uploads), [], 'the partial copy is gone')
  })

  it('needs the token (or a session): no upload without it', async () => {
    const res = await fetch(new URL('/v1/files/upload?to=bob&name=x', server.url), {
      method: 'POST',
      body: 'x',
    })
    assert.equal(res.status, 401)
  })

  it('serves a finished file as an attachment that is never sniffed or rendered', async () => {
    const res = await fetch(new URL(`/v1/files/${ID_DONE}/content`, server.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/octet-stream')
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="a<b>.html"/)
    assert.equal(await res.text(), '<b>hi</b>')
    const pending = await fetch(new URL(`/v1/files/${ID_PENDING}/content`, server.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    assert.equal(pending.status, 409)
    assert.equal(existsSync(uploads), true)
  })
})
