// /kith/filebox/1.0.0 between in-process nodes on 127.0.0.1 (node/file/box.ts): a depositor's
// chunks are held on disk and fetched by the recipient; hostile peers get nothing and are
// counted — a deposit the mailbox policy refuses (recipient not ours, or depositing for itself),
// a second depositor for the same file, deposits over the per-recipient, per-depositor and total
// quotas, a fetch by anyone but the recipient, a request length prefix of MAX+1 and a stalled
// partial frame. The store (box-store.ts) survives a restart and expires after its hold time.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageTooLargeError } from '../../src/core/errors.js'
import { MAX_SEALED_CHUNK_BYTES } from '../../src/core/file/limits.js'
import {
  decodeBoxRequest,
  encodeDeposit,
  FILEBOX_PROTOCOL,
  MAX_FILEBOX_REQUEST_BYTES,
} from '../../src/node/file/box-codec.js'
import { FileBoxStore } from '../../src/node/file/box-store.js'
import {
  FileBoxNotAllowedError,
  FileBoxQuotaError,
  FileBoxRefusedError,
  FileStreamError,
} from '../../src/node/file/errors.js'
import { createKithNode, type Libp2pKithNode } from '../../src/node/kith-node.js'
import { leb, LOOPBACK, seededBytes, startNode, stopAll, waitFor } from './helpers.js'

const FILE = new Uint8Array(16).fill(7)
const FILE2 = new Uint8Array(16).fill(8)
const CHUNKS = [seededBytes(1, 1000), seededBytes(2, 1000), seededBytes(3, 17)]
const LIMITS = { perRecipientBytes: 3_000, perDepositorBytes: 2_500, totalBytes: 4_000 }
const tmp = mkdtempSync(join(tmpdir(), 'kith-filebox-'))
const rejected = (n: Libp2pKithNode, name: string): number =>
  n.metrics().filebox?.rejected[name] ?? 0

