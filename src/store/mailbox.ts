// MailboxHoldings (the port in src/core/store/mailbox.ts) on the node's SQLite database: the sealed envelopes
// this node holds for others (migrations 2 and 4, tables `mailbox` and `mailbox_usage`). This module
// owns the quota checks, expiry, idempotent deposits and the bounded listing; it never opens an
// envelope and knows nothing of the protocol or of contacts (the policy is the service's).
//
// Quotas (passed in: the node's defaults are src/node/mailbox/limits.ts, which this module never
// imports; overridable per store) are checked in one IMMEDIATE
// transaction with the insert, against running totals that triggers keep in `mailbox_usage`, so
// a check is a primary-key lookup even with a million rows. A deposit that would take any total
// past its quota is refused whole with MailboxQuotaError naming the quota: usage may reach a
// quota exactly, never pass it. Expired rows are deleted before the check, so they use no quota.
// It holds other people's (encrypted) mail, so it prints none.
import { createHash } from 'node:crypto'
import {
  MailboxQuotaError,
  type MailboxHoldings,
  type MailboxHoldingsLimits,
  type MailboxItem,
  type MailboxListOptions,
  type MailboxQuotas,
  type MailboxUsage,
} from '../core/store/mailbox.js'
import type { SqliteDatabase } from './database.js'
import { SqliteTables } from './tables.js'

/** Longest PeerId string accepted as a recipient or depositor (Ed25519 ones are 52). */
export const MAX_MAILBOX_PEER_CHARS = 128

/** Longest network prefix string (src/node/connectivity/net-prefix.ts: "circuit/<PeerId>" is the longest). */
export const MAX_MAILBOX_PREFIX_CHARS = 160

/** Overrides of the limits passed in (a relay's `--mailbox-ttl`, tests' small quotas). */
export interface SqliteMailboxOptions {
  quotas?: Partial<MailboxQuotas>
  /** How long an envelope is held (default limits.ttlMs, at most limits.maxTtlMs). */
  ttlMs?: number
}

interface UsageRow {
  items: number
  bytes: number
}
interface ItemRow {
  id: number
  envelope: Buffer
}

/** A Uint8Array view of a Buffer better-sqlite3 returned (each owns a fresh ArrayBuffer). */
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

