// The DHT's bounded record store: what kad-dht sees as its datastore (components.datastore),
// wrapping libp2p's own. kad-dht 16 keeps records and provider records in that datastore with no
// cap (its default is an in-memory map) and a PUT_VALUE overwrites a held record without running
// the selector (rpc/handlers/put-value.js). Here:
//  - /dht/record/…: held in this module's own map, by namespace policy (only /kith-card/): at most
//    maxRecords records and maxRecordBytes bytes; per putter PeerId and per network group (the
//    putter's /24 or /48) a quota, over which that putter's or group's oldest record is evicted;
//    when the whole store is full, expired records go first, then the oldest record of the
//    largest group — Bitcoin Core's inbound eviction ("net.cpp SelectNodeToEvict": pick the
//    network group with the most entries) applied to records, so a flood from one group displaces
//    only itself and records the node put itself are never evicted.
//  - The selector runs on every put: a held record is replaced only by one the selector prefers
//    (for cards: a higher seq), as go-libp2p-kad-dht does (handlers.go handlePutValue: "old
//    record" when Select prefers the existing one; go-libp2p-kad-dht#121/#122), so an older card
//    never wins on any node. Upstream: js-libp2p#3377 (open: PUT_VALUE overwrites without the
//    selector).
//  - /dht/provider/…: refused from peers (Kith uses no provider records); kad-dht's add-provider
//    handler throws before it also merges the provider's addresses into the peer store.
// Who put a record comes from the inbound RPC's context (guard.ts); no context means this node.
//
// This module owns the held records and their quotas. It knows nothing of cards beyond the
// policies it is given, nor of streams, peers' connections or rates (guard.ts).
import { NotFoundError } from '@libp2p/interface'
import debug from 'debug'
import { Record as DhtRecord } from '@libp2p/kad-dht'
import { equalBytes } from '../../core/bytes.js'
import {
  DhtProviderRefusedError,
  DhtRecordRefusedError,
  DhtStaleRecordError,
  DhtStoreFullError,
} from './errors.js'
import type { DhtLimits } from './limits.js'
import type { KadDHTComponents, SelectFn } from '@libp2p/kad-dht'

type Datastore = KadDHTComponents['datastore']
type Key = Parameters<Datastore['put']>[0]

/** Who sent the inbound request being handled: its PeerId and network group. */
export interface PutContext {
  peer: string
  group: string
}

/** How records of one key namespace are ordered and when they expire. */
export interface RecordPolicy {
  /** kad-dht's selector: index of the best record; the store passes [new, held]. */
  select: SelectFn
  /** Milliseconds since the epoch after which the (validated) record is worthless. */
  expiresAt: (key: Uint8Array, value: Uint8Array) => number
}

export interface DhtRecordStoreInit {
  inner: Datastore
  /** kad-dht's datastorePrefix (default '/dht'). */
  prefix?: string
  /** By the key's first '/' segment (kad-dht's lookup, record/validators.js). */
  policies: Record<string, RecordPolicy>
  limits: DhtLimits
  context: () => PutContext | undefined
  now?: () => number
}

interface Held {
  key: Key
  bytes: Uint8Array
  size: number
  peer: string
  group: string
  expiresAt: number
  /** Put by this node (its own card, a get()'s self-correction): never evicted for room. */
  local: boolean
}

export interface DhtStoreMetrics {
  records: number
  bytes: number
  /** Records dropped for room or over a quota (expired ones not counted). */
  evicted: number
}

const log = debug('kith:node:dht')
const LOCAL = '(local)'

function namespaceOf(key: Uint8Array): string | undefined {
  // kad-dht: `uint8ArrayToString(key).split('/')[1]` (record/validators.js verifyRecord).
  const parts = new TextDecoder().decode(key).split('/')
  return parts.length >= 3 ? parts[1] : undefined
}

function bump(map: Map<string, number>, k: string, by: number): void {
  const n = (map.get(k) ?? 0) + by
  if (n <= 0) map.delete(k)
  else map.set(k, n)
}

