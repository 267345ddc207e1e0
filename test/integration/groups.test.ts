// Groups between real daemons started through ./bin/kith (docs/groups.md): five members each
// send 20 and all see the 100 exactly once in per-sender order; a removed member sees nothing
// after its removal while the others go on; two stopped members get what they missed on return.
// Only the creator has the others as contacts: the others reach each other through the member
// cards in GroupUpdates (the lower PeerId starts the session).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import {
  api,
  chatOnly,
  json,
  jsonLines,
  KITH,
  run,
  startDaemon,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
  type MessageLine,
} from './harness.js'
import { sleep } from '../helpers/wait.js'

/** Time for `messages --follow` to open its event stream: it prints nothing until a message
 *  comes, so there is no line to wait for. */
const FOLLOWER_OPEN_MS = 1_500
/** How long the test watches that a member who left receives none of the later messages (the
 *  others got all 120 already: anything still coming would be late by far). */
const NOTHING_REACHES_GONE_MS = 2_000

const homes: string[] = []
after(() => stopAll(homes))

interface GroupLine {
  groupId: string
  name: string
  members: string[]
  admins: string[]
  topic: string
}

/** Starts n daemons; the first adds every other one as a contact (from their invites). */
export async function startMembers(names: string[]): Promise<Daemon[]> {
  const ds = await Promise.all(names.map((n) => startDaemon(n)))
  homes.push(...ds.map((d) => d.home))
  const [owner, ...rest] = ds as [Daemon, ...Daemon[]]
  for (const d of rest) {
    const { link } = await json<{ link: string }>(d.home, ['invite'])
    await json(owner.home, ['contacts', 'add', link, '--name', d.name])
  }
  return ds
}

/** Waits until every daemon lists the group with exactly `members`. */
export async function converged(ds: Daemon[], groupId: string, members: string[]): Promise<void> {
  const want = [...members].sort()
  for (const d of ds) {
    await until(
      `${d.name} lists the group with ${want.length} members`,
      async () => {
        const list = await json<GroupLine[]>(d.home, ['group', 'list'])
        const g = list.find((x) => x.groupId === groupId)
        return g !== undefined && g.members.join() === want.join()
      },
      60_000,
      300,
    )
  }
}

const groupTexts = async (d: Daemon, group: string) =>
  chatOnly(await jsonLines<MessageLine>(d.home, ['group', 'messages', group])).map((m) => m.text)

