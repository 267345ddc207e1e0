// Conversations and read receipts between two real daemons started through ./bin/kith (CLI.md
// "Conversations, receipts, edits"): bob sends 3 to alice; alice's `conversations` shows them
// unread with the last one; `read bob` marks 3 and bob sees them `read` within seconds; with
// `settings --read-receipts off` a further read sends nothing (bob's stays `delivered`); a group
// appears as a row of kind "group" on both sides.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { json, jsonLines, run, startPair, stopAll, until, type MessageLine } from './harness.js'
import { sleep } from '../helpers/wait.js'

/** How long the test watches for a read receipt that must not come (one would arrive within
 *  ACK_DELAY_MS and a round trip). */
const NO_READ_RECEIPT_MS = 3_000

interface ConversationLine {
  conversation: string
  kind: 'direct' | 'group'
  name: string
  unread: number
  last: MessageLine | null
}

const homes: string[] = []
after(() => stopAll(homes))

void describe('conversations and read receipts between daemons', { timeout: 180_000 }, () => {
  void it('unread counts, read receipts, the setting, and group rows', async () => {
    const [a, b] = await startPair(homes)
    const ids: string[] = []
    for (const text of ['one', 'two', 'three']) {
      const r = await json<{ id: string; status: string }>(b.home, [
        'send',
        'alice',
        text,
        '--wait',
        '--timeout',
        '20',
      ])
      assert.equal(r.status, 'delivered')
      ids.push(r.id)
    }
    await json(a.home, ['contacts', 'rename', b.peerId, 'bob'])

    const rows = await json<ConversationLine[]>(a.home, ['conversations'])
    assert.equal(rows.length, 1)
    assert.equal(rows[0]?.conversation, b.peerId)
    assert.equal(rows[0]?.kind, 'direct')
    assert.equal(rows[0]?.name, 'bob')
    assert.equal(rows[0]?.unread, 3)
    assert.equal(rows[0]?.last?.id, ids[2])
    assert.equal(rows[0]?.last?.text, 'three')
    const human = await run(a.home, ['conversations'])
    assert.equal(human.code, 0)
    assert.match(human.stdout, /bob\s+direct\s+3/)

    assert.deepEqual(await json(a.home, ['read', 'bob']), { conversation: b.peerId, read: 3 })
    assert.equal((await json<ConversationLine[]>(a.home, ['conversations']))[0]?.unread, 0)
    await until(
      'bob sees his 3 messages read',
      async () => {
        const ms = await jsonLines<MessageLine>(b.home, ['messages'])
        return ids.every((id) => ms.find((m) => m.id === id)?.status === 'read') ? true : undefined
      },
      10_000,
    )

    // Read receipts off: a read marks locally and sends nothing.
    assert.deepEqual(await json(a.home, ['settings']), { readReceipts: true })
    assert.deepEqual(await json(a.home, ['settings', '--read-receipts', 'off']), {
      readReceipts: false,
    })
    const bad = await run(a.home, ['settings', '--read-receipts', 'maybe'])
    assert.equal(bad.code, 2)
    const quiet = await json<{ id: string; status: string }>(b.home, [
      'send',
      'alice',
      'four',
      '--wait',
      '--timeout',
      '20',
    ])
    assert.equal(quiet.status, 'delivered')
    assert.deepEqual(await json(a.home, ['read', 'bob']), { conversation: b.peerId, read: 1 })
    await sleep(NO_READ_RECEIPT_MS)
    const after4 = await jsonLines<MessageLine>(b.home, ['messages'])
    assert.equal(after4.find((m) => m.id === quiet.id)?.status, 'delivered')
    const missing = await run(a.home, ['read', 'nobody', '--json'])
    assert.equal(missing.code, 4)
    assert.match(missing.stderr, /ContactNotFound/)

    // A group is a conversation of kind "group", on both sides.
    const g = await json<{ groupId: string }>(a.home, ['group', 'create', 'team'])
    await json(a.home, ['group', 'add', 'team', 'bob'])
    await json(a.home, ['group', 'send', 'team', 'hi team'])
    const mine = await json<ConversationLine[]>(a.home, ['conversations'])
    const gr = mine.find((r) => r.conversation === g.groupId)
    assert.equal(gr?.kind, 'group')
    assert.equal(gr?.name, 'team')
    assert.equal(mine[0]?.conversation, g.groupId, 'the most recent first')
    await until('bob lists the group as a conversation', async () => {
      const theirs = await json<ConversationLine[]>(b.home, ['conversations'])
      const row = theirs.find((r) => r.conversation === g.groupId)
      return row?.kind === 'group' ? true : undefined
    })
  })
})
