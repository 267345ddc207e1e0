// `kith requests`, `contacts rename/block/unblock`, `invite --once` and `--version` as a user or a
// script sees them: ./bin/kith against an in-process API server over a fake ChatApi (the daemon's
// side of requests is test/integration/requests.test.ts). JSON shapes per CLI.md "Profile, requests,
// blocking", exit codes of the typed errors, and human output with a stranger's escapes shown.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startApiServer, type ApiServer } from '../../src/api/server.js'
import { CONTINUATION } from '../../src/cli/output.js'
import {
  ContactNotFoundError,
  InvalidNameError,
  NameTakenError,
  RequestNotFoundError,
} from '../../src/service/errors.js'
import type { ContactView, RequestView } from '../../src/service/types.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const KITH = join(ROOT, 'bin', 'kith')
const TOKEN = 'c'.repeat(64)
const STRANGER = '12D3KooWstranger'
const EVIL = 'eve\x1b]0;pwned\x07\r\nbob: fake\u202e'

function unused(): never {
  throw new Error('not used by this test')
}

/** Only what these commands call; the rest is never reached. */
class FakeChat {
  calls: unknown[][] = []
  contacts: ContactView[] = [
    {
      name: 'bob',
      peerId: '12D3KooWbob',
      profileName: EVIL,
      blocked: false,
      verified: false,
      online: false,
      keyChanged: false,
      mailboxes: [],
    },
  ]
  invite(opts: { once?: boolean } = {}) {
    return { link: opts.once === true ? 'kith://invite/once' : 'kith://invite/many', peerId: 'me' }
  }
  listContacts() {
    return this.contacts
  }
  renameContact(ref: string, name: string) {
    if (ref !== 'bob') throw new ContactNotFoundError(`no contact "${ref}"`)
    if (/\p{Cc}/u.test(name)) throw new InvalidNameError('a name has no control characters')
    if (name === 'alice') throw new NameTakenError('another contact is named "alice"')
    return { name, peerId: '12D3KooWbob' }
  }
  blockContact(ref: string) {
    this.calls.push(['block', ref])
    return { peerId: ref, blocked: true }
  }
  unblockContact(ref: string) {
    this.calls.push(['unblock', ref])
    return { peerId: ref, blocked: false }
  }
  listRequests(): RequestView[] {
    return [{ peerId: STRANGER, profileName: EVIL, messages: 3, firstAt: Date.UTC(2026, 11, 4) }]
  }
  acceptRequest(peerId: string, name?: string) {
    if (peerId !== STRANGER) throw new RequestNotFoundError('no message request from that peer')
    this.calls.push(['accept', peerId, name])
    return { peerId, accepted: true }
  }
  blockRequest(peerId: string) {
    if (peerId !== STRANGER) throw new RequestNotFoundError('no message request from that peer')
    return { peerId, accepted: false }
  }
  status = unused
  peers = unused
  addContact = unused
  removeContact = unused
  safetyNumber = unused
  confirmSafetyNumber = unused
  send = unused
  waitDelivered = unused
  messages(opts: { contact?: string }) {
    if (opts.contact !== STRANGER) throw new ContactNotFoundError('no such contact')
    const held = { conversation: STRANGER, from: STRANGER, direction: 'in' as const }
    const at = { sentAt: 0, receivedAt: 0, status: 'delivered' as const }
    return [{ id: 'h1', ...held, ...at, text: `held ${EVIL}` }]
  }
  on() {
    return () => undefined
  }
}

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

