// Replies, edits, deletes, reactions and disappearing messages between two real daemons started
// through ./bin/kith (CLI.md "Conversations, receipts, edits"): a reply carries replyTo to the
// other side (an unknown id is MessageNotFound, exit 4); an edit shows on both sides with
// editedAt, and editing the other's message is NotYourMessage (exit 1); a reaction reaches the
// other side; delete --for-everyone wipes both sides; a 5 s disappearing timer travels (an event
// line on both sides) and a message sent under it is gone on both sides — also from the SQLite
// files, opened here. (The hostile case, a contact editing or deleting our message, is refused
// and counted: test/service/edits.test.ts, through a real session.)
import assert from 'node:assert/strict'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openDatabase } from '../../src/store/database.js'
import {
  json,
  jsonLines,
  run,
  startDaemon,
  startPair,
  stopAll,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const homes: string[] = []
after(() => stopAll(homes))

async function line(home: string, contact: string, id: string): Promise<MessageLine | undefined> {
  return (await jsonLines<MessageLine>(home, ['messages', contact])).find((m) => m.id === id)
}

/** Rows of the home's (encrypted) store whose text contains `needle`, and whether the raw files
 *  (database and WAL) hold its bytes. */
function inStore(home: string, needle: string): { rows: number; raw: boolean } {
  const db = openDatabase(home)
  try {
    const rows = db
      .prepare('SELECT count(*) FROM messages WHERE instr(text, ?) > 0')
      .pluck()
      .get(needle) as number
    const raw = ['kith.db', 'kith.db-wal'].some((f) => {
      const p = join(home, f)
      return existsSync(p) && readFileSync(p).includes(Buffer.from(needle))
    })
    return { rows, raw }
  } finally {
    db.close()
  }
}

void describe(
  'replies, edits, deletes, reactions, disappearing between daemons',
  { timeout: 240_000 },
  () => {
    void it('each reaches the other side; disappeared text is gone from both stores', async () => {
      const [a, b] = await startPair(homes)
      const send = (home: string, to: string, text: string, ...more: string[]) =>
        json<{ id: string; status: string }>(home, [
          'send',
          to,
          text,
          '--wait',
          '--timeout',
          '20',
          ...more,
        ])
      const q = await send(b.home, 'alice', 'lunch at noon?')
      assert.equal(q.status, 'delivered')
      await json(a.home, ['contacts', 'rename', b.peerId, 'bob'])

      // Reply.
      const r = await send(a.home, 'bob', 'yes!', '--reply-to', q.id)
      assert.equal(r.status, 'delivered')
      assert.equal((await line(b.home, 'alice', r.id))?.replyTo, q.id)
      assert.equal((await line(a.home, 'bob', q.id))?.replyTo, null)
      const missing = await run(a.home, ['send', 'bob', 'x', '--reply-to', 'ab'.repeat(16)])
      assert.equal(missing.code, 4, missing.stderr)
      assert.match(missing.stderr, /MessageNotFound/)

      // Edit: both sides, editedAt; not someone else's.
      assert.deepEqual(await json(b.home, ['edit', q.id, 'lunch at one?']), {
        id: q.id,
        edited: true,
      })
      const edited = await until('alice sees the edit', async () => {
        const m = await line(a.home, 'bob', q.id)
        return m?.text === 'lunch at one?' ? m : undefined
      })
      assert.equal(typeof edited.editedAt, 'number')
      assert.equal((await line(b.home, 'alice', q.id))?.editedAt, edited.editedAt)
      const notMine = await run(a.home, ['edit', q.id, 'forged'])
      assert.equal(notMine.code, 1)
      assert.match(notMine.stderr, /NotYourMessage/)

      // Reaction.
      assert.deepEqual(await json(a.home, ['react', q.id, '👍']), {
        id: q.id,
        reactions: { '👍': ['me'] },
      })
      await until('bob sees the reaction', async () =>
        (await line(b.home, 'alice', q.id))?.reactions?.['👍']?.[0] === a.peerId ? true : undefined,
      )
      assert.equal((await run(a.home, ['react', q.id, 'ok'])).code, 1, 'not an emoji')

      // Delete for everyone.
      const oops = await send(b.home, 'alice', 'wrong chat, sorry')
      assert.deepEqual(await json(b.home, ['delete', oops.id, '--for-everyone']), {
        id: oops.id,
        deleted: true,
      })
      await until('alice sees it deleted', async () => {
        const m = await line(a.home, 'bob', oops.id)
        return m?.deleted === true && m.text === '' ? true : undefined
      })
      const human = await run(a.home, ['messages', 'bob'])
      assert.match(human.stdout, /↪ reply to "lunch at one\?"/)
      assert.match(human.stdout, /lunch at one\? \(edited\)\s+\[👍\]/)
      assert.match(human.stdout, /\(deleted\)/)
      assert.doesNotMatch(human.stdout, /wrong chat/)

      // Disappearing: 5 s, both sides told; the message goes on both, from the files too.
      assert.deepEqual(await json(a.home, ['disappearing', 'bob', '5']), {
        conversation: b.peerId,
        ttlSeconds: 5,
      })
      await until('bob gets the timer line', async () =>
        (await jsonLines<MessageLine>(b.home, ['messages', 'alice'])).find(
          (m) => m.event?.type === 'timer' && m.event.ttlSeconds === 5,
        ),
      )
      const secret = `vanishing-${Date.now().toString(36)}`
      const v = await send(a.home, 'bob', secret)
      assert.equal(v.status, 'delivered')
      assert.equal((await line(b.home, 'alice', v.id))?.ttlSeconds, 5)
      await json(b.home, ['read', 'alice']) // incoming: the timer starts when read
      for (const [home, peer] of [
        [a.home, 'bob'],
        [b.home, 'alice'],
      ] as const) {
        await until(
          'the message disappears',
          async () => {
            const m = await line(home, peer, v.id)
            return m?.deleted === true && m.text === '' ? true : undefined
          },
          30_000,
        )
        assert.deepEqual(inStore(home, secret), { rows: 0, raw: false })
      }
      assert.equal(
        (await json<{ ttlSeconds: number }>(a.home, ['disappearing', 'bob', 'off'])).ttlSeconds,
        0,
      )
      const bad = await run(a.home, ['disappearing', 'bob', '3'])
      assert.equal(bad.code, 2, 'below the 5 s minimum is a usage error')
    })

    void it('in a group of 3: reply, edit, reaction, delete for everyone and the timer reach all', async () => {
      const ds = await Promise.all(['g0', 'g1', 'g2'].map((n) => startDaemon(n)))
      homes.push(...ds.map((d) => d.home))
      const [g0, g1, g2] = ds as [Daemon, Daemon, Daemon]
      for (const d of [g1, g2]) {
        const { link } = await json<{ link: string }>(d.home, ['invite'])
        await json(g0.home, ['contacts', 'add', link, '--name', d.name])
      }
      const { groupId } = await json<{ groupId: string }>(g0.home, ['group', 'create', 'lunch'])
      for (const d of [g1, g2]) await json(g0.home, ['group', 'add', 'lunch', d.name])
      const lines = (d: Daemon) => jsonLines<MessageLine>(d.home, ['group', 'messages', groupId])
      const all = async (what: string, ok: (ms: MessageLine[]) => boolean) => {
        for (const d of ds)
          await until(
            `${d.name}: ${what}`,
            async () => (ok(await lines(d)) ? true : undefined),
            60_000,
            300,
          )
      }
      // Each member's sender key reaches the others before the first texts (the op log converges).
      await all('knows the group', () => true)
      await until(
        'g2 knows the group',
        async () =>
          (
            await json<Array<{ groupId: string; members: string[] }>>(g2.home, ['group', 'list'])
          ).find((g) => g.groupId === groupId && g.members.length === 3),
        60_000,
      )
      const t = await json<{ id: string }>(g1.home, ['group', 'send', groupId, 'pizza?'])
      await all('the text', (ms) => ms.some((m) => m.id === t.id))
      const r = await json<{ id: string }>(g2.home, [
        'group',
        'send',
        groupId,
        'sure',
        '--reply-to',
        t.id,
      ])
      await all('the reply', (ms) => ms.find((m) => m.id === r.id)?.replyTo === t.id)
      await json(g1.home, ['edit', t.id, 'pasta?'])
      await all('the edit', (ms) => {
        const m = ms.find((x) => x.id === t.id)
        return m?.text === 'pasta?' && typeof m.editedAt === 'number'
      })
      const forged = await run(g2.home, ['edit', t.id, 'forged'])
      assert.equal(forged.code, 1)
      assert.match(forged.stderr, /NotYourMessage/)
      await json(g2.home, ['react', t.id, '🍝'])
      await all('the reaction', (ms) => {
        const who = ms.find((x) => x.id === t.id)?.reactions?.['🍝']
        return who?.length === 1 && (who[0] === g2.peerId || who[0] === 'me')
      })
      await json(g1.home, ['delete', t.id, '--for-everyone'])
      await all('the delete', (ms) => {
        const m = ms.find((x) => x.id === t.id)
        return m?.deleted === true && m.text === '' && Object.keys(m.reactions ?? {}).length === 0
      })
      assert.deepEqual(await json(g0.home, ['disappearing', 'lunch', '60']), {
        conversation: groupId,
        ttlSeconds: 60,
      })
      await all('the timer line', (ms) =>
        ms.some((m) => m.event?.type === 'timer' && m.event.ttlSeconds === 60),
      )
      const later = await json<{ id: string }>(g1.home, [
        'group',
        'send',
        groupId,
        'gone in a minute',
      ])
      await all(
        'a message under the timer',
        (ms) => ms.find((m) => m.id === later.id)?.ttlSeconds === 60,
      )
    })
  },
)