/** Each sender's messages appear in their send order. */
function assertPerSenderOrder(ms: MessageLine[]): void {
  const bySender = new Map<string, number[]>()
  for (const m of ms) {
    const n = Number(/#(\d+)$/.exec(m.text)?.[1])
    const list = bySender.get(m.from) ?? []
    list.push(n)
    bySender.set(m.from, list)
  }
  for (const [sender, ns] of bySender) {
    assert.deepEqual(
      ns,
      [...ns].sort((a, b) => a - b),
      `messages of ${sender} in order`,
    )
  }
}

describe('groups between daemons', { timeout: 170_000 }, () => {
  let ds: Daemon[] = []
  let groupId = ''

  it('five members: each sends 20, every member shows all 100 exactly once, in order', async () => {
    ds = await startMembers(['g0', 'g1', 'g2', 'g3', 'g4'])
    const owner = ds[0]!
    const created = await json<{ groupId: string; name: string }>(owner.home, [
      'group',
      'create',
      'friends',
    ])
    groupId = created.groupId
    assert.match(groupId, /^[0-9a-f]{32}$/)
    for (const d of ds.slice(1)) await json(owner.home, ['group', 'add', 'friends', d.name])
    await converged(
      ds,
      groupId,
      ds.map((d) => d.peerId),
    )
    // A non-admin cannot add (exit 1), an unknown group is not found (exit 4).
    const notAdmin = await run(ds[1]!.home, ['group', 'add', groupId, ds[2]!.peerId])
    assert.equal(notAdmin.code, 1, notAdmin.stderr)
    assert.match(notAdmin.stderr, /^(NotAnAdmin|ContactNotFound)/)
    const missing = await run(owner.home, ['group', 'send', 'nope', 'x'])
    assert.equal(missing.code, 4)
    assert.match(missing.stderr, /^GroupNotFound/)

    // g1 follows the group by name: every message printed once as it arrives.
    const follower = spawn(
      KITH,
      ['--home', ds[1]!.home, 'group', 'messages', 'friends', '--follow', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const followed: MessageLine[] = []
    createInterface({ input: follower.stdout }).on('line', (l) =>
      followed.push(...chatOnly([JSON.parse(l) as MessageLine])),
    )
    const followerExit = new Promise<number | null>((resolve) => follower.on('close', resolve))
    await sleep(FOLLOWER_OPEN_MS) // the follower's event stream is open
    await Promise.all(
      ds.map(async (d) => {
        for (let i = 1; i <= 20; i++)
          await api(d, 'POST', `/v1/groups/${groupId}/messages`, { text: `${d.name} #${i}` })
      }),
    )
    for (const d of ds) {
      const ms = await until(
        `${d.name} shows 100 group messages`,
        async () => {
          const ms = chatOnly(await jsonLines<MessageLine>(d.home, ['group', 'messages', groupId]))
          return ms.length >= 100 ? ms : undefined
        },
        60_000,
        500,
      )
      assert.equal(ms.length, 100)
      assert.equal(new Set(ms.map((m) => m.id)).size, 100, 'each exactly once')
      assert.ok(ms.every((m) => m.conversation === groupId))
      assertPerSenderOrder(ms)
    }
    await until('the follower printed 100', () =>
      Promise.resolve(followed.length >= 100 ? true : undefined),
    )
    follower.kill('SIGINT')
    assert.equal(await followerExit, 0)
    assert.equal(followed.length, 100)
    assert.equal(new Set(followed.map((m) => m.id)).size, 100, 'followed: each exactly once')
    assert.ok(followed.every((m) => m.conversation === groupId))
    // Members who were not contacts started sessions from each other's cards (every member got
    // every other member's key) but stay co-members, not contacts (issue 11 "Message requests").
    const known = await json<{ name: string; peerId: string }[]>(ds[1]!.home, ['contacts', 'list'])
    for (const d of ds.slice(2)) {
      assert.ok(!known.some((c) => c.peerId === d.peerId), `${d.name} is not a contact of g1`)
    }
    // Group messages are not a contact's conversation, but are among all conversations.
    const ofContact = await jsonLines<MessageLine>(owner.home, ['messages', 'g1'])
    assert.equal(ofContact.length, 0)
    const all = await jsonLines<MessageLine>(owner.home, ['messages'])
    assert.equal(chatOnly(all).filter((m) => m.conversation === groupId).length, 100)
  })

  it('remove one: it sees none of the next messages; the others go on without a gap', async () => {
    const [owner, , , , gone] = ds as [Daemon, Daemon, Daemon, Daemon, Daemon]
    const r = await json<{ groupId: string; members: string[] }>(owner.home, [
      'group',
      'remove',
      groupId,
      gone.name,
    ])
    assert.ok(!r.members.includes(gone.peerId))
    const rest = ds.slice(0, 4)
    await converged(
      rest,
      groupId,
      rest.map((d) => d.peerId),
    )
    // The removed member no longer lists the group (its history stays readable).
    await until('the removed member drops the group', async () => {
      const list = await json<GroupLine[]>(gone.home, ['group', 'list'])
      return list.every((g) => g.groupId !== groupId)
    })
    for (const d of rest) {
      for (let i = 21; i <= 25; i++)
        await api(d, 'POST', `/v1/groups/${groupId}/messages`, { text: `${d.name} #${i}` })
    }
    for (const d of rest) {
      await until(`${d.name} shows 120`, async () => (await groupTexts(d, groupId)).length >= 120)
      const ms = chatOnly(await jsonLines<MessageLine>(d.home, ['group', 'messages', groupId]))
      assert.equal(new Set(ms.map((m) => m.id)).size, 120)
      assertPerSenderOrder(ms)
    }
    await sleep(NOTHING_REACHES_GONE_MS)
    const seen = await groupTexts(gone, groupId)
    assert.equal(seen.filter((t) => Number(/#(\d+)$/.exec(t)?.[1]) > 20).length, 0)
  })

  it('stop two members, send 30, start them: they get all 30', async () => {
    const rest = ds.slice(0, 4)
    const [owner, one, two, three] = rest as [Daemon, Daemon, Daemon, Daemon]
    await stopDaemon(two)
    await stopDaemon(three)
    for (let i = 1; i <= 15; i++) {
      await api(owner, 'POST', `/v1/groups/${groupId}/messages`, {
        text: `${owner.name} #${100 + i}`,
      })
      await api(one, 'POST', `/v1/groups/${groupId}/messages`, { text: `${one.name} #${100 + i}` })
    }
    const back = await Promise.all([two, three].map((d) => startDaemon(d.name, d.home, d.port)))
    ds[2] = back[0]!
    ds[3] = back[1]!
    for (const d of back) {
      await until(
        `${d.name} got the 30 it missed`,
        async () => (await groupTexts(d, groupId)).length >= 150,
        60_000,
        500,
      )
      const ms = chatOnly(await jsonLines<MessageLine>(d.home, ['group', 'messages', groupId]))
      assert.equal(new Set(ms.map((m) => m.id)).size, 150)
      assertPerSenderOrder(ms)
    }
  })

  it('leave: the others drop the leaver; its history stays readable', async () => {
    const [owner, leaver, two, three] = ds as [Daemon, Daemon, Daemon, Daemon]
    const r = await json<{ groupId: string; members: string[] }>(leaver.home, [
      'group',
      'leave',
      'friends',
    ])
    assert.ok(!r.members.includes(leaver.peerId))
    assert.deepEqual(await json<GroupLine[]>(leaver.home, ['group', 'list']), [])
    const rest = [owner, two, three]
    await converged(
      rest,
      groupId,
      rest.map((d) => d.peerId),
    )
    await api(owner, 'POST', `/v1/groups/${groupId}/messages`, { text: `${owner.name} #200` })
    for (const d of [two, three])
      await until(`${d.name} shows 151`, async () => (await groupTexts(d, groupId)).length >= 151)
    assert.equal((await groupTexts(leaver, groupId)).length, 150)
  })
})
