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
// This module owns what is stored and the selector's verdict; the held records, their quotas and
// eviction are ./held.ts. It knows nothing of cards beyond the policies it is given, nor of
// streams, peers' connections or rates (guard.ts).
import { NotFoundError } from '@libp2p/interface'
import { Record as DhtRecord } from '@libp2p/kad-dht'
import { equalBytes } from '../../core/bytes.js'
import { DhtProviderRefusedError, DhtRecordRefusedError, DhtStaleRecordError } from './errors.js'
import type { DhtLimits } from './limits.js'
import { HeldRecords, LOCAL, type DhtStoreMetrics } from './held.js'
import type { KadDHTComponents, SelectFn } from '@libp2p/kad-dht'

type Datastore = KadDHTComponents['datastore']
type Key = Parameters<Datastore['put']>[0]

export type { DhtStoreMetrics } from './held.js'

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

function namespaceOf(key: Uint8Array): string | undefined {
  // kad-dht: `uint8ArrayToString(key).split('/')[1]` (record/validators.js verifyRecord).
  const parts = new TextDecoder().decode(key).split('/')
  return parts.length >= 3 ? parts[1] : undefined
}

export class DhtRecordStore {
  readonly #inner: Datastore
  readonly #recordPrefix: string
  readonly #providerPrefix: string
  readonly #policies: Record<string, RecordPolicy>
  readonly #limits: DhtLimits
  readonly #context: () => PutContext | undefined
  readonly #now: () => number
  readonly #held: HeldRecords
  /** Record puts run one at a time (the selector may be async). */
  #tail: Promise<unknown> = Promise.resolve()

  constructor(init: DhtRecordStoreInit) {
    const prefix = init.prefix ?? '/dht'
    this.#inner = init.inner
    this.#recordPrefix = `${prefix}/record/`
    this.#providerPrefix = `${prefix}/provider/`
    this.#policies = init.policies
    this.#limits = init.limits
    this.#held = new HeldRecords(init.limits)
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
    return this.#held.metrics()
  }

  /** Records held per network group (tests, diagnostics). */
  groups(): Record<string, number> {
    return this.#held.groups()
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
    const held = this.#held.get(ks)
    if (held == null) throw new NotFoundError('no record for this key')
    return held.bytes
  }

  async #has(key: Key, options: unknown): Promise<boolean> {
    const ks = key.toString()
    if (!ks.startsWith(this.#recordPrefix)) return await this.#inner.has(key, options as never)
    return this.#held.get(ks) != null
  }

  async #delete(key: Key, options: unknown): Promise<void> {
    const ks = key.toString()
    if (!ks.startsWith(this.#recordPrefix)) return await this.#inner.delete(key, options as never)
    this.#held.delete(ks)
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
    const held = this.#held.get(ks)
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
    this.#held.hold(
      ks,
      {
        key,
        bytes: value,
        size,
        peer: ctx?.peer ?? LOCAL,
        group: ctx?.group ?? LOCAL,
        expiresAt,
        local: ctx == null,
      },
      this.#now(),
    )
  }

  /** Refusals are thrown into kad-dht's handler, which aborts the stream; the guard counts them
   *  there (index.ts). */
  #refuse(err: Error): never {
    throw err
  }
}
