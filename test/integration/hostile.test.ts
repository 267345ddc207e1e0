// Hostile frames on /kith/dm against a real daemon: random bytes, a length prefix over the limit,
// a valid frame with one flipped bit, a replayed frame. Each closes the stream and is counted;
// the daemon stays up, nothing stored changes, and the next honest message still arrives.
// The attacker is this test process: a real libp2p node with a real PQXDH session to the daemon.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { encode as varint } from 'uint8-varint'
import { peerIdFromString } from '@libp2p/peer-id'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { IdentityKeyPair, peerIdBytesFromPublicKey } from '../../src/core/identity/identity.js'
import { MemoryProtocolStore } from '../../src/core/store/memory.js'
import { SessionCipher } from '../../src/core/session/cipher.js'
import { decodeInviteLink } from '../../src/core/wire/invite.js'
import { encodeChatContent } from '../../src/core/wire/content.js'
import { MAX_ENVELOPE_BYTES } from '../../src/core/wire/limits.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import { DM_PROTOCOL } from '../../src/node/dm/index.js'
import { api, json, startDaemon, stopAll, until, type Daemon, type MessageLine } from './harness.js'

const homes: string[] = []
let attacker: Libp2pKithNode | undefined
after(async () => {
  await attacker?.stop()
  stopAll(homes)
})

interface Status {
  metrics: { dmRejected: Record<string, number> }
}
const rejected = async (d: Daemon) =>
  Object.values((await api<Status>(d, 'GET', '/v1/status')).metrics.dmRejected).reduce(
    (a, b) => a + b,
    0,
  )

describe('hostile frames on /kith/dm', { timeout: 120_000 }, () => {
  it('closes the stream, counts it, changes nothing, and honest messages still arrive', async () => {
    const bob = await startDaemon('bob')
    homes.push(bob.home)
    const ctx = { crypto: nodeCrypto, rng: nodeRng, clock: () => Date.now() }
    const identity = IdentityKeyPair.generate(nodeCrypto, nodeRng)
    const cipher = new SessionCipher(ctx, new MemoryProtocolStore(identity))
    const invite = decodeInviteLink(
      (await json<{ link: string }>(bob.home, ['invite', '--full'])).link,
    )
    cipher.initiate(bob.peerId, invite.bundle!)
    attacker = await createKithNode({
      identitySeed: identity.exportSeed(),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
    })
    await attacker.start()
    let seq = 0n
    const frame = (text: string) =>
      cipher.encrypt(
        bob.peerId,
        encodeChatContent({
          messageId: nodeRng(16),
          sender: peerIdBytesFromPublicKey(identity.publicKey),
          seq: ++seq,
          sentAt: BigInt(Date.now()),
          conversation: new Uint8Array(0),
          // It came through bob's invite: it proves the secret (else it would be a request).
          inviteProof: invite.secret,
          text: { text },
        }),
      )
    const first = frame('honest 1')
    await attacker.sendDm(bob.peerId, [first], invite.addrs)
    await until(
      'bob stored the first message',
      async () => (await api<MessageLine[]>(bob, 'GET', '/v1/messages')).length === 1,
    )
    const stored = await api<MessageLine[]>(bob, 'GET', '/v1/messages')
    const contacts = await api<unknown[]>(bob, 'GET', '/v1/contacts')

    const second = frame('honest 2')
    const flipped = second.slice()
    flipped[Math.floor(flipped.length / 2)]! ^= 0x10
    const lp = (b: Uint8Array) => {
      const out = new Uint8Array(varint(b.length).length + b.length)
      out.set(varint(b.length))
      out.set(b, varint(b.length).length)
      return out
    }
    const cases: [string, Uint8Array][] = [
      ['random bytes', lp(nodeRng(200))],
      ['length prefix over the limit', varint(MAX_ENVELOPE_BYTES + 1)],
      ['valid frame with one flipped bit', lp(flipped)],
      ['replayed frame', lp(first)],
    ]
    let count = await rejected(bob)
    for (const [what, bytes] of cases) {
      const stream = await attacker.libp2p.dialProtocol(peerIdFromString(bob.peerId), DM_PROTOCOL)
      stream.send(bytes)
      await until(
        `${what}: stream closed by bob`,
        () => Promise.resolve(stream.status !== 'open' || stream.remoteWriteStatus === 'closed'),
        10_000,
        20,
      )
      const now = await until(`${what}: counted`, async () => {
        const n = await rejected(bob)
        return n > count ? n : undefined
      })
      count = now
      // Bob is up and nothing stored changed.
      assert.deepEqual(await api<MessageLine[]>(bob, 'GET', '/v1/messages'), stored, what)
      assert.deepEqual(await api<unknown[]>(bob, 'GET', '/v1/contacts'), contacts, what)
    }
    // The honest second message (whose flipped copy was refused) still decrypts and arrives.
    await attacker.sendDm(bob.peerId, [second], invite.addrs)
    const after2 = await until('bob stored the second message', async () => {
      const ms = await api<MessageLine[]>(bob, 'GET', '/v1/messages')
      return ms.length === 2 ? ms : undefined
    })
    assert.deepEqual(
      after2.map((m) => m.text),
      ['honest 1', 'honest 2'],
    )
  })
})
