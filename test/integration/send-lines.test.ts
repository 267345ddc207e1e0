// Batch send through real daemons (issue 17): `kith send <contact> - --lines` queues one message
// per stdin line (blank lines skipped) in batches of MAX_SEND_BATCH and prints every id in order;
// the receiver stores each once, in line order, also when it is killed (-9) while the batches are
// arriving (group commit: a batch that was not committed is retried by the sender and
// deduplicated by id). The API's batch form refuses what it must.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { MAX_SEND_BATCH } from '../../src/service/direct/outbox.js'
import {
  api,
  json,
  run,
  startDaemon,
  startPair,
  stopAll,
  stopDaemon,
  token,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const homes: string[] = []
after(() => stopAll(homes))

/** More than two batches, so the CLI's batching (and the receiver's group commit) is exercised. */
const LINES = 2 * MAX_SEND_BATCH + 200

async function texts(d: Daemon, prefix: string): Promise<MessageLine[]> {
  const all = await api<MessageLine[]>(d, 'GET', '/v1/messages?limit=100000')
  return all.filter((m) => m.text.startsWith(prefix))
}

describe('send - --lines (batch send)', { timeout: 300_000 }, () => {
  let a: Daemon
  let b: Daemon

  it('queues one message per line in batches; each arrives once, in order', async () => {
    ;[a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'hello', '--wait'])
    const lines = Array.from({ length: LINES }, (_, i) => `line ${i}`)
    // A blank line is skipped (a message is never blank); CRLF is one line end.
    const input = `${lines.slice(0, 10).join('\n')}\n\n   \r\n${lines.slice(10).join('\r\n')}\n`
    const r = await run(b.home, ['send', 'alice', '-', '--lines', '--json'], { input })
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout) as { ids: string[]; status: string }
    assert.equal(out.status, 'queued')
    assert.equal(out.ids.length, LINES)
    const got = await until(
      'alice has every line',
      async () => {
        const ms = await texts(a, 'line ')
        return ms.length >= LINES ? ms : undefined
      },
      120_000,
      500,
    )
    assert.equal(got.length, LINES, 'no duplicates')
    assert.deepEqual(
      got.map((m) => m.text),
      lines,
      'in line order',
    )
    assert.deepEqual(
      got.map((m) => m.id),
      out.ids,
    )
    await until(
      'bob sees every line delivered',
      async () => (await texts(b, 'line ')).every((m) => m.status === 'delivered'),
      60_000,
      500,
    )
    const human = await run(b.home, ['send', 'alice', '-', '--lines'], { input: 'x\ny\n' })
    assert.equal(human.stdout, 'queued 2 messages\n')
    const bad = await run(b.home, ['send', 'alice', 'words', '--lines'])
    assert.equal(bad.code, 2, bad.stderr)
  })

  it('kill -9 of the receiver while batches arrive: each stored once after restart', async () => {
    const lines = Array.from({ length: LINES }, (_, i) => `crash ${i}`)
    const sending = run(b.home, ['send', 'alice', '-', '--lines', '--json'], {
      input: `${lines.join('\n')}\n`,
    })
    await until(
      'alice received part of the batches',
      async () => (await texts(a, 'crash ')).length > 100,
      60_000,
      20,
    )
    await stopDaemon(a, 'SIGKILL')
    const r = await sending
    assert.equal(r.code, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout) as { ids: string[] }).ids.length, LINES)
    const a2 = await startDaemon('alice', a.home, a.port)
    const got = await until(
      'alice has every line after the restart',
      async () => {
        const ms = await texts(a2, 'crash ')
        return ms.length >= LINES ? ms : undefined
      },
      180_000,
      500,
    )
    assert.equal(got.length, LINES, 'no duplicates')
    assert.equal(new Set(got.map((m) => m.id)).size, LINES)
    assert.deepEqual(
      got.map((m) => m.text),
      lines,
      'in line order',
    )
    await stopDaemon(a2)
  })

  it('the API batch form refuses an empty list, too many texts, and texts with wait', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${b.api}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token(b.home)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as { error?: string } }
    }
    // A malformed request (the route's check), then a blank text (the service's, as for `text`).
    for (const [body, error] of [
      [{ contact: 'alice', texts: [] }, 'InvalidRequest'],
      [{ contact: 'alice', texts: Array<string>(MAX_SEND_BATCH + 1).fill('x') }, 'InvalidRequest'],
      [{ contact: 'alice', texts: ['x', 3] }, 'InvalidRequest'],
      [{ contact: 'alice', texts: ['x'], wait: true }, 'InvalidRequest'],
      [{ contact: 'alice', texts: ['refused', '  '] }, 'InvalidArgument'],
    ] as const) {
      const r = await post(body)
      assert.equal(r.status, 400, JSON.stringify(r.body))
      assert.equal(r.body.error, error)
    }
    const before = (await texts(b, 'refused')).length
    assert.equal(before, 0, 'nothing of a refused batch was queued')
    const ok = await post({ contact: 'alice', texts: ['api 1', 'api 2'] })
    assert.equal(ok.status, 200)
    assert.equal((ok.body as { ids?: string[] }).ids?.length, 2)
  })
})
