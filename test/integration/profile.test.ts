// `kith profile` between two real daemons started through ./bin/kith (CLI.md "Profile, requests,
// blocking"): Alice sets her display name and Bob's `contacts list` shows it as her profileName
// (his own name for her unchanged); a name with an escape character is refused (exit 1,
// InvalidName); a restart keeps the name, `kith id` and new invites carry it; the --json shape.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeInviteLink } from '../../src/core/wire/invite.js'
import {
  json,
  run,
  startDaemon,
  startPair,
  stopAll,
  stopDaemon,
  until,
  type Daemon,
} from './harness.js'

interface ContactLine {
  name: string
  peerId: string
  profileName: string
}

void describe('kith profile between daemons', { timeout: 180_000 }, () => {
  const homes: string[] = []
  let a: Daemon
  let b: Daemon
  before(async () => {
    ;[a, b] = await startPair(homes)
    // Bob writes first (with Alice's invite proof): he becomes her accepted contact.
    await json(b.home, ['send', 'alice', 'hi', '--wait', '--timeout', '30'])
  })
  after(() => stopAll(homes))

  void it('shows {peerId, name}; a new name reaches the contact as its profileName', async () => {
    const shown = await json<Record<string, unknown>>(a.home, ['profile'])
    assert.deepEqual(Object.keys(shown).sort(), ['name', 'peerId'])
    assert.equal(shown.peerId, a.peerId)
    assert.equal(typeof shown.name, 'string')
    const set = await json<{ peerId: string; name: string }>(a.home, [
      'profile',
      '--name',
      'Alice B',
    ])
    assert.deepEqual(set, { peerId: a.peerId, name: 'Alice B' })
    const seen = await until(
      "Bob's contact list shows her new name",
      async () => {
        const list = await json<ContactLine[]>(b.home, ['contacts', 'list'])
        const c = list.find((x) => x.peerId === a.peerId)
        return c?.profileName === 'Alice B' ? c : undefined
      },
      10_000,
    )
    assert.equal(seen.name, 'alice', "Bob's own name for her stays")
    const human = await run(a.home, ['profile'])
    assert.equal(human.code, 0)
    assert.match(human.stdout, /Alice B/)
    assert.match(human.stdout, new RegExp(a.peerId))
  })

  void it('refuses a name with an escape character (exit 1, InvalidName)', async () => {
    const r = await run(a.home, ['profile', '--name', 'Al\x1b[2Jice'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^InvalidName/)
    assert.ok(!r.stderr.includes('\x1b'), 'the refused name is not echoed raw')
    assert.equal((await json<{ name: string }>(a.home, ['profile'])).name, 'Alice B')
  })

  void it('a restart keeps the name; kith id and new invites carry it', async () => {
    await stopDaemon(a)
    assert.equal((await json<{ name: string }>(a.home, ['id'])).name, 'Alice B')
    a = await startDaemon('alice', a.home, a.port)
    assert.deepEqual(await json(a.home, ['profile']), { peerId: a.peerId, name: 'Alice B' })
    const { link } = await json<{ link: string }>(a.home, ['invite'])
    assert.equal(decodeInviteLink(link).name, 'Alice B')
  })
})
