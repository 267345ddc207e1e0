// A stranger against a real `kith relay`: flooding one recipient's mailbox is cut off at the
// per-depositor quota while the recipient's contacts still deposit (and the message arrives);
// the stranger's own fetch releases nothing of the recipient's; the relay's holdings stay bounded.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/libp2p.js'
import {
  MAILBOX_QUOTA_PER_DEPOSITOR_COUNT,
  MAILBOX_QUOTA_PER_RECIPIENT_BYTES,
} from '../../src/node/mailbox/limits.js'
import { api, json, startDaemon, stopAll, stopDaemon, until, type MessageLine } from './harness.js'

const homes: string[] = []
let stranger: Libp2pKithNode | undefined
after(async () => {
  await stranger?.stop()
  stopAll(homes)
})

interface RelayStatus {
  metrics: { mailbox?: { usage?: { items: number; bytes: number } } }
}

describe('mailbox abuse against a kith relay', { timeout: 240_000 }, () => {
  it('a flood is cut off at the quota; contacts still get through; a stranger fetches nothing', async () => {
    const r = await startDaemon('relay', undefined, undefined, [], 'relay')
    homes.push(r.home)
    const boot = ['--bootstrap', `/ip4/127.0.0.1/tcp/${r.port}/p2p/${r.peerId}`]
    const a = await startDaemon('alice', undefined, undefined, boot)
    const b = await startDaemon('bob', undefined, undefined, boot)
    homes.push(a.home, b.home)
    const { link } = await json<{ link: string }>(b.home, ['invite'])
    await json(a.home, ['contacts', 'add', link, '--name', 'bob'])
    await json(a.home, ['send', 'bob', 'hello', '--wait'])
    await until('alice knows bob’s mailbox', async () => {
      const [bob] = await json<{ mailboxes: string[] }[]>(a.home, ['contacts', 'list'])
      return bob?.mailboxes.includes(r.peerId) === true ? true : undefined
    })
    await stopDaemon(b)

    const identity = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    stranger = await createKithNode({
      identitySeed: identity.exportSeed(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
    })
    await stranger.start()
    const relayAddr = [`/ip4/127.0.0.1/tcp/${r.port}/p2p/${r.peerId}`]
    let accepted = 0
    let refusal: Error | undefined
    for (let i = 0; i < MAILBOX_QUOTA_PER_DEPOSITOR_COUNT + 10 && refusal === undefined; i++) {
      try {
        await stranger.mailboxDeposit(r.peerId, b.peerId, nodeRng(600), relayAddr)
        accepted++
      } catch (err) {
        refusal = err as Error
      }
    }
    assert.equal(refusal?.name, 'MailboxQuotaError', `refused with ${refusal?.name}`)
    assert.equal(
      accepted,
      MAILBOX_QUOTA_PER_DEPOSITOR_COUNT,
      'cut off exactly at the per-depositor quota',
    )
    const usage = (await api<RelayStatus>(r, 'GET', '/v1/status')).metrics.mailbox?.usage
    assert.ok(
      usage !== undefined && usage.bytes <= MAILBOX_QUOTA_PER_RECIPIENT_BYTES,
      'holdings bounded',
    )

    // Alice, a contact, still deposits for Bob.
    const id = (await json<{ id: string }>(a.home, ['send', 'bob', 'through the flood'])).id
    await until('alice’s message held by the relay', async () => {
      const ms = await api<MessageLine[]>(a, 'GET', '/v1/messages?contact=bob')
      return ms.find((m) => m.id === id)?.status === 'sent'
    })
    // The stranger's fetch is its own: nothing of Bob's is released to it.
    const got = await stranger.mailboxFetch(
      r.peerId,
      (c) => identity.sign(nodeCrypto, c),
      relayAddr,
    )
    assert.deepEqual(got, [])

    const b2 = await startDaemon('bob', b.home, b.port, boot)
    await until(
      'bob got alice’s message despite the flood',
      async () => {
        const ms = await api<MessageLine[]>(b2, 'GET', '/v1/messages')
        return ms.some((m) => m.text === 'through the flood')
      },
      120_000,
    )
  })
})