void describe('/kith/filebox', () => {
  let box: Libp2pKithNode // the mailbox: holds for its contact bob only
  let alice: Libp2pKithNode // depositor
  let bob: Libp2pKithNode // recipient
  let eve: Libp2pKithNode // stranger
  let carol: Libp2pKithNode // another recipient box holds for
  const tuning = { filebox: { requestIdleMs: 400, chunkStallMs: 2_000, limits: LIMITS } }

  before(async () => {
    box = await createKithNode(
      {
        identitySeed: randomBytes(32),
        listen: [LOOPBACK],
        bootstrap: [],
        mdns: false,
        filebox: { dir: join(tmp, 'box') },
      },
      tuning,
    )
    await box.start()
    const ns = await Promise.all([0, 1, 2, 3].map(() => startNode({ tuning })))
    ;[alice, bob, eve, carol] = [ns[0]!, ns[1]!, ns[2]!, ns[3]!]
    // The daemon's rule (service/offline/mailboxes.ts): a recipient that is our contact, not by itself.
    const contacts = new Set([bob.peerId, carol.peerId])
    box.setMailboxPolicy(
      (recipient, depositor) => recipient !== depositor && contacts.has(recipient),
    )
  })
  after(async () => {
    await stopAll(box, alice, bob, eve, carol)
    rmSync(tmp, { recursive: true, force: true })
  })

  const chunk = (i: number) => Promise.resolve(CHUNKS[i]!)
  const fetchFrom = async (who: Libp2pKithNode, id = FILE) => {
    const got: number[] = []
    const n = await who.fileboxFetch(
      box.peerId,
      { fileId: id, first: 0, count: 16 },
      (i, d) => {
        assert.deepEqual(d, CHUNKS[i])
        got.push(i)
      },
      box.addrs(),
    )
    return { n, got }
  }

  void it('round trip: alice deposits 3 chunks for bob, bob fetches them in order', async () => {
    await alice.fileboxDeposit(box.peerId, bob.peerId, FILE, 3, chunk, box.addrs())
    assert.equal(box.metrics().filebox?.depositsIn, 3)
    assert.equal(alice.metrics().filebox?.depositsOut, 3)
    assert.deepEqual(box.metrics().filebox?.usage, { bytes: 2017, chunks: 3, files: 1 })
    const { n, got } = await fetchFrom(bob)
    assert.equal(n, 3)
    assert.deepEqual(got, [0, 1, 2])
    assert.equal(box.metrics().filebox?.served, 3)
  })

  void it('nobody but the recipient can fetch: not the depositor, not a stranger', async () => {
    await assert.rejects(fetchFrom(alice), (e: Error) => FileStreamError.is(e))
    await assert.rejects(fetchFrom(eve), (e: Error) => FileStreamError.is(e))
    assert.equal(rejected(box, 'FileBoxNotEntitledError'), 2)
    assert.equal(box.metrics().filebox?.served, 3, 'nothing more served')
  })

  void it('a deposit the policy refuses: for a stranger, or for oneself', async () => {
    const deposit = (from: Libp2pKithNode, to: string) =>
      from.fileboxDeposit(box.peerId, to, FILE2, 1, chunk, box.addrs())
    await assert.rejects(deposit(eve, alice.peerId), (e: Error) => FileBoxNotAllowedError.is(e))
    await assert.rejects(deposit(bob, bob.peerId), (e: Error) => FileBoxNotAllowedError.is(e))
    assert.equal(rejected(box, 'FileBoxNotAllowedError'), 2)
    assert.equal(box.metrics().filebox?.usage.chunks, 3, 'nothing stored')
  })

  void it('a second depositor cannot add to or overwrite a file held for bob', async () => {
    const bad = () => Promise.resolve(seededBytes(99, 1000))
    await assert.rejects(
      eve.fileboxDeposit(box.peerId, bob.peerId, FILE, 1, bad, box.addrs()),
      (e: Error) => FileBoxRefusedError.is(e),
    )
    const { got } = await fetchFrom(bob)
    assert.deepEqual(got, [0, 1, 2], 'the original chunks, unchanged')
  })

  void it('over the per-recipient, per-depositor and total quotas: refused, nothing stored', async () => {
    // bob holds 2,017 of 3,000: a 1,000-byte chunk more is over.
    const big = () => Promise.resolve(seededBytes(5, 1000))
    await assert.rejects(
      eve.fileboxDeposit(box.peerId, bob.peerId, FILE2, 1, big, box.addrs()),
      (e: Error) => FileBoxQuotaError.is(e),
    )
    // alice holds 2,017 of her 2,500: 1,000 bytes more for carol is over her depositor quota.
    await assert.rejects(
      alice.fileboxDeposit(box.peerId, carol.peerId, FILE2, 1, big, box.addrs()),
      (e: Error) => FileBoxQuotaError.is(e),
    )
    // eve: 1,000 for carol fits every quota (3,017 of 4,000 total); 1,000 more is over the total.
    await eve.fileboxDeposit(box.peerId, carol.peerId, FILE2, 1, big, box.addrs())
    const two = (i: number) => Promise.resolve(seededBytes(6 + i, 1000))
    await assert.rejects(
      eve.fileboxDeposit(box.peerId, carol.peerId, FILE2, 2, two, box.addrs()),
      (e: Error) => FileBoxQuotaError.is(e),
    )
    assert.equal(rejected(box, 'FileBoxQuotaError'), 3)
    assert.equal(box.metrics().filebox?.usage.bytes, 3017)
  })

  void it('a request length prefix of MAX+1 resets the stream unread; MAX decodes', async () => {
    const st = await eve.libp2p.dialProtocol(box.libp2p.getMultiaddrs(), FILEBOX_PROTOCOL)
    st.send(leb(MAX_FILEBOX_REQUEST_BYTES + 1))
    await waitFor(() => st.status !== 'open', 5_000, 'reset')
    assert.equal(rejected(box, 'MessageTooLargeError'), 1)
    const max = encodeDeposit(bob.peerId, FILE, 0, new Uint8Array(MAX_SEALED_CHUNK_BYTES))
    assert.equal(max.length, MAX_FILEBOX_REQUEST_BYTES)
    assert.equal(decodeBoxRequest(max).op, 'deposit')
    const over = new Uint8Array(MAX_FILEBOX_REQUEST_BYTES + 1)
    over.set(max)
    assert.throws(
      () => decodeBoxRequest(over),
      (e: Error) => MessageTooLargeError.is(e),
    )
    assert.throws(() =>
      encodeDeposit(bob.peerId, FILE, 0, new Uint8Array(MAX_SEALED_CHUNK_BYTES + 1)),
    )
  })

  void it('a stalled partial frame is cut off after the idle time, counted', async () => {
    const st = await eve.libp2p.dialProtocol(box.libp2p.getMultiaddrs(), FILEBOX_PROTOCOL)
    st.send(Uint8Array.of(...leb(100), 1, 2, 3))
    await waitFor(() => st.status !== 'open', 5_000, 'idle reset')
    assert.equal(rejected(box, 'FileIdleTimeoutError'), 1)
  })
})

