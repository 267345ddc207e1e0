// The local API against an in-memory ChatApi: auth, body limits, error mapping, send --wait and
// the event WebSocket. The fake implements the ChatApi interface and nothing more.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { connect } from 'node:net'
import WebSocket from 'ws'
import { MAX_BODY_BYTES, startApiServer, type ApiServer } from '../../src/api/server.js'
import { ApiClient, DeliveryTimeoutError } from '../../src/api/client.js'
import {
  ContactNotFoundError,
  InvalidInviteError,
  InvalidNameError,
  NameTakenError,
  RequestNotFoundError,
} from '../../src/service/errors.js'
import { ContactExistsError } from '../../src/store/errors.js'
import { MalformedMessageError } from '../../src/core/errors.js'
import type { ChatApi, MessageView, ServiceEvent } from '../../src/service/types.js'
import type { MessageStatus } from '../../src/store/types.js'
import { until } from '../helpers/wait.js'

const TOKEN = 'a'.repeat(64)
const SECRET = 'secret message text 1234'

class FakeChat implements ChatApi {
  listeners = new Set<(e: ServiceEvent) => void>()
  sent: MessageView[] = []
  statuses = new Map<string, MessageStatus>()
  accepted: [string, string | undefined][] = []
  status() {
    return {
      peerId: '12D3KooWself',
      name: 'me',
      addrs: ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWself'],
      connections: 0,
      nat: 'unknown' as const,
      mailboxes: [],
      metrics: {
        dmFramesIn: 0,
        dmFramesOut: 0,
        dmRejected: {},
        syncRejected: {},
        cardRejected: {},
      },
    }
  }
  peers() {
    return []
  }
  invite(opts: { once?: boolean } = {}) {
    return { link: opts.once === true ? 'kith://once' : 'kith://invite', peerId: '12D3KooWself' }
  }
  addContact(link: string, name?: string) {
    if (link === 'bad') return Promise.reject(new InvalidInviteError('not a kith:// link'))
    if (name === 'taken') return Promise.reject(new ContactExistsError('name "taken" is in use'))
    if (link === 'malformed') return Promise.reject(new MalformedMessageError('bad bytes'))
    // An unknown error whose message must not reach the client.
    if (link === 'boom') return Promise.reject(new Error(SECRET))
    return Promise.resolve({ name: name ?? 'peer', peerId: '12D3KooWpeer' })
  }
  listContacts() {
    return [
      {
        name: 'bob',
        peerId: '12D3KooWbob',
        verified: false,
        online: true,
        keyChanged: false,
        mailboxes: [],
        profileName: '',
        blocked: false,
      },
    ]
  }
  renameContact(ref: string, name: string) {
    if (ref !== 'bob') throw new ContactNotFoundError(`no contact "${ref}"`)
    if (name.includes('\x1b')) throw new InvalidNameError('a name has no control characters')
    if (name === 'taken') throw new NameTakenError('another contact is named "taken"')
    return { name, peerId: '12D3KooWbob' }
  }
  blockContact(ref: string) {
    return { peerId: ref === 'bob' ? '12D3KooWbob' : ref, blocked: true }
  }
  unblockContact(ref: string) {
    return { peerId: ref === 'bob' ? '12D3KooWbob' : ref, blocked: false }
  }
  listRequests() {
    return [{ peerId: '12D3KooWstranger', profileName: 'eve', messages: 2, firstAt: 5 }]
  }
  acceptRequest(peerId: string, name?: string) {
    if (peerId !== '12D3KooWstranger') throw new RequestNotFoundError('no request from that peer')
    this.accepted.push([peerId, name])
    return { peerId, accepted: true }
  }
  blockRequest(peerId: string) {
    if (peerId !== '12D3KooWstranger') throw new RequestNotFoundError('no request from that peer')
    return { peerId, accepted: false }
  }
  removeContact(ref: string, purge: boolean) {
    if (ref !== 'bob') throw new ContactNotFoundError(`no contact "${ref}"`)
    return { removed: purge || true }
  }
  safetyNumber(ref: string) {
    if (ref !== 'bob') throw new ContactNotFoundError(`no contact "${ref}"`)
    return { contact: 'bob', safetyNumber: Array(12).fill('12345').join(' ') }
  }
  confirmSafetyNumber(_ref: string, number: string) {
    return { verified: number === '1'.repeat(60) }
  }
  send(ref: string, text: string) {
    if (ref === 'nobody') throw new ContactNotFoundError('no contact "nobody"')
    const id = `m${this.sent.length}`
    this.sent.push({
      id,
      conversation: ref,
      from: 'me',
      direction: 'out',
      text,
      sentAt: 1,
      receivedAt: 1,
      status: 'queued',
    })
    this.statuses.set(id, ref === 'slow' ? 'sent' : 'delivered')
    return { id, status: 'queued' as const }
  }
  async waitDelivered(id: string, timeoutMs: number) {
    const s = this.statuses.get(id) ?? 'queued'
    await new Promise((r) => setTimeout(r, s === 'delivered' ? 5 : timeoutMs))
    return s
  }
  messages(opts: { contact?: string; limit?: number }) {
    const all = this.sent.filter(
      (m) => opts.contact === undefined || m.conversation === opts.contact,
    )
    return opts.limit === undefined ? all : all.slice(-opts.limit)
  }
  profileName = 'me'
  profile() {
    return { peerId: '12D3KooWself', name: this.profileName }
  }
  setProfileName(name: string) {
    if (name === '' || name.includes('\x1b')) throw new InvalidNameError('not a clean name')
    this.profileName = name
    return this.profile()
  }
  on(fn: (e: ServiceEvent) => void) {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
  emit(e: ServiceEvent) {
    for (const fn of this.listeners) fn(e)
  }
}

describe('local API server', () => {
  const chat = new FakeChat()
  let server: ApiServer
  let client: ApiClient

  before(async () => {
    server = await startApiServer(chat, { host: '127.0.0.1', port: 0, token: TOKEN })
    client = new ApiClient({ pid: process.pid, peerId: 'x', addrs: [], api: server.url }, TOKEN)
  })
  after(() => server.close())

  async function call(path: string, init: RequestInit = {}, token: string | null = TOKEN) {
    const headers = new Headers(init.headers)
    if (token !== null) headers.set('Authorization', `Bearer ${token}`)
    const res = await fetch(new URL(path, server.url), { ...init, headers })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  it('binds to 127.0.0.1 only', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    await assert.rejects(
      // @ts-expect-error: the type admits 127.0.0.1 only; the runtime check backs it up
      startApiServer(chat, { host: '0.0.0.0', port: 0, token: TOKEN }),
      RangeError,
    )
  })

  it('answers 401 without a token, with a wrong one, and for unknown routes', async () => {
    for (const token of [null, 'b'.repeat(64), 'short', '']) {
      const r = await call('/v1/status', {}, token)
      assert.equal(r.status, 401)
      assert.equal(r.body.error, 'Unauthorized')
    }
    assert.equal((await call('/v1/nope', {}, null)).status, 401)
    assert.equal((await call('/v1/status')).status, 200)
  })

  it('serves the routes', async () => {
    assert.equal((await client.status()).peerId, '12D3KooWself')
    assert.deepEqual(await client.peers(), [])
    assert.equal((await client.invite()).link, 'kith://invite')
    assert.equal((await client.listContacts())[0]?.name, 'bob')
    assert.deepEqual(await client.addContact('kith://x', 'carol'), {
      name: 'carol',
      peerId: '12D3KooWpeer',
    })
    assert.deepEqual(await client.removeContact('bob', true), { removed: true })
    assert.match((await client.safetyNumber('bob')).safetyNumber, /^(\d{5} ){11}\d{5}$/)
    assert.deepEqual(await client.confirmSafetyNumber('bob', '1'.repeat(60)), { verified: true })
    assert.deepEqual(await client.confirmSafetyNumber('bob', '2'.repeat(60)), { verified: false })
    const sent = await client.send('bob', 'hi')
    assert.equal(sent.status, 'queued')
    const listed = await client.messages({ contact: 'bob', limit: 1 })
    assert.equal(listed.length, 1)
    assert.equal(listed[0]?.id, sent.id)
    assert.equal((await call('/v1/status', { method: 'POST' })).status, 405)
    assert.equal((await call('/v1/nope')).body.error, 'NotFound')
  })

  it('maps errors to statuses and {error,message}, never echoing unknown messages', async () => {
    const cases: [string, unknown, number, string][] = [
      ['/v1/contacts', { link: 'bad' }, 400, 'InvalidInvite'],
      ['/v1/contacts', { link: 'malformed' }, 400, 'MalformedMessageError'],
      ['/v1/contacts', { link: 'kith://x', name: 'taken' }, 409, 'ContactExistsError'],
      ['/v1/contacts', { link: 'boom' }, 500, 'InternalError'],
      ['/v1/contacts', { name: 'no link' }, 400, 'InvalidRequest'],
      ['/v1/messages', { contact: 'nobody', text: 'x' }, 404, 'ContactNotFound'],
      ['/v1/messages', { contact: 'bob', text: 'x', timeoutMs: -1 }, 400, 'InvalidRequest'],
    ]
    for (const [path, body, status, name] of cases) {
      const r = await call(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
      assert.equal(r.status, status, `${path} ${JSON.stringify(body)}`)
      assert.equal(r.body.error, name)
      assert.equal(typeof r.body.message, 'string')
      assert.ok(!JSON.stringify(r.body).includes(SECRET))
    }
    const del = await call('/v1/contacts/nobody', { method: 'DELETE' })
    assert.deepEqual(del, {
      status: 404,
      body: { error: 'ContactNotFound', message: 'no contact "nobody"' },
    })
    const bad = await call('/v1/contacts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{not json',
    })
    assert.equal(bad.status, 400)
    const text = await call('/v1/contacts', { method: 'POST', body: '{}' })
    assert.equal(text.status, 415)
    assert.equal((await call('/v1/messages?limit=0')).status, 400)
    await assert.rejects(client.removeContact('nobody'), { name: 'ContactNotFound' })
  })

  it('answers 413 beyond MAX_BODY_BYTES (declared or streamed) and accepts MAX', async () => {
    const big = JSON.stringify({ contact: 'bob', text: 'x'.repeat(MAX_BODY_BYTES) })
    assert.ok(Buffer.byteLength(big) > MAX_BODY_BYTES)
    const declared = await raw('POST', '/v1/messages', [big], true)
    assert.equal(declared.status, 413)
    assert.equal(declared.body.error, 'PayloadTooLarge')
    const streamed = await raw('POST', '/v1/messages', [big.slice(0, 1000), big.slice(1000)], false)
    assert.equal(streamed.status, 413)
    const pad = MAX_BODY_BYTES - Buffer.byteLength(JSON.stringify({ contact: 'bob', text: '' }))
    const exact = JSON.stringify({ contact: 'bob', text: 'y'.repeat(pad) })
    assert.equal(Buffer.byteLength(exact), MAX_BODY_BYTES)
    assert.equal((await raw('POST', '/v1/messages', [exact], true)).status, 200)
  })

  async function raw(method: string, path: string, chunks: string[], withLength: boolean) {
    return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const url = new URL(path, server.url)
      const len = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0)
      const req = request(url, {
        method,
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          'Content-Type': 'application/json',
          ...(withLength ? { 'Content-Length': len } : {}),
        },
      })
      req.on('response', (res) => {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown>
          resolve({ status: res.statusCode ?? 0, body })
        })
      })
      // The server may answer (and close) before the whole body is written.
      req.on('error', (err) => {
        if (!['EPIPE', 'ECONNRESET'].includes((err as NodeJS.ErrnoException).code ?? '')) {
          reject(err)
        }
      })
      for (const c of chunks) req.write(c)
      req.end()
    })
  }

  it('send with wait holds the request until delivered, else answers 504 {id,status}', async () => {
    assert.deepEqual(await client.send('bob', 'hi', { wait: true, timeoutMs: 1000 }), {
      id: `m${chat.sent.length - 1}`,
      status: 'delivered',
    })
    const t0 = Date.now()
    const err = await client.send('slow', 'hi', { wait: true, timeoutMs: 200 }).then(
      () => assert.fail('expected a timeout'),
      (e: unknown) => e,
    )
    assert.ok(Date.now() - t0 >= 190)
    assert.ok(err instanceof DeliveryTimeoutError)
    assert.equal(err.name, 'Timeout')
    assert.equal(err.status, 'sent')
    assert.equal(err.id, `m${chat.sent.length - 1}`)
    const r = await call('/v1/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ contact: 'slow', text: 'x', wait: true, timeoutMs: 50 }),
    })
    assert.equal(r.status, 504)
    assert.equal(r.body.status, 'sent')
    assert.equal(typeof r.body.id, 'string')
  })

  it('streams events over the WebSocket with the token in the Authorization header', async () => {
    const got: ServiceEvent[] = []
    const stream = await client.events((e) => got.push(e))
    const event: ServiceEvent = { event: 'status', id: 'm0', conversation: 'bob', status: 'sent' }
    chat.emit(event)
    await until('the event', () => got.length > 0, 10_000, 5)
    assert.deepEqual(got, [event])
    stream.close()
    await stream.closed
  })

  /** The HTTP status of a WebSocket upgrade to /v1/events (101 if it opened). */
  function upgrade(url: string, headers: Record<string, string>, origin?: string) {
    const ws = new WebSocket(url, { headers, ...(origin !== undefined ? { origin } : {}) })
    return new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => resolve(101))
      ws.on('error', () => undefined)
    }).finally(() => ws.terminate())
  }

  it('refuses the WebSocket without the right token, and a token in the URL', async () => {
    const ws = `${server.url.replace('http', 'ws')}/v1/events`
    const bearer = { Authorization: `Bearer ${TOKEN}` }
    assert.equal(await upgrade(ws, {}), 401)
    assert.equal(await upgrade(`${ws}?token=wrong`, {}), 401)
    // Finding 14: the right token in the query no longer authenticates (URLs reach logs).
    assert.equal(await upgrade(`${ws}?token=${TOKEN}`, {}), 401)
    assert.equal(await upgrade(ws, bearer), 101)
    const wrong = new ApiClient({ pid: process.pid, peerId: 'x', addrs: [], api: server.url }, 'b')
    await assert.rejects(
      wrong.events(() => undefined),
      { name: 'Unauthorized' },
    )
    await assert.rejects(wrong.status(), { name: 'Unauthorized' })
  })

  it('refuses a WebSocket upgrade from another web origin (403) or Host (421)', async () => {
    const port = new URL(server.url).port
    const ws = `${server.url.replace('http', 'ws')}/v1/events`
    const bearer = { Authorization: `Bearer ${TOKEN}` }
    for (const evil of [
      'http://evil.example',
      `http://evil.example:${port}`,
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${Number(port) + 1}`,
      'null',
    ]) {
      assert.equal(await upgrade(ws, bearer, evil), 403, evil)
    }
    assert.equal(await upgrade(ws, bearer, `http://127.0.0.1:${port}`), 101)
    assert.equal(await upgrade(ws, bearer, `http://localhost:${port}`), 101)
    // A rebinding page's socket carries its own name as Host: refused even with the token.
    const rebound = `ws://127.0.0.1:${port}/v1/events`
    assert.equal(await upgrade(rebound, { ...bearer, Host: `evil.example:${port}` }), 421)
  })

  /** A raw request with the Host (and Origin) given, which fetch() would not let us set. */
  function withHost(host: string, origin?: string, token = TOKEN) {
    return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = request(new URL('/v1/status', server.url), {
        headers: {
          Host: host,
          Authorization: `Bearer ${token}`,
          ...(origin !== undefined ? { Origin: origin } : {}),
        },
      })
      req.on('response', (res) => {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown>,
          }),
        )
      })
      req.on('error', reject)
      req.end()
    })
  }

  it('answers 421 HostNotAllowed to any Host but its own, before the token is checked', async () => {
    const port = new URL(server.url).port
    const before = (await client.status()).metrics as { apiRejected?: Record<string, number> }
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${Number(port) + 1}`,
      `127.0.0.1.evil.example:${port}`,
      `[::1]:${port}`,
    ]) {
      const r = await withHost(host)
      assert.equal(r.status, 421, host)
      assert.equal(r.body.error, 'HostNotAllowed')
      // Refused before auth: a wrong token gets the same answer, not a 401.
      assert.equal((await withHost(host, undefined, 'wrong')).status, 421)
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      assert.equal((await withHost(host)).status, 200, host)
    }
    // An empty Host (http.request would fill one in: a raw socket); none at all is Node's 400.
    for (const [head, status] of [
      ['Host: \r\n', 421],
      ['', 400],
    ] as const) {
      const answer = await new Promise<string>((resolve) => {
        const sock = connect(Number(port), '127.0.0.1', () =>
          sock.write(`GET /v1/status HTTP/1.1\r\n${head}Authorization: Bearer ${TOKEN}\r\n\r\n`),
        )
        sock.once('data', (d: Buffer) => {
          resolve(d.toString())
          sock.destroy()
        })
      })
      assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `))
    }
    const o = await withHost(`127.0.0.1:${port}`, 'http://evil.example')
    assert.deepEqual([o.status, o.body.error], [403, 'OriginNotAllowed'])
    assert.equal((await withHost(`127.0.0.1:${port}`, `http://127.0.0.1:${port}`)).status, 200)
    // Counted in status.metrics.apiRejected (what `kith status --json` shows).
    const after = (await client.status()).metrics as { apiRejected?: Record<string, number> }
    const grew = (name: string) =>
      (after.apiRejected?.[name] ?? 0) - (before.apiRejected?.[name] ?? 0)
    assert.equal(grew('HostNotAllowed'), 11)
    assert.equal(grew('OriginNotAllowed'), 1)
  })

  it('serves invites, rename, block, unblock and message requests', async () => {
    assert.equal((await client.invite()).link, 'kith://invite')
    assert.equal((await client.invite({ once: true })).link, 'kith://once')
    assert.deepEqual(await client.renameContact('bob', 'robert'), {
      name: 'robert',
      peerId: '12D3KooWbob',
    })
    assert.deepEqual(await client.blockContact('bob'), { peerId: '12D3KooWbob', blocked: true })
    assert.deepEqual(await client.blockContact('12D3KooWx', false), {
      peerId: '12D3KooWx',
      blocked: false,
    })
    assert.deepEqual(await client.listRequests(), chat.listRequests())
    assert.deepEqual(await client.acceptRequest('12D3KooWstranger', 'eve'), {
      peerId: '12D3KooWstranger',
      accepted: true,
    })
    await client.acceptRequest('12D3KooWstranger')
    assert.deepEqual(chat.accepted, [
      ['12D3KooWstranger', 'eve'],
      ['12D3KooWstranger', undefined],
    ])
    assert.deepEqual(await client.blockRequest('12D3KooWstranger'), {
      peerId: '12D3KooWstranger',
      accepted: false,
    })
    // Typed errors keep their 4xx status and name, never a 500.
    const cases: [Promise<unknown>, string, number][] = [
      [client.renameContact('bob', 'x\x1by'), 'InvalidName', 400],
      [client.renameContact('bob', 'taken'), 'NameTaken', 409],
      [client.renameContact('nobody', 'x'), 'ContactNotFound', 404],
      [client.acceptRequest('12D3KooWnobody'), 'RequestNotFound', 404],
      [client.blockRequest('12D3KooWnobody'), 'RequestNotFound', 404],
    ]
    for (const [p, name, httpStatus] of cases) await assert.rejects(p, { name, httpStatus })
    const empty = await call('/v1/contacts/bob/rename', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '' }),
    })
    assert.deepEqual([empty.status, empty.body.error], [400, 'InvalidRequest'])
    assert.equal((await call('/v1/invite?once=maybe')).status, 400)
  })

  it('serves the profile: GET and POST /v1/profile; a bad name is the service’s InvalidName', async () => {
    assert.deepEqual(await client.profile(), { peerId: '12D3KooWself', name: 'me' })
    assert.deepEqual(await client.setProfileName('Me Too'), {
      peerId: '12D3KooWself',
      name: 'Me Too',
    })
    assert.equal((await client.profile()).name, 'Me Too')
    // An empty name reaches the service (InvalidName), it is not a route error.
    for (const bad of ['', 'x\x1by'])
      await assert.rejects(client.setProfileName(bad), { name: 'InvalidName', httpStatus: 400 })
    const missing = await call('/v1/profile', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 7 }),
    })
    assert.deepEqual([missing.status, missing.body.error], [400, 'InvalidRequest'])
  })

  it('reports DaemonNotRunning when nothing listens', async () => {
    const dead = await startApiServer(chat, { host: '127.0.0.1', port: 0, token: TOKEN })
    await dead.close()
    const c = new ApiClient({ pid: process.pid, peerId: 'x', addrs: [], api: dead.url }, TOKEN)
    await assert.rejects(c.status(), { name: 'DaemonNotRunning' })
    await assert.rejects(
      c.events(() => undefined),
      { name: 'DaemonNotRunning' },
    )
  })
})