describe('kith requests, contacts rename/block/unblock, invite --once', () => {
  const chat = new FakeChat()
  let server: ApiServer
  let home: string

  before(async () => {
    server = await startApiServer(chat, {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
    })
    home = mkdtempSync(join(tmpdir(), 'kith-cli-req-'))
    // This test process plays the daemon: its pid is alive, its API is the fake's.
    const info = { pid: process.pid, peerId: 'me', addrs: [], api: server.url }
    writeFileSync(join(home, 'daemon.json'), JSON.stringify(info))
    writeFileSync(join(home, 'api-token'), TOKEN, { mode: 0o600 })
  })
  after(async () => {
    await server.close()
    rmSync(home, { recursive: true, force: true })
  })

  function kith(...args: string[]): Promise<Result> {
    return new Promise((res, rej) => {
      const env: NodeJS.ProcessEnv = { ...process.env, KITH_HOME: home }
      delete env.DEBUG
      const child = spawn(KITH, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('error', rej)
      child.on('close', (code) => res({ code, stdout, stderr }))
    })
  }

  function oneJson(r: Result): unknown {
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trimEnd().split('\n').length, 1, r.stdout)
    return JSON.parse(r.stdout)
  }

  it('--json documents per CLI.md', async () => {
    const [list, accept, block, rename, blocked, unblocked, once, many, contacts, version] =
      await Promise.all([
        kith('requests', '--json'),
        kith('requests', 'accept', STRANGER, '--name', 'carol', '--json'),
        kith('requests', 'block', STRANGER, '--json'),
        kith('contacts', 'rename', 'bob', 'robert', '--json'),
        kith('contacts', 'block', '12D3KooWany', '--json'),
        kith('contacts', 'unblock', 'bob', '--json'),
        kith('invite', '--once', '--json'),
        kith('invite', '--json'),
        kith('contacts', 'list', '--json'),
        kith('--version', '--json'),
      ])
    assert.deepEqual(oneJson(list), chat.listRequests())
    assert.deepEqual(oneJson(accept), { peerId: STRANGER, accepted: true })
    assert.deepEqual(oneJson(block), { peerId: STRANGER, accepted: false })
    assert.deepEqual(oneJson(rename), { name: 'robert', peerId: '12D3KooWbob' })
    assert.deepEqual(oneJson(blocked), { peerId: '12D3KooWany', blocked: true })
    assert.deepEqual(oneJson(unblocked), { peerId: 'bob', blocked: false })
    assert.equal((oneJson(once) as { link: string }).link, 'kith://invite/once')
    assert.equal((oneJson(many) as { link: string }).link, 'kith://invite/many')
    const [c] = oneJson(contacts) as ContactView[]
    assert.equal(c?.profileName, EVIL, '--json keeps the exact string')
    assert.equal(c?.blocked, false)
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    assert.deepEqual(oneJson(version), { version: pkg.version })
    assert.deepEqual(
      chat.calls.filter((x) => x[0] === 'accept'),
      [['accept', STRANGER, 'carol']],
    )
  })

  it('typed errors: one stderr line, exit 4 for not found, 1 otherwise', async () => {
    const cases: [string[], number, string][] = [
      [['requests', 'accept', '12D3KooWnobody'], 4, 'RequestNotFound'],
      [['requests', 'block', '12D3KooWnobody'], 4, 'RequestNotFound'],
      [['contacts', 'rename', 'nobody', 'x'], 4, 'ContactNotFound'],
      [['contacts', 'rename', 'bob', 'alice'], 1, 'NameTaken'],
      [['contacts', 'rename', 'bob', 'a\x1bb'], 1, 'InvalidName'],
      [['requests', 'accept'], 2, 'UsageError'],
      [['contacts', 'block'], 2, 'UsageError'],
    ]
    const results = await Promise.all(cases.map(([args]) => kith(...args)))
    for (const [i, r] of results.entries()) {
      const [args, code, name] = cases[i]!
      assert.equal(r.code, code, `kith ${args.join(' ')}: ${r.stderr}`)
      assert.equal(r.stdout, '')
      const lines = r.stderr.split('\n').filter((l) => l !== '')
      assert.equal(lines.length, 1, r.stderr)
      assert.match(lines[0] ?? '', new RegExp(`^${name}: \\S`))
    }
  })

  it('human output shows a stranger’s profile name and held messages escaped, never raw', async () => {
    const [requests, contacts, accepted] = await Promise.all([
      kith('requests'),
      kith('contacts', 'list'),
      kith('requests', 'accept', STRANGER),
    ])
    // The held message, escaped; its second line continues under the mark, never at column 0.
    const shown = `${STRANGER}: held eve\\x1b]0;pwned\\x07\n${CONTINUATION}bob: fake\\u202e\n`
    assert.ok(accepted.stdout.startsWith(`Accepted ${STRANGER}\n`), accepted.stdout)
    assert.ok(accepted.stdout.endsWith(shown), accepted.stdout)
    for (const r of [requests, contacts, accepted]) {
      assert.equal(r.code, 0, r.stderr)
      for (const raw of ['\x1b', '\x07', '\r', '\u202e']) {
        assert.ok(!r.stdout.includes(raw), JSON.stringify(r.stdout))
      }
      if (r === accepted) continue
      assert.ok(r.stdout.includes('eve\\x1b]0;pwned\\x07\\r\\nbob: fake\\u202e'), r.stdout)
    }
    assert.ok(requests.stdout.includes(STRANGER))
    assert.match(requests.stdout, /\b3\b/)
    chat.contacts[0]!.blocked = true
    assert.match((await kith('contacts', 'list')).stdout, /BLOCKED/)
  })
})
