// Mailbox holdings on SQLite (src/store/mailbox.ts): every quota at MAX (accepted) and MAX+1
// (MailboxQuotaError naming it), the default per-depositor and per-recipient counts, idempotent
// deposits, expiry (never released after it, quota freed), deletion of the recipient's own items
// only, bounded and resumable listing, usage totals, holdings across a reopen of the store; the
// per-prefix quotas against issue 11's Sybil flood, the global item cap and the longest TTL.
import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import {
  MAILBOX_MAX_TTL_MS,
  MAILBOX_QUOTA_PER_DEPOSITOR_COUNT,
  MAILBOX_QUOTA_PER_PREFIX_COUNT,
  MAILBOX_QUOTA_PER_RECIPIENT_COUNT,
  MAILBOX_TTL_MS,
  MAX_MAILBOX_ENVELOPE_BYTES,
  DEFAULT_MAILBOX_QUOTAS,
  MAILBOX_HOLDINGS,
} from '../../src/node/mailbox/limits.js'
import {
  MailboxQuotaError,
  type MailboxQuotaName,
  type MailboxQuotas,
} from '../../src/core/store/mailbox.js'
import { createNodeStore, openNodeStore, type SqliteNodeStore } from '../../src/store/index.js'
import { SqliteMailboxHoldings } from '../../src/store/mailbox.js'
import { newIdentity, tempHome } from './helpers.js'

const cleanups: (() => void)[] = []
after(() => cleanups.forEach((c) => c()))

function openStore(): { store: SqliteNodeStore; home: string } {
  const t = tempHome()
  cleanups.push(t.cleanup)
  const store = createNodeStore(t.home, newIdentity(), 'mailbox-test')
  cleanups.unshift(() => store.close())
  return { store, home: t.home }
}

const peer = (): string => newIdentity().peerId
let counter = 0
/** A distinct envelope of `n` bytes (distinct content: identical ones are deduplicated). */
function env(n = 16): Uint8Array {
  const b = new Uint8Array(n)
  const c = ++counter
  for (let i = 0; i < Math.min(n, 6); i++) b[i] = Math.floor(c / 256 ** i) & 0xff
  return b
}
const NOW = 1_700_000_000_000

function quotaError(fn: () => unknown, quota: MailboxQuotaName): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(MailboxQuotaError.is(err), String(err))
    assert.equal(err.quota, quota)
    return true
  })
}

function small(over: Partial<MailboxQuotas>): SqliteMailboxHoldings {
  return openStore().store.mailboxHoldings(MAILBOX_HOLDINGS, {
    quotas: {
      recipientBytes: 1_000_000,
      recipientCount: 1_000,
      depositorBytes: 1_000_000,
      depositorCount: 1_000,
      totalBytes: 10_000_000,
      ...over,
    },
  })
}

