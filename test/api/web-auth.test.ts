// The web app's login, sessions and CSRF (src/api/web-auth.ts, web-routes.ts, static.ts) against
// the real API server with a minimal in-memory ChatApi: one-time codes (reuse, expiry, wrong),
// cookie flags, CSRF on state-changing requests, logout, the Host check on the app's pages, the
// foreign-Origin WebSocket refusal for a session, and the page headers (CSP, caching).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import WebSocket from 'ws'
import { startApiServer, type ApiServer } from '../../src/api/server.js'
import { serveStatic, WEB_CSP } from '../../src/api/static.js'
import {
  CSRF_HEADER,
  WEB_LOGIN_CODE_TTL_MS,
  WEB_SESSION_TTL_MS,
  WebAuth,
} from '../../src/api/web-auth.js'
import type { ChatApi, ServiceEvent } from '../../src/service/types.js'

const TOKEN = 'b'.repeat(64)

/** Just what these tests call: status (for the rejection counters), contacts, send, events. */
function fakeChat(): ChatApi & { sent: string[]; emit(e: ServiceEvent): void } {
  const listeners = new Set<(e: ServiceEvent) => void>()
  const sent: string[] = []
  const chat = {
    sent,
    emit: (e: ServiceEvent) => {
      for (const fn of listeners) fn(e)
    },
    status: () => ({
      peerId: '12D3KooWself',
      name: 'me',
      addrs: [],
      connections: 0,
      nat: 'unknown' as const,
      mailboxes: [],
      metrics: { dmFramesIn: 0, dmFramesOut: 0, dmRejected: {}, syncRejected: {} },
    }),
    listContacts: () => [],
    send: (_ref: string, text: string) => {
      sent.push(text)
      return { id: `m${sent.length}`, status: 'queued' as const }
    },
    on: (fn: (e: ServiceEvent) => void) => {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
  }
  return chat as unknown as ChatApi & { sent: string[]; emit(e: ServiceEvent): void }
}

describe('web app login and sessions', () => {
  let server: ApiServer
  let chat: ReturnType<typeof fakeChat>
  let port: string
  before(async () => {
    chat = fakeChat()
    server = await startApiServer(chat, { host: '127.0.0.1', port: 0, token: TOKEN })
    port = new URL(server.url).port
  })
  after(() => server.close())

  const bearer = { Authorization: `Bearer ${TOKEN}` }
  const jsonType = { 'Content-Type': 'application/json' }

  async function newCode(): Promise<string> {
    const res = await fetch(`${server.url}/v1/web/codes`, {
      method: 'POST',
      headers: { ...bearer, ...jsonType },
      body: '{}',
    })
    assert.equal(res.status, 201)
    const { url, expiresAt } = (await res.json()) as { url: string; expiresAt: number }
    assert.ok(url.startsWith(`${server.url}/#code=`), 'the code rides in the fragment')
    assert.ok(expiresAt > Date.now() && expiresAt <= Date.now() + WEB_LOGIN_CODE_TTL_MS)
    return url.slice(url.indexOf('#code=') + '#code='.length)
  }

  function login(code: string) {
    return fetch(`${server.url}/v1/web/login`, {
      method: 'POST',
      headers: jsonType,
      body: JSON.stringify({ code }),
    })
  }

  /** Logs in; the cookie pair to send back and the CSRF token. */
  async function session(): Promise<{ cookie: string; csrf: string; setCookie: string }> {
    const res = await login(await newCode())
    assert.equal(res.status, 200)
    const setCookie = res.headers.get('set-cookie') ?? ''
    const { csrf } = (await res.json()) as { csrf: string }
    return { cookie: setCookie.split(';')[0] ?? '', csrf, setCookie }
  }

  async function rejected(): Promise<Record<string, number>> {
    const res = await fetch(`${server.url}/v1/status`, { headers: bearer })
    const s = (await res.json()) as { metrics: { apiRejected: Record<string, number> } }
    return s.metrics.apiRejected
  }

  it('sets an HttpOnly, SameSite=Strict, Path=/ cookie named by port; the body has no token', async () => {
    const s = await session()
    assert.match(s.setCookie, new RegExp(`^kith_session_${port}=[A-Za-z0-9_-]{43};`))
    assert.match(s.setCookie, /; HttpOnly/)
    assert.match(s.setCookie, /; SameSite=Strict/)
    assert.match(s.setCookie, /; Path=\/;/)
    assert.match(s.setCookie, /; Max-Age=43200$/)
    assert.ok(!s.setCookie.includes(TOKEN) && s.csrf.length === 43)
    const res = await fetch(`${server.url}/v1/contacts`, { headers: { Cookie: s.cookie } })
    assert.equal(res.status, 200, 'a session may use the API')
  })

  it('refuses a second use of a code, and a wrong one; counts them', async () => {
    const before = (await rejected()).LoginCodeRefused ?? 0
    const code = await newCode()
    assert.equal((await login(code)).status, 200)
    const again = await login(code)
    assert.equal(again.status, 401)
    assert.equal(((await again.json()) as { error: string }).error, 'LoginCodeRefused')
    assert.equal((await login('x'.repeat(43))).status, 401)
    assert.equal((await rejected()).LoginCodeRefused, before + 2)
  })

  it('mints codes only for the API token, never for a session or nobody', async () => {
    const s = await session()
    const tries: Record<string, string>[] = [{}, { Cookie: s.cookie, [CSRF_HEADER]: s.csrf }]
    for (const headers of tries) {
      const res = await fetch(`${server.url}/v1/web/codes`, {
        method: 'POST',
        headers: { ...headers, ...jsonType },
        body: '{}',
      })
      assert.equal(res.status, 401)
    }
  })

  it('refuses a state-changing request from a session without its CSRF token', async () => {
    const s = await session()
    const send = (headers: Record<string, string>) =>
      fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        headers: { Cookie: s.cookie, ...jsonType, ...headers },
        body: JSON.stringify({ contact: 'bob', text: 'hi' }),
      })
    const before = (await rejected()).CsrfTokenMissing ?? 0
    const missing = await send({})
    assert.equal(missing.status, 403)
    assert.equal(((await missing.json()) as { error: string }).error, 'CsrfTokenMissing')
    assert.equal((await send({ [CSRF_HEADER]: 'y'.repeat(43) })).status, 403)
    assert.deepEqual(chat.sent, [], 'nothing was sent')
    assert.equal((await send({ [CSRF_HEADER]: s.csrf })).status, 200)
    assert.deepEqual(chat.sent, ['hi'])
    assert.equal((await rejected()).CsrfTokenMissing, before + 2)
  })

  it('logout (with CSRF) ends the session: API and session endpoint answer 401', async () => {
    const s = await session()
    const who = () => fetch(`${server.url}/v1/web/session`, { headers: { Cookie: s.cookie } })
    const live = (await (await who()).json()) as { csrf: string }
    assert.equal(live.csrf, s.csrf, 'the page gets its CSRF token back after a reload')
    const out = (headers: Record<string, string>) =>
      fetch(`${server.url}/v1/web/logout`, {
        method: 'POST',
        headers: { Cookie: s.cookie, ...jsonType, ...headers },
        body: '{}',
      })
    assert.equal((await out({})).status, 403, 'logout needs the CSRF token too')
    const done = await out({ [CSRF_HEADER]: s.csrf })
    assert.equal(done.status, 200)
    assert.match(done.headers.get('set-cookie') ?? '', /Max-Age=0/)
    assert.equal((await who()).status, 401)
    const api = await fetch(`${server.url}/v1/contacts`, { headers: { Cookie: s.cookie } })
    assert.equal(api.status, 401)
  })

  /** The status of a raw request with the Host (and Origin) given, which fetch() cannot set. */
  function withHost(path: string, host: string, cookie?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, server.url), {
        headers: { Host: host, ...(cookie !== undefined ? { Cookie: cookie } : {}) },
      })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
  }

  it('refuses the app and the session endpoint under a foreign Host (DNS rebinding)', async () => {
    const s = await session()
    assert.equal(await withHost('/', `evil.example:${port}`), 421)
    assert.equal(await withHost('/assets/app-AAAAAAAA.js', `evil.example:${port}`), 421)
    assert.equal(await withHost('/v1/web/session', `evil.example:${port}`, s.cookie), 421)
    assert.equal(await withHost('/v1/web/session', `127.0.0.1:${port}`, s.cookie), 200)
  })

  /** The HTTP status of an upgrade to /v1/events (101 if it opened). */
  function upgrade(headers: Record<string, string>, origin?: string): Promise<number> {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/events`, {
      headers,
      ...(origin !== undefined ? { origin } : {}),
    })
    return new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => resolve(101))
      ws.on('error', () => undefined)
    }).finally(() => ws.terminate())
  }

  it('opens the event socket for a session page of its own origin only', async () => {
    const s = await session()
    const own = `http://127.0.0.1:${port}`
    assert.equal(await upgrade({ Cookie: s.cookie }, own), 101)
    assert.equal(await upgrade({ Cookie: s.cookie }, 'http://evil.example'), 403)
    assert.equal(await upgrade({ Cookie: s.cookie }, `http://127.0.0.1:${Number(port) + 1}`), 403)
    assert.equal(await upgrade({ Cookie: s.cookie }), 401, 'a cookie without Origin is no browser')
    assert.equal(await upgrade({ Cookie: 'kith_session_1=nothing' }, own), 401)
  })

  it('a logout closes the session’s open event socket at the next event', async () => {
    const s = await session()
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/events`, {
      headers: { Cookie: s.cookie },
      origin: `http://127.0.0.1:${port}`,
    })
    const got: string[] = []
    ws.on('message', (d: Buffer) => got.push(d.toString()))
    await new Promise((r) => ws.once('open', r))
    const closed = new Promise<number>((r) => ws.once('close', (code: number) => r(code)))
    const event: ServiceEvent = { event: 'contact', peerId: 'p', name: 'n', online: true }
    chat.emit(event)
    await new Promise((r) => setImmediate(r))
    await fetch(`${server.url}/v1/web/logout`, {
      method: 'POST',
      headers: { Cookie: s.cookie, [CSRF_HEADER]: s.csrf, ...jsonType },
      body: '{}',
    })
    chat.emit(event)
    const timeout = new Promise<number>((_, reject) =>
      setTimeout(() => reject(new Error('the socket stayed open')), 10_000).unref(),
    )
    assert.equal(await Promise.race([closed, timeout]), 1008)
    assert.equal(got.length, 1, 'only the event before the logout')
  })
})

