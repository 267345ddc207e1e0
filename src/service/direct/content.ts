// The ChatContent of an outgoing 1:1 message (core/wire ChatContent), as the outbox seals it
// (./outbox.ts): a stored message → its content bytes, and the check that a text can be encoded
// at all before anything is stored. It owns no state; it knows nothing of sessions or sending.
import { encodeChatContent, fromHex } from '../../core/index.js'
import type { FileManifest } from '../../core/index.js'
import type { StoredMessage } from '../../store/types.js'

/** What encoding a message's content needs (a narrow port of the outbox's context). */
export interface ContentContext {
  /** Our PeerId as bytes (ChatContent.sender). */
  readonly meBytes: Uint8Array
  /** A queued file message's manifest (../files/manifests.ts); absent without files. */
  readonly manifestFor?: (m: StoredMessage) => FileManifest | undefined
}

/** The content of `m`: its text, or for a file message its manifest (the text is only its local
 *  JSON line, ../files/). Throws what encodeChatContent throws for an unencodable one. */
export function outgoingContent(cx: ContentContext, m: StoredMessage): Uint8Array {
  const file = m.kind === 'file' ? cx.manifestFor?.(m) : undefined
  return encodeChatContent({
    messageId: fromHex(m.id),
    sender: cx.meBytes,
    seq: BigInt(m.seq),
    sentAt: BigInt(m.sentAt),
    conversation: new Uint8Array(0),
    ...(file !== undefined ? { file } : { text: { text: m.text } }),
    ...(m.replyTo !== undefined && file === undefined ? { replyTo: fromHex(m.replyTo) } : {}),
  })
}

/** Refuses (throws) a text that could never be encoded, before it is queued. */
export function checkEncodable(meBytes: Uint8Array, text: string): void {
  encodeChatContent({
    messageId: new Uint8Array(16),
    sender: meBytes,
    seq: 1n,
    sentAt: 0n,
    conversation: new Uint8Array(0),
    text: { text },
  })
}
