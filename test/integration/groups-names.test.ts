// Issue 14, groups a user can tell apart, between real daemons through ./bin/kith: a second
// `group create friends` (any case) and `group create <an existing id>` fail with GroupExists
// (exit 1); a group joined from someone else under a name we already use is reached by its id and
// its name alone is refused (GroupAmbiguous), never silently picked; group messages carry
// `group` in `messages --json` and `[name]` in human `messages`; membership changes are history
// lines (`"kind":"event"`) seen by the members of a group of 3: "alice added carol", "carol
// left", "you were removed by alice".
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import {
  json,
  jsonLines,
  run,
  startDaemon,
  stopAll,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const homes: string[] = []
after(() => stopAll(homes))

interface GroupLine {
  groupId: string
  name: string
  members: string[]
}

const events = async (d: Daemon, group: string) =>
  (await jsonLines<MessageLine>(d.home, ['group', 'messages', group])).filter(
    (m) => m.kind === 'event',
  )

void describe('group names and history lines (issue 14)', () => {
  void it('GroupExists, ids refused, ambiguous names, marked messages, event lines', async () => {
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((n) => startDaemon(n)),
    )
    assert.ok(alice && bob && carol)
    homes.push(alice.home, bob.home, carol.home)
    for (const d of [bob, carol]) {
      const { link } = await json<{ link: string }>(d.home, ['invite'])
      await json(alice.home, ['contacts', 'add', link, '--name', d.name])
    }

    // Names are unique per node, case-insensitively; an id is never a name.
    const { groupId } = await json<{ groupId: string }>(alice.home, ['group', 'create', 'friends'])
    for (const name of ['friends', 'FRIENDS', groupId]) {
      const again = await run(alice.home, ['group', 'create', name])
      assert.equal(again.code, 1, again.stderr)
      assert.match(again.stderr, /^GroupExists: /)
    }
    assert.equal((await json<GroupLine[]>(alice.home, ['group', 'list'])).length, 1)

    // Bob has a "friends" of his own before alice adds him to hers.
    const own = await json<{ groupId: string }>(bob.home, ['group', 'create', 'Friends'])
    await json(alice.home, ['group', 'add', 'friends', 'bob'])
    await json(alice.home, ['group', 'add', 'friends', 'carol'])
    const all = [alice.peerId, bob.peerId, carol.peerId].sort()
    for (const d of [alice, bob, carol]) {
      await until(
        `${d.name} lists alice's group with 3 members`,
        async () => {
          const g = (await json<GroupLine[]>(d.home, ['group', 'list'])).find(
            (x) => x.groupId === groupId,
          )
          return g?.members.join() === all.join()
        },
        90_000,
        300,
      )
    }
    const ambiguous = await run(bob.home, ['group', 'send', 'friends', 'which one?'])
    assert.equal(ambiguous.code, 1, ambiguous.stderr)
    assert.match(ambiguous.stderr, /^GroupAmbiguous: /)
    assert.equal(
      (await jsonLines<MessageLine>(bob.home, ['group', 'messages', own.groupId])).filter(
        (m) => m.kind !== 'event',
      ).length,
      0,
      'nothing was sent to bob’s own group',
    )

    // A group message is marked in `messages`, JSON and human.
    await json(alice.home, ['group', 'send', 'friends', 'hi all'])
    const line = await until(
      'carol has the group message',
      async () =>
        (await jsonLines<MessageLine>(carol.home, ['messages'])).find((m) => m.text === 'hi all'),
      60_000,
      300,
    )
    assert.deepEqual(line.group, { id: groupId, name: 'friends' })
    assert.equal(line.kind, 'text')
    assert.equal(line.from, alice.peerId)
    const human = await run(carol.home, ['messages'])
    assert.equal(human.code, 0, human.stderr)
    assert.match(human.stdout, new RegExp(`\\[friends\\] ${alice.peerId}: hi all`))
    const mine = await run(alice.home, ['messages'])
    assert.match(mine.stdout, /\[friends\] me: hi all/)

    // Carol leaves, alice removes bob: every member's history says so.
    await json(carol.home, ['group', 'leave', groupId])
    await until(
      'alice and bob see carol leave',
      async () => {
        for (const d of [alice, bob]) {
          const ev = await events(d, groupId)
          if (!ev.some((m) => m.event?.type === 'left' && m.event.by === carol.peerId)) return false
        }
        return true
      },
      60_000,
      300,
    )
    await json(alice.home, ['group', 'remove', 'friends', 'bob'])
    const removed = await until(
      'bob learns he was removed',
      async () =>
        (await events(bob, groupId)).find(
          (m) => m.event?.type === 'removed' && m.event.members.includes(bob.peerId),
        ),
      60_000,
      300,
    )
    assert.equal(removed.text, `you were removed by ${alice.peerId}`)
    assert.equal(removed.from, alice.peerId)
    assert.deepEqual(removed.group, { id: groupId, name: 'friends' })

    const atAlice = await events(alice, groupId)
    assert.deepEqual(
      atAlice.map((m) => m.event?.type),
      ['created', 'added', 'added', 'left', 'removed'],
    )
    assert.deepEqual(
      atAlice.map((m) => m.text),
      [
        'you created the group "friends"',
        'you added bob',
        'you added carol',
        'carol left',
        'you removed bob',
      ],
    )
    const atCarol = await events(carol, groupId)
    assert.ok(atCarol.some((m) => m.text === 'you left'))
    assert.ok(
      atCarol.some((m) => m.event?.type === 'added' && m.event.members.includes(carol.peerId)),
    )

    // Human history uses the name book: alice's contacts by name, herself as "you".
    const aliceHuman = await run(alice.home, ['group', 'messages', groupId])
    assert.match(aliceHuman.stdout, /\* you added carol/)
    assert.match(aliceHuman.stdout, /\* carol left/)
    assert.match(aliceHuman.stdout, /\* you removed bob/)
    const bobHuman = await run(bob.home, ['messages'])
    assert.match(
      bobHuman.stdout,
      new RegExp(`\\[friends\\] \\* you were removed by ${alice.peerId}`),
    )
  })
})
