// Names where PeerIds show (issue 14): `kith status` prints a contact's name next to the PeerId
// it appears as (here a contact that serves as a mailbox), `kith peers` a connected contact's;
// `--json` stays as it was (PeerIds only) for status, and peers gains only `name`.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { json, run, startDaemon, stopAll, until, type Daemon } from './harness.js'

void describe('names in status and peers', { timeout: 180_000 }, () => {
  const homes: string[] = []
  let a: Daemon
  let b: Daemon
  before(async () => {
    a = await startDaemon('alice')
    homes.push(a.home)
    const mailbox = `/ip4/127.0.0.1/tcp/${a.port}/p2p/${a.peerId}`
    b = await startDaemon('bob', undefined, undefined, ['--mailbox', mailbox])
    homes.push(b.home)
    const { link } = await json<{ link: string }>(a.home, ['invite'])
    await json(b.home, ['contacts', 'add', link, '--name', 'alice'])
    await json(b.home, ['send', 'alice', 'hi', '--wait', '--timeout', '30'])
  })
  after(() => stopAll(homes))

  void it('status names a contact serving as a mailbox; JSON keeps the PeerId', async () => {
    await until('alice is one of bob’s mailboxes', async () => {
      const s = await json<{ mailboxes: string[] }>(b.home, ['status'])
      return s.mailboxes.includes(a.peerId) ? true : undefined
    })
    const human = await run(b.home, ['status'])
    assert.equal(human.code, 0)
    assert.match(human.stdout, new RegExp(`Mailboxes +.*alice \\(${a.peerId}\\)`))
    const s = await json<{ mailboxes: string[] }>(b.home, ['status'])
    assert.ok(s.mailboxes.includes(a.peerId))
  })

  void it('peers names a connected contact', async () => {
    const human = await run(b.home, ['peers'])
    assert.match(human.stdout, new RegExp(`${a.peerId} +alice`))
  })
})
