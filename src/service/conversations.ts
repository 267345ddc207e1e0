// Conversations and read marks (CLI.md "Conversations, receipts, edits"): the conversation list
// (`kith conversations`: one row per accepted contact and per active group, newest first, with
// its unread count and last message), marking a conversation read (`kith read`), and the
// read-receipt setting (`kith settings --read-receipts on|off`, persisted, default on). A direct
// conversation marked read sends the contact a READ receipt naming the newly read messages
// (./direct/receipts.ts, protocol.md §4.8) unless the setting is off; a group conversation never does.
// Message requests (strangers) are not conversations: their texts live apart (./direct/requests.ts).
// It owns no state beyond the store's rows and knows nothing of sessions or the wire.
import { ContactNotFoundError } from './errors.js'
import { findGroup } from './groups/naming.js'
import type { ChatContext } from './context.js'
import type { ConversationView, SettingsView } from './types.js'
import { toMessageView } from './views.js'

/** The settings key of the read-receipt switch: '1' on (also when absent), '0' off. */
export const READ_RECEIPTS_SETTING = 'readReceipts'

/** The conversations' port: the service context, and the receipts it queues reads with. */
export type ConversationsContext = ChatContext & ConversationHooks

export interface ConversationHooks {
  /** Receipts.queueRead */
  queueRead(peer: string, ids: readonly string[]): void
}

export class Conversations {
  readonly #cx: ConversationsContext

  constructor(cx: ConversationsContext) {
    this.#cx = cx
  }

  /** Accepted (unblocked) contacts and active groups; the most recent activity first (the last
   *  message's arrival, else when the contact was added or the group created), then by name.
   *  Each row is three index lookups: the count ranges over the unread index only. */
  list(): ConversationView[] {
    const store = this.#cx.store
    const rows: Array<ConversationView & { at: number }> = []
    const row = (conversation: string, kind: 'direct' | 'group', name: string, since: number) => {
      const last = store.lastMessage(conversation)
      rows.push({
        conversation,
        kind,
        name,
        unread: store.unreadCount(conversation),
        last: last === undefined ? null : toMessageView(last),
        at: last?.receivedAt ?? since,
      })
    }
    store.transaction(() => {
      for (const c of store.listContacts()) row(c.peerId, 'direct', c.name, c.addedAt)
      for (const g of store.groups.listGroups()) row(g.groupId, 'group', g.name, g.createdAt)
    })
    rows.sort((a, b) => b.at - a.at || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return rows.map(({ at: _at, ...view }) => view)
  }

  /** Marks every incoming message of the conversation read; returns how many were newly marked.
   *  `ref`: a contact's name or PeerId, else a group's name or id (ContactNotFoundError). */
  read(ref: string): { conversation: string; read: number } {
    const cx = this.#cx
    const contact = cx.store.getContact(ref)
    // A group by id or by a name only one group has (issue 14: GroupAmbiguous, never a pick).
    const conversation = contact?.peerId ?? findGroup(cx, ref)?.groupId
    if (conversation === undefined) throw new ContactNotFoundError(`no contact or group "${ref}"`)
    const ids = cx.store.markRead(conversation, cx.ctx.clock())
    if (contact !== undefined && this.readReceipts()) this.#cx.queueRead(contact.peerId, ids)
    return { conversation, read: ids.length }
  }

  readReceipts(): boolean {
    return this.#cx.store.getSetting(READ_RECEIPTS_SETTING) !== '0'
  }

  settings(): SettingsView {
    return { readReceipts: this.readReceipts() }
  }

  setSettings(s: Partial<SettingsView>): SettingsView {
    if (s.readReceipts !== undefined)
      this.#cx.store.setSetting(READ_RECEIPTS_SETTING, s.readReceipts ? '1' : '0')
    return this.settings()
  }
}
