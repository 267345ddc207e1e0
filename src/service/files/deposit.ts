// Offline delivery of a 1:1 file (docs/files.md "Offline delivery"): after sending a file to a
// contact, its sealed chunks are deposited with FILE_DEPOSIT_COPIES of the recipient's mailboxes
// (the ones its card names: configured relays and its contacts, exactly where 1:1 envelopes go),
// so the recipient can fetch them after we went offline (node/file/box.ts). The chunks are
// already sealed under the file key and verified against the manifest by the recipient: a
// mailbox learns sizes and timing only. Done in the background, retried a few times if no
// mailbox takes the file. A group file is deposited the same way for each member offline when it
// is sent. Resumed after a restart: what each mailbox acknowledged is kept in
// KITH_HOME/files/<fileId>.<recipient>.deposit until the deposit is over, and a resumed deposit starts after
// it. A file over a mailbox's quota is deposited as far as the quota goes (the recipient takes
// those chunks from the box and the rest from the sender). It knows nothing of SQL or downloads.
import { readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import debug from 'debug'
import { chunkCount, sealedLength, type FileManifest } from '../../core/index.js'
import { MAILBOX_DEPOSIT_REPLICAS } from '../../node/index.js'
import type { KithNode } from '../../node/index.js'
import { openChunks, readChunk } from './disk.js'
import { FileWriteError } from './errors.js'
import { errorName } from '../../core/errors.js'

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
/** Acknowledged chunks between two writes of a deposit's progress file: a restart repeats at
 *  most this many (4 MiB) per mailbox, for one small write per 4 MiB deposited. */
export const FILE_DEPOSIT_PROGRESS_CHUNKS = 16

/** A deposit under way, on disk: the recipient, and how many chunks (0…n-1) each mailbox
 *  acknowledged. */
export interface DepositProgress {
  recipient: string
  acked: Record<string, number>
}

/** Where a file's deposit progress for one recipient lives, beside its `<fileId>.chunks`:
 *  `<fileId>.<recipient>.deposit` (a group file has one per offline member). */
export const depositPath = (chunksPath: string, recipient: string): string =>
  chunksPath.replace(/\.chunks$/, `.${recipient}.deposit`)

/** The file id and recipient a progress file's name stands for (undefined: not one). */
export function parseDepositName(name: string): { fileId: string; recipient: string } | undefined {
  const m = /^([0-9a-f]{32})\.([1-9A-HJ-NP-Za-km-z]{32,64})\.deposit$/.exec(name)
  return m === null ? undefined : { fileId: m[1]!, recipient: m[2]! }
}

/** A deposit left unfinished by a stop or a crash (undefined: none, or unreadable). */
export async function readDeposit(path: string): Promise<DepositProgress | undefined> {
  try {
    const p = JSON.parse(await readFile(path, 'utf8')) as DepositProgress
    if (typeof p.recipient !== 'string' || typeof p.acked !== 'object' || p.acked === null) {
      return undefined
    }
    return p
  } catch {
    return undefined
  }
}

async function saveDeposit(path: string, p: DepositProgress): Promise<void> {
  const tmp = `${path}.tmp`
  await writeFile(tmp, JSON.stringify(p), { mode: 0o600 })
  await rename(tmp, path)
}

/** A mailbox of the recipient's and where to dial it. */
export interface MailboxRef {
  peerId: string
  addrs: string[]
}

export interface DepositContext {
  node: KithNode
  /** The recipient's mailboxes (its card's), never ourselves. */
  mailboxesOf(peer: string): Promise<MailboxRef[]>
  stopped(): boolean
}

export interface DepositMetrics {
  /** Files held by at least one of the recipient's mailboxes. */
  deposited: number
  /** Files no mailbox took whole, but one took part of (its quota reached). */
  depositPartial: number
  /** Files no mailbox took anything of after FILE_DEPOSIT_ROUNDS. */
  depositFailed: number
}

/**
 * Deposits every sealed chunk of `m` (at `chunksPath`) for `peer`, after what `resume` says
 * each mailbox already acknowledged. Resolves how many mailboxes hold the whole file (0: none
 * did). Never rejects. Stopped midway (the node stopping), it leaves its progress file for the
 * next start.
 */
export async function depositFile(
  cx: DepositContext,
  metrics: DepositMetrics,
  peer: string,
  m: FileManifest,
  chunksPath: string,
  resume?: DepositProgress,
): Promise<number> {
  const count = chunkCount(Number(m.size))
  if (cx.node.fileboxDeposit === undefined) return 0
  const path = depositPath(chunksPath, peer)
  const progress: DepositProgress = resume ?? { recipient: peer, acked: {} }
  await saveDeposit(path, progress).catch(() => undefined)
  let result = { copies: 0, partial: false }
  for (let round = 1; round <= FILE_DEPOSIT_ROUNDS && !cx.stopped(); round++) {
    result = await depositOnce(cx, peer, m, chunksPath, count, progress).catch((err: Error) => {
      log('deposit of a file for %s: %s', peer, err.name)
      return { copies: 0, partial: false }
    })
    if (result.copies > 0 || result.partial) break
    await sleep(FILE_DEPOSIT_RETRY_MS * round, undefined, { ref: false })
  }
  if (cx.stopped() && result.copies === 0 && !result.partial) return 0 // resumed at next start
  if (result.copies > 0) metrics.deposited++
  else if (result.partial) metrics.depositPartial++
  else metrics.depositFailed++
  await unlink(path).catch(() => undefined)
  return result.copies
}

async function depositOnce(
  cx: DepositContext,
  peer: string,
  m: FileManifest,
  chunksPath: string,
  count: number,
  progress: DepositProgress,
): Promise<{ copies: number; partial: boolean }> {
  const deposit = cx.node.fileboxDeposit?.bind(cx.node)
  if (deposit === undefined) return { copies: 0, partial: false }
  const size = Number(m.size)
  const path = depositPath(chunksPath, peer)
  const fh = await openChunks(chunksPath)
  try {
    let copies = 0
    let partial = false
    for (const mb of await cx.mailboxesOf(peer)) {
      if (copies >= FILE_DEPOSIT_COPIES || cx.stopped()) break
      const first = progress.acked[mb.peerId] ?? 0
      if (first >= count) {
        copies++ // held whole before a restart
        continue
      }
      let saved = first
      // Asked for chunk i: the box acknowledged every chunk before it (box-client.ts).
      const chunk = async (i: number) => {
        progress.acked[mb.peerId] = i
        if (i - saved >= FILE_DEPOSIT_PROGRESS_CHUNKS) {
          saved = i
          await saveDeposit(path, progress).catch(() => undefined)
        }
        const data = await readChunk(fh, sealedLength(size, i), i)
        if (data === undefined) throw new FileWriteError(`chunk ${i} is missing on disk`)
        return data
      }
      try {
        await deposit(mb.peerId, peer, m.fileId, count, chunk, mb.addrs, first)
        progress.acked[mb.peerId] = count
        copies++
      } catch (err) {
        const name = errorName(err)
        // Over its quota: what it took stays there for the recipient; not asked again.
        if (name === 'FileBoxQuotaError' && (progress.acked[mb.peerId] ?? 0) > 0) partial = true
        log('deposit for %s at %s stopped: %s', peer, mb.peerId, name)
      }
      await saveDeposit(path, progress).catch(() => undefined)
    }
    return { copies, partial }
  } finally {
    await fh.close()
  }
}
