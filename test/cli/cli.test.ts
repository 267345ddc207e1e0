// The `kith` command line as a user (or script) sees it: ./bin/kith in temporary homes. Exit
// codes, one-line errors, --json output that parses as exactly one document, init/id, and one
// real daemon through its life cycle. Every process started here is stopped here.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'

const ROOT = resolve(import.meta.dirname, '..', '..')
const KITH = join(ROOT, 'bin', 'kith')

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

const homes: string[] = []
function tempHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'kith-cli-'))
  homes.push(h)
  return h
}
after(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true })
})

function env(home: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, KITH_HOME: home }
  delete e.KITH_PASSPHRASE
  delete e.DEBUG
  return e
}

function kith(home: string, args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(KITH, args, { cwd: ROOT, env: env(home) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** Exactly one JSON document on stdout. */
function oneJson(r: Result): unknown {
  const lines = r.stdout.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, `one line of JSON expected, got: ${r.stdout}`)
  return JSON.parse(r.stdout)
}

/** One line on stderr naming the error. */
function oneErrorLine(r: Result, name: string): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '')
  assert.equal(lines.length, 1, `one stderr line expected, got: ${r.stderr}`)
  assert.match(lines[0] ?? '', new RegExp(`^${name}: \\S`))
}

describe('kith CLI', () => {
  it('exits 2 with one UsageError line on usage errors', async () => {
    const home = tempHome()
    const cases = [
      ['bogus'],
      ['send', 'bob'],
      ['status', '--nope'],
      ['status', 'extra'],
      ['messages', '--limit', '0'],
      ['send', 'bob', 'hi', '--timeout', 'soon'],
      ['daemon', '--api', '0.0.0.0:9999'],
    ]
    const results = await Promise.all(cases.map((args) => kith(home, args)))
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 2, `kith ${cases[i]?.join(' ')}: ${r.stderr}`)
      oneErrorLine(r, 'UsageError')
      assert.equal(r.stdout, '')
    }
    const bare = await kith(home, [])
    assert.equal(bare.code, 2)
    assert.equal(bare.stdout, '')
    assert.match(bare.stderr, /Usage: kith/)
    const help = await kith(home, ['--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /Usage: kith/)
  })

  it('exits 3 with one line when no daemon runs (also with --json, and a stale daemon.json)', async () => {
    const home = tempHome()
    for (const args of [['status'], ['--json', 'status'], ['contacts', 'list', '--json']]) {
      const r = await kith(home, args)
      assert.equal(r.code, 3)
      oneErrorLine(r, 'DaemonNotRunning')
      assert.equal(r.stdout, '')
    }
    // A daemon.json left by a crashed daemon: its pid is gone.
    const dead = spawn(process.execPath, ['-e', ''])
    await new Promise((r) => dead.on('close', r))
    writeFileSync(
      join(home, 'daemon.json'),
      JSON.stringify({ pid: dead.pid, peerId: 'x', addrs: [], api: 'http://127.0.0.1:9' }),
    )
    writeFileSync(join(home, 'api-token'), 'a'.repeat(64))
    const r = await kith(home, ['peers'])
    assert.equal(r.code, 3)
    oneErrorLine(r, 'DaemonNotRunning')
  })

  it('relay refuses a non-local API address (exit 2; its run is test/integration/relay)', async () => {
    const r = await kith(tempHome(), ['relay', '--no-mdns', '--api', '0.0.0.0:1'])
    assert.equal(r.code, 2)
    oneErrorLine(r, 'UsageError')
  })

  it('init then id, with exactly one JSON document each', async () => {
    const home = tempHome()
    const missing = await kith(home, ['--json', 'id'])
    assert.equal(missing.code, 4)
    oneErrorLine(missing, 'StoreNotFoundError')
    assert.equal(missing.stdout, '')

    const init = await kith(home, ['--json', 'init', '--name', 'alice'])
    assert.equal(init.code, 0, init.stderr)
    const created = oneJson(init) as { peerId: string; name: string }
    assert.equal(created.name, 'alice')
    assert.match(created.peerId, /^12D3KooW/)

    const id = await kith(home, ['id', '--json'])
    assert.equal(id.code, 0, id.stderr)
    assert.deepEqual(oneJson(id), created)
    const human = await kith(home, ['id'])
    assert.match(human.stdout, new RegExp(created.peerId))

    const again = await kith(home, ['init', '--json'])
    assert.equal(again.code, 1)
    oneErrorLine(again, 'StoreExistsError')
    assert.equal(again.stdout, '')
  })

  it('runs a daemon: ready line, 0600 files, API commands, clean shutdown', async () => {
    const home = tempHome()
    const args = ['daemon', '--json', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']
    const daemon: ChildProcess = spawn(KITH, args, { cwd: ROOT, env: env(home) })
    let stderr = ''
    daemon.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((r) => daemon.on('exit', (code) => r(code)))
    try {
      const lines = createInterface({ input: daemon.stdout! })
      const first = await Promise.race([
        new Promise<string>((r) => lines.once('line', r)),
        exited.then((c) => assert.fail(`daemon exited ${c}: ${stderr}`)),
      ])
      const ready = JSON.parse(first) as Record<string, unknown>
      assert.equal(ready.event, 'ready')
      assert.match(String(ready.peerId), /^12D3KooW/)
      assert.match(String(ready.api), /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.ok(Array.isArray(ready.addrs) && ready.addrs.length > 0)

      for (const f of ['daemon.json', 'api-token']) {
        assert.equal(statSync(join(home, f)).mode & 0o777, 0o600, f)
      }
      const info = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as {
        pid: number
        api: string
      }
      assert.equal(info.pid, daemon.pid)
      assert.equal(info.api, ready.api)
      assert.match(readFileSync(join(home, 'api-token'), 'utf8'), /^[0-9a-f]{64}\n?$/)

      const [status, contacts, invite, peers, messages] = await Promise.all(
        [['status'], ['contacts', 'list'], ['invite'], ['peers'], ['messages']].map((a) =>
          kith(home, ['--json', ...a]),
        ),
      )
      for (const r of [status, contacts, invite, peers]) assert.equal(r?.code, 0, r?.stderr)
      assert.equal((oneJson(status!) as { peerId: string }).peerId, ready.peerId)
      assert.deepEqual(oneJson(contacts!), [])
      assert.match((oneJson(invite!) as { link: string }).link, /^kith:\/\//)
      assert.deepEqual(oneJson(peers!), [])
      assert.equal(messages?.stdout, '') // no messages: no lines

      const unknown = await kith(home, ['send', 'nobody', 'hi'])
      assert.equal(unknown.code, 4)
      oneErrorLine(unknown, 'ContactNotFound')
      const second = await kith(home, ['daemon', '--no-mdns'])
      assert.equal(second.code, 1)
      oneErrorLine(second, 'DaemonRunning')

      daemon.kill('SIGTERM')
      assert.equal(await exited, 0, stderr)
      assert.ok(!existsSync(join(home, 'daemon.json')))
      assert.ok(existsSync(join(home, 'api-token')))
    } finally {
      if (daemon.exitCode === null) daemon.kill('SIGKILL')
    }
  })
})
