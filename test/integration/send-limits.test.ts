// The small rules of `send` through ./bin/kith and the local API (issue 14): a blank text is
// refused like an empty one, by CLI and API alike; the text limit (MAX_TEXT_BYTES) is stated in
// `send --help` and exceeding it is one clear MessageTooLong error from both, even for a text
// whose JSON is six times its size; `--timeout 0` is accepted (it only checks); `chat --history 0`
// shows no history.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { MAX_TEXT_BYTES } from '../../src/service/text.js'
import { json, run, startPair, stopAll, token, type Daemon } from './harness.js'

const homes: string[] = []
after(() => stopAll(homes))

async function post(d: Daemon, path: string, body: unknown) {
  const res = await fetch(`${d.api}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token(d.home)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as { error?: string; message?: string } }
}

describe('send: blank texts, the text limit, --timeout 0', { timeout: 180_000 }, () => {
  let a: Daemon
  let b: Daemon
  let groupId: string

  it('refuses a whitespace-only text like an empty one (CLI exit 2, API 400)', async () => {
    ;[a, b] = await startPair(homes)
    for (const text of ['', '   ', ' \t\n ']) {
      const r = await run(b.home, ['send', 'alice', text])
      assert.equal(r.code, 2, `send ${JSON.stringify(text)}: ${r.stderr}`)
      assert.equal(r.stderr, 'UsageError: empty message\n')
    }
    const piped = await run(b.home, ['send', 'alice', '-'], { input: '  \n' })
    assert.equal(piped.code, 2, piped.stderr)
    const viaApi = await post(b, '/v1/messages', { contact: 'alice', text: '   ' })
    assert.equal(viaApi.status, 400)
    assert.equal(viaApi.body.error, 'InvalidArgument')
    ;({ groupId } = await json<{ groupId: string }>(b.home, ['group', 'create', 'limits']))
    const g = await run(b.home, ['group', 'send', groupId, '  '])
    assert.equal(g.code, 2, g.stderr)
    const gApi = await post(b, `/v1/groups/${groupId}/messages`, { text: '  ' })
    assert.equal(gApi.status, 400)
    assert.equal(gApi.body.error, 'InvalidArgument')
    const sent = await run(b.home, ['messages', 'alice', '--json'])
    assert.equal(sent.stdout.trim(), '', 'nothing was queued')
  })

  it('states the text limit and refuses MAX+1 with one MessageTooLong (CLI and API)', async () => {
    const help = await run(b.home, ['send', '--help'])
    assert.match(help.stdout, new RegExp(MAX_TEXT_BYTES.toLocaleString('en-US')))
    const max = MAX_TEXT_BYTES.toLocaleString('en-US')

    const over = 'x'.repeat(MAX_TEXT_BYTES + 1)
    const r = await run(b.home, ['send', 'alice', '-'], { input: over })
    assert.equal(r.code, 1)
    const n = (MAX_TEXT_BYTES + 1).toLocaleString('en-US')
    assert.equal(r.stderr, `MessageTooLong: the text is ${n} bytes; at most ${max}\n`)
    // Bytes, not characters: 3-byte characters count three times.
    const wide = '€'.repeat(Math.floor(MAX_TEXT_BYTES / 3) + 1)
    const w = await run(b.home, ['send', 'alice', '-'], { input: wide })
    assert.match(w.stderr, /^MessageTooLong: /)

    // The worst JSON (every byte escaped as \u0001, ≈ 6 × the text) is still the typed error.
    const control = '\x01'.repeat(MAX_TEXT_BYTES + 1)
    for (const [path, body] of [
      ['/v1/messages', { contact: 'alice', text: control }],
      [`/v1/groups/${groupId}/messages`, { text: control }],
    ] as const) {
      const res = await post(b, path, body)
      assert.equal(res.status, 400, path)
      assert.equal(res.body.error, 'MessageTooLong', path)
      assert.equal(res.body.message, `the text is ${n} bytes; at most ${max}`)
    }
    // MAX itself goes (direct and group): the limit leaves room for the rest of ChatContent.
    const ok = await post(b, '/v1/messages', { contact: 'alice', text: control.slice(1) })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    const okGroup = await post(b, `/v1/groups/${groupId}/messages`, {
      text: 'y'.repeat(MAX_TEXT_BYTES),
    })
    assert.equal(okGroup.status, 200, JSON.stringify(okGroup.body))
  })

  it('--timeout 0 is accepted: --wait only checks (exit 0 delivered, 5 not yet)', async () => {
    const r = await run(b.home, ['send', 'alice', 'no wait', '--wait', '--timeout', '0', '--json'])
    assert.ok(r.code === 0 || r.code === 5, `exit ${r.code}: ${r.stderr}`)
    const out = JSON.parse(r.stdout) as { id: string; status: string }
    assert.match(out.id, /^[0-9a-f]+$/)
    const bad = await run(b.home, ['send', 'alice', 'x', '--timeout', '-1'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /from 0 .* to 600/)
    assert.ok(a.peerId.length > 0)
  })

  it('chat --history 0 is accepted and shows no history', async () => {
    const r = await run(b.home, ['chat', 'alice', '--history', '0'], { input: '' })
    assert.equal(r.code, 0, r.stderr)
    assert.ok(!r.stdout.includes('no wait'), r.stdout)
    assert.match(r.stdout, /^Chat with alice/)
    const r5 = await run(b.home, ['chat', 'alice', '--history', '1'], { input: '/nope\n' })
    assert.equal(r5.code, 0, r5.stderr)
    assert.match(r5.stdout, /no wait/)
    assert.match(r5.stderr, /Unknown command \/nope/)
  })
})
