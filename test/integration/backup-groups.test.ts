// Groups after `kith restore` (docs/protocol.md §7.1): the backup keeps the group (membership,
// op log, topic secret) and the other members' Sender Key chains, never our own. After Alice
// restores into a new home, Bob's group messages still reach her (his chain was kept), and hers
// reach Bob under a new chain of hers, handed to him over the fresh pairwise session.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { rmSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import {
  chatOnly,
  json,
  jsonLines,
  newHome,
  run,
  startDaemon,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'

const PASS = { KITH_BACKUP_PASSPHRASE: 'group backup passphrase' }

const texts = async (d: Daemon, group: string) =>
  chatOnly(await jsonLines<MessageLine>(d.home, ['group', 'messages', group])).map((m) => m.text)

void describe('groups after a restore', { timeout: 300_000 }, () => {
  const homes: string[] = []
  let a: Daemon
  let b: Daemon
  let groupId: string
  before(async () => {
    a = await startDaemon('alice')
    b = await startDaemon('bob')
    homes.push(a.home, b.home)
    const { link } = await json<{ link: string }>(b.home, ['invite'])
    await json(a.home, ['contacts', 'add', link, '--name', 'bob'])
    ;({ groupId } = await json<{ groupId: string }>(a.home, ['group', 'create', 'friends']))
    await json(a.home, ['group', 'add', 'friends', 'bob'])
    await until(
      'bob is in the group',
      async () =>
        (await json<Array<{ groupId: string }>>(b.home, ['group', 'list'])).some(
          (g) => g.groupId === groupId,
        ),
      90_000,
    )
    await json(b.home, ['group', 'send', groupId, 'from bob before'])
    await until(
      'alice got bob’s group message',
      async () => (await texts(a, groupId)).includes('from bob before'),
      90_000,
    )
    await json(a.home, ['group', 'send', 'friends', 'from alice before'])
    await until(
      'bob got alice’s group message',
      async () => (await texts(b, groupId)).includes('from alice before'),
      90_000,
    )
  })
  after(() => stopAll(homes))

  void it('both members’ group messages arrive after Alice restores', async () => {
    const dir = newHome('backup-groups')
    homes.push(dir)
    const file = join(dir, 'alice.kithbackup')
    const backed = await run(a.home, ['backup', '--out', file], { env: PASS })
    assert.equal(backed.code, 0, backed.stderr)
    await stopDaemon(a)
    rmSync(a.home, { recursive: true, force: true })
    const home = join(dir, 'alice-restored')
    const restored = await run(home, ['restore', file, '--json'], { env: PASS })
    assert.equal(restored.code, 0, restored.stderr)
    a = await startDaemon('alice', home)
    assert.deepEqual(await texts(a, groupId), ['from bob before', 'from alice before'])

    await json(a.home, ['group', 'send', 'friends', 'from alice after'])
    await until(
      'bob got alice’s message under her new chain',
      async () => (await texts(b, groupId)).includes('from alice after'),
      120_000,
    )
    await json(b.home, ['group', 'send', groupId, 'from bob after'])
    await until(
      'alice got bob’s message',
      async () => (await texts(a, groupId)).includes('from bob after'),
      120_000,
    )
  })
})
