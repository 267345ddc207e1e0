// A blocked member's group messages between real daemons started through ./bin/kith (docs/
// groups.md "Blocked members"): g0 blocks g2, a member of a group all three are in. g2's group
// messages reach g1 but are neither stored nor shown at g0 (counted in groupRejected.blocked);
// g1's messages still reach g0, and g0's still reach both.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { NodeStatus } from '../../src/service/types.js'
import {
  api,
  json,
  jsonLines,
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
  members: string[]
}

const texts = async (d: Daemon, group: string) =>
  (await jsonLines<MessageLine>(d.home, ['group', 'messages', group])).map((m) => m.text)

describe('a blocked group member between daemons', { timeout: 170_000 }, () => {
  it("its messages reach the others but not the one who blocked it; the others' still do", async () => {
    const ds = await Promise.all(['g0', 'g1', 'g2'].map((n) => startDaemon(n)))
    homes.push(...ds.map((d) => d.home))
    const [g0, g1, g2] = ds as [Daemon, Daemon, Daemon]
    for (const d of [g1, g2]) {
      const { link } = await json<{ link: string }>(d.home, ['invite'])
      await json(g0.home, ['contacts', 'add', link, '--name', d.name])
    }
    const { groupId } = await json<{ groupId: string }>(g0.home, ['group', 'create', 'trio'])
    for (const d of [g1, g2]) await json(g0.home, ['group', 'add', groupId, d.name])
    const all = ds.map((d) => d.peerId).sort()
    for (const d of ds) {
      await until(
        `${d.name} lists the group with 3 members`,
        async () => {
          const g = (await json<GroupLine[]>(d.home, ['group', 'list'])).find(
            (x) => x.groupId === groupId,
          )
          return g !== undefined && [...g.members].sort().join() === all.join()
        },
        60_000,
        300,
      )
    }
    // Everyone reads everyone before the block (keys exchanged, mesh formed).
    await json(g2.home, ['group', 'send', groupId, 'g2 before'])
    for (const d of [g0, g1])
      await until(`${d.name} shows g2's first`, async () =>
        (await texts(d, groupId)).includes('g2 before'),
      )

    await json(g0.home, ['contacts', 'block', 'g2'])
    await json(g2.home, ['group', 'send', groupId, 'g2 while blocked'])
    await until("g1 shows g2's message", async () =>
      (await texts(g1, groupId)).includes('g2 while blocked'),
    )
    await json(g1.home, ['group', 'send', groupId, 'g1 after'])
    await until("g0 shows g1's message", async () =>
      (await texts(g0, groupId)).includes('g1 after'),
    )
    await json(g0.home, ['group', 'send', groupId, 'g0 after'])
    for (const d of [g1, g2])
      await until(`${d.name} shows g0's message`, async () =>
        (await texts(d, groupId)).includes('g0 after'),
      )
    const blocked = await until('g0 counts the dropped message', async () => {
      const s = await api<NodeStatus>(g0, 'GET', '/v1/status')
      const n = s.metrics.groupRejected?.blocked ?? 0
      return n >= 1 ? n : undefined
    })
    assert.ok(blocked >= 1)
    assert.ok(!(await texts(g0, groupId)).includes('g2 while blocked'), 'not shown at g0')
    const all0 = await jsonLines<MessageLine>(g0.home, ['messages'])
    assert.ok(!all0.some((m) => m.text === 'g2 while blocked'), 'not stored at g0')
  })
})
