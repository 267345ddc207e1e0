// Where an edit, delete, reaction or timer change goes (./edits.ts, ./disappearing.ts EditHooks):
// to a group through its sender key (groups/content.ts), to a contact through the pairwise control
// outbox — encoded once (its sentAt is the edit's time, the ordering key), encrypted afresh per
// attempt, retried with backoff until the contact's DELIVERED receipt names its id, like a group
// update (./direct/outbox.ts flushControl). Nothing goes to a blocked peer. Owns no state.
import { encodeChatContent, fromHex } from '../core/index.js'
import type { ChatContext } from './context.js'
import type { EditBody, EditHooks } from './edits.js'
import type { Groups } from './groups/index.js'

/** What the transport uses (a narrow port): the store, our sender bytes, the groups' sender-key
 *  channel and the outbox's flush. */
export type EditTransportContext = Pick<ChatContext, 'store' | 'meBytes'> & {
  readonly groups: Pick<Groups, 'sendBody'>
  flushSoon(peer: string): void
}

export function editTransport(cx: EditTransportContext): EditHooks {
  return {
    send(conversation: string, id: string, at: number, body: EditBody): void {
      const g = cx.store.groups.getGroup(conversation)
      if (g !== undefined && g.groupId === conversation) {
        cx.groups.sendBody(g.groupId, id, at, body)
        return
      }
      if (cx.store.trust.isBlocked(conversation)) return
      const content = encodeChatContent({
        messageId: fromHex(id),
        sender: cx.meBytes,
        seq: 0n,
        sentAt: BigInt(at),
        conversation: new Uint8Array(0),
        ...body,
      })
      cx.store.groups.enqueueControl({
        messageId: id,
        peer: conversation,
        content,
        attempts: 0,
        nextAttemptAt: at,
      })
      // setImmediate inside: runs after the caller's transaction committed.
      cx.flushSoon(conversation)
    },
  }
}
