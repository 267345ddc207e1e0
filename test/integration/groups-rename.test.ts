// `kith group rename <group> <name>` between real daemons (issue 14; docs/groups.md "Names"): an
// admin's rename reaches the other member, whose `group list` shows the new name and whose history
// gains a `renamed` event line; a member who is not an admin is refused (NotAnAdmin, exit 1), and
// a name another of our groups has is GroupExists (exit 1).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
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

interface GroupLine {
  groupId: string
  name: string
  members: string[]
}

void describe('group rename', { timeout: 240_000 }, () => {
  const homes: string[] = []
  let alice: Daemon
  let bob: Daemon
  let groupId: string
  before(async () => {
    alice = await startDaemon('alice')
    bob = await startDaemon('bob')
    homes.push(alice.home, bob.home)
    const { link } = await json<{ link: string }>(bob.home, ['invite'])
    await json(alice.home, ['contacts', 'add', link, '--name', 'bob'])
    ;({ groupId } = await json<{ groupId: string }>(alice.home, ['group', 'create', 'friends']))
    await json(alice.home, ['group', 'add', 'friends', 'bob'])
    await until(
      'bob is in the group',
      async () =>
        (await json<GroupLine[]>(bob.home, ['group', 'list'])).some((g) => g.groupId === groupId),
      90_000,
    )
  })
  after(() => stopAll(homes))

  void it('an admin renames; the member sees the name and a renamed line', async () => {
    const r = await json<{ groupId: string; name: string }>(alice.home, [
      'group',
      'rename',
      'friends',
      'pals',
    ])
    assert.deepEqual(r, { groupId, name: 'pals' })
    assert.equal((await json<GroupLine[]>(alice.home, ['group', 'list']))[0]?.name, 'pals')
    await until(
      'bob sees the new name',
      async () =>
        (await json<GroupLine[]>(bob.home, ['group', 'list'])).find((g) => g.groupId === groupId)
          ?.name === 'pals',
      90_000,
    )
    const lines = await jsonLines<MessageLine>(bob.home, ['group', 'messages', groupId])
    const renamed = lines.filter((m) => m.kind === 'event' && m.event?.type === 'renamed')
    assert.equal(renamed.length, 1)
    assert.equal(renamed[0]?.event?.name, 'pals')
  })

  void it('a member who is not an admin, or a taken name, is refused', async () => {
    const notAdmin = await run(bob.home, ['group', 'rename', groupId, 'mine'])
    assert.equal(notAdmin.code, 1)
    assert.match(notAdmin.stderr, /^NotAnAdmin/)
    await json(alice.home, ['group', 'create', 'other'])
    const taken = await run(alice.home, ['group', 'rename', 'pals', 'Other'])
    assert.equal(taken.code, 1)
    assert.match(taken.stderr, /^GroupExists/)
  })
})