describe('WebAuth lifetimes', () => {
  it('a code expires after WEB_LOGIN_CODE_TTL_MS; a session after WEB_SESSION_TTL_MS', () => {
    let now = 1_000_000
    const auth = new WebAuth({ now: () => now })
    const late = auth.issueCode()
    const early = auth.issueCode()
    now += WEB_LOGIN_CODE_TTL_MS - 1
    const { id } = auth.exchange(early.code)
    now += 1
    assert.throws(() => auth.exchange(late.code), { name: 'LoginCodeRefused' })
    assert.ok(auth.session(id) !== undefined)
    now += WEB_SESSION_TTL_MS - 1
    assert.equal(auth.session(id), undefined, 'expired at WEB_SESSION_TTL_MS after login')
  })
})

describe('the app’s static files', () => {
  let root: string
  let url: string
  let close: () => void
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'kith-web-static-'))
    mkdirSync(join(root, 'assets'))
    writeFileSync(join(root, 'index.html'), '<!doctype html>')
    writeFileSync(join(root, 'assets', 'app-ABCD1234.js'), 'void 0')
    writeFileSync(join(root, 'secret.txt'), 'no')
    const srv = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      serveStatic(req, res, path, `${root}/`).then(
        (done) => {
          if (!done) res.writeHead(418).end()
        },
        () => res.writeHead(404).end(),
      )
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
    close = () => srv.close()
  })
  after(() => {
    close()
    rmSync(root, { recursive: true, force: true })
  })

  it('index.html: no-cache and the strict headers; hashed assets: immutable', async () => {
    const page = await fetch(`${url}/`)
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('content-security-policy'), WEB_CSP)
    assert.match(WEB_CSP, /script-src 'self';/)
    assert.match(WEB_CSP, /frame-ancestors 'none'/)
    assert.equal(page.headers.get('cache-control'), 'no-cache')
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer')
    const js = await fetch(`${url}/assets/app-ABCD1234.js`)
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8')
    assert.match(js.headers.get('cache-control') ?? '', /immutable/)
  })

  it('serves nothing outside dist/web and no unknown file', async () => {
    for (const p of ['/secret.txt', '/assets/../secret.txt', '/assets/%2e%2e%2fsecret.txt']) {
      const res = await fetch(`${url}${p}`)
      assert.notEqual(res.status, 200, p)
    }
  })
})
