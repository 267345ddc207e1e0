// The decoded session records kept for the open transaction (src/store/session-cache.ts): a
// model-based property test of its journal against a fake table with savepoints, then the real
// store with the core's SessionCipher in a group-commit batch (a frame rolled back, the whole
// batch rolled back, byte-level readers and removals in the middle).
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { afterEach, beforeEach, describe, it } from 'node:test'
import fc from 'fast-check'
import type Database from 'better-sqlite3-multiple-ciphers'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { generateKemPrekey, generateSignedPrekey } from '../../src/core/handshake/prekeys.js'
import { buildPrekeyBundle } from '../../src/core/handshake/prekeys.js'
import { SessionCipher } from '../../src/core/session/cipher.js'
import { SessionRecord } from '../../src/core/session/record.js'
import {
  MAX_CACHED_SESSIONS,
  SessionRecordCache,
  type SessionRows,
} from '../../src/store/session-cache.js'
import { createNodeStore, type SqliteNodeStore } from '../../src/store/sqlite.js'
import { makeParty, str, text, type Party } from '../helpers/parties.js'
import { testContext } from '../helpers/context.js'
import { tempHome } from './helpers.js'

// ---- the journal against a model --------------------------------------------------------------

/** A record holding one number, encoded as its decimal text. */
class Rec {
  constructor(readonly v: number) {}
  serialize(): Uint8Array {
    return text(String(this.v))
  }
}
const decodeRec = (b: Uint8Array): Rec => new Rec(Number(str(b)))

/** A table with SQLite's savepoint semantics: a snapshot per open level. */
class FakeTable implements SessionRows {
  rows = new Map<string, Uint8Array>()
  #snapshots: Map<string, Uint8Array>[] = []
  writes = 0
  read(peer: string): Uint8Array | undefined {
    return this.rows.get(peer)
  }
  write(peer: string, record: Uint8Array): void {
    this.writes++
    this.rows.set(peer, record)
  }
  remove(peer: string): void {
    this.rows.delete(peer)
  }
  begin(): void {
    this.#snapshots.push(new Map(this.rows))
  }
  release(): void {
    this.#snapshots.pop()
  }
  rollback(): void {
    this.rows = this.#snapshots.pop()!
  }
  commit(): void {
    this.#snapshots = []
  }
  abort(): void {
    this.rows = this.#snapshots[0]!
    this.#snapshots = []
  }
  get depth(): number {
    return this.#snapshots.length
  }
}

type Op =
  | { op: 'begin' }
  | { op: 'end'; how: 'release' | 'rollback' }
  | { op: 'store'; peer: number; v: number }
  | { op: 'load'; peer: number }
  | { op: 'bytes'; peer: number }
  | { op: 'remove'; peer: number }
  | { op: 'finish'; how: 'commit' | 'abort' }

// A small cap and more peers than it, so eviction (an early write) happens often.
const CAP = 4
const PEERS = 7
const peer = fc.nat({ max: PEERS - 1 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ op: 'begin' as const }) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('release' as const, 'rollback' as const)
      .map((how) => ({ op: 'end' as const, how })),
  },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('store' as const), peer, v: fc.nat(1000) }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('load' as const), peer }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bytes' as const), peer }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), peer }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('commit' as const, 'abort' as const)
      .map((how) => ({ op: 'finish' as const, how })),
  },
)

/** Runs `ops` against the cache over a FakeTable and against a plain model of the logical rows
 *  (a snapshot per level); after every step the cache's view equals the model's, and after every
 *  commit or abort the table equals it. */
function check(ops: Op[]): void {
  const table = new FakeTable()
  const cache = new SessionRecordCache(table, CAP)
  let model = new Map<string, number>()
  let snaps: Map<string, number>[] = []
  const key = (p: number) => `p${p}`
  const view = (p: number): number | undefined => cache.load(key(p), decodeRec)?.v
  const stored = (m: Map<string, Uint8Array>) =>
    new Map([...m].map(([k, b]) => [k, Number(str(b))]))

  for (const o of ops) {
    if (o.op === 'begin') {
      table.begin()
      cache.begin()
      snaps.push(new Map(model))
      continue
    }
    if (table.depth === 0) continue // no transaction: the store bypasses the cache
    switch (o.op) {
      case 'end':
        if (table.depth < 2) break // only savepoints end this way
        if (o.how === 'release') {
          table.release()
          cache.release()
          snaps.pop()
        } else {
          table.rollback()
          cache.rollback()
          model = snaps.pop()!
        }
        break
      case 'store':
        cache.store(key(o.peer), new Rec(o.v))
        model.set(key(o.peer), o.v)
        break
      case 'load':
        assert.equal(view(o.peer), model.get(key(o.peer)))
        break
      case 'bytes': {
        // protocol.ts loadSession: write a pending record back, then read the row.
        cache.writeBack(key(o.peer))
        const b = table.read(key(o.peer))
        assert.equal(b === undefined ? undefined : Number(str(b)), model.get(key(o.peer)))
        break
      }
      case 'remove':
        // protocol.ts removeSession: delete the row, forget the cached record.
        table.remove(key(o.peer))
        cache.forget(key(o.peer))
        model.delete(key(o.peer))
        break
      case 'finish':
        if (o.how === 'commit') {
          cache.flush()
          table.commit()
          cache.committed()
        } else {
          table.abort()
          cache.aborted()
          model = snaps[0]!
        }
        snaps = []
        assert.deepEqual(stored(table.rows), model)
        assert.equal(cache.size, 0)
        break
    }
    assert.ok(cache.size <= CAP, 'capped')
  }
}

