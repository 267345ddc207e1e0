// Sending group messages (docs/groups.md §3): encrypt once with our sender key, keep the
// ciphertext (retention: members who miss it fetch it by sync), store the message, publish it on
// the group's topic — `sent` once it reached a peer, else `queued` and republished when a member
// connects (re-encrypted under the current key if ours rotated meanwhile). It owns no state and
// knows nothing of validating or receiving (./messages.ts).
import debug from 'debug'
import { fromHex, toHex } from '../../core/index.js'
import { encryptWithRecord, peekSenderKeyMessage } from '../../core/index.js'
import { encodeChatContent, newMessageId } from '../../core/index.js'
import type { FileManifest } from '../../core/index.js'
import type { MessageStatus, StoredMessage } from '../../store/types.js'
import { InvalidArgumentError, MessageNotFoundError } from '../errors.js'
import type { SendOptions } from '../types.js'
import { toMessageView } from '../views.js'
import type { GroupContext } from './context.js'
import { ownRecord, sealOwn, storeOwnRecord } from './keys.js'
import { memberGroup } from './removal.js'
import { errorName } from '../../core/errors.js'

const log = debug('kith:service:groups')

async function publish(cx: GroupContext, topic: string, data: Uint8Array): Promise<number> {
  try {
    return await cx.node.pubsubPublish(topic, data)
  } catch (err) {
    log('publish failed: %s', errorName(err))
    return 0
  }
}

function markSent(cx: GroupContext, groupId: string, id: string): void {
  cx.store.setStatus(id, 'sent')
  cx.emit({ event: 'status', id, conversation: groupId, status: 'sent' })
}

/**
 * Encrypts once, keeps the ciphertext (retention: members who miss it fetch it by sync) and
 * stores the message, then publishes: status `sent` when it reached at least one peer, else
 * `queued` (republished when a member connects).
 */
export async function sendGroupMessage(
  cx: GroupContext,
  ref: string,
  text: string,
  opts: SendOptions = {},
  /** A file message (../files/): its id, and the manifest sent instead of `text` (its JSON line). */
  file?: { id: string; manifest: FileManifest; onStored?: (groupId: string) => void },
): Promise<{ id: string; status: MessageStatus }> {
  if (text.length === 0) throw new InvalidArgumentError('empty message')
  const g = memberGroup(cx, ref)
  const { replyTo } = opts
  if (replyTo !== undefined && cx.store.getMessage(replyTo)?.conversation !== g.groupId)
    throw new MessageNotFoundError(`no message ${replyTo} in this group`)
  const ttlSeconds = cx.bodies?.ttl(g.groupId)
  const now = cx.ctx.clock()
  const id = file?.id ?? toHex(newMessageId(cx.ctx))
  const { message, data } = cx.store.transaction(() => {
    // Design §3: ChatContent{conversation = groupId, seq = per-sender per-group sequence}.
    const { seq, data } = sealOwn(cx, g.groupId, id, now, {
      ...(file !== undefined ? { file: file.manifest } : { text: { text } }),
      ...(replyTo !== undefined && file === undefined ? { replyTo: fromHex(replyTo) } : {}),
    })
    const message: StoredMessage = {
      id,
      conversation: g.groupId,
      from: cx.me,
      direction: 'out',
      seq,
      text,
      sentAt: now,
      receivedAt: now,
      status: 'queued',
      ...(replyTo !== undefined && file === undefined ? { replyTo } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      ...(file !== undefined ? { kind: 'file' as const } : {}),
    }
    cx.store.insertMessage(message)
    file?.onStored?.(g.groupId)
    return { message, data }
  })
  // Re-read: the stored row carries the group's name (the message line's `group`).
  cx.emit({ event: 'message', message: toMessageView(cx.store.getMessage(id) ?? message) })
  if (g.topic === '' || (await publish(cx, g.topic, data)) === 0) return { id, status: 'queued' }
  markSent(cx, g.groupId, id)
  return { id, status: 'sent' }
}

/** Publishes again our messages that reached nobody (a member just connected). */
export async function republishQueued(cx: GroupContext, groupId: string): Promise<void> {
  const g = cx.store.groups.getGroup(groupId)
  if (g === undefined || !g.active || g.topic === '') return
  const queued = cx.store
    .listMessages({ conversation: groupId })
    // A message deleted while it waited is not published after all.
    .filter((m) => m.direction === 'out' && m.status === 'queued' && m.deleted !== true)
  for (const m of queued) {
    const env = cx.store.groups.getEnvelope(groupId, cx.me, m.seq)
    if (env === undefined || cx.stopped()) continue
    if ((await publish(cx, g.topic, current(cx, groupId, m, env.data))) > 0) {
      markSent(cx, groupId, m.id)
    }
  }
}

/**
 * The envelope to publish for a queued message of ours: as kept, unless our sender key rotated
 * since (a member left or was removed while it waited), in which case validators would reject the
 * old chain as `oldKey`: then the same content (id, seq) is encrypted again under the current key.
 * Members that already read the kept envelope by sync drop the copy as a duplicate; the kept one
 * stays in retention (it still decrypts for members holding the old state).
 */
function current(
  cx: GroupContext,
  groupId: string,
  m: StoredMessage,
  kept: Uint8Array,
): Uint8Array {
  return cx.store.transaction(() => {
    const record = ownRecord(cx, groupId)
    if (peekSenderKeyMessage(kept).chainId === record.newest()?.chainId) return kept
    const gid = fromHex(groupId)
    const file = m.kind === 'file' ? cx.files?.manifestFor(m) : undefined
    const content = encodeChatContent({
      messageId: fromHex(m.id),
      sender: cx.meBytes,
      seq: BigInt(m.seq),
      sentAt: BigInt(m.sentAt),
      conversation: gid,
      ...(file !== undefined ? { file } : { text: { text: m.text } }),
      ...(m.replyTo !== undefined && file === undefined ? { replyTo: fromHex(m.replyTo) } : {}),
    })
    const data = encryptWithRecord(cx.ctx.crypto, record, gid, content)
    storeOwnRecord(cx, groupId, record)
    return data
  })
}
