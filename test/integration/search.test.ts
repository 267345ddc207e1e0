// `kith search` between two real daemons (CLI.md "Conversations, receipts, edits"): messages sent
// and received are found (newest first, accent- and case-blind, as prefixes), `--conversation`
// narrows, FTS5 syntax in a query is plain text, a query over MAX_SEARCH_QUERY_CHARS is a usage
// error (CLI) and 400 (API), and a conversation purged with `contacts remove --purge` is no
// longer found.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MAX_SEARCH_QUERY_CHARS } from '../../src/store/search.js'
import {
  json,
  jsonLines,
  run,
  startPair,
  stopAll,
  token,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

void describe('kith search between daemons', { timeout: 180_000 }, () => {
  const homes: string[] = []
  let a: Daemon
  let b: Daemon
  before(async () => {
    ;[a, b] = await startPair(homes)
    await json(b.home, ['send', 'alice', 'Lunch at the Café Zürich?', '--wait', '--timeout', '30'])
    await json(b.home, ['send', 'alice', 'or the cafeteria', '--wait', '--timeout', '30'])
    await json(a.home, ['contacts', 'rename', b.peerId, 'bob'])
    await json(a.home, ['send', 'bob', 'cafe zurich sounds good', '--wait', '--timeout', '30'])
  })
  after(() => stopAll(homes))

  void it('finds sent and received messages, newest first', async () => {
    const found = await jsonLines<MessageLine>(a.home, ['search', 'CAFE', 'zur'])
    assert.deepEqual(
      found.map((m) => m.text),
      ['cafe zurich sounds good', 'Lunch at the Café Zürich?'],
    )
    assert.deepEqual(
      (await jsonLines<MessageLine>(a.home, ['search', 'cafe'])).map((m) => m.text),
      ['cafe zurich sounds good', 'or the cafeteria', 'Lunch at the Café Zürich?'],
    )
    const one = await jsonLines<MessageLine>(a.home, ['search', 'cafe', '--limit', '1'])
    assert.equal(one.length, 1)
    const inConv = await jsonLines<MessageLine>(a.home, ['search', 'cafe', '--conversation', 'bob'])
    assert.equal(inConv.length, 3)
    const human = await run(a.home, ['search', 'cafeteria'])
    assert.equal(human.code, 0)
    assert.match(human.stdout, /or the cafeteria/)
    const none = await run(a.home, ['search', 'nothing-like-it'])
    assert.equal(none.stdout.trim(), 'no messages found')
    const unknown = await run(a.home, ['search', 'cafe', '--conversation', 'nobody'])
    assert.equal(unknown.code, 4)
  })

  void it('FTS5 syntax is text; the length bound holds in the CLI and the API', async () => {
    for (const q of ['"', 'a OR', 'NEAR(', 'col:x', '*']) {
      const r = await run(a.home, ['search', q, '--json'])
      assert.equal(r.code, 0, `${q}: ${r.stderr}`)
    }
    const long = await run(a.home, ['search', 'x'.repeat(MAX_SEARCH_QUERY_CHARS + 1)])
    assert.equal(long.code, 2)
    const ok = await run(a.home, ['search', 'x'.repeat(MAX_SEARCH_QUERY_CHARS)])
    assert.equal(ok.code, 0)
    const res = await fetch(`${a.api}/v1/search?q=${'x'.repeat(MAX_SEARCH_QUERY_CHARS + 1)}`, {
      headers: { authorization: `Bearer ${token(a.home)}` },
    })
    assert.equal(res.status, 400)
    const empty = await fetch(`${a.api}/v1/search?q=`, {
      headers: { authorization: `Bearer ${token(a.home)}` },
    })
    assert.equal(empty.status, 400)
  })

  void it('a purged conversation is no longer found', async () => {
    await json(a.home, ['contacts', 'remove', 'bob', '--purge'])
    await until('the purge reached the index', async () =>
      (await jsonLines<MessageLine>(a.home, ['search', 'cafe'])).length === 0 ? true : undefined,
    )
  })
})