void describe('SessionRecordCache journal', () => {
  void it('agrees with a model of savepoints, rollbacks, early writes and commits (fast-check, numRuns 1000)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 200 }), (ops) => {
        check([{ op: 'begin' }, ...ops, { op: 'finish', how: 'commit' }])
      }),
      { numRuns: 1000 },
    )
  })

  void it('is capped at MAX_CACHED_SESSIONS: one more peer writes the oldest back', () => {
    const table = new FakeTable()
    const cache = new SessionRecordCache(table)
    table.begin()
    cache.begin()
    for (let i = 0; i < MAX_CACHED_SESSIONS; i++) cache.store(`p${i}`, new Rec(i))
    assert.equal(cache.size, MAX_CACHED_SESSIONS)
    assert.equal(table.writes, 0)
    cache.store('one more', new Rec(-1))
    assert.equal(cache.size, MAX_CACHED_SESSIONS)
    assert.deepEqual([...table.rows.keys()], ['p0'], 'the oldest written back early')
    cache.flush()
    assert.equal(table.rows.size, MAX_CACHED_SESSIONS + 1)
  })

  void it('prints no record', () => {
    const cache = new SessionRecordCache(new FakeTable())
    cache.begin()
    cache.store('p', new Rec(7))
    assert.equal(String(cache), '[SessionRecordCache redacted]')
    assert.equal(JSON.stringify({ cache }), '{"cache":"[SessionRecordCache redacted]"}')
    assert.equal(inspect(cache), '[SessionRecordCache redacted]')
  })

  void it('writes each dirty record once, at the flush', () => {
    const table = new FakeTable()
    const cache = new SessionRecordCache(table)
    table.begin()
    cache.begin()
    for (let i = 0; i < 100; i++) {
      cache.begin()
      cache.store('p', new Rec(i))
      cache.release()
    }
    assert.equal(table.writes, 0)
    cache.flush()
    assert.equal(table.writes, 1)
    assert.equal(Number(str(table.rows.get('p')!)), 99)
  })
})

// ---- the real store with the core's SessionCipher ---------------------------------------------

let t: ReturnType<typeof tempHome>
let store: SqliteNodeStore
let bob: SessionCipher
let alice: Party

beforeEach(() => {
  t = tempHome()
  const ctx = testContext('bob-cache')
  const identity = IdentityKeyPair.generate(ctx.crypto, ctx.rng)
  store = createNodeStore(t.home, identity, 'bob')
  const spk = generateSignedPrekey(ctx, identity, 1)
  const kem = generateKemPrekey(ctx, identity, 1, true)
  store.protocol.storeSignedPrekey(spk)
  store.protocol.storeKemPrekey(kem)
  bob = new SessionCipher(ctx, store.protocol)
  alice = makeParty('alice-cache')
  alice.cipher.initiate(
    identity.peerId,
    buildPrekeyBundle(identity, { signedPrekey: spk, kemPrekey: kem }),
  )
  // The first message starts Bob's session (outside any batch); then plain ratchet messages.
  const first = alice.cipher.encrypt(identity.peerId, text('hi'))
  store.transaction(() => bob.decrypt(alice.peerId, first).commit())
  const reply = bob.encrypt(alice.peerId, text('hello'))
  alice.receive(identity.peerId, reply)
})
afterEach(() => {
  store.close()
  t.cleanup()
})

const rawDb = (): Database.Database => (store as unknown as { db: Database.Database }).db
const send = (n: number, tag: string): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => alice.cipher.encrypt(store.peerId, text(`${tag}${i}`)))
/** One frame as receive.ts handles it: decrypt and commit in the frame's transaction. */
const frame = (env: Uint8Array, fail = false): string =>
  store.batched(
    () =>
      store.transaction(() => {
        const d = bob.decrypt(alice.peerId, env)
        d.commit()
        if (fail) throw new Error('the content check failed')
        return str(d.plaintext)
      }),
    () => {},
  )
