// Message requests between real daemons started through ./bin/kith (issue 11 findings 5, 7, 12):
// a stranger (it built a session from our invite's bundle but has not our invite secret) writes:
// no contact, a request, no receipt, none of its addresses dialled; an invite named like the
// stranger's PeerId does not capture it; `invite --once` then makes it a contact with its held
// message in history and acked; a blocked peer's messages are dropped and counted.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeInviteLink, encodeInviteLink } from '../../src/core/wire/invite.js'
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
import { sleep } from '../helpers/wait.js'

/** How long the test watches for a receipt a stranger must never get (an ack would arrive within
 *  ACK_DELAY_MS and a round trip). */
const NO_RECEIPT_MS = 3_000

interface RequestLine {
  peerId: string
  profileName: string
  messages: number
  firstAt: number
}
interface ContactLine {
  name: string
  peerId: string
  profileName: string
  blocked: boolean
}
interface Status {
  metrics: { requests?: { held: number; blockedFrames: number; strangerFrames: number } }
}

/** Our invite without its secret: what anyone holding our PeerId and prekey bundle can build. */
function stripped(link: string): string {
  const d = decodeInviteLink(link)
  return encodeInviteLink({ peerId: d.peerId, addrs: d.addrs, bundle: d.bundle!, name: d.name })
}

void describe('message requests between daemons', { timeout: 300_000 }, () => {
  const homes: string[] = []
  let v: Daemon // the victim
  let s: Daemon // a stranger
  let imp: Daemon // an impostor
  before(async () => {
    v = await startDaemon('victim')
    s = await startDaemon('stranger')
    imp = await startDaemon('impostor')
    homes.push(v.home, s.home, imp.home)
  })
  after(() => stopAll(homes))

  void it('a stranger that writes first is a request: no contact, no receipt; accept shows it', async () => {
    // The impostor's invite names itself with the stranger's PeerId (finding 7).
    const d = decodeInviteLink((await json<{ link: string }>(imp.home, ['invite', '--full'])).link)
    const forged = encodeInviteLink({ ...d, bundle: d.bundle!, name: s.peerId })
    const added = await json<{ name: string; peerId: string }>(v.home, ['contacts', 'add', forged])
    assert.equal(added.peerId, imp.peerId)
    assert.equal(added.name, imp.peerId, 'a PeerId-shaped invite name is not used')

    const { link } = await json<{ link: string }>(v.home, ['invite', '--full'])
    await json(s.home, ['contacts', 'add', stripped(link), '--name', 'vic'])
    const sent = await json<{ id: string }>(s.home, ['send', 'vic', 'hello, stranger here'])
    const [req] = await until('the victim lists a request', async () => {
      const rs = await json<RequestLine[]>(v.home, ['requests'])
      return rs.length > 0 ? rs : undefined
    })
    assert.equal(req?.peerId, s.peerId)
    assert.equal(req?.profileName, '', 'a name comes only with an invite proof')
    assert.equal(req?.messages, 1)
    const contacts = await json<ContactLine[]>(v.home, ['contacts', 'list'])
    assert.deepEqual(
      contacts.map((c) => c.peerId),
      [imp.peerId],
      'the stranger is no contact',
    )
    assert.deepEqual(await jsonLines<MessageLine>(v.home, ['messages']), [], 'nothing shown')
    // The stranger's PeerId names no one: not the impostor named like it.
    for (const args of [
      ['send', s.peerId, 'x'],
      ['verify', s.peerId],
    ]) {
      const r = await run(v.home, [...args, '--json'])
      assert.notEqual(r.code, 0, args.join(' '))
      assert.match(r.stderr, /ContactNotFound/)
    }
    // No receipt: the stranger's message is never delivered while it waits (generous wait).
    await sleep(NO_RECEIPT_MS)
    const mine = await jsonLines<MessageLine>(s.home, ['messages'])
    assert.equal(mine.find((m) => m.id === sent.id)?.status !== 'delivered', true)
    const st = await json<Status>(v.home, ['status'])
    assert.ok((st.metrics.requests?.held ?? 0) >= 1)

    assert.deepEqual(await json(v.home, ['requests', 'accept', s.peerId, '--name', 'sam']), {
      peerId: s.peerId,
      accepted: true,
    })
    const shown = await jsonLines<MessageLine>(v.home, ['messages', 'sam'])
    assert.deepEqual(
      shown.map((m) => m.text),
      ['hello, stranger here'],
    )
    await until('the stranger sees its message delivered', async () => {
      const ms = await jsonLines<MessageLine>(s.home, ['messages'])
      return ms.find((m) => m.id === sent.id)?.status === 'delivered' ? true : undefined
    })
    assert.deepEqual(await json<RequestLine[]>(v.home, ['requests']), [])
    // Now the PeerId resolves to the real peer.
    const sn = await json<{ contact: string }>(v.home, ['verify', s.peerId])
    assert.equal(sn.contact, 'sam')
  })

  void it('a blocked contact’s messages are dropped and counted; unblock lets them through', async () => {
    assert.deepEqual(await json(v.home, ['contacts', 'block', 'sam']), {
      peerId: s.peerId,
      blocked: true,
    })
    await json(s.home, ['send', 'vic', 'while blocked'])
    await until('frames from the blocked peer are dropped', async () => {
      const st = await json<Status>(v.home, ['status'])
      return (st.metrics.requests?.blockedFrames ?? 0) > 0 ? true : undefined
    })
    const texts = (await jsonLines<MessageLine>(v.home, ['messages'])).map((m) => m.text)
    assert.ok(!texts.includes('while blocked'))
    const listed = await json<ContactLine[]>(v.home, ['contacts', 'list'])
    assert.equal(listed.find((c) => c.peerId === s.peerId)?.blocked, true)
    await json(v.home, ['contacts', 'unblock', s.peerId])
    await until(
      'the retried message arrives after unblock',
      async () => {
        const ms = await jsonLines<MessageLine>(v.home, ['messages', 'sam'])
        return ms.some((m) => m.text === 'while blocked') ? true : undefined
      },
      60_000,
    )
  })
})
