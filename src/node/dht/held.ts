// The records the DHT store holds (./store.ts checks and orders them) and the room they take:
// counts per putter PeerId and per network group, the byte total, and eviction — expired records
// first, then the oldest record of the largest group (Bitcoin Core's inbound eviction, "net.cpp
// SelectNodeToEvict", applied to records: ./store.ts header); records the node put itself are
// never evicted. It knows nothing of record formats, policies or selectors.
import debug from 'debug'
import { bump } from '../tally.js'
import { DhtStoreFullError } from './errors.js'
import type { DhtLimits } from './limits.js'
import type { KadDHTComponents } from '@libp2p/kad-dht'

type Key = Parameters<KadDHTComponents['datastore']['put']>[0]

const log = debug('kith:node:dht')
/** The putter and group of the records this node put itself. */
export const LOCAL = '(local)'

export interface Held {
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

export class HeldRecords {
  readonly #limits: DhtLimits
  /** Insertion order is age order (a replaced record moves to the end). */
  readonly #records = new Map<string, Held>()
  readonly #perPeer = new Map<string, number>()
  readonly #perGroup = new Map<string, number>()
  #bytes = 0
  #evicted = 0
  #lastSweep = 0

  constructor(limits: DhtLimits) {
    this.#limits = limits
  }

  get(ks: string): Held | undefined {
    return this.#records.get(ks)
  }

  delete(ks: string): void {
    const held = this.#records.get(ks)
    if (held != null) this.#drop(ks, held)
  }

  metrics(): DhtStoreMetrics {
    return { records: this.#records.size, bytes: this.#bytes, evicted: this.#evicted }
  }

  /** Records held per network group (tests, diagnostics). */
  groups(): Record<string, number> {
    return Object.fromEntries(this.#perGroup)
  }

  /**
   * Holds `entry` under `ks` (replacing the record held there), first evicting over the putter's
   * and its group's quotas and making room in the store. Throws DhtStoreFullError when only our
   * own records are left to evict.
   */
  hold(ks: string, entry: Held, now: number): void {
    const current = this.#records.get(ks)
    if (current != null) this.#drop(ks, current)
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
    while (
      this.#records.size + 1 > lim.maxRecords ||
      this.#bytes + entry.size > lim.maxRecordBytes
    ) {
      if (!this.#makeRoom(now)) throw new DhtStoreFullError('only our own records are held')
    }
    this.#records.set(ks, entry)
    this.#bytes += entry.size
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
}
