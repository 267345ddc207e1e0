// Group members who are not contacts are shown by their profile name (issue 14): Bob and Carol
// are both Alice's contacts but not each other's; once Alice's group joins them, Bob's `group
// list --json` carries `memberNames` with Carol's self-chosen name (never a contact's name), and
// his human `group messages` shows her lines as `~Carol C` instead of her PeerId.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { json, run, startDaemon, stopAll, until, type Daemon } from './harness.js'

interface GroupLine {
  groupId: string
  members: string[]
  memberNames?: Record<string, string>
}

void describe('group member names', { timeout: 240_000 }, () => {
  const homes: string[] = []
  let alice: Daemon
  let bob: Daemon
  let carol: Daemon
  let groupId: string
  before(async () => {
    alice = await startDaemon('alice')
    bob = await startDaemon('bob')
    carol = await startDaemon('carol')
    homes.push(alice.home, bob.home, carol.home)
    await json(carol.home, ['profile', '--name', 'Carol C'])
    for (const d of [bob, carol]) {
      const { link } = await json<{ link: string }>(d.home, ['invite'])
      await json(alice.home, ['contacts', 'add', link, '--name', d.name])
    }
    ;({ groupId } = await json<{ groupId: string }>(alice.home, ['group', 'create', 'trio']))
    await json(alice.home, ['group', 'add', 'trio', 'bob'])
    await json(alice.home, ['group', 'add', 'trio', 'carol'])
  })
  after(() => stopAll(homes))

  void it('Bob sees Carol by her profile name, marked as hers', async () => {
    const g = await until(
      'bob knows carol’s profile name',
      async () => {
        const list = await json<GroupLine[]>(bob.home, ['group', 'list'])
        const found = list.find((x) => x.groupId === groupId)
        return found?.memberNames?.[carol.peerId] === 'Carol C' ? found : undefined
      },
      120_000,
    )
    assert.equal(g.memberNames?.[alice.peerId], undefined, 'a contact is shown by our name')
    await json(carol.home, ['group', 'send', groupId, 'hello trio'])
    const line = await until(
      'bob shows carol’s message by her name',
      async () => {
        const r = await run(bob.home, ['group', 'messages', groupId])
        return r.stdout.split('\n').find((l) => l.includes('hello trio'))
      },
      90_000,
    )
    assert.match(line, /~Carol C/)
    assert.ok(!line.includes(carol.peerId))
  })
})
