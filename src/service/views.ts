// Store rows as the API shows them: a stored message as a MessageView (a file's info and a
// history line's event parsed out of its text), a contact as a ContactView. Pure functions; they
// know nothing of where the rows come from.
import type { Contact, StoredMessage } from '../store/types.js'
import { parseEvent, type GroupEvent } from './group-event.js'
import { parseInfo } from './files/info.js'
import type { ContactView, MessageView } from './types.js'

/** A stored message as `kith messages` and the API show it. */
export function toMessageView(m: StoredMessage): MessageView {
  const file = m.kind === 'file' ? parseInfo(m.text) : undefined
  const ev = m.kind === 'event' ? parseEvent(m.text) : undefined
  const event: GroupEvent | undefined = ev && {
    type: ev.type,
    by: ev.by,
    members: ev.members,
    ...(ev.name !== undefined ? { name: ev.name } : {}),
    ...(ev.ttlSeconds !== undefined ? { ttlSeconds: ev.ttlSeconds } : {}),
  }
  return {
    id: m.id,
    conversation: m.conversation,
    from: event?.by ?? m.from,
    direction: m.direction,
    text: ev?.text ?? file?.name ?? m.text,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
    status: m.status,
    kind: m.kind ?? 'text',
    ...(m.groupName !== undefined ? { group: { id: m.conversation, name: m.groupName } } : {}),
    ...(event !== undefined ? { event } : {}),
    replyTo: m.replyTo ?? null,
    editedAt: m.editedAt ?? null,
    deleted: m.deleted ?? false,
    reactions: m.reactions ?? {},
    ...(m.ttlSeconds !== undefined ? { ttlSeconds: m.ttlSeconds } : {}),
    ...(m.expiresAt !== undefined ? { expiresAt: m.expiresAt } : {}),
    ...(file !== undefined ? { file } : {}),
  }
}

/** A contact as `kith contacts` shows it: `online` and its `mailboxes` from the caller. */
export function toContactView(c: Contact, online: boolean, mailboxes: string[] = []): ContactView {
  return {
    name: c.name,
    peerId: c.peerId,
    profileName: c.profileName ?? '',
    blocked: c.blocked ?? false,
    verified: c.verified,
    online,
    keyChanged: c.keyChanged,
    mailboxes,
  }
}
