// Offline delivery of a 1:1 file (docs/files.md "Offline delivery"): after sending a file to a
// contact, its sealed chunks are deposited with FILE_DEPOSIT_COPIES of the recipient's mailboxes
// (the ones its card names: configured relays and its contacts, exactly where 1:1 envelopes go),
// so the recipient can fetch them after we went offline (node/file/box.ts). The chunks are
// already sealed under the file key and verified against the manifest by the recipient: a
// mailbox learns sizes and timing only. Done in the background, retried a few times if no
// mailbox takes the file; not resumed after a restart. It knows nothing of SQL or downloads.
import { setTimeout as sleep } from 'node:timers/promises'
import debug from 'debug'
import { chunkCount, sealedLength } from '../../core/index.js'
import type { FileManifest } from '../../core/index.js'
import { FILEBOX_QUOTA_PER_RECIPIENT_BYTES, MAILBOX_DEPOSIT_REPLICAS } from '../../node/index.js'
import type { KithNode } from '../../node/index.js'
import { openChunks, readChunk } from './disk.js'
import { FileWriteError } from './errors.js'

const log = debug('kith:service:files:deposit')

/** Mailboxes a file's chunks are deposited with: as many as for an envelope (two), so one
 *  mailbox down or expired still leaves a copy. */
export const FILE_DEPOSIT_COPIES = MAILBOX_DEPOSIT_REPLICAS
/** Attempts at depositing a file when no mailbox took it (the recipient's card unknown yet, its
 *  mailboxes unreachable); then the file waits for a direct transfer. */
export const FILE_DEPOSIT_ROUNDS = 5
/** Pause between attempts (grows linearly): a card or a relay connection usually comes within
 *  a minute. */
export const FILE_DEPOSIT_RETRY_MS = 30_000

/** A mailbox of the recipient's and where to dial it. */
export interface MailboxRef {
  peerId: string
  addrs: string[]
}

export interface DepositDeps {
  node: KithNode
  /** The recipient's mailboxes (its card's), never ourselves. */
  mailboxesOf(peer: string): Promise<MailboxRef[]>
  stopped(): boolean
}

export interface DepositMetrics {
  /** Files held by at least one of the recipient's mailboxes. */
  deposited: number
  /** Files no mailbox took after FILE_DEPOSIT_ROUNDS (or too large for a file box). */
  depositFailed: number
}

/**
 * Deposits every sealed chunk of `m` (at `chunksPath`) for `peer`. Resolves how many mailboxes
 * hold the whole file (0: none did). Never rejects.
 */
export async function depositFile(
  d: DepositDeps,
  metrics: DepositMetrics,
  peer: string,
  m: FileManifest,
  chunksPath: string,
): Promise<number> {
  const size = Number(m.size)
  const count = chunkCount(size)
  let sealed = 0
  for (let i = 0; i < count; i++) sealed += sealedLength(size, i)
  if (sealed > FILEBOX_QUOTA_PER_RECIPIENT_BYTES || d.node.fileboxDeposit === undefined) {
    metrics.depositFailed++
    return 0
  }
  for (let round = 1; round <= FILE_DEPOSIT_ROUNDS && !d.stopped(); round++) {
    const copies = await depositOnce(d, peer, m, chunksPath, count).catch((err: Error) => {
      log('deposit of a file for %s: %s', peer, err.name)
      return 0
    })
    if (copies > 0) {
      metrics.deposited++
      return copies
    }
    await sleep(FILE_DEPOSIT_RETRY_MS * round, undefined, { ref: false })
  }
  metrics.depositFailed++
  return 0
}

async function depositOnce(
  d: DepositDeps,
  peer: string,
  m: FileManifest,
  chunksPath: string,
  count: number,
): Promise<number> {
  const deposit = d.node.fileboxDeposit?.bind(d.node)
  if (deposit === undefined) return 0
  const size = Number(m.size)
  const fh = await openChunks(chunksPath)
  try {
    const chunk = async (i: number) => {
      const data = await readChunk(fh, sealedLength(size, i), i)
      if (data === undefined) throw new FileWriteError(`chunk ${i} is missing on disk`)
      return data
    }
    let copies = 0
    for (const mb of await d.mailboxesOf(peer)) {
      if (copies >= FILE_DEPOSIT_COPIES || d.stopped()) break
      try {
        await deposit(mb.peerId, peer, m.fileId, count, chunk, mb.addrs)
        copies++
      } catch (err) {
        log('deposit for %s at %s failed: %s', peer, mb.peerId, (err as Error).name)
      }
    }
    return copies
  } finally {
    await fh.close()
  }
}
