// Sender Keys over the store (libsignal rust/protocol/src/group_cipher.rs's store-level
// functions, context first): the one path the product (src/service/groups/keys.ts), the tests and
// the bench use. Each loads a sender's entry through the SenderKeyStore port (../store/types.ts:
// the record, its current chain id and the retired ones), changes it with ./cipher.ts's
// record-level operations, and stores it only when it succeeds: on any error the stored entry is
// unchanged. This module owns which chain of each sender is current. Synchronous like the port,
// so one call's load → change → store cannot interleave with another's, and the product runs
// them inside its own SQLite transaction. It never prints or logs plaintext or keys and knows
// nothing of pairwise sessions, membership or the network.
import { NoSenderKeyError } from '../errors.js'
import type { SenderKeyEntry, SenderKeyStore } from '../store/types.js'
import {
  createOwnState,
  decryptWithRecord,
  encryptWithRecord,
  type SenderKeyContext,
} from './cipher.js'
import { MAX_RETIRED_CHAINS } from './limits.js'
import {
  checkDistributionId,
  decodeDistribution,
  decodeSenderKeyMessage,
  encodeDistribution,
  type SenderKeyMessageFields,
} from './message.js'
import { SenderKeyRecord } from './record.js'
import type { VerifiedSenderKeyMessage } from './validate.js'

/** The stored record of `sender` in group `distributionId`, if any. */
export function loadSenderKeyRecord(
  store: Pick<SenderKeyStore, 'loadSenderKey'>,
  sender: string,
  distributionId: Uint8Array,
): SenderKeyRecord | undefined {
  const entry = store.loadSenderKey(sender, distributionId)
  return entry === undefined ? undefined : recordOf(entry)
}

/** An entry's record, or an empty one when there is no entry. */
function recordOf(entry: SenderKeyEntry | undefined): SenderKeyRecord {
  return entry === undefined ? SenderKeyRecord.empty() : SenderKeyRecord.deserialize(entry.record)
}

/**
 * Stores `record` with `chainId` as the sender's current chain; the chain current before (in
 * `entry`), if another, is retired (at most MAX_RETIRED_CHAINS kept, the newest).
 */
function storeWithCurrent(
  store: SenderKeyStore,
  sender: string,
  distributionId: Uint8Array,
  entry: SenderKeyEntry | undefined,
  record: SenderKeyRecord,
  chainId: number,
): void {
  const retired = [...(entry?.retired ?? [])]
  const previous = entry?.currentChain
  if (previous !== undefined && previous !== chainId) retired.push(previous)
  store.storeSenderKey(sender, distributionId, {
    record: record.serialize(),
    currentChain: chainId,
    retired: retired.slice(-MAX_RETIRED_CHAINS),
  })
}

/**
 * Stores `record` as `sender`'s record after an own encryption (publish, encryptWithRecord): its
 * newest state's chain becomes the current one, the retired list is kept.
 */
export function storeSenderKeyRecord(
  store: SenderKeyStore,
  sender: string,
  distributionId: Uint8Array,
  record: SenderKeyRecord,
): void {
  storeNewestCurrent(
    store,
    sender,
    distributionId,
    store.loadSenderKey(sender, distributionId),
    record,
  )
}

/** Stores `record` with its newest state's chain as the current one, `entry`'s retired kept. */
function storeNewestCurrent(
  store: SenderKeyStore,
  sender: string,
  distributionId: Uint8Array,
  entry: SenderKeyEntry | undefined,
  record: SenderKeyRecord,
): void {
  store.storeSenderKey(sender, distributionId, {
    record: record.serialize(),
    currentChain: record.newest()?.chainId,
    retired: entry?.retired ?? [],
  })
}

/**
 * Our own record of a group, created on first use with one fresh own state (its chain the
 * current one) and stored (`created`); an existing record is returned as it is.
 */
export function ownSenderKeyRecord(
  ctx: SenderKeyContext,
  store: SenderKeyStore,
  sender: string,
  distributionId: Uint8Array,
): { record: SenderKeyRecord; created: boolean } {
  checkDistributionId(distributionId)
  const existing = loadSenderKeyRecord(store, sender, distributionId)
  if (existing !== undefined) return { record: existing, created: false }
  const record = SenderKeyRecord.empty()
  const own = createOwnState(ctx)
  record.resetTo(own)
  store.storeSenderKey(sender, distributionId, {
    record: record.serialize(),
    currentChain: own.chainId,
    retired: [],
  })
  return { record, created: true }
}

/**
 * group_cipher.rs `create_sender_key_distribution_message`: creates the own state if there is
 * none (a record whose newest state has no signing private key gets a fresh own state in front,
 * which becomes the current chain) and returns its encoded SenderKeyDistribution at the current
 * iteration.
 */