const stored = (): Uint8Array | undefined => store.protocol.loadSession(alice.peerId)
/** The row as it is in the table (loadSession would write a pending record back first). */
const row = (): Buffer | undefined =>
  rawDb().prepare('SELECT record FROM sessions WHERE peer = ?').pluck().get(alice.peerId) as
    Buffer | undefined

void describe('SqliteProtocolStore session cache', () => {
  void it('a frame rolled back inside a batch leaves the session usable and the others stored', () => {
    const [m0, m1, m2, m3] = send(4, 'a') as [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    assert.equal(frame(m0), 'a0')
    assert.throws(() => frame(m1, true), /content check/)
    assert.equal(frame(m2), 'a2', 'the frame after a rolled-back one decrypts')
    store.commitBatch()
    // m1's message key was rolled back with its frame, then kept as skipped by m2: a retry works.
    assert.equal(frame(m1), 'a1')
    assert.throws(() => frame(m0), { name: 'DuplicateMessageError' })
    assert.equal(frame(m3), 'a3')
    store.commitBatch()
    // The table holds the last state: a cipher reading bytes outside any transaction goes on.
    const [m4] = send(1, 'b') as [Uint8Array]
    const d = bob.decrypt(alice.peerId, m4)
    assert.equal(str(d.plaintext), 'b0')
    assert.throws(() => bob.decrypt(alice.peerId, m3), { name: 'DuplicateMessageError' })
    assert.equal(
      alice.receive(store.peerId, bob.encrypt(alice.peerId, text('r'))).newSession,
      false,
    )
  })

  void it('writes the record once per batch, not once per frame', () => {
    const before = row()
    const writes = store.protocol.sessionCache.metrics.writes
    for (const [i, m] of send(20, 'c').entries()) assert.equal(frame(m), `c${i}`)
    assert.deepEqual(row(), before, 'nothing written before the commit…')
    store.commitBatch()
    assert.equal(store.protocol.sessionCache.metrics.writes - writes, 1, '…and once at it')
    assert.notDeepEqual(row(), before)
  })

  void it('a batch rolled back (its COMMIT failed) leaves the stored record as before', () => {
    const before = stored()
    const envs = send(5, 'd')
    // Any write to the sessions table fails: the flush before COMMIT throws, the batch rolls back.
    rawDb().exec(
      "CREATE TEMP TRIGGER no_sessions BEFORE INSERT ON sessions BEGIN SELECT RAISE(ABORT, 'disk full'); END",
    )
    for (const m of envs) frame(m)
    assert.throws(() => store.commitBatch(), /disk full/)
    rawDb().exec('DROP TRIGGER no_sessions')
    assert.deepEqual(stored(), before, 'the stored record is the one before the batch')
    assert.equal(store.protocol.sessionCache.size, 0, 'the cache was dropped')
    // Nothing of the batch happened: its senders retry and every frame decrypts again.
    assert.deepEqual(
      envs.map((m) => frame(m)),
      ['d0', 'd1', 'd2', 'd3', 'd4'],
    )
    store.commitBatch()
  })

  void it('byte-level reads see the pending record; a removal is not undone by the flush', () => {
    const [m0, m1] = send(2, 'e') as [Uint8Array, Uint8Array]
    frame(m0)
    // mailbox-trial.ts reads the bytes inside the transaction: it must see m0's state.
    const bytes = store.protocol.loadSession(alice.peerId)!
    assert.equal(SessionRecord.deserialize(bytes).current!.nr, 1, 'one message of the new chain')
    frame(m1)
    store.batched(
      () => store.protocol.removeSession(alice.peerId),
      () => {},
    )
    store.commitBatch()
    assert.equal(stored(), undefined, 'removed, not written back at the commit')
  })

  void it('a plain transaction that throws stores nothing; outside transactions nothing is cached', () => {
    const before = stored()
    const [m0] = send(1, 'f') as [Uint8Array]
    assert.throws(() =>
      store.transaction(() => {
        bob.decrypt(alice.peerId, m0).commit()
        throw new Error('refused')
      }),
    )
    assert.deepEqual(stored(), before)
    assert.equal(store.protocol.sessionCache.active, false)
    bob.decrypt(alice.peerId, m0).commit() // autocommit: written at once
    assert.equal(store.protocol.sessionCache.size, 0)
    assert.notDeepEqual(stored(), before)
  })
})
