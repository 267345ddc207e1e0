// The file service (docs/files.md): `kith file send/list/get/cancel` and the files' lifecycle.
// Its parts: sealing (./seal.ts), manifests as chat messages (./manifests.ts; 1:1 through the
// outbox, groups through the Sender Key channel), a large file's hash list (./hashlist.ts),
// deposits with mailboxes (./deposit.ts), one download run (./fetch.ts over ./download.ts),
// serving to entitled peers (./serve.ts), the auto-download budget (./budget.ts) and the disk
// (./disk.ts). A file is sealed once, on send, into KITH_HOME/files/<fileId>.chunks; a
// receiver's chunks land in the same layout, verified, and are served on to other members from
// there. It owns the in-memory download state; it knows no SQL (store.files) and no transport
// (node.fileFetch).
import { mkdirSync } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import debug from 'debug'
import { toHex } from '../../core/index.js'
import {
  checkManifest,
  chunkCount,
  chunkPlainLength,
  wireManifest,
  type FileManifest,
} from '../../core/index.js'
import { encodeChatContent, type ChatContent } from '../../core/index.js'
import { FileManifest as FileManifestCodec } from '../../core/index.js'
import type { FileServeHandler } from '../../node/index.js'
import type { FileRow } from '../../store/files.js'
import type { MessageStatus, StoredMessage } from '../../store/types.js'
import type { ChatContext } from '../context.js'
import { verifiedChunks, writeOut } from './disk.js'
import {
  depositFile,
  depositPath,
  parseDepositName,
  readDeposit,
  type DepositProgress,
  type MailboxRef,
} from './deposit.js'
import { autoDownloadAllowed } from './budget.js'
import { runDownload } from './fetch.js'
import { FileCancelledError, FileNotFoundError, FileUnavailableError } from './errors.js'
import { hashListPath, readHashList, resolveManifest } from './hashlist.js'
import { parseInfo, type FileInfo } from './info.js'
import { AUTO_DOWNLOAD_MAX_BYTES, FILE_LIST_MAX, FILE_PROGRESS_EVENT_MS } from './limits.js'
import { acceptManifest, chatContentFor, fileRow } from './manifests.js'
import { sealFile } from './seal.js'
import { serveHandler } from './serve.js'

const log = debug('kith:service:files')

/** A `kith file list` row: `from` is the sender's PeerId, `have` the verified bytes held. */
export interface FileListRow extends FileInfo {
  from: string
  have: number
  direction: 'in' | 'out'
  conversation: string
  state: FileRow['state']
}

export interface FilesDeps {
  cx: ChatContext
  /** KITH_HOME/files and KITH_HOME/downloads. */
  dir: string
  downloads: string
  /** The contact's PeerId for a name or PeerId (ContactNotFoundError). */
  contact(ref: string): string
  /** Queues a 'file' message (text = its FileInfo JSON) with id `id` in the 1:1 outbox. */
  queue(peer: string, text: string, id: string): { id: string; status: MessageStatus }
  /** Sends a group's file message through its Sender Key channel (../groups/); `onStored` runs
   *  inside the transaction that stores it, with the group id. */
  queueGroup?(
    ref: string,
    text: string,
    file: { id: string; manifest: FileManifest; onStored: (groupId: string) => void },
  ): Promise<{ id: string; status: MessageStatus }>
  /** A contact's mailboxes (its card's; never us), where a 1:1 file's chunks are deposited. */
  mailboxesOf?(peer: string): Promise<MailboxRef[]>
  /** Our own mailboxes (chosen and configured): sources of 1:1 files deposited for us. */
  ownMailboxes?(): MailboxRef[]
  /** Most chunk hashes a sent manifest carries inline (tests lower it to exercise the hash
   *  list on small files); default and ceiling MAX_INLINE_CHUNK_HASHES. */
  inlineHashes?: number
}

const decodeManifest = (b: Uint8Array): FileManifest => FileManifestCodec.decode(b)