export function createSenderKeyDistribution(
  ctx: SenderKeyContext,
  store: SenderKeyStore,
  sender: string,
  distributionId: Uint8Array,
): Uint8Array {
  checkDistributionId(distributionId)
  const entry = store.loadSenderKey(sender, distributionId)
  const record = recordOf(entry)
  let own = record.newest()
  if (own?.signingPrivate === undefined) {
    own = createOwnState(ctx)
    record.addState(own)
    storeWithCurrent(store, sender, distributionId, entry, record, own.chainId)
  }
  return encodeDistribution(distributionId, own)
}

/**
 * Replaces the own record with one fresh state (new chain id, chain key and signing key) and
 * returns its distribution; the old chain is retired. For membership changes (docs/groups.md §3):
 * a removed member, holding only the old chain key, can read nothing sent afterwards.
 */
export function rotateSenderKey(
  ctx: SenderKeyContext,
  store: SenderKeyStore,
  sender: string,
  distributionId: Uint8Array,
): Uint8Array {
  checkDistributionId(distributionId)
  const entry = store.loadSenderKey(sender, distributionId)
  const record = SenderKeyRecord.empty()
  const own = createOwnState(ctx)
  record.resetTo(own)
  storeWithCurrent(store, sender, distributionId, entry, record, own.chainId)
  return encodeDistribution(distributionId, own)
}

/**
 * group_cipher.rs `process_sender_key_distribution_message`: adds the remote sender's state
 * (record.ts `addState`) and makes its chain the sender's current one, retiring the one before.
 * A chain already held (the same chain id and key) or retired changes nothing, so a retried old
 * distribution never replaces a newer one. The distribution authenticates nothing itself: it
 * must have arrived over the pairwise session with `sender`. True when the entry changed.
 */
export function processSenderKeyDistribution(
  _ctx: SenderKeyContext,
  store: SenderKeyStore,
  sender: string,
  distribution: Uint8Array,
): boolean {
  const { distributionId, state } = decodeDistribution(distribution)
  const entry = store.loadSenderKey(sender, distributionId)
  if (entry?.retired.includes(state.chainId) === true) return false
  const record = recordOf(entry)
  if (record.stateForChainId(state.chainId)?.sameChain(state) === true) return false
  record.addState(state)
  storeWithCurrent(store, sender, distributionId, entry, record, state.chainId)
  return true
}

/** group_cipher.rs `group_encrypt`: returns the encoded SenderKeyMessage. The record's newest
 *  (own) chain stays the current one; the retired chains are kept. */
export function groupEncrypt(
  ctx: SenderKeyContext,
  store: SenderKeyStore,
  sender: string,
  distributionId: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  checkDistributionId(distributionId)
  const entry = store.loadSenderKey(sender, distributionId)
  if (entry === undefined) throw new NoSenderKeyError('no own sender key for this group')
  const record = SenderKeyRecord.deserialize(entry.record)
  const message = encryptWithRecord(ctx.crypto, record, distributionId, plaintext)
  storeNewestCurrent(store, sender, distributionId, entry, record)
  return message
}

/** A decrypted group message, not yet stored: nothing changes until `commit()`. */
export interface PendingGroupDecrypt {
  plaintext: Uint8Array
  /** Stores the sender's advanced record (its current and retired chains as they are); call it
   *  inside the caller's transaction, after its checks of the content. */
  commit(): void
}

/**
 * group_cipher.rs `group_decrypt` in two phases, for a caller that checks the content before
 * anything is stored (the service, as SessionCipher.decrypt does for 1:1): decrypts with
 * `opts.record` (the sender's record as the caller already loaded it, e.g. the topic validator's,
 * so it is not decoded twice) or the stored one (NoSenderKeyError if none). `opts.verified`: as
 * decryptWithRecord's, sparing a second signature check.
 */
export function groupDecryptPending(
  ctx: SenderKeyContext,
  store: SenderKeyStore,
  sender: string,
  message: Uint8Array | SenderKeyMessageFields,
  opts: { record?: SenderKeyRecord; verified?: VerifiedSenderKeyMessage | undefined } = {},
): PendingGroupDecrypt {
  const fields = message instanceof Uint8Array ? decodeSenderKeyMessage(message) : message
  const record = opts.record ?? loadSenderKeyRecord(store, sender, fields.distributionId)
  if (record === undefined) throw new NoSenderKeyError('no sender key for this sender and group')
  const plaintext = decryptWithRecord(ctx.crypto, record, fields, opts.verified)
  return {
    plaintext,
    commit: () => {
      const entry = store.loadSenderKey(sender, fields.distributionId)
      store.storeSenderKey(sender, fields.distributionId, {
        record: record.serialize(),
        currentChain: entry?.currentChain,
        retired: entry?.retired ?? [],
      })
    },
  }
}

/**
 * group_cipher.rs `group_decrypt`: returns the plaintext; stores the record only on success
 * (the current and retired chains as they were). `verified`: as decryptWithRecord's.
 */
export function groupDecrypt(
  ctx: SenderKeyContext,
  store: SenderKeyStore,
  sender: string,
  message: Uint8Array,
  verified?: VerifiedSenderKeyMessage,
): Uint8Array {
  const d = groupDecryptPending(ctx, store, sender, message, { verified })
  d.commit()
  return d.plaintext
}