function positive(field: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${field} must be a positive integer`)
  return n
}

function peer(field: string, p: string): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > MAX_MAILBOX_PEER_CHARS) {
    throw new TypeError(`${field} must be a PeerId string`)
  }
  return p
}

function rowId(field: string, id: string): number | undefined {
  if (typeof id !== 'string') throw new TypeError(`${field} must be a string`)
  // Ids are SQLite rowids (1 … 2^63−1) in decimal; anything else names no item.
  if (!/^[1-9][0-9]{0,18}$/.test(id)) return undefined
  const n = Number(id)
  return Number.isSafeInteger(n) ? n : undefined
}

export class SqliteMailboxHoldings extends SqliteTables implements MailboxHoldings {
  protected readonly redactedKind = 'SqliteMailboxHoldings'
  readonly quotas: Readonly<MailboxQuotas>
  readonly ttlMs: number
  readonly #maxEnvelopeBytes: number

  /** `db` must be migrated (./migrations.ts, with the prefix migration). `limits`: the numbers
   *  to enforce (the node's MAILBOX_HOLDINGS, passed in by src/daemon), `opts` overrides. */
  constructor(db: SqliteDatabase, limits: MailboxHoldingsLimits, opts: SqliteMailboxOptions = {}) {
    super(db)
    const q = { ...limits.quotas, ...opts.quotas }
    for (const [k, v] of Object.entries(q)) positive(`quotas.${k}`, v)
    this.quotas = Object.freeze(q)
    this.#maxEnvelopeBytes = positive('maxEnvelopeBytes', limits.maxEnvelopeBytes)
    const maxTtlMs = positive('maxTtlMs', limits.maxTtlMs)
    this.ttlMs = positive('ttlMs', opts.ttlMs ?? limits.ttlMs)
    if (this.ttlMs > maxTtlMs) {
      throw new RangeError(`ttlMs must be at most ${maxTtlMs} (MAILBOX_MAX_TTL_MS)`)
    }
  }

  #usage(kind: 'recipient' | 'depositor' | 'prefix' | 'total', p: string): UsageRow {
    const r = this.q('SELECT items, bytes FROM mailbox_usage WHERE kind = ? AND peer = ?').get(
      kind,
      p,
    ) as UsageRow | undefined
    return r ?? { items: 0, bytes: 0 }
  }

  /**
   * Holds `envelope` for `recipient` until `now + ttlMs`, returning its id. The same envelope for
   * the same recipient again returns the first id and uses no more quota. `prefix` is the
   * depositor's network (quotas per prefix; '' counts under none: a local deposit). Throws
   * MailboxQuotaError (naming the quota), TypeError / RangeError for bad arguments.
   */
  put(
    recipient: string,
    depositor: string,
    envelope: Uint8Array,
    now: number,
    prefix = '',
  ): string {
    peer('recipient', recipient)
    peer('depositor', depositor)
    if (typeof prefix !== 'string' || prefix.length > MAX_MAILBOX_PREFIX_CHARS) {
      throw new TypeError('prefix must be a network prefix string')
    }
    if (!(envelope instanceof Uint8Array)) throw new TypeError('envelope must be a Uint8Array')
    if (envelope.length === 0 || envelope.length > this.#maxEnvelopeBytes) {
      throw new RangeError(`envelope must be 1 to ${this.#maxEnvelopeBytes} bytes`)
    }
    if (!Number.isSafeInteger(now)) throw new TypeError('now must be an integer (ms)')
    const size = envelope.length
    const digest = createHash('sha256').update(envelope).digest()
    return this.db
      .transaction(() => {
        this.#expire(now)
        const existing = this.q('SELECT id FROM mailbox WHERE recipient = ? AND digest = ?')
          .pluck()
          .get(recipient, digest) as number | undefined
        if (existing !== undefined) return String(existing)
        const q = this.quotas
        const d = this.#usage('depositor', depositor)
        if (d.items + 1 > q.depositorCount) throw new MailboxQuotaError('depositor-count')
        if (d.bytes + size > q.depositorBytes) throw new MailboxQuotaError('depositor-bytes')
        if (prefix !== '') {
          const p = this.#usage('prefix', prefix)
          if (p.items + 1 > q.prefixCount) throw new MailboxQuotaError('prefix-count')
          if (p.bytes + size > q.prefixBytes) throw new MailboxQuotaError('prefix-bytes')
        }
        const r = this.#usage('recipient', recipient)
        if (r.items + 1 > q.recipientCount) throw new MailboxQuotaError('recipient-count')
        if (r.bytes + size > q.recipientBytes) throw new MailboxQuotaError('recipient-bytes')
        const t = this.#usage('total', '')
        if (t.items + 1 > q.totalCount) throw new MailboxQuotaError('total-count')
        if (t.bytes + size > q.totalBytes) throw new MailboxQuotaError('total-bytes')
        const info = this.q(
          `INSERT INTO mailbox
             (recipient, depositor, prefix, digest, envelope, size, deposited_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(recipient, depositor, prefix, digest, envelope, size, now, now + this.ttlMs)
        return String(info.lastInsertRowid)
      })
      .immediate()
  }

  /** The recipient's unexpired items after `after`, oldest first, at most `maxItems` and
   *  `maxBytes` of envelopes (the first item always). Reads rows one at a time. */
  list(recipient: string, opts: MailboxListOptions): MailboxItem[] {
    peer('recipient', recipient)
    positive('maxItems', opts.maxItems)
    positive('maxBytes', opts.maxBytes)
    const after = opts.after === undefined ? 0 : rowId('after', opts.after)
    if (after === undefined) throw new TypeError('after is not a mailbox item id')
    const out: MailboxItem[] = []
    let bytes = 0
    const rows = this.q(
      `SELECT id, envelope FROM mailbox
       WHERE recipient = ? AND id > ? AND expires_at > ? ORDER BY id LIMIT ?`,
    ).iterate(recipient, after, opts.now, opts.maxItems) as IterableIterator<ItemRow>
    for (const row of rows) {
      if (out.length > 0 && bytes + row.envelope.length > opts.maxBytes) break
      bytes += row.envelope.length
      out.push({ id: String(row.id), envelope: u8(row.envelope) })
    }
    return out
  }

  /** Deletes those of `ids` held for `recipient`; ids of other recipients' items, unknown or
   *  malformed ids delete nothing. Returns how many were deleted. */
  delete(recipient: string, ids: readonly string[]): number {
    peer('recipient', recipient)
    const del = this.q('DELETE FROM mailbox WHERE id = ? AND recipient = ?')
    return this.db
      .transaction(() => {
        let n = 0
        ids.forEach((id, i) => {
          const row = rowId(`ids[${i}]`, id)
          if (row !== undefined) n += del.run(row, recipient).changes
        })
        return n
      })
      .immediate()
  }

  expire(now: number): number {
    if (!Number.isSafeInteger(now)) throw new TypeError('now must be an integer (ms)')
    return this.db.transaction(() => this.#expire(now)).immediate()
  }

  #expire(now: number): number {
    return this.q('DELETE FROM mailbox WHERE expires_at <= ?').run(now).changes
  }

  usage(): MailboxUsage {
    const t = this.#usage('total', '')
    const count = this.q('SELECT count(*) FROM mailbox_usage WHERE kind = ?').pluck()
    return {
      items: t.items,
      bytes: t.bytes,
      recipients: count.get('recipient') as number,
      depositors: count.get('depositor') as number,
      prefixes: count.get('prefix') as number,
      quotas: { ...this.quotas },
    }
  }
}
