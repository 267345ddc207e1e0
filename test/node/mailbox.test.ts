// /kith/mailbox between real nodes on 127.0.0.1: a mailbox M (SQLite holdings in a temp store,
// small quotas), depositor A, recipient B, and C who is not B. A deposits for B; B fetches after
// a signed challenge and confirms on the same authenticated stream; C gets MailboxAuthError and
// nothing; a stranger flooding B is cut off by the per-depositor quota while A still gets
// through; policy refusals; paging; expiry; malformed and oversized requests reset the stream
// and are counted; a hostile mailbox's oversized answer is refused; holdings survive M's restart.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { MalformedMessageError, MessageTooLargeError } from '../../src/core/errors.js'
import { encodeFrames, FrameReader } from '../../src/node/stream/frames.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  peerIdBytes,
} from '../../src/node/mailbox/codec.js'
import {
  MAILBOX_BATCH_MAX_ITEMS,
  MAILBOX_PROTOCOL,
  MAX_MAILBOX_CONFIRM_IDS,
  MAX_MAILBOX_ENVELOPE_BYTES,
  MAX_MAILBOX_REQUEST_BYTES,
  MAX_MAILBOX_RESPONSE_BYTES,
  MAILBOX_HOLDINGS,
} from '../../src/node/mailbox/limits.js'
import type { MailboxSign } from '../../src/node/mailbox/types.js'
import { nodeCrypto } from '../../src/platform/node-crypto.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/index.js'
import { newIdentity, tempHome } from '../store/helpers.js'
import { LOOPBACK, stopAll, waitFor, leb } from './helpers.js'
import type { KithNodeOptions } from '../../src/node/libp2p/options.js'
import type { Stream } from '@libp2p/interface'
import { fakeEnvelope } from './mailbox-envelopes.js'
import { sleep } from '../helpers/wait.js'

/** Past the mailbox's sessionIdleMs (300 in these tests): the sleep is the point (what happens
 *  once an authenticated session idled out). */
const PAST_SESSION_IDLE_MS = 500

const QUOTAS = { depositorCount: 5, recipientCount: 8 }

interface Peer {
  node: Libp2pKithNode
  seed: Uint8Array
  sign: MailboxSign
  signs: number
}

async function start(
  opts: Partial<KithNodeOptions> & { seed?: Uint8Array; now?: () => number } = {},
): Promise<Peer> {
  const seed = opts.seed ?? randomBytes(32)
  const node = await createKithNode(
    {
      identitySeed: seed,
      listen: opts.listen ?? [LOOPBACK],
      bootstrap: [],
      mdns: false,
      ...(opts.mailbox !== undefined ? { mailbox: opts.mailbox } : {}),
    },
    { mailbox: { sessionIdleMs: 300, ...(opts.now !== undefined ? { now: opts.now } : {}) } },
  )
  await node.start()
  const identity = IdentityKeyPair.fromSeed(seed, nodeCrypto)
  const peer: Peer = {
    node,
    seed,
    signs: 0,
    sign: (challenge) => {
      peer.signs++
      return identity.sign(nodeCrypto, challenge)
    },
  }
  return peer
}

/** A distinct envelope the mailbox accepts (well-formed, random), at most `n` bytes if it can. */
const env = (n = 400): Uint8Array => fakeEnvelope(n)

const rejected = (m: Libp2pKithNode): Record<string, number> => m.metrics().mailbox!.rejected
const ended = (s: Stream): boolean => s.status !== 'open'

