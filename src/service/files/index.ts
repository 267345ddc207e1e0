// The file service (docs/files.md): `kith file send/list/get/cancel` and the files' lifecycle.
// Its parts: sending and deposits (./send.ts over ./seal.ts and ./deposit.ts), what we hold on
// disk (./chunks.ts, ./disk.ts, a large file's hash list ./hashlist.ts), manifests as chat
// messages (./manifests.ts), one download run (./fetch.ts over ./download.ts), serving to
// entitled peers (./serve.ts) and the auto-download budget (./budget.ts). A file is sealed once,
// on send, into KITH_HOME/files/<fileId>.chunks; a receiver's chunks land in the same layout,
// verified, and are served on to other members from there. It owns the in-memory download
// state; it knows no SQL (store.files) and no transport (node.fileFetch).
import { mkdirSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import debug from 'debug'
import type { ChatContent, FileManifest } from '../../core/index.js'
import type { FileServeHandler } from '../../node/index.js'
import type { FileRow } from '../../store/files.js'
import type { StoredMessage } from '../../store/types.js'
import { writeOut } from './disk.js'
import { autoDownloadAllowed } from './budget.js'
import { runDownload } from './fetch.js'
import { FileCancelledError, FileNotFoundError, FileUnavailableError } from './errors.js'
import { ChunkState } from './chunks.js'
import { hashListPath, readHashList } from './hashlist.js'
import type { FileInfo } from './info.js'
import { AUTO_DOWNLOAD_MAX_BYTES, FILE_LIST_MAX } from './limits.js'
import { acceptManifest, fileMembers, manifestFor } from './manifests.js'
import { FileSender } from './send.js'
import type { FileListRow, FileMetrics } from '../types.js'
import type { FilesContext } from './context.js'
export type { FilesContext } from './context.js'
import { serveHandler } from './serve.js'

const log = debug('kith:service:files')

export class Files {
  readonly #cx: FilesContext
  /** What we hold of each file on disk (./chunks.ts). */
  readonly #chunks: ChunkState
  readonly #running = new Map<string, { done: Promise<void>; abort: AbortController }>()
  readonly #metrics: FileMetrics = {
    badChunks: 0,
    downloads: 0,
    completed: 0,
    deposited: 0,
    depositPartial: 0,
    depositFailed: 0,
  }
  /** Sealing, sending and depositing our files (./send.ts). */
  readonly #sender: FileSender

  constructor(cx: FilesContext) {
    this.#cx = cx
    this.#chunks = new ChunkState(cx.dir)
    this.#sender = new FileSender(cx, this.#chunks, this.#metrics)
  }

  start(): void {
    mkdirSync(this.#cx.dir, { recursive: true, mode: 0o700 })
    const { node } = this.#cx
    node.onFileRequest?.(this.#handler())
    void this.#sender.resumeDeposits()
    // Small files that were still coming when we stopped; and again when their sender is back.
    for (const r of this.#cx.store.files.list(FILE_LIST_MAX)) this.#maybeAuto(r)
    node.on('peer:connect', (peer) => {
      for (const r of this.#cx.store.files.list(FILE_LIST_MAX)) {
        if (r.sender === peer || fileMembers(this.#cx, r).includes(peer)) this.#maybeAuto(r)
      }
    })
  }

  stop(): void {
    this.#cx.node.onFileRequest?.(undefined)
    for (const r of this.#running.values()) r.abort.abort()
  }

  metrics(): FileMetrics {
    return { ...this.#metrics }
  }

  // ---- Sending --------------------------------------------------------------------------------

  /** Seals `path` once into the chunk store and sends its manifest (./send.ts). */
  send(ref: string, path: string): Promise<FileInfo> {
    return this.#sender.send(ref, path)
  }

  /** The manifest the outbox puts in a queued 'file' message (undefined: not a file of ours). */
  manifestFor(m: StoredMessage): FileManifest | undefined {
    return manifestFor(this.#cx, m)
  }

  // ---- Receiving ------------------------------------------------------------------------------

  /**
   * A contact's manifest (inside the receive transaction): stored as a 'file' message and a
   * files row; small files start downloading once the transaction is over. A manifest that
   * breaks the format's limits is dropped (and acked, so it is not resent). Returns the message
   * to show, or undefined.
   */
  received(from: string, content: ChatContent, now: number): StoredMessage | undefined {
    return this.#received(from, from, content, now)
  }

  /** A group member's manifest, from the group's Sender Key channel (../groups/messages.ts). */
  receivedGroup(
    groupId: string,
    from: string,
    content: ChatContent,
    now: number,
  ): StoredMessage | undefined {
    return this.#received(groupId, from, content, now)
  }

  #received(
    conversation: string,
    from: string,
    content: ChatContent,
    now: number,
  ): StoredMessage | undefined {
    const got = acceptManifest(this.#cx, conversation, from, content, now)
    const row = got?.row
    if (row !== undefined) setImmediate(() => this.#maybeAuto(row))
    return got?.message
  }

  #maybeAuto(r: FileRow): void {
    if (r.direction !== 'in' || r.state === 'done' || r.state === 'cancelled') return
    if (r.size > AUTO_DOWNLOAD_MAX_BYTES || this.#cx.stopped()) return
    const cx = this.#cx
    if (!autoDownloadAllowed(cx.store.files.list(FILE_LIST_MAX), r, cx.ctx.clock())) {
      log('auto-download %s: over the budget, waits for `file get`', r.fileId)
      return
    }
    this.get(r.fileId).catch((err: Error) => log('auto-download %s: %s', r.fileId, err.name))
  }

  // ---- Listing, fetching, cancelling ----------------------------------------------------------

  async list(): Promise<FileListRow[]> {
    const rows = this.#cx.store.files.list(FILE_LIST_MAX)
    const out: FileListRow[] = []
    for (const r of rows) {
      out.push({
        fileId: r.fileId,
        name: r.name,
        size: r.size,
        sha256: r.sha256,
        from: r.sender,
        have: await this.#chunks.haveBytes(r),
        direction: r.direction,
        conversation: r.conversation,
        state: r.state,
      })
    }
    return out
  }

  #rowOrThrow(fileId: string): FileRow {
    const r = /^[0-9a-f]{32}$/.test(fileId) ? this.#cx.store.files.get(fileId) : undefined
    if (r === undefined) throw new FileNotFoundError(`no file ${fileId}`)
    return r
  }

  /** Fetches what is missing (resuming from verified chunks) and writes the file to `out`
   *  (default KITH_HOME/downloads), never overwriting. */
  async get(fileId: string, out?: string): Promise<FileInfo & { path: string }> {
    const r = this.#rowOrThrow(fileId)
    const info = { fileId: r.fileId, name: r.name, size: r.size, sha256: r.sha256 }
    if (r.state === 'cancelled') throw new FileCancelledError('the file was cancelled')
    if (r.direction === 'in' && this.#cx.store.trust.isBlocked(r.sender)) {
      throw new FileCancelledError('its sender is blocked')
    }
    if (r.direction === 'in' && r.state !== 'done') await this.#fetch(r)
    const current = this.#rowOrThrow(fileId)
    if (out === undefined && current.path !== undefined) return { ...info, path: current.path }
    const m = await this.#chunks.resolve(r)
    if (m === undefined) throw new FileUnavailableError('the hash list is not held yet')
    if (out === undefined) await mkdir(this.#cx.downloads, { recursive: true, mode: 0o700 })
    const path = await writeOut(this.#chunks.path(fileId), m, fileId, out ?? this.#cx.downloads)
    if (current.direction === 'in' && current.path === undefined) {
      this.#cx.store.files.setState(fileId, 'done', path)
    }
    this.#emit(current, r.size, 'done')
    return { ...info, path }
  }

  /** One download per file at a time; later callers join it. */
  #fetch(r: FileRow): Promise<void> {
    const running = this.#running.get(r.fileId)
    if (running !== undefined) return running.done
    const abort = new AbortController()
    const done = this.#runDownload(r, abort.signal).finally(() => this.#running.delete(r.fileId))
    this.#running.set(r.fileId, { done, abort })
    return done
  }

  async #runDownload(r: FileRow, signal: AbortSignal): Promise<void> {
    await runDownload(
      this.#cx,
      {
        chunksPath: this.#chunks.path(r.fileId),
        resolved: await this.#chunks.resolve(r),
        onResolved: (m) => this.#chunks.setResolved(r.fileId, m),
        have: () => this.#chunks.have(r),
        members: fileMembers(this.#cx, r),
        ownMailboxes: this.#cx.ownMailboxes?.() ?? [],
        metrics: this.#metrics,
        emit: (have, state) => this.#emit(r, have, state),
      },
      r,
      signal,
    )
  }

  #emit(r: FileRow, have: number, state: FileRow['state']): void {
    this.#cx.emit({ event: 'file', fileId: r.fileId, have, size: r.size, state })
  }

  /** Stops a download and forgets its chunks (incoming), or stops serving it (outgoing). */
  async cancel(fileId: string): Promise<{ fileId: string; cancelled: boolean }> {
    const r = this.#rowOrThrow(fileId)
    this.#cx.store.files.setState(fileId, 'cancelled')
    const running = this.#running.get(fileId)
    running?.abort.abort()
    await running?.done.catch(() => undefined)
    this.#chunks.forget(fileId)
    if (r.direction === 'in') {
      await rm(this.#chunks.path(fileId), { force: true })
      await rm(hashListPath(this.#chunks.path(fileId)), { force: true })
    }
    this.#emit(r, 0, 'cancelled')
    return { fileId, cancelled: true }
  }

  // ---- Serving (./serve.ts) ---------------------------------------------------------------

  #handler(): FileServeHandler {
    return serveHandler({
      store: this.#cx.store,
      members: (r) => fileMembers(this.#cx, r),
      have: (r) => this.#chunks.have(r),
      chunksPath: (id) => this.#chunks.path(id),
      hashList: (r) => readHashList(hashListPath(this.#chunks.path(r.fileId))),
    })
  }
}

export { autoDownloadAllowed } from './budget.js'