export class DhtRecordStore {
  readonly #inner: Datastore
  readonly #recordPrefix: string
  readonly #providerPrefix: string
  readonly #policies: Record<string, RecordPolicy>
  readonly #limits: DhtLimits
  readonly #context: () => PutContext | undefined
  readonly #now: () => number
  /** Insertion order is age order (a replaced record moves to the end). */
  readonly #records = new Map<string, Held>()
  readonly #perPeer = new Map<string, number>()
  readonly #perGroup = new Map<string, number>()
  #bytes = 0
  #evicted = 0
  #lastSweep = 0
  /** Record puts run one at a time (the selector may be async). */
  #tail: Promise<unknown> = Promise.resolve()

  constructor(init: DhtRecordStoreInit) {
    const prefix = init.prefix ?? '/dht'
    this.#inner = init.inner
    this.#recordPrefix = `${prefix}/record/`
    this.#providerPrefix = `${prefix}/provider/`
    this.#policies = init.policies
    this.#limits = init.limits
    this.#context = init.context
    this.#now = init.now ?? Date.now
  }

  /** The datastore to hand kad-dht: record keys here, provider keys refused from peers, the
   *  rest (nothing else in kad-dht 16) passed to the inner datastore. */
  datastore(): Datastore {
    const inner = this.#inner
    const put = (key: Key, value: Uint8Array, options?: unknown): Promise<Key> =>
      this.#put(key, value, options)
    const get = (key: Key, options?: unknown): Promise<Uint8Array> => this.#get(key, options)
    const has = (key: Key, options?: unknown): Promise<boolean> => this.#has(key, options)
    const del = (key: Key, options?: unknown): Promise<void> => this.#delete(key, options)
    const own: Record<string | symbol, unknown> = { put, get, has, delete: del }
    return new Proxy(inner, {
      get(target, prop) {
        if (Object.hasOwn(own, prop)) return own[prop]
        const v: unknown = Reflect.get(target, prop, target)
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
      },
    })
  }