describe('mailbox protocol', () => {
  let home: { home: string; cleanup: () => void }
  let store: SqliteNodeStore
  let clock = Date.now()
  let m: Peer
  let a: Peer
  let b: Peer
  let c: Peer
  let mSeed: Uint8Array

  before(async () => {
    home = tempHome()
    const identity = newIdentity()
    store = createNodeStore(home.home, identity, 'mailbox')
    mSeed = identity.exportSeed()
    m = await start({
      seed: mSeed,
      mailbox: {
        holdings: store.mailboxHoldings(MAILBOX_HOLDINGS, { quotas: QUOTAS, ttlMs: 60_000 }),
      },
      now: () => clock,
    })
    m.node.setMailboxPolicy(() => true)
    ;[a, b, c] = await Promise.all([start(), start(), start()])
  })
  after(async () => {
    await stopAll(m.node, a.node, b.node, c.node)
    store.close()
    home.cleanup()
  })

  const M = () => m.node.peerId
  const addrs = () => m.node.addrs()

  it('A deposits for B; B fetches after a correct challenge, confirms on the same stream', async () => {
    const e1 = env(300)
    const e2 = env(MAX_MAILBOX_ENVELOPE_BYTES)
    await a.node.mailboxDeposit(M(), b.node.peerId, e1, addrs())
    await a.node.mailboxDeposit(M(), b.node.peerId, e2, addrs())
    assert.equal(a.node.metrics().mailbox!.depositsOut, 2)
    assert.equal(m.node.metrics().mailbox!.depositsIn, 2)

    const items = await b.node.mailboxFetch(M(), b.sign, addrs())
    assert.equal(b.signs, 1)
    assert.deepEqual(
      items.map((i) => i.envelope),
      [e1, e2],
    )
    assert.deepEqual(await b.node.mailboxFetch(M(), b.sign), [], 'nothing after the cursor')
    const deleted = await b.node.mailboxConfirm(
      M(),
      items.map((i) => i.id),
      b.sign,
    )
    assert.equal(deleted, 2)
    assert.equal(b.signs, 1, 'confirm reused the authenticated stream')
    const usage = await m.node.mailboxUsage()
    assert.equal(usage?.items, 0)
    assert.equal(m.node.metrics().mailbox!.confirmed, 2)
    assert.equal(m.node.metrics().mailbox!.usage?.items, 0)
  })

  it('a confirm after the session idled out signs a new challenge', async () => {
    await a.node.mailboxDeposit(M(), b.node.peerId, env(), addrs())
    const items = await b.node.mailboxFetch(M(), b.sign, addrs())
    assert.equal(items.length, 1)
    const signs = b.signs
    await sleep(PAST_SESSION_IDLE_MS) // the fetch's session idled out
    assert.equal(await b.node.mailboxConfirm(M(), [items[0]!.id], b.sign, addrs()), 1)
    assert.equal(b.signs, signs + 1)
    assert.equal(await b.node.mailboxConfirm(M(), [items[0]!.id], b.sign, addrs()), 0, 'gone')
  })

  it('C (not B) gets MailboxAuthError and nothing of B’s', async () => {
    const e = env()
    await a.node.mailboxDeposit(M(), b.node.peerId, e, addrs())
    // C fetching its own mail sees none of B's.
    assert.deepEqual(await c.node.mailboxFetch(M(), c.sign, addrs()), [])
    // C signing with a key that is not its own.
    const other = IdentityKeyPair.generate(nodeCrypto, (n) => new Uint8Array(randomBytes(n)))
    const before = rejected(m.node).MailboxAuthError ?? 0
    await assert.rejects(
      new Libp2pKithNodeProbe(c.node).fetchFresh(M(), (msg) => other.sign(nodeCrypto, msg)),
      (err: Error) => err.name === 'MailboxAuthError',
    )
    // C naming B as the recipient on a raw stream: refused before any challenge.
    const s = await c.node.libp2p.dialProtocol(m.node.libp2p.getMultiaddrs(), MAILBOX_PROTOCOL)
    s.send(
      encodeFrames([
        encodeRequest({
          fetch: { recipient: peerIdBytes('b', b.node.peerId) as Uint8Array<ArrayBuffer> },
        }),
      ]),
    )
    const reader = new FrameReader(s, MAX_MAILBOX_RESPONSE_BYTES)
    const res = decodeResponse((await reader.next())!)
    assert.equal(res.failure?.error, 'MailboxAuthError')
    assert.equal(res.challenge, undefined)
    assert.equal(await reader.next(), null, 'the mailbox closed the stream')
    assert.equal(rejected(m.node).MailboxAuthError, before + 2)
    // B's envelope is still there, for B.
    const items = await b.node.mailboxFetch(M(), b.sign, addrs())
    assert.deepEqual(
      items.map((i) => i.envelope),
      [e],
    )
    // C cannot delete it either: confirm names only C's own items.
    assert.equal(await c.node.mailboxConfirm(M(), [items[0]!.id], c.sign, addrs()), 0)
    assert.equal(await b.node.mailboxConfirm(M(), [items[0]!.id], b.sign, addrs()), 1)
  })

  it('a stranger flooding B is cut off (depositor quota) while A still deposits', async () => {
    const stranger = await start()
    try {
      let accepted = 0
      let refusal: Error | undefined
      for (let i = 0; i < 20 && refusal === undefined; i++) {
        try {
          await stranger.node.mailboxDeposit(M(), b.node.peerId, env(), addrs())
          accepted++
        } catch (err) {
          refusal = err as Error
        }
      }
      assert.equal(accepted, QUOTAS.depositorCount)
      assert.equal(refusal?.name, 'MailboxQuotaError')
      assert.equal((refusal as Error & { quota: string }).quota, 'depositor-count')
      await a.node.mailboxDeposit(M(), b.node.peerId, env(), addrs())
      await a.node.mailboxDeposit(M(), b.node.peerId, env(), addrs())
      await a.node.mailboxDeposit(M(), b.node.peerId, env(), addrs()) // 8 = recipientCount
      await assert.rejects(
        a.node.mailboxDeposit(M(), b.node.peerId, env(), addrs()),
        (err: Error & { quota?: string }) =>
          err.name === 'MailboxQuotaError' && err.quota === 'recipient-count',
      )
      assert.equal(m.node.metrics().mailbox!.refused.MailboxQuotaError, 2)
    } finally {
      await stranger.node.stop()
    }
    // B drains it in pages and confirms.
    let total = 0
    for (;;) {
      const items = await b.node.mailboxFetch(M(), b.sign, addrs())
      if (items.length === 0) break
      total += items.length
      await b.node.mailboxConfirm(
        M(),
        items.map((i) => i.id),
        b.sign,
      )
    }
    assert.equal(total, 8)
    assert.equal((await m.node.mailboxUsage())?.items, 0)
  })

  it('concurrent deposits; pages of MAILBOX_BATCH_MAX_ITEMS; a confirm of MAX_MAILBOX_CONFIRM_IDS+1 ids', async () => {
    const big = await start({
      mailbox: { holdings: store.mailboxHoldings(MAILBOX_HOLDINGS), policy: () => true },
    })
    try {
      const n = MAILBOX_BATCH_MAX_ITEMS + 5
      // All at once: deposits to one mailbox are queued, never more streams than it allows.
      const sent = Array.from({ length: n }, () => env(10))
      await Promise.all(
        sent.map((e) => a.node.mailboxDeposit(big.node.peerId, b.node.peerId, e, big.node.addrs())),
      )
      const first = await b.node.mailboxFetch(big.node.peerId, b.sign, big.node.addrs())
      const second = await b.node.mailboxFetch(big.node.peerId, b.sign)
      assert.equal(first.length, MAILBOX_BATCH_MAX_ITEMS)
      assert.equal(second.length, 5)
      assert.deepEqual(
        new Set([...first, ...second].map((i) => Buffer.from(i.envelope).toString('hex'))),
        new Set(sent.map((e) => Buffer.from(e).toString('hex'))),
      )
      const ids = [...first, ...second].map((i) => i.id)
      const extra = Array.from({ length: MAX_MAILBOX_CONFIRM_IDS + 1 - ids.length }, (_, i) =>
        String(10_000_000 + i),
      )
      assert.equal(await b.node.mailboxConfirm(big.node.peerId, [...ids, ...extra], b.sign), n)
      await assert.rejects(b.node.mailboxConfirm(big.node.peerId, ['x'], b.sign), TypeError)
    } finally {
      await big.node.stop()
    }
  })

  it('policy: refused by default and when the policy says no; no mailbox at all; unreachable', async () => {
    m.node.setMailboxPolicy(
      (recipient, depositor) => recipient === b.node.peerId && depositor === a.node.peerId,
    )
    try {
      await assert.rejects(
        c.node.mailboxDeposit(M(), b.node.peerId, env(), addrs()),
        (err: Error) => err.name === 'MailboxRefusedError',
      )
      await assert.rejects(
        a.node.mailboxDeposit(M(), c.node.peerId, env(), addrs()),
        (err: Error) => err.name === 'MailboxRefusedError',
      )
      await assert.rejects(
        a.node.mailboxDeposit(M(), M(), env(), addrs()),
        (err: Error) => err.name === 'MailboxRefusedError',
        'no mail for the mailbox itself',
      )
    } finally {
      m.node.setMailboxPolicy(() => true)
    }
    const plain = await start({ mailbox: { holdings: store.mailboxHoldings(MAILBOX_HOLDINGS) } }) // default policy
    try {
      await assert.rejects(
        a.node.mailboxDeposit(plain.node.peerId, b.node.peerId, env(), plain.node.addrs()),
        (err: Error) => err.name === 'MailboxRefusedError',
      )
    } finally {
      await plain.node.stop()
    }
    // C is no mailbox: it does not speak /kith/mailbox.
    await assert.rejects(
      a.node.mailboxDeposit(c.node.peerId, b.node.peerId, env(), c.node.addrs()),
      (err: Error) => err.name === 'MailboxRefusedError',
    )
    const nobody = IdentityKeyPair.generate(
      nodeCrypto,
      (n) => new Uint8Array(randomBytes(n)),
    ).peerId
    await assert.rejects(
      a.node.mailboxDeposit(nobody, b.node.peerId, env(), ['/ip4/127.0.0.1/tcp/1']),
      (err: Error) => err.name === 'PeerUnreachableError',
    )
    await assert.rejects(a.node.mailboxDeposit(M(), 'not-a-peer', env()), TypeError)
    await assert.rejects(a.node.mailboxDeposit(M(), b.node.peerId, new Uint8Array(0)), RangeError)
    await assert.rejects(
      a.node.mailboxDeposit(M(), b.node.peerId, new Uint8Array(MAX_MAILBOX_ENVELOPE_BYTES + 1)),
      (err: Error) => err.name === 'MessageTooLargeError',
    )
  })

  it('a mailbox deposit to oneself is held locally, under the policy', async () => {
    await m.node.mailboxDeposit(M(), b.node.peerId, env(50))
    const items = await b.node.mailboxFetch(M(), b.sign, addrs())
    assert.equal(items.length, 1)
    assert.equal(await b.node.mailboxConfirm(M(), [items[0]!.id], b.sign), 1)
    await assert.rejects(
      a.node.mailboxDeposit(a.node.peerId, b.node.peerId, env()),
      (err: Error) => err.name === 'MailboxRefusedError',
    )
  })

  it('expired envelopes are swept and never released', async () => {
    await a.node.mailboxDeposit(M(), b.node.peerId, env(), addrs())
    clock += 60_000 // the holdings' ttlMs
    assert.deepEqual(await b.node.mailboxFetch(M(), b.sign, addrs()), [])
    const svc = m.node.libp2p.services.mailbox
    assert.equal(await svc.sweep(), 1)
    assert.equal(m.node.metrics().mailbox!.expired, 1)
    assert.equal((await m.node.mailboxUsage())?.items, 0)
  })

  describe('hostile requests', () => {
    const raw = (): Promise<Stream> =>
      c.node.libp2p.dialProtocol(m.node.libp2p.getMultiaddrs(), MAILBOX_PROTOCOL)

    it('decoders refuse MAX+1 and accept MAX', () => {
      assert.throws(
        () => decodeRequest(new Uint8Array(MAX_MAILBOX_REQUEST_BYTES + 1)),
        MessageTooLargeError,
      )
      assert.throws(
        () => decodeResponse(new Uint8Array(MAX_MAILBOX_RESPONSE_BYTES + 1)),
        MessageTooLargeError,
      )
      const recipient = peerIdBytes('b', b.node.peerId) as Uint8Array<ArrayBuffer>
      const atMax = encodeRequest({
        deposit: { recipient, envelope: new Uint8Array(MAX_MAILBOX_ENVELOPE_BYTES) },
      })
      assert.ok(atMax.length <= MAX_MAILBOX_REQUEST_BYTES)
      assert.equal(decodeRequest(atMax).deposit?.envelope.length, MAX_MAILBOX_ENVELOPE_BYTES)
      const over = encodeRequest({
        deposit: { recipient, envelope: new Uint8Array(MAX_MAILBOX_ENVELOPE_BYTES + 1) },
      })
      assert.ok(over.length <= MAX_MAILBOX_REQUEST_BYTES, 'the frame fits, the envelope does not')
      assert.throws(() => decodeRequest(over), MessageTooLargeError)
      const ids = Array.from({ length: MAX_MAILBOX_CONFIRM_IDS + 1 }, (_, i) => BigInt(i + 1))
      assert.throws(
        () => decodeRequest(encodeRequest({ pull: { confirm: ids, more: false } })),
        MalformedMessageError,
      )
      assert.ok(decodeRequest(encodeRequest({ pull: { confirm: ids.slice(1), more: false } })).pull)
    })

    it('each bad stream is reset and counted; the mailbox stays up', async () => {
      const before = { ...rejected(m.node) }
      const recipient = peerIdBytes('b', b.node.peerId) as Uint8Array<ArrayBuffer>
      const cases: Array<[string, Uint8Array]> = [
        ['MessageTooLargeError', leb(MAX_MAILBOX_REQUEST_BYTES + 1)],
        [
          'MessageTooLargeError',
          encodeFrames(
            [
              encodeRequest({
                deposit: { recipient, envelope: new Uint8Array(MAX_MAILBOX_ENVELOPE_BYTES + 1) },
              }),
            ],
            MAX_MAILBOX_REQUEST_BYTES,
          ),
        ],
        ['MalformedMessageError', encodeFrames([Uint8Array.of(0xff, 0xff, 0xff)])],
        [
          'MalformedMessageError',
          encodeFrames([encodeRequest({ pull: { confirm: [1n], more: true } })]),
        ],
        [
          'MalformedMessageError',
          encodeFrames([encodeRequest({ auth: { signature: new Uint8Array(64) } })]),
        ],
        ['MalformedMessageError', encodeFrames([Uint8Array.of(0x0a, 0x00, 0x12, 0x00)])], // two fields
        [
          'MalformedMessageError',
          encodeFrames([
            encodeRequest({
              deposit: {
                recipient: new Uint8Array(38),
                envelope: new Uint8Array(1),
              },
            }),
          ]),
        ],
        ['MalformedMessageError', Uint8Array.of(0)], // empty frame
      ]
      const expected: Record<string, number> = {}
      for (const [name, bytes] of cases) {
        const s = await raw()
        s.send(bytes)
        await waitFor(() => ended(s), 5_000, `${name} stream reset`)
        assert.equal(s.status, 'reset', name)
        expected[name] = (expected[name] ?? 0) + 1
      }
      for (const [name, n] of Object.entries(expected)) {
        assert.equal(rejected(m.node)[name], (before[name] ?? 0) + n, name)
      }
      assert.equal((await m.node.mailboxUsage())?.items, 0, 'no state changed')
      await a.node.mailboxDeposit(M(), b.node.peerId, env(), addrs())
      const items = await b.node.mailboxFetch(M(), b.sign, addrs())
      assert.equal(items.length, 1)
      await b.node.mailboxConfirm(M(), [items[0]!.id], b.sign)
    })

    it('a mailbox answering a frame over MAX_MAILBOX_RESPONSE_BYTES: MailboxProtocolError', async () => {
      const evil = await start()
      try {
        await evil.node.libp2p.handle(MAILBOX_PROTOCOL, (stream) => {
          stream.send(leb(MAX_MAILBOX_RESPONSE_BYTES + 1))
        })
        await assert.rejects(
          a.node.mailboxDeposit(evil.node.peerId, b.node.peerId, env(), evil.node.addrs()),
          (err: Error) => err.name === 'MailboxProtocolError',
        )
      } finally {
        await evil.node.stop()
      }
    })
  })

  it('holdings survive the mailbox’s restart (same identity, same store)', async () => {
    const e = env(777)
    await a.node.mailboxDeposit(M(), b.node.peerId, e, addrs())
    await m.node.stop()
    store.close()
    store = openNodeStore(home.home)
    m = await start({
      seed: mSeed,
      mailbox: {
        holdings: store.mailboxHoldings(MAILBOX_HOLDINGS, { quotas: QUOTAS, ttlMs: 60_000 }),
        policy: () => true,
      },
      now: () => clock,
    })
    assert.equal(m.node.peerId, M())
    const items = await b.node.mailboxFetch(M(), b.sign, m.node.addrs())
    assert.deepEqual(
      items.map((i) => i.envelope),
      [e],
    )
    assert.equal(await b.node.mailboxConfirm(M(), [items[0]!.id], b.sign), 1)
  })
})

/** Fetches through a node's mailbox service on a fresh session (ignores any open one). */
class Libp2pKithNodeProbe {
  constructor(readonly node: Libp2pKithNode) {}
  async fetchFresh(mailbox: string, sign: MailboxSign) {
    // Wait for any session of an earlier call to idle out (sessionIdleMs 300 in these tests).
    await sleep(PAST_SESSION_IDLE_MS)
    return this.node.mailboxFetch(mailbox, sign, [])
  }
}