describe('mailbox holdings: quotas', () => {
  it('defaults are as documented and a single depositor cannot fill a recipient', () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    assert.deepEqual(h.quotas, DEFAULT_MAILBOX_QUOTAS)
    assert.equal(h.ttlMs, MAILBOX_TTL_MS)
    const q = DEFAULT_MAILBOX_QUOTAS
    assert.ok(q.depositorBytes < q.recipientBytes && q.recipientBytes < q.totalBytes)
    assert.ok(q.depositorCount < q.recipientCount)
    assert.ok(q.depositorBytes >= MAX_MAILBOX_ENVELOPE_BYTES * 100)
  })

  it('recipient count: MAX accepted, MAX+1 refused (recipient-count)', () => {
    const h = small({ recipientCount: 5 })
    const r = peer()
    for (let i = 0; i < 5; i++) h.put(r, peer(), env(), NOW)
    quotaError(() => h.put(r, peer(), env(), NOW), 'recipient-count')
    h.put(peer(), peer(), env(), NOW) // another recipient still fits
    assert.equal(h.usage().items, 6)
  })

  it('recipient bytes: exactly MAX accepted, one byte more refused (recipient-bytes)', () => {
    const h = small({ recipientBytes: 1000 })
    const r = peer()
    h.put(r, peer(), env(600), NOW)
    h.put(r, peer(), env(400), NOW) // 1000 = MAX
    quotaError(() => h.put(r, peer(), env(1), NOW), 'recipient-bytes')
    const r2 = peer()
    h.put(r2, peer(), env(999), NOW)
    quotaError(() => h.put(r2, peer(), env(2), NOW), 'recipient-bytes') // 1001 = MAX+1
    h.put(r2, peer(), env(1), NOW)
  })

  it('depositor count: MAX accepted, MAX+1 refused (depositor-count), over all recipients', () => {
    const h = small({ depositorCount: 4 })
    const d = peer()
    for (let i = 0; i < 4; i++) h.put(peer(), d, env(), NOW)
    quotaError(() => h.put(peer(), d, env(), NOW), 'depositor-count')
    h.put(peer(), peer(), env(), NOW)
  })

  it('depositor bytes: exactly MAX accepted, MAX+1 refused (depositor-bytes)', () => {
    const h = small({ depositorBytes: 500 })
    const d = peer()
    h.put(peer(), d, env(250), NOW)
    h.put(peer(), d, env(249), NOW)
    quotaError(() => h.put(peer(), d, env(2), NOW), 'depositor-bytes')
    h.put(peer(), d, env(1), NOW) // 500 = MAX
    quotaError(() => h.put(peer(), d, env(1), NOW), 'depositor-bytes')
  })

  it('total bytes: exactly MAX accepted, MAX+1 refused (total-bytes)', () => {
    const h = small({ totalBytes: 300 })
    h.put(peer(), peer(), env(100), NOW)
    h.put(peer(), peer(), env(199), NOW)
    quotaError(() => h.put(peer(), peer(), env(2), NOW), 'total-bytes')
    h.put(peer(), peer(), env(1), NOW)
    quotaError(() => h.put(peer(), peer(), env(1), NOW), 'total-bytes')
    assert.equal(h.usage().bytes, 300)
  })

  it(`default per-depositor count (${MAILBOX_QUOTA_PER_DEPOSITOR_COUNT}) and per-recipient count (${MAILBOX_QUOTA_PER_RECIPIENT_COUNT})`, () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    const r = peer()
    const depositors = Array.from(
      { length: Math.ceil(MAILBOX_QUOTA_PER_RECIPIENT_COUNT / MAILBOX_QUOTA_PER_DEPOSITOR_COUNT) },
      peer,
    )
    for (let i = 0; i < MAILBOX_QUOTA_PER_DEPOSITOR_COUNT; i++)
      h.put(r, depositors[0]!, env(4), NOW)
    quotaError(() => h.put(r, depositors[0]!, env(4), NOW), 'depositor-count')
    for (const d of depositors.slice(1)) {
      for (let i = 0; i < MAILBOX_QUOTA_PER_DEPOSITOR_COUNT; i++) h.put(r, d, env(4), NOW)
    }
    assert.equal(h.usage().items, MAILBOX_QUOTA_PER_RECIPIENT_COUNT)
    quotaError(() => h.put(r, peer(), env(4), NOW), 'recipient-count')
  })

  it(`issue 11's Sybil flood (4 identities × ${MAILBOX_QUOTA_PER_DEPOSITOR_COUNT} from one /24) stops at MAILBOX_QUOTA_PER_PREFIX_COUNT (${MAILBOX_QUOTA_PER_PREFIX_COUNT}); another /24 still deposits`, () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    const r = peer()
    const sybil = 'ip4/203.0.113.0/24'
    let accepted = 0
    for (let s = 0; s < 4; s++) {
      const d = peer()
      for (let i = 0; i < MAILBOX_QUOTA_PER_DEPOSITOR_COUNT; i++) {
        try {
          h.put(r, d, env(4), NOW, sybil)
          accepted++
        } catch (err) {
          assert.equal((err as MailboxQuotaError).quota, 'prefix-count')
        }
      }
    }
    assert.equal(accepted, MAILBOX_QUOTA_PER_PREFIX_COUNT, 'the prefix holds exactly its quota')
    quotaError(() => h.put(r, peer(), env(4), NOW, sybil), 'prefix-count')
    assert.ok(h.usage().items < MAILBOX_QUOTA_PER_RECIPIENT_COUNT, 'the recipient is not full')
    h.put(r, peer(), env(4), NOW, 'ip4/198.51.100.0/24')
    assert.equal(h.usage().prefixes, 2)
  })

  it('prefix count and bytes: MAX accepted, MAX+1 refused (prefix-count, prefix-bytes)', () => {
    const h = small({ prefixCount: 3, prefixBytes: 100 })
    const r = peer()
    for (let i = 0; i < 3; i++) h.put(r, peer(), env(10), NOW, 'p1')
    quotaError(() => h.put(r, peer(), env(10), NOW, 'p1'), 'prefix-count')
    h.put(r, peer(), env(100), NOW, 'p2')
    quotaError(() => h.put(r, peer(), env(1), NOW, 'p2'), 'prefix-bytes')
    // A local deposit (prefix '') counts under no prefix.
    h.put(r, peer(), env(10), NOW)
    // Deleting frees the prefix's quota.
    const [first] = h.list(r, { maxItems: 1, maxBytes: 1000, now: NOW })
    assert.equal(h.delete(r, [first!.id]), 1)
    h.put(r, peer(), env(10), NOW, 'p1')
  })

  it('total count: MAX accepted, MAX+1 refused (total-count)', () => {
    const h = small({ totalCount: 4 })
    for (let i = 0; i < 4; i++) h.put(peer(), peer(), env(4), NOW)
    quotaError(() => h.put(peer(), peer(), env(4), NOW), 'total-count')
  })

  it('ttl: at most MAILBOX_MAX_TTL_MS', () => {
    const { store } = openStore()
    assert.equal(
      store.mailboxHoldings(MAILBOX_HOLDINGS, { ttlMs: MAILBOX_MAX_TTL_MS }).ttlMs,
      MAILBOX_MAX_TTL_MS,
    )
    assert.throws(
      () => store.mailboxHoldings(MAILBOX_HOLDINGS, { ttlMs: MAILBOX_MAX_TTL_MS + 1 }),
      RangeError,
    )
  })

  it('a refused deposit changes nothing; the same envelope again uses no quota', () => {
    const h = small({ recipientCount: 2 })
    const r = peer()
    const d = peer()
    const e = env(50)
    const id = h.put(r, d, e, NOW)
    assert.equal(h.put(r, d, e, NOW), id)
    assert.equal(h.put(r, peer(), Uint8Array.from(e), NOW), id, 'same bytes, other depositor')
    h.put(r, d, env(), NOW)
    const before = h.usage()
    quotaError(() => h.put(r, d, env(), NOW), 'recipient-count')
    assert.deepEqual(h.usage(), before)
    assert.equal(h.put(r, d, e, NOW), id, 'a repeat is accepted even at the quota')
    assert.equal(before.items, 2)
  })

  it('envelope size: MAX_MAILBOX_ENVELOPE_BYTES accepted, MAX+1 and empty refused', () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    h.put(peer(), peer(), env(MAX_MAILBOX_ENVELOPE_BYTES), NOW)
    assert.throws(() => h.put(peer(), peer(), env(MAX_MAILBOX_ENVELOPE_BYTES + 1), NOW), RangeError)
    assert.throws(() => h.put(peer(), peer(), new Uint8Array(0), NOW), RangeError)
    assert.throws(() => h.put('', peer(), env(), NOW), TypeError)
    assert.throws(() => h.put(peer(), 'x'.repeat(129), env(), NOW), TypeError)
  })

  it('rejects non-positive quotas', () => {
    const { store } = openStore()
    assert.throws(
      () => store.mailboxHoldings(MAILBOX_HOLDINGS, { quotas: { totalBytes: 0 } }),
      RangeError,
    )
    assert.throws(() => store.mailboxHoldings(MAILBOX_HOLDINGS, { ttlMs: -1 }), RangeError)
  })
})