  metrics(): DhtStoreMetrics {
    return { records: this.#records.size, bytes: this.#bytes, evicted: this.#evicted }
  }

  /** Records held per network group (tests, diagnostics). */
  groups(): Record<string, number> {
    return Object.fromEntries(this.#perGroup)
  }

  async #put(key: Key, value: Uint8Array, options: unknown): Promise<Key> {
    const ks = key.toString()
    if (ks.startsWith(this.#recordPrefix)) {
      const run = this.#tail.then(() => this.#putRecord(key, ks, value))
      this.#tail = run.catch(() => undefined)
      await run
      return key
    }
    if (ks.startsWith(this.#providerPrefix) && this.#context() != null) {
      this.#refuse(new DhtProviderRefusedError('provider records are not stored'))
    }
    return await this.#inner.put(key, value, options as never)
  }

  async #get(key: Key, options: unknown): Promise<Uint8Array> {
    const ks = key.toString()
    if (!ks.startsWith(this.#recordPrefix)) return await this.#inner.get(key, options as never)
    const held = this.#records.get(ks)
    if (held == null) throw new NotFoundError('no record for this key')
    return held.bytes
  }

  async #has(key: Key, options: unknown): Promise<boolean> {
    const ks = key.toString()
    if (!ks.startsWith(this.#recordPrefix)) return await this.#inner.has(key, options as never)
    return this.#records.has(ks)
  }

  async #delete(key: Key, options: unknown): Promise<void> {
    const ks = key.toString()
    if (!ks.startsWith(this.#recordPrefix)) return await this.#inner.delete(key, options as never)
    const held = this.#records.get(ks)
    if (held != null) this.#drop(ks, held)
  }

  async #putRecord(key: Key, ks: string, value: Uint8Array): Promise<void> {
    const ctx = this.#context()
    let rec: DhtRecord
    try {
      rec = DhtRecord.deserialize(value)
    } catch {
      this.#refuse(new DhtRecordRefusedError('not a DHT record'))
    }
    const ns = namespaceOf(rec.key)
    const policy = ns == null ? undefined : this.#policies[ns]
    if (policy == null)
      this.#refuse(new DhtRecordRefusedError('a key namespace Kith does not store'))
    const size = value.byteLength + ks.length
    if (size > this.#limits.maxRecordBytes) {
      this.#refuse(new DhtRecordRefusedError('a record larger than the whole store'))
    }
    // The policy validates the record (for cards: the signature), also for our own puts, which
    // kad-dht stores unvalidated (content-fetching put).
    let expiresAt: number
    try {
      expiresAt = policy.expiresAt(rec.key, rec.value)
    } catch (err) {
      this.#refuse(err instanceof Error ? err : new DhtRecordRefusedError('invalid record'))
    }
    const held = this.#records.get(ks)
    if (held != null) {
      const old = DhtRecord.deserialize(held.bytes)
      // go-libp2p-kad-dht handlers.go handlePutValue: Select over [new, existing]; a non-zero
      // index means the held record is better: refuse the put ("old record").
      if (
        !equalBytes(old.value, rec.value) &&
        (await policy.select(rec.key, [rec.value, old.value])) !== 0
      ) {
        this.#refuse(new DhtStaleRecordError('the held record is newer'))
      }
    }
    const now = this.#now()
    const current = this.#records.get(ks)
    if (current != null) this.#drop(ks, current)
    const entry: Held = {
      key,
      bytes: value,
      size,
      peer: ctx?.peer ?? LOCAL,
      group: ctx?.group ?? LOCAL,
      expiresAt,
      local: ctx == null,
    }
    if (now - this.#lastSweep >= this.#limits.sweepIntervalMs) this.#sweep(now)
    const lim = this.#limits
    if (!entry.local) {
      while ((this.#perPeer.get(entry.peer) ?? 0) >= lim.maxRecordsPerPeer) {
        this.#evictOldest((h) => h.peer === entry.peer)
      }
      while ((this.#perGroup.get(entry.group) ?? 0) >= lim.maxRecordsPerGroup) {
        this.#evictOldest((h) => h.group === entry.group)
      }
    }
    while (this.#records.size + 1 > lim.maxRecords || this.#bytes + size > lim.maxRecordBytes) {
      if (!this.#makeRoom(now)) this.#refuse(new DhtStoreFullError('only our own records are held'))
    }
    this.#records.set(ks, entry)
    this.#bytes += size
    bump(this.#perPeer, entry.peer, 1)
    bump(this.#perGroup, entry.group, 1)
  }

  /** Frees one slot or more: every expired record, else the oldest record of the largest group
   *  of peers' records. False when only our own records are left. */
  #makeRoom(now: number): boolean {
    if (this.#sweep(now) > 0) return true
    let largest: string | undefined
    let most = 0
    for (const [group, n] of this.#perGroup) {
      if (group !== LOCAL && n > most) {
        largest = group
        most = n
      }
    }
    if (largest == null) return false
    return this.#evictOldest((h) => h.group === largest)
  }

  #sweep(now: number): number {
    this.#lastSweep = now
    let n = 0
    for (const [ks, held] of this.#records) {
      if (held.expiresAt <= now) {
        this.#drop(ks, held)
        n++
      }
    }
    return n
  }

  #evictOldest(match: (h: Held) => boolean): boolean {
    for (const [ks, held] of this.#records) {
      if (!held.local && match(held)) {
        log('evicting a record of group %s (%d records held)', held.group, this.#records.size)
        this.#drop(ks, held)
        this.#evicted++
        return true
      }
    }
    return false
  }

  #drop(ks: string, held: Held): void {
    this.#records.delete(ks)
    this.#bytes -= held.size
    bump(this.#perPeer, held.peer, -1)
    bump(this.#perGroup, held.group, -1)
  }

  /** Refusals are thrown into kad-dht's handler, which aborts the stream; the guard counts them
   *  there (index.ts). */
  #refuse(err: Error): never {
    throw err
  }
}
