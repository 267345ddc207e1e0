// Edits, deletes and reactions (CLI.md "Conversations, receipts, edits"; docs/protocol.md
// §4.8.2–4.8.4, modelled on Signal's DataMessage editMessage / delete / reaction): the user's
// commands (checked, applied here, then sent) and the same bodies arriving from a contact or a
// group member (checked, applied, or held until their target arrives). Rules:
//  - only a message's sender may edit it or delete it for everyone (anything else is dropped and
//    counted in `metrics.refused`); a group admin gets nothing extra;
//  - an edit is accepted within EDIT_WINDOW_MS of the original's sending (both on the sender's
//    clock); the latest edit (sender's clock, ties by edit id) wins, so a replayed or reordered
//    older edit never overwrites a newer one (store/edits.ts);
//  - a delete wipes the text and reactions (a tombstone stays, so a retried copy cannot revive
//    it); a reaction is one per reactor per message (a new one replaces it, latest wins);
//  - an edit, delete or reaction naming a message we do not have is held (MAX_HELD_EDITS, oldest
//    dropped) and applied when the message arrives: a group member's reaction can overtake the
//    message it names (gossip orders per sender only); 1:1 the outbox sends a flush's texts before
//    its control contents, so this is rare there.
// Sending goes through hooks: 1:1 the control outbox (acked and retried like group updates),
// groups the sender-key channel (groups/content.ts). It knows no SQL and no transport.
import { decodeChatContent, fromHex, isOneEmoji, newMessageId, toHex } from '../core/index.js'
import type { ChatContent } from '../core/index.js'
import { MAX_REACTION_BYTES } from '../core/wire/limits.js'
import type { StoredMessage } from '../store/types.js'
import type { KithNode } from '../node/index.js'
import type { WithNode } from './context.js'
import {
  EditWindowClosedError,
  InvalidArgumentError,
  MessageDeletedError,
  MessageNotFoundError,
  NotYourMessageError,
} from './errors.js'
import { checkText } from './text.js'
import type { ServiceEvent } from './types.js'
import { toMessageView } from './views.js'
import type { EditMetrics } from './types.js'

/** The slice of the node edits uses (a narrow port: context.ts WithNode). */
export type EditsNode = Pick<KithNode, 'peerId'>

/** How long after sending a message may be edited: Signal's limit (24 h). */
export const EDIT_WINDOW_MS = 24 * 3600 * 1000
/** Edits, deletes and reactions held for messages not here yet (all conversations together):
 *  enough for a busy group's reactions during one sync gap; a flood only evicts its own. */
export const MAX_HELD_EDITS = 256

/** One body of ChatContent this module (or ./disappearing.ts) sends. */
export type EditBody =
  | { edit: { targetId: Uint8Array; text: string } }
  | { delete: { targetId: Uint8Array } }
  | { reaction: { targetId: Uint8Array; emoji: string; remove: boolean } }
  | { disappearing: { ttlSeconds: number } }

/** The edits' port: the service context with its node slice, and where bodies are sent. */
export type EditsContext = WithNode<EditsNode> & EditHooks

export interface EditHooks {
  /** Sends `body` (content id `id`, sent at `at`) to the conversation: a contact's PeerId or a
   *  group id. Called inside the transaction that applied it locally. */
  send(conversation: string, id: string, at: number, body: EditBody): void
}

export class Edits {
  readonly #cx: EditsContext
  readonly metrics: EditMetrics = { refused: 0, held: 0, stale: 0 }

  constructor(cx: EditsContext) {
    this.#cx = cx
  }

  // ---- The user's commands --------------------------------------------------------------------

