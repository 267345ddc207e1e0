// Sending a file (docs/files.md "Sending"): sealing it once into the chunk store, its manifest
// queued as a 'file' message (1:1 through the outbox, a group through its Sender Key channel),
// and its chunks deposited with the mailboxes of recipients who are offline (./deposit.ts),
// resumed after a stop. It knows nothing of downloads or serving, nor how messages are sent.
import { readdir } from 'node:fs/promises'
import debug from 'debug'
import { newMessageId, toHex } from '../../core/index.js'
import { checkManifest, wireManifest, type FileManifest } from '../../core/index.js'
import { encodeChatContent } from '../../core/index.js'
import { decodeManifest, type ChunkState } from './chunks.js'
import {
  depositFile,
  depositPath,
  parseDepositName,
  readDeposit,
  type DepositProgress,
} from './deposit.js'
import type { FilesContext } from './context.js'
import type { FileInfo } from './info.js'
import { FILE_PROGRESS_EVENT_MS } from './limits.js'
import { chatContentFor, fileMembers, fileRow } from './manifests.js'
import { sealFile } from './seal.js'
import type { FileMetrics } from '../types.js'

const log = debug('kith:service:files')

export class FileSender {
  readonly #cx: FilesContext
  readonly #chunks: ChunkState
  readonly #metrics: FileMetrics

  constructor(cx: FilesContext, chunks: ChunkState, metrics: FileMetrics) {
    this.#cx = cx
    this.#chunks = chunks
    this.#metrics = metrics
  }

  /** Seals `path` once into the chunk store and sends its manifest to a contact. */
  async send(ref: string, path: string): Promise<FileInfo> {
    const cx = this.#cx
    // A contact first (as `kith send`), else one of our groups (by name or id).
    let peer: string | undefined
    try {
      peer = this.#cx.contact(ref)
    } catch (err) {
      if (this.#cx.queueGroup === undefined || cx.store.groups.getGroup(ref)?.active !== true) {
        throw err
      }
    }
    let last = 0
    const sealed = await sealFile(
      path,
      cx.ctx.rng,
      (id) => this.#chunks.path(id),
      (id, done, total) => {
        const now = Date.now()
        if (done < total && now - last < FILE_PROGRESS_EVENT_MS) return
        last = now
        // `path` is what the CLI sent: it finds its own send's progress by it.
        cx.emit({ event: 'file', fileId: id, have: done, size: total, state: 'sealing', path })
      },
      this.#cx.inlineHashes,
    )
    const { fileId, size } = sealed
    // What travels and is stored: without the hashes when the manifest has their root.
    const manifest = wireManifest(sealed.manifest)
    this.#chunks.setResolved(fileId, sealed.manifest)
    checkManifest(manifest)
    const info: FileInfo = {
      fileId,
      name: manifest.name,
      size,
      sha256: toHex(manifest.sha256),
    }
    const messageId = toHex(newMessageId(cx.ctx))
    // Refuse now what could never be encoded (a name over the limits): not at delivery time.
    encodeChatContent(chatContentFor(cx, messageId, manifest))
    const text = JSON.stringify(info)
    const row = (conversation: string) =>
      fileRow(info, manifest, messageId, conversation, cx.node.peerId, 'out', cx.ctx.clock())
    if (peer !== undefined) {
      const to = peer
      cx.store.transaction(() => {
        cx.store.files.insert(row(to))
        this.#cx.queue(to, text, messageId)
      })
      this.#deposit(to, manifest, fileId)
    } else {
      let group: string | undefined
      await this.#cx.queueGroup?.(ref, text, {
        id: messageId,
        manifest,
        onStored: (groupId) => {
          group = groupId
          cx.store.files.insert(row(groupId))
        },
      })
      // Members offline now get the chunks deposited with their mailboxes, as a 1:1 file.
      const stored = group === undefined ? undefined : cx.store.files.get(fileId)
      for (const member of stored === undefined ? [] : fileMembers(this.#cx, stored)) {
        if (!cx.node.isConnected(member)) this.#deposit(member, manifest, fileId)
      }
    }
    return info
  }

  /** Deposits a stop or a crash left unfinished (their `.deposit` files), resumed. */
  async resumeDeposits(): Promise<void> {
    const names = await readdir(this.#cx.dir).catch(() => [] as string[])
    for (const name of names) {
      const d = parseDepositName(name)
      if (d === undefined) continue
      const p = await readDeposit(depositPath(this.#chunks.path(d.fileId), d.recipient))
      const r = this.#cx.store.files.get(d.fileId)
      if (p === undefined || p.recipient !== d.recipient || r?.direction !== 'out') continue
      if (r.conversation !== p.recipient && !fileMembers(this.#cx, r).includes(p.recipient))
        continue
      log('resuming the deposit of %s', d.fileId)
      this.#deposit(p.recipient, decodeManifest(r.manifest), d.fileId, p)
    }
  }

  /** In the background: the chunks to the recipient's mailboxes (./deposit.ts). */
  #deposit(peer: string, manifest: FileManifest, fileId: string, resume?: DepositProgress): void {
    const cx = this.#cx
    if (cx.mailboxesOf === undefined) return
    const depositCx = {
      node: cx.node,
      mailboxesOf: (p: string) => cx.mailboxesOf?.(p) ?? Promise.resolve([]),
      stopped: () => cx.stopped(),
    }
    const path = this.#chunks.path(fileId)
    void depositFile(depositCx, this.#metrics, peer, manifest, path, resume).then((n) =>
      log('file %s held by %d mailboxes of its recipient', fileId, n),
    )
  }
}