describe('mailbox holdings: expiry, deletion, listing', () => {
  it('expires after the TTL: never listed at or after expiry, swept, quota freed', () => {
    const { store } = openStore()
    const h = store.mailboxHoldings(MAILBOX_HOLDINGS, {
      ttlMs: 1000,
      quotas: { recipientCount: 1 },
    })
    const r = peer()
    h.put(r, peer(), env(), NOW)
    const list = (now: number) => h.list(r, { maxItems: 10, maxBytes: 1 << 20, now })
    assert.equal(list(NOW + 999).length, 1)
    assert.equal(list(NOW + 1000).length, 0, 'expired at expires_at')
    assert.equal(h.expire(NOW + 999), 0)
    assert.equal(h.expire(NOW + 1000), 1)
    assert.equal(h.usage().items, 0)
    // An expired item that was not swept yet still frees its quota on the next put.
    h.put(r, peer(), env(), NOW + 2000)
    h.put(r, peer(), env(), NOW + 3000)
    assert.equal(h.usage().items, 1)
  })

  it('deletes only the recipient’s own items', () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    const b = peer()
    const c = peer()
    const idB = h.put(b, peer(), env(), NOW)
    const idC = h.put(c, peer(), env(), NOW)
    assert.equal(h.delete(c, [idB]), 0, 'C cannot delete B’s item')
    assert.equal(h.delete(b, [idB, idB, idC, '0', '-1', 'abc', '99999999999999999999']), 1)
    assert.equal(h.list(b, { maxItems: 10, maxBytes: 1 << 20, now: NOW }).length, 0)
    assert.equal(h.list(c, { maxItems: 10, maxBytes: 1 << 20, now: NOW }).length, 1)
    assert.deepEqual(
      { items: h.usage().items, recipients: h.usage().recipients },
      { items: 1, recipients: 1 },
    )
  })

  it('lists oldest first, bounded by count and bytes, resumable after a cursor', () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    const r = peer()
    const ids = Array.from({ length: 10 }, () => h.put(r, peer(), env(100), NOW))
    const page1 = h.list(r, { maxItems: 4, maxBytes: 1 << 20, now: NOW })
    assert.deepEqual(
      page1.map((i) => i.id),
      ids.slice(0, 4),
    )
    const page2 = h.list(r, { after: page1.at(-1)!.id, maxItems: 100, maxBytes: 350, now: NOW })
    assert.deepEqual(
      page2.map((i) => i.id),
      ids.slice(4, 7),
      'three of 100 bytes fit in 350',
    )
    const one = h.list(r, { maxItems: 100, maxBytes: 1, now: NOW })
    assert.equal(one.length, 1, 'the first item always fits')
    assert.equal(one[0]!.envelope.length, 100)
    assert.equal(
      h.list(r, { after: ids.at(-1)!, maxItems: 5, maxBytes: 1 << 20, now: NOW }).length,
      0,
    )
    assert.throws(() => h.list(r, { after: 'x', maxItems: 5, maxBytes: 10, now: NOW }), TypeError)
    assert.throws(() => h.list(r, { maxItems: 0, maxBytes: 10, now: NOW }), RangeError)
  })

  it('usage counts items, bytes, recipients and depositors', () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    const [r1, r2, d1, d2] = [peer(), peer(), peer(), peer()]
    h.put(r1, d1, env(10), NOW)
    h.put(r1, d2, env(20), NOW)
    const id = h.put(r2, d1, env(30), NOW)
    const u = h.usage()
    assert.deepEqual(
      { items: u.items, bytes: u.bytes, recipients: u.recipients, depositors: u.depositors },
      { items: 3, bytes: 60, recipients: 2, depositors: 2 },
    )
    h.delete(r2, [id])
    assert.deepEqual(
      { items: h.usage().items, bytes: h.usage().bytes, recipients: h.usage().recipients },
      { items: 2, bytes: 30, recipients: 1 },
    )
  })

  it('survives closing and reopening the store', () => {
    const t = tempHome()
    cleanups.push(t.cleanup)
    const identity = newIdentity()
    const r = peer()
    const e = env(123)
    let store = createNodeStore(t.home, identity, 'reopen')
    const id = store.mailboxHoldings(MAILBOX_HOLDINGS).put(r, peer(), e, NOW)
    store.close()
    store = openNodeStore(t.home)
    try {
      const h = store.mailboxHoldings(MAILBOX_HOLDINGS)
      const items = h.list(r, { maxItems: 10, maxBytes: 1 << 20, now: NOW })
      assert.deepEqual(items, [{ id, envelope: e }])
      assert.equal(h.usage().bytes, 123)
    } finally {
      store.close()
    }
  })

  it('prints no envelope bytes', () => {
    const h = openStore().store.mailboxHoldings(MAILBOX_HOLDINGS)
    assert.equal(String(h).includes('SqliteMailboxHoldings'), true)
    assert.doesNotMatch(inspect(h), /Uint8Array|Buffer/)
    assert.doesNotMatch(JSON.stringify(h), /\d{3}/)
  })
})
