// Manifests as chat messages (docs/files.md "Format"): the files row and the 'file' message a
// received manifest becomes (after the format's checks; one manifest per file id), the row of a
// file we send, and the ChatContent a sent manifest is checked against. It knows nothing of
// downloads, disks or transports.
import debug from 'debug'
import { fromHex, toHex } from '../../core/index.js'
import { checkManifest, type FileManifest } from '../../core/index.js'
import type { ChatContent, encodeChatContent } from '../../core/index.js'
import { FileManifest as FileManifestCodec } from '../../core/index.js'
import type { FileRow } from '../../store/files.js'
import type { StoredMessage } from '../../store/types.js'
import type { ChatContext } from '../context.js'
import { decodeManifest } from './chunks.js'
import { parseInfo, type FileInfo } from './info.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:files')

/** The files row of a manifest, sent ('out', done) or received ('in', pending). */
export function fileRow(
  info: FileInfo,
  m: FileManifest,
  messageId: string,
  conversation: string,
  sender: string,
  direction: 'in' | 'out',
  now: number,
): FileRow {
  return {
    ...info,
    messageId,
    conversation,
    sender,
    direction,
    manifest: FileManifestCodec.encode(m),
    state: direction === 'out' ? 'done' : 'pending',
    createdAt: now,
  }
}

/** The ChatContent a sent manifest travels in (to refuse early what could never be encoded). */
export function chatContentFor(
  cx: ChatContext,
  messageId: string,
  file: FileManifest,
): Parameters<typeof encodeChatContent>[0] {
  return {
    messageId: fromHex(messageId),
    sender: cx.meBytes,
    seq: 1n,
    sentAt: 0n,
    conversation: new Uint8Array(0),
    file,
  }
}

/**
 * A received manifest (inside the receive transaction): stored as a 'file' message and, the
 * first time, a files row (returned, for the caller to consider auto-downloading). A manifest
 * off the format's rules, another sender's file id, or the same id in another message (a second
 * manifest that could differ from the first) is dropped: undefined.
 */
export function acceptManifest(
  cx: ChatContext,
  conversation: string,
  from: string,
  content: ChatContent,
  now: number,
): { message: StoredMessage; row?: FileRow } | undefined {
  const m = content.file
  if (m === undefined) return undefined
  let size: number
  try {
    size = checkManifest(m)
  } catch (err) {
    log('manifest from %s dropped: %s', from, errorName(err))
    return undefined
  }
  const info: FileInfo = { fileId: toHex(m.fileId), name: m.name, size, sha256: toHex(m.sha256) }
  const message: StoredMessage = {
    id: toHex(content.messageId),
    conversation,
    from,
    direction: 'in',
    seq: Number(content.seq),
    text: JSON.stringify(info),
    sentAt: Number(content.sentAt),
    receivedAt: now,
    status: 'delivered',
    kind: 'file',
  }
  const known = cx.store.files.get(info.fileId)
  if (known !== undefined && (known.sender !== from || known.messageId !== message.id)) {
    return undefined
  }
  if (!cx.store.insertMessage(message)) return undefined
  if (known !== undefined) return { message }
  const row = fileRow(info, m, message.id, conversation, from, 'in', now)
  cx.store.files.insert(row)
  return { message, row }
}

/** A group file's current members other than us ([] for a 1:1 file or a group we left). */
export function fileMembers(cx: Pick<ChatContext, 'store' | 'node'>, r: FileRow): string[] {
  const g = cx.store.groups.getGroup(r.conversation)
  if (g === undefined || !g.active || g.groupId !== r.conversation) return []
  return g.members.filter((p) => p !== cx.node.peerId)
}

/** The manifest a queued 'file' message of ours carries (the outbox and the groups put it in
 *  place of the text, its local JSON line); undefined when it is not a file of ours. */
export function manifestFor(
  cx: Pick<ChatContext, 'store'>,
  m: StoredMessage,
): FileManifest | undefined {
  if (m.kind !== 'file') return undefined
  const info = parseInfo(m.text)
  const row = info === undefined ? undefined : cx.store.files.get(info.fileId)
  return row === undefined ? undefined : decodeManifest(row.manifest)
}