void describe('FileBoxStore', () => {
  const peer = (n: number) => `12D3KooW${'A'.repeat(44)}`.slice(0, 50 - n) + 'B'.repeat(n)
  const id = 'ab'.repeat(16)

  void it('survives a restart (index rebuilt from disk) and expires after the hold time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kith-filebox-store-'))
    try {
      let now = Date.now()
      const s1 = new FileBoxStore(dir, { holdMs: 60_000 }, () => now)
      await s1.init()
      await s1.put(peer(1), peer(2), 'ip4/10.0.0.0/24', id, 0, seededBytes(1, 500))
      const s2 = new FileBoxStore(dir, { holdMs: 60_000 }, () => now)
      await s2.init()
      assert.deepEqual(s2.usage(), { bytes: 500, chunks: 1, files: 1 })
      assert.deepEqual(await s2.get(peer(1), id, 0), seededBytes(1, 500))
      assert.equal(await s2.get(peer(2), id, 0), undefined, 'keyed by recipient')
      now += 61_000
      assert.equal(await s2.get(peer(1), id, 0), undefined, 'expired')
      await s2.sweep()
      assert.deepEqual(s2.usage(), { bytes: 0, chunks: 0, files: 0 })
      assert.equal(existsSync(join(dir, peer(1), id)), false, 'deleted from disk')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

void describe('FileBoxStore quotas', () => {
  const peer = (n: number) => `12D3KooW${'A'.repeat(44)}`.slice(0, 50 - n) + 'B'.repeat(n)
  const id = (n: number) => n.toString(16).padStart(2, '0').repeat(16)

  void it('many identities of one network prefix share its quota; another network still gets in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kith-filebox-prefix-'))
    try {
      const s = new FileBoxStore(dir, { perPrefixBytes: 2_000, totalBytes: 3_000 })
      await s.init()
      const net = 'ip4/203.0.113.0/24'
      // Three fresh identities from one /24, each under its own depositor quota.
      await s.put(peer(1), peer(11), net, id(1), 0, seededBytes(1, 1_000))
      await s.put(peer(1), peer(12), net, id(2), 0, seededBytes(2, 1_000))
      await assert.rejects(
        s.put(peer(2), peer(13), net, id(3), 0, seededBytes(3, 1_000)),
        (e: Error) => FileBoxQuotaError.is(e) && /network prefix/.test(e.message),
      )
      await s.put(peer(2), peer(14), 'ip4/198.51.100.0/24', id(4), 0, seededBytes(4, 1_000))
      // The total (3,000) is full now, whoever asks.
      await assert.rejects(
        s.put(peer(3), peer(15), 'ip6/2001:db8::/48', id(5), 0, seededBytes(5, 1)),
        (e: Error) => FileBoxQuotaError.is(e) && /total/.test(e.message),
      )
      // A restart keeps the prefix accounting (the owner file records it).
      const s2 = new FileBoxStore(dir, { perPrefixBytes: 2_000, totalBytes: 4_000 })
      await s2.init()
      await assert.rejects(
        s2.put(peer(2), peer(16), net, id(6), 0, seededBytes(6, 1)),
        (e: Error) => FileBoxQuotaError.is(e) && /network prefix/.test(e.message),
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

void describe('kith relay --file-hold-hours', () => {
  void it('is 1 to MAX_FILE_HOLD_HOURS hours (MAX+1 refused)', async () => {
    const { MAX_FILE_HOLD_HOURS, parseFileHoldHours } = await import('../../src/cli/options.js')
    assert.equal(parseFileHoldHours('48'), 48 * 3_600_000)
    assert.equal(parseFileHoldHours('1'), 3_600_000)
    assert.equal(parseFileHoldHours(String(MAX_FILE_HOLD_HOURS)), MAX_FILE_HOLD_HOURS * 3_600_000)
    for (const bad of [String(MAX_FILE_HOLD_HOURS + 1), '0', '2d', '', '1.5']) {
      assert.throws(() => parseFileHoldHours(bad), { name: 'UsageError' })
    }
  })
})
