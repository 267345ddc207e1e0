// Issue 11 findings 5 and 9 against a mailbox node (in-process, loopback): a deposit that is no
// Kith envelope, and a deposit "for oneself", are refused with typed errors and counted; Sybil
// depositors from one network prefix cannot fill a recipient's quota, and a depositor from another
// prefix (a raw libp2p node dialling from 127.1.0.2, another /24) is still accepted.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp, type TCPSocketOptions } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { encodeEnvelope, encodeRatchetMessage } from '../../src/core/wire/codec.js'
import { EnvelopeType } from '../../src/core/wire/pb/wire.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import { mailbox, type MailboxProtocol } from '../../src/node/mailbox/index.js'
import { networkPrefix } from '../../src/node/connectivity/net-prefix.js'
import { MAILBOX_HOLDINGS } from '../../src/node/mailbox/limits.js'
import type { MailboxQuotas } from '../../src/node/mailbox/types.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { tempHome } from '../store/helpers.js'
import { LOOPBACK, startNode, stopAll } from './helpers.js'
import { fakeEnvelope } from './mailbox-envelopes.js'

/** Small quotas so the tests reach each at MAX and MAX+1 quickly. */
const QUOTAS: Partial<MailboxQuotas> = {
  depositorCount: 4,
  prefixCount: 6,
  recipientCount: 100,
}

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let m: Libp2pKithNode
const extra: Libp2pKithNode[] = []
let raw: Libp2p<{ mailbox: MailboxProtocol }> | undefined
const recipient = IdentityKeyPair.generate(nodeCrypto, nodeRng).peerId

const M = () => m.peerId
const addrs = () => m.addrs()
const refused = () => m.metrics().mailbox!.refused
const refusedQuota = () => m.metrics().mailbox!.refusedQuota

before(async () => {
  t = tempHome()
  const id = IdentityKeyPair.generate(nodeCrypto, nodeRng)
  store = createNodeStore(t.home, id, 'mailbox')
  const seed = id.exportSeed()
  // A mailbox for anyone (as `kith relay`), with small quotas.
  m = await createKithNode({
    identitySeed: seed,
    listen: [LOOPBACK],
    bootstrap: [],
    mdns: false,
    mailbox: {
      holdings: store.mailboxHoldings(MAILBOX_HOLDINGS, { quotas: QUOTAS }),
      policy: () => true,
    },
  })
  await m.start()
})
after(async () => {
  await raw?.stop()
  await stopAll(m, ...extra)
  store.close()
  t.cleanup()
})

async function depositor(): Promise<Libp2pKithNode> {
  const n = await startNode()
  extra.push(n)
  return n
}

async function refusal(p: Promise<unknown>): Promise<Error & { quota?: string }> {
  try {
    await p
  } catch (err) {
    return err as Error & { quota?: string }
  }
  assert.fail('the deposit was accepted')
}