  #message(id: string): StoredMessage {
    const m = typeof id === 'string' ? this.#cx.store.getMessage(id) : undefined
    if (m === undefined) throw new MessageNotFoundError(`no message ${String(id)}`)
    return m
  }

  #own(id: string, what: string): StoredMessage {
    const m = this.#message(id)
    if (m.direction !== 'out' || m.from !== this.#cx.node.peerId || m.kind === 'event')
      throw new NotYourMessageError(`only your own messages can be ${what}`)
    return m
  }

  edit(id: string, text: string): { id: string; edited: true } {
    checkText(text)
    const m = this.#own(id, 'edited')
    if (m.deleted === true) throw new MessageDeletedError(`message ${id} was deleted`)
    const now = this.#cx.ctx.clock()
    if (now - m.sentAt > EDIT_WINDOW_MS)
      throw new EditWindowClosedError(`messages can be edited for ${EDIT_WINDOW_MS / 3600_000} h`)
    const editId = this.#newId()
    // Refuse what could never be encoded before anything changes.
    const body: EditBody = { edit: { targetId: fromHex(id), text } }
    this.#cx.store.transaction(() => {
      this.#cx.store.edits.applyEdit(id, text, now, editId)
      this.#cx.send(m.conversation, editId, now, body)
    })
    this.#updated(id)
    return { id, edited: true }
  }

  delete(id: string, forEveryone: boolean): { id: string; deleted: true } {
    // Locally any row may go (a history line too); for everyone only our own messages.
    const m = forEveryone ? this.#own(id, 'deleted for everyone') : this.#message(id)
    const now = this.#cx.ctx.clock()
    this.#cx.store.transaction(() => {
      this.#cx.store.edits.wipe(id)
      // Ours and never delivered: it need not go out at all.
      if (m.direction === 'out') this.#cx.store.dequeue(id)
      if (forEveryone) this.#cx.send(m.conversation, this.#newId(), now, this.#deleteBody(id))
    })
    this.#updated(id)
    return { id, deleted: true }
  }

  #deleteBody(id: string): EditBody {
    return { delete: { targetId: fromHex(id) } }
  }

  react(
    id: string,
    emoji: string,
    remove: boolean,
  ): { id: string; reactions: Record<string, string[]> } {
    if (
      typeof emoji !== 'string' ||
      !isOneEmoji(emoji) ||
      new TextEncoder().encode(emoji).length > MAX_REACTION_BYTES
    )
      throw new InvalidArgumentError('a reaction is one emoji')
    const m = this.#message(id)
    if (m.deleted === true) throw new MessageDeletedError(`message ${id} was deleted`)
    if (m.kind === 'event') throw new InvalidArgumentError('history lines take no reactions')
    const now = this.#cx.ctx.clock()
    this.#cx.store.transaction(() => {
      this.#cx.store.edits.react(id, 'me', remove ? '' : emoji, now)
      this.#cx.send(m.conversation, this.#newId(), now, {
        reaction: { targetId: fromHex(id), emoji, remove },
      })
    })
    this.#updated(id)
    return { id, reactions: this.#cx.store.getMessage(id)?.reactions ?? {} }
  }

  #newId(): string {
    return toHex(newMessageId(this.#cx.ctx))
  }

  #updated(id: string): void {
    const m = this.#cx.store.getMessage(id)
    if (m !== undefined) this.#cx.emit({ event: 'update', message: toMessageView(m) })
  }

  // ---- Arriving (inside the receive transaction) ----------------------------------------------

  /**
   * An edit, delete or reaction from `from` in `conversation` (a contact's PeerId or a group id),
   * already authenticated. Applies it, holds it, or drops it (counted). Never throws for a rule.
   */
  receive(
    conversation: string,
    from: string,
    content: ChatContent,
    raw: Uint8Array,
    events: ServiceEvent[],
  ): void {
    const store = this.#cx.store
    const targetId =
      content.edit?.targetId ?? content.delete?.targetId ?? content.reaction?.targetId
    if (targetId === undefined) return
    const target = toHex(targetId)
    const m = store.getMessage(target)
    if (m === undefined) {
      const held = store.edits.hold(
        {
          id: toHex(content.messageId),
          target,
          conversation,
          actor: from,
          content: raw,
          receivedAt: this.#cx.ctx.clock(),
        },
        MAX_HELD_EDITS,
      )
      if (held) this.metrics.held++
      return
    }
    // A message of another conversation, or a history line: never a target from here.
    if (m.conversation !== conversation || m.kind === 'event') {
      this.metrics.refused++
      return
    }
    const at = Number(content.sentAt)
    let changed = false
    if (content.edit !== undefined || content.delete !== undefined) {
      // Only the sender edits or deletes (Signal drops an edit whose author differs).
      if (m.from !== from || m.direction !== 'in') {
        this.metrics.refused++
        return
      }
      if (content.delete !== undefined) {
        changed = m.deleted !== true && store.edits.wipe(target)
      } else if (at - m.sentAt > EDIT_WINDOW_MS) {
        this.metrics.stale++
      } else {
        changed = store.edits.applyEdit(target, content.edit!.text, at, toHex(content.messageId))
        if (!changed) this.metrics.stale++
      }
    } else if (content.reaction !== undefined) {
      const r = content.reaction
      changed = store.edits.react(target, from, r.remove ? '' : r.emoji, at)
    }
    if (!changed) return
    const after = store.getMessage(target)
    if (after !== undefined) events.push({ event: 'update', message: toMessageView(after) })
  }

  /** A message was just stored: what was held for it applies now (same transaction). */
  inserted(id: string, events: ServiceEvent[]): void {
    for (const h of this.#cx.store.edits.release(id)) {
      let content: ChatContent
      try {
        content = decodeChatContent(h.content)
      } catch {
        continue
      }
      this.receive(h.conversation, h.actor, content, h.content, events)
    }
  }
}
