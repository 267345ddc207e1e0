// The store primitives of the dm bench's floor (./dm-floor.ts): a transaction equal to daemon A's
// one-message commit and one equal to B's, each in a real store made by src/store
// (createNodeStore in a temp home: the product's SQLCipher key and pragmas), with the product's
// store methods in the order the service calls them, the ratchet left out (./dm-floor-ratchet.ts:
// the record written is a real one of the same size). Per transaction: wall and CPU time, and
// the WAL frames it appended (./wal.ts). It owns those transactions; it knows nothing of crypto
// or processes.
import { join } from 'node:path'
import { newMessageId, toHex } from '../../src/core/index.js'
import { IdentityKeyPair } from '../../src/core/identity/identity.js'
import { nodeCrypto, nodeRng } from '../../src/platform/node-crypto.js'
import { ACK_TIMEOUT_BASE_MS } from '../../src/service/direct/delivery.js'
import Database from 'better-sqlite3-multiple-ciphers'
import {
  createNodeStore,
  DB_FILE,
  initIdentity,
  migrate,
  SqliteNodeStore,
} from '../../src/store/index.js'
import type { StoredMessage } from '../../src/store/types.js'
import { newHome } from './dm-daemons.js'
import { timed, type Primitive } from './dm-floor-primitive.js'
import { walFramesBetween, walPosition, type WalPosition } from './wal.js'

/** The store primitives: A's and B's transactions on SQLCipher stores as the product makes them,
 *  and the same on plain SQLite (how much of each is the encryption at rest). */
export interface StorePrimitives {
  txA: Primitive
  txB: Primitive
  plainA: Primitive
  plainB: Primitive
}

export function transactions(
  opts: { rounds: number; warmup: number; text: string },
  records: { a: Uint8Array; b: Uint8Array },
): StorePrimitives {
  const tx = (name: string): Primitive => ({
    name,
    where: 'bench',
    ms: [],
    cpuMs: [],
    walFrames: [],
  })
  const out: StorePrimitives = {
    txA: tx("SQLCipher transaction = A's send (no crypto)"),
    txB: tx("SQLCipher transaction = B's receive (no crypto)"),
    plainA: tx("same as A's, plain SQLite (no key)"),
    plainB: tx("same as B's, plain SQLite (no key)"),
  }
  const pairs = [
    pairOf(records, createNodeStore, out.txA, out.txB),
    pairOf(records, plainStore, out.plainA, out.plainB),
  ]
  try {
    for (let i = 0; i < opts.warmup + opts.rounds; i++) {
      const counted = i >= opts.warmup
      for (const { a, b, txA, txB } of pairs) {
        const sent = measureTx(txA, counted, a.wal, () =>
          sendTx(a.store, b.store.peerId, opts.text, records.a),
        )
        measureTx(txB, counted, b.wal, () =>
          receiveTx(b.store, a.store.peerId, sent, opts.text, records.b),
        )
        // B's receipt reaches A (off the path): A's entry dequeued and its message delivered, as
        // service/direct/receipts-in.ts does, so A's outbox stays as small as a daemon's.
        a.store.transaction(() => {
          a.store.dequeue(sent.id)
          a.store.setStatus(sent.id, 'delivered')
        })
      }
    }
  } finally {
    for (const { a, b } of pairs) {
      a.store.close()
      b.store.close()
    }
  }
  return out
}

interface Side {
  store: SqliteNodeStore
  wal: { path: string; at?: WalPosition }
}

/** Stores A and B, each other's contact, holding each other's session record. */
function pairOf(
  records: { a: Uint8Array; b: Uint8Array },
  make: (home: string, identity: IdentityKeyPair, name: string) => SqliteNodeStore,
  txA: Primitive,
  txB: Primitive,
): { a: Side; b: Side; txA: Primitive; txB: Primitive } {
  const side = (name: string): Side => {
    const home = newHome(`floor-${name}`)
    const store = make(home, IdentityKeyPair.generate(nodeCrypto, nodeRng), name)
    return { store, wal: { path: join(home, `${DB_FILE}-wal`) } }
  }
  const a = side('a')
  const b = side('b')
  const now = Date.now()
  const contact = (peerId: string) => ({
    peerId,
    name: peerId.slice(-6),
    verified: false,
    keyChanged: false,
    addrs: [],
    addedAt: now,
    lastSeen: now,
  })
  a.store.putContact(contact(b.store.peerId))
  b.store.putContact(contact(a.store.peerId))
  a.store.protocol.storeSession(b.store.peerId, records.a)
  b.store.protocol.storeSession(a.store.peerId, records.b)
  return { a, b, txA, txB }
}