describe('mailbox abuse: what a mailbox stores', { timeout: 120_000 }, () => {
  it('refuses 300 random bytes and an unpadded envelope (MailboxEnvelopeError, counted); holds nothing', async () => {
    const d = await depositor()
    const before = store.mailboxHoldings(MAILBOX_HOLDINGS).usage().items
    const junk = await refusal(d.mailboxDeposit(M(), recipient, randomBytes(300), addrs()))
    assert.equal(junk.name, 'MailboxEnvelopeError')
    // Well-formed, but its body is no padding bucket + tag: no Kith client sends that.
    const unpadded = encodeEnvelope(
      EnvelopeType.RATCHET,
      encodeRatchetMessage({ header: randomBytes(68), ciphertext: randomBytes(300) }),
    )
    assert.equal(
      (await refusal(d.mailboxDeposit(M(), recipient, unpadded, addrs()))).name,
      'MailboxEnvelopeError',
    )
    assert.equal(refused().MailboxEnvelopeError, 2)
    assert.equal(store.mailboxHoldings(MAILBOX_HOLDINGS).usage().items, before, 'nothing stored')
    // A real-shaped envelope is taken.
    await d.mailboxDeposit(M(), recipient, fakeEnvelope(), addrs())
    assert.equal(store.mailboxHoldings(MAILBOX_HOLDINGS).usage().items, before + 1)
  })

  it('refuses a deposit a peer makes for itself, even on a mailbox for anyone', async () => {
    const d = await depositor()
    const err = await refusal(d.mailboxDeposit(M(), d.peerId, fakeEnvelope(), addrs()))
    assert.equal(err.name, 'MailboxRefusedError')
    assert.match(err.message, /for itself/)
    assert.equal(refused().MailboxRefusedError, 1)
  })

  it('Sybil depositors of one /24 stop at the prefix quota (MAX+1 refused); another /24 still deposits', async () => {
    // The earlier tests' depositors are on 127.0.0.0/24 too: count what that prefix holds.
    const held = () => store.mailboxHoldings(MAILBOX_HOLDINGS).usage()
    const prefixCount = QUOTAS.prefixCount!
    let accepted = held().items // every item so far came from 127.0.0.1
    const refusals: string[] = []
    for (let s = 0; s < 3; s++) {
      const sybil = await depositor()
      for (let i = 0; i < QUOTAS.depositorCount! + 1; i++) {
        try {
          await sybil.mailboxDeposit(M(), recipient, fakeEnvelope(), addrs())
          accepted++
        } catch (err) {
          refusals.push((err as Error & { quota: string }).quota)
          break
        }
      }
    }
    assert.equal(accepted, prefixCount, 'the /24 holds exactly its quota')
    assert.ok(refusals.includes('prefix-count'), `refused: ${refusals.join(', ')}`)
    assert.ok((refusedQuota()['prefix-count'] ?? 0) >= 1, 'counted by quota')
    assert.ok(held().items < QUOTAS.recipientCount!, 'the recipient’s own quota is not full')

    // An honest depositor on another /24 (127.1.0.0/24): a plain libp2p node dialling from
    // 127.1.0.2 (Linux routes all of 127/8 to lo).
    raw = await createLibp2p({
      privateKey: await generateKeyPairFromSeed('Ed25519', randomBytes(32)),
      addresses: { listen: [] },
      // @libp2p/tcp hands dialOpts to net.connect; its type does not list localAddress.
      transports: [tcp({ dialOpts: { localAddress: '127.1.0.2' } as TCPSocketOptions })],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { mailbox: mailbox() },
    })
    await raw.start()
    await raw.services.mailbox.deposit(
      peerIdFromString(M()),
      recipient,
      fakeEnvelope(),
      addrs().map((a) => multiaddr(a)),
    )
    assert.equal(held().items, prefixCount + 1, 'the other /24’s deposit is held')
    assert.equal(held().prefixes, 2)
  })

  it('networkPrefix: /24, /48, IPv4-mapped, relayed circuits, anything else', () => {
    const p = (a: string) => networkPrefix(multiaddr(a))
    assert.equal(p('/ip4/203.0.113.77/tcp/4001'), 'ip4/203.0.113.0/24')
    assert.equal(p('/ip6/2001:db8:1:2:3::4/tcp/4001'), 'ip6/2001:db8:1::/48')
    assert.equal(p('/ip6/2001:db8:1::/tcp/1'), 'ip6/2001:db8:1::/48')
    assert.equal(p('/ip6/::ffff:198.51.100.9/tcp/1'), 'ip4/198.51.100.0/24')
    const relay = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
    assert.equal(p(`/ip4/198.51.100.1/tcp/4001/p2p/${relay}/p2p-circuit`), `circuit/${relay}`)
    assert.equal(p('/dns4/example.org/tcp/4001'), 'other')
    assert.equal(networkPrefix(undefined), 'other')
  })
})