export class Files {
  readonly #d: FilesDeps
  /** Verified chunks of incoming files not yet complete, by file id (loaded on demand). */
  readonly #have = new Map<string, boolean[]>()
  /** Manifests with their chunk hashes filled in (a large file's list read from disk once). */
  readonly #resolved = new Map<string, FileManifest>()
  readonly #running = new Map<string, { done: Promise<void>; abort: AbortController }>()
  readonly #metrics = {
    badChunks: 0,
    downloads: 0,
    completed: 0,
    deposited: 0,
    depositPartial: 0,
    depositFailed: 0,
  }

  constructor(deps: FilesDeps) {
    this.#d = deps
  }

  start(): void {
    mkdirSync(this.#d.dir, { recursive: true, mode: 0o700 })
    const { node } = this.#d.cx
    node.onFileRequest?.(this.#handler())
    void this.#resumeDeposits()
    // Small files that were still coming when we stopped; and again when their sender is back.
    for (const r of this.#d.cx.store.files.list(FILE_LIST_MAX)) this.#maybeAuto(r)
    node.on('peer:connect', (peer) => {
      for (const r of this.#d.cx.store.files.list(FILE_LIST_MAX)) {
        if (r.sender === peer || this.#members(r).includes(peer)) this.#maybeAuto(r)
      }
    })
  }

  stop(): void {
    this.#d.cx.node.onFileRequest?.(undefined)
    for (const r of this.#running.values()) r.abort.abort()
  }

  metrics(): {
    badChunks: number
    downloads: number
    completed: number
    deposited: number
    depositPartial: number
    depositFailed: number
  } {
    return { ...this.#metrics }
  }

  #chunksPath(fileId: string): string {
    return join(this.#d.dir, `${fileId}.chunks`)
  }

  // ---- Sending --------------------------------------------------------------------------------

  /** Seals `path` once into the chunk store and sends its manifest to a contact. */
  async send(ref: string, path: string): Promise<FileInfo> {
    const { cx } = this.#d
    // A contact first (as `kith send`), else one of our groups (by name or id).
    let peer: string | undefined
    try {
      peer = this.#d.contact(ref)
    } catch (err) {
      if (this.#d.queueGroup === undefined || cx.store.groups.getGroup(ref)?.active !== true) {
        throw err
      }
    }
    let last = 0
    const sealed = await sealFile(
      path,
      cx.ctx.rng,
      (id) => this.#chunksPath(id),
      (id, done, total) => {
        const now = Date.now()
        if (done < total && now - last < FILE_PROGRESS_EVENT_MS) return
        last = now
        // `path` is what the CLI sent: it finds its own send's progress by it.
        cx.emit({ event: 'file', fileId: id, have: done, size: total, state: 'sealing', path })
      },
      this.#d.inlineHashes,
    )
    const { fileId, size } = sealed
    // What travels and is stored: without the hashes when the manifest has their root.
    const manifest = wireManifest(sealed.manifest)
    this.#resolved.set(fileId, sealed.manifest)
    checkManifest(manifest)
    const info: FileInfo = {
      fileId,
      name: manifest.name,
      size,
      sha256: toHex(manifest.sha256),
    }
    const messageId = toHex(cx.ctx.rng(16))
    // Refuse now what could never be encoded (a name over the limits): not at delivery time.
    encodeChatContent(chatContentFor(cx, messageId, manifest))
    const text = JSON.stringify(info)
    const row = (conversation: string) =>
      fileRow(info, manifest, messageId, conversation, cx.node.peerId, 'out', cx.ctx.clock())
    if (peer !== undefined) {
      const to = peer
      cx.store.transaction(() => {
        cx.store.files.insert(row(to))
        this.#d.queue(to, text, messageId)
      })
      this.#deposit(to, manifest, fileId)
    } else {
      let group: string | undefined
      await this.#d.queueGroup?.(ref, text, {
        id: messageId,
        manifest,
        onStored: (groupId) => {
          group = groupId
          cx.store.files.insert(row(groupId))
        },
      })
      // Members offline now get the chunks deposited with their mailboxes, as a 1:1 file.
      const stored = group === undefined ? undefined : cx.store.files.get(fileId)
      for (const member of stored === undefined ? [] : this.#members(stored)) {
        if (!cx.node.isConnected(member)) this.#deposit(member, manifest, fileId)
      }
    }
    return info
  }

  /** Deposits a stop or a crash left unfinished (their `.deposit` files), resumed. */
  async #resumeDeposits(): Promise<void> {
    const names = await readdir(this.#d.dir).catch(() => [] as string[])
    for (const name of names) {
      const d = parseDepositName(name)
      if (d === undefined) continue
      const p = await readDeposit(depositPath(this.#chunksPath(d.fileId), d.recipient))
      const r = this.#d.cx.store.files.get(d.fileId)
      if (p === undefined || p.recipient !== d.recipient || r?.direction !== 'out') continue
      if (r.conversation !== p.recipient && !this.#members(r).includes(p.recipient)) continue
      log('resuming the deposit of %s', d.fileId)
      this.#deposit(p.recipient, decodeManifest(r.manifest), d.fileId, p)
    }
  }

  /** In the background: the chunks to the recipient's mailboxes (./deposit.ts). */
  #deposit(peer: string, manifest: FileManifest, fileId: string, resume?: DepositProgress): void {
    const d = this.#d
    if (d.mailboxesOf === undefined) return
    const deps = {
      node: d.cx.node,
      mailboxesOf: (p: string) => d.mailboxesOf?.(p) ?? Promise.resolve([]),
      stopped: () => d.cx.stopped(),
    }
    const path = this.#chunksPath(fileId)
    void depositFile(deps, this.#metrics, peer, manifest, path, resume).then((n) =>
      log('file %s held by %d mailboxes of its recipient', fileId, n),
    )
  }

  /** The manifest the outbox puts in a queued 'file' message (undefined: not a file of ours). */
  manifestFor(m: StoredMessage): FileManifest | undefined {
    if (m.kind !== 'file') return undefined
    const info = parseInfo(m.text)
    const row = info === undefined ? undefined : this.#d.cx.store.files.get(info.fileId)
    return row === undefined ? undefined : decodeManifest(row.manifest)
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
    const got = acceptManifest(this.#d.cx, conversation, from, content, now)
    const row = got?.row
    if (row !== undefined) setImmediate(() => this.#maybeAuto(row))
    return got?.message
  }

  #maybeAuto(r: FileRow): void {
    if (r.direction !== 'in' || r.state === 'done' || r.state === 'cancelled') return
    if (r.size > AUTO_DOWNLOAD_MAX_BYTES || this.#d.cx.stopped()) return
    const cx = this.#d.cx
    if (!autoDownloadAllowed(cx.store.files.list(FILE_LIST_MAX), r, cx.ctx.clock())) {
      log('auto-download %s: over the budget, waits for `file get`', r.fileId)
      return
    }
    this.get(r.fileId).catch((err: Error) => log('auto-download %s: %s', r.fileId, err.name))
  }

  // ---- Listing, fetching, cancelling ----------------------------------------------------------

  async list(): Promise<FileListRow[]> {
    const rows = this.#d.cx.store.files.list(FILE_LIST_MAX)
    const out: FileListRow[] = []
    for (const r of rows) {
      out.push({
        fileId: r.fileId,
        name: r.name,
        size: r.size,
        sha256: r.sha256,
        from: r.sender,
        have: await this.#haveBytes(r),
        direction: r.direction,
        conversation: r.conversation,
        state: r.state,
      })
    }
    return out
  }

  /** The row's manifest with every chunk hash (undefined: a large file's list not held yet). */
  async #resolve(r: FileRow): Promise<FileManifest | undefined> {
    const known = this.#resolved.get(r.fileId)
    if (known !== undefined) return known
    const m = await resolveManifest(decodeManifest(r.manifest), this.#chunksPath(r.fileId))
    if (m !== undefined) this.#resolved.set(r.fileId, m)
    return m
  }

  async #haveArray(r: FileRow): Promise<boolean[]> {
    let have = this.#have.get(r.fileId)
    if (have === undefined) {
      const m = await this.#resolve(r)
      // No hash list yet: nothing can have verified (the list is fetched before any chunk).
      if (m === undefined) return new Array<boolean>(chunkCount(r.size)).fill(false)
      have = await verifiedChunks(this.#chunksPath(r.fileId), m)
      // Another call may have loaded it meanwhile: keep the first (a download mutates it).
      have = this.#have.get(r.fileId) ?? have
      this.#have.set(r.fileId, have)
    }
    return have
  }

  async #haveBytes(r: FileRow): Promise<number> {
    if (r.direction === 'out' || r.state === 'done') return r.size
    if (r.state === 'cancelled') return 0
    const have = await this.#haveArray(r)
    return have.reduce((s, h, i) => (h ? s + chunkPlainLength(r.size, i) : s), 0)
  }

  #rowOrThrow(fileId: string): FileRow {
    const r = /^[0-9a-f]{32}$/.test(fileId) ? this.#d.cx.store.files.get(fileId) : undefined
    if (r === undefined) throw new FileNotFoundError(`no file ${fileId}`)
    return r
  }

  /** Fetches what is missing (resuming from verified chunks) and writes the file to `out`
   *  (default KITH_HOME/downloads), never overwriting. */
  async get(fileId: string, out?: string): Promise<FileInfo & { path: string }> {
    const r = this.#rowOrThrow(fileId)
    const info = { fileId: r.fileId, name: r.name, size: r.size, sha256: r.sha256 }
    if (r.state === 'cancelled') throw new FileCancelledError('the file was cancelled')
    if (r.direction === 'in' && this.#d.cx.store.trust.isBlocked(r.sender)) {
      throw new FileCancelledError('its sender is blocked')
    }
    if (r.direction === 'in' && r.state !== 'done') await this.#fetch(r)
    const current = this.#rowOrThrow(fileId)
    if (out === undefined && current.path !== undefined) return { ...info, path: current.path }
    const m = await this.#resolve(r)
    if (m === undefined) throw new FileUnavailableError('the hash list is not held yet')
    if (out === undefined) await mkdir(this.#d.downloads, { recursive: true, mode: 0o700 })
    const path = await writeOut(this.#chunksPath(fileId), m, fileId, out ?? this.#d.downloads)
    if (current.direction === 'in' && current.path === undefined) {
      this.#d.cx.store.files.setState(fileId, 'done', path)
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
      {
        cx: this.#d.cx,
        chunksPath: this.#chunksPath(r.fileId),
        resolved: await this.#resolve(r),
        onResolved: (m) => this.#resolved.set(r.fileId, m),
        have: () => this.#haveArray(r),
        members: this.#members(r),
        ownMailboxes: this.#d.ownMailboxes?.() ?? [],
        metrics: this.#metrics,
        emit: (have, state) => this.#emit(r, have, state),
      },
      r,
      signal,
    )
  }

  /** A group file's current members other than us ([] for a 1:1 file or a group we left). */
  #members(r: FileRow): string[] {
    const g = this.#d.cx.store.groups.getGroup(r.conversation)
    if (g === undefined || !g.active || g.groupId !== r.conversation) return []
    return g.members.filter((p) => p !== this.#d.cx.node.peerId)
  }

  #emit(r: FileRow, have: number, state: FileRow['state']): void {
    this.#d.cx.emit({ event: 'file', fileId: r.fileId, have, size: r.size, state })
  }

  /** Stops a download and forgets its chunks (incoming), or stops serving it (outgoing). */
  async cancel(fileId: string): Promise<{ fileId: string; cancelled: boolean }> {
    const r = this.#rowOrThrow(fileId)
    this.#d.cx.store.files.setState(fileId, 'cancelled')
    const running = this.#running.get(fileId)
    running?.abort.abort()
    await running?.done.catch(() => undefined)
    this.#have.delete(fileId)
    this.#resolved.delete(fileId)
    if (r.direction === 'in') {
      await rm(this.#chunksPath(fileId), { force: true })
      await rm(hashListPath(this.#chunksPath(fileId)), { force: true })
    }
    this.#emit(r, 0, 'cancelled')
    return { fileId, cancelled: true }
  }

  // ---- Serving (./serve.ts) ---------------------------------------------------------------

  #handler(): FileServeHandler {
    return serveHandler(this.#d.cx.store, {
      members: (r) => this.#members(r),
      have: (r) => this.#haveArray(r),
      chunksPath: (id) => this.#chunksPath(id),
      hashList: (r) => readHashList(hashListPath(this.#chunksPath(r.fileId))),
    })
  }
}

export { autoDownloadAllowed } from './budget.js'
