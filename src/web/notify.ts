// Desktop notifications (docs/web.md): an incoming message while the tab is hidden shows the
// sender's name and the text through the Notification API, if the user allowed it in Settings.
// The text goes to the OS as plain text (the Notification API renders no HTML). Knows nothing of
// screens.
import type { ContactView, MessageView } from '../api/contract.js'
import { nameOf } from './state.js'

/** Longest text shown in a notification (the rest is in the app). */
export const NOTIFY_MAX_CHARS = 140

export function notificationsAllowed(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted'
}

export async function askNotifications(): Promise<boolean> {
  if (typeof Notification === 'undefined') return false
  return (await Notification.requestPermission()) === 'granted'
}

export function notify(m: MessageView, contacts: ContactView[]): void {
  if (m.direction !== 'in' || m.kind === 'event' || !document.hidden || !notificationsAllowed()) {
    return
  }
  const from = nameOf(m.from, contacts)
  const title = m.group !== undefined ? `${from} in ${m.group.name}` : from
  const n = new Notification(title, {
    body: m.text.slice(0, NOTIFY_MAX_CHARS),
    tag: m.conversation,
  })
  n.onclick = () => {
    window.focus()
    location.hash = `#/chat/${m.group !== undefined ? 'group' : 'direct'}/${encodeURIComponent(m.conversation)}`
  }
}
