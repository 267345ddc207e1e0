// History paging with a cursor (CLI.md "Conversations, receipts, edits": cursor paging, not only
// `limit`) through real daemons and ./bin/kith: `messages <contact> --limit N --before <id>`
// walks back through a conversation without gaps or repeats; a cursor from another conversation
// is MessageNotFound (exit 4), a malformed one a usage error (exit 2); `group messages` pages
// the same way.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { api, json, jsonLines, run, startPair, stopAll, until } from './harness.js'

interface Line {
  id: string
  text: string
}

describe('history paging', { timeout: 240_000 }, () => {
  const homes: string[] = []
  after(() => stopAll(homes))

  it('pages back with --before until the first message, in order, each once', async () => {
    const [, b] = await startPair(homes)
    const texts = Array.from({ length: 23 }, (_, i) => `m${String(i).padStart(2, '0')}`)
    for (const text of texts) await api(b, 'POST', '/v1/messages', { contact: 'alice', text })
    await until('all stored on bob’s side', async () =>
      (await jsonLines<Line>(b.home, ['messages', 'alice'])).length === texts.length
        ? true
        : undefined,
    )
    const seen: string[] = []
    let before: string | undefined
    for (let pages = 0; pages < 10; pages++) {
      const page = await jsonLines<Line>(b.home, [
        'messages',
        'alice',
        '--limit',
        '10',
        ...(before !== undefined ? ['--before', before] : []),
      ])
      if (page.length === 0) break
      assert.ok(page.length <= 10)
      seen.unshift(...page.map((m) => m.text))
      before = page[0]!.id
    }
    assert.deepEqual(seen, texts)

    // A cursor of another conversation is not found; a malformed one is a usage error.
    const g = await json<{ groupId: string }>(b.home, ['group', 'create', 'pagers'])
    await json(b.home, ['group', 'send', g.groupId, 'in the group'])
    const [gm] = await jsonLines<Line>(b.home, ['group', 'messages', g.groupId])
    assert.ok(gm !== undefined)
    const foreign = await run(b.home, ['messages', 'alice', '--before', gm.id])
    assert.equal(foreign.code, 4, foreign.stderr)
    assert.match(foreign.stderr, /MessageNotFound/)
    const malformed = await run(b.home, ['messages', 'alice', '--before', 'xyz'])
    assert.equal(malformed.code, 2, malformed.stderr)

    // Groups page the same way.
    await json(b.home, ['group', 'send', g.groupId, 'second in the group'])
    const [last] = (await jsonLines<Line>(b.home, ['group', 'messages', g.groupId])).slice(-1)
    const older = await jsonLines<Line>(b.home, [
      'group',
      'messages',
      g.groupId,
      '--before',
      last!.id,
    ])
    assert.ok(older.every((m) => m.id !== last!.id))
    assert.ok(older.some((m) => m.text === 'in the group'))
  })
})