/** A node store on an unencrypted database: src/store/database.ts openDatabase's pragmas without
 *  the key (repeated here: the product never opens a plain store), migrated, with its identity. */
function plainStore(home: string, identity: IdentityKeyPair, name: string): SqliteNodeStore {
  const db = new Database(join(home, DB_FILE))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('temp_store = MEMORY')
  migrate(db)
  initIdentity(db, identity, name, Date.now())
  return new SqliteNodeStore(db, identity)
}

/** `fn()` timed into `p` (./dm-floor-primitive.ts timed), with the WAL frames it appended. */
function measureTx<T>(
  p: Primitive,
  counted: boolean,
  wal: { path: string; at?: WalPosition },
  fn: () => T,
): T {
  const before = walPosition(wal.path, wal.at)
  const r = timed(p, counted, fn)
  const after = walPosition(wal.path, before)
  wal.at = after
  if (counted) p.walFrames?.push(walFramesBetween(before, after))
  return r
}

/** A's one-message send on the fast path (service/direct/outbox.ts sendMany + #sealNow + #seal +
 *  sessions.ts encryptAll), the ratchet step replaced by writing a record of the real size. */
function sendTx(
  store: SqliteNodeStore,
  peer: string,
  text: string,
  record: Uint8Array,
): StoredMessage {
  const now = Date.now()
  // #sendsNow, outside the transaction.
  if (store.trust.isBlocked(peer)) throw new Error('floor: peer blocked')
  return store.transaction(() => {
    // #nothingDue
    if (store.firstDueSeq(peer, now) !== undefined) throw new Error('floor: an entry is due')
    store.groups.nextControlAttemptAt(peer)
    const m: StoredMessage = {
      // As the product makes it (time-ordered: the id index's and the outbox's last page).
      id: toHex(newMessageId({ clock: () => now, rng: nodeRng })),
      conversation: peer,
      from: store.peerId,
      direction: 'out',
      seq: store.nextSeq(peer),
      text,
      sentAt: now,
      receivedAt: now,
      status: 'queued',
    }
    store.insertMessage(m)
    store.enqueue({ messageId: m.id, peer, attempts: 0, nextAttemptAt: now })
    // outgoingContent: the invite proof a first message carries (proofs.ts decorate).
    store.trust.inviteProof(peer)
    // encryptAll's savepoint: the record loaded and stored, the entry rescheduled, `sent`.
    store.transaction(() => {
      store.protocol.loadSession(peer)
      store.protocol.storeSession(peer, record)
      store.reschedule(m.id, 1, now + ACK_TIMEOUT_BASE_MS)
      store.setStatus(m.id, 'sent')
    })
    return m
  })
}

/** B's receive of that message (service/direct/receive-batch.ts + receive.ts apply), the ratchet
 *  step replaced by writing a record of the real size: one frame, one batch, its COMMIT. */
function receiveTx(
  store: SqliteNodeStore,
  from: string,
  sent: StoredMessage,
  text: string,
  record: Uint8Array,
): void {
  const now = Date.now()
  // requests.refuseBlocked
  if (store.trust.isBlocked(from)) throw new Error('floor: sender blocked')
  store.batched(
    () => {
      store.protocol.loadSession(from)
      if (!store.isContact(from)) throw new Error('floor: not a contact')
      store.protocol.storeSession(from, record)
      // proofs.heard, disappearing.ttl, then the row and edits.inserted's held edits.
      store.trust.setInviteProof(from, undefined)
      store.edits.timer(from)
      store.insertMessage({
        id: sent.id,
        conversation: from,
        from,
        direction: 'in',
        seq: sent.seq,
        text,
        sentAt: sent.sentAt,
        receivedAt: now,
        status: 'delivered',
      })
      store.edits.release(sent.id)
    },
    () => undefined,
  )
  store.commitBatch()
}
