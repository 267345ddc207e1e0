// Settings (docs/web.md "Screens"): the profile name sent to contacts, read receipts, desktop
// notifications, and logging out of this browser. Knows nothing of the other screens.
import { useEffect, useState } from 'preact/hooks'
import type { NodeStatus, ProfileView, SettingsView } from '../api/contract.js'
import * as api from './api.js'
import { askNotifications, notificationsAllowed } from './notify.js'
import { errorText, shortId } from './state.js'

export function Settings(p: {
  me: ProfileView
  onProfile: (p: ProfileView) => void
  onLogout: () => void
}) {
  const [name, setName] = useState(p.me.name)
  const [settings, setSettings] = useState<SettingsView | undefined>()
  const [notes, setNotes] = useState(notificationsAllowed())
  const [note, setNote] = useState('')
  const [error, setError] = useState('')
  const [node, setNode] = useState<NodeStatus | undefined>()
  useEffect(() => {
    api.settings().then(setSettings, () => undefined)
    api.status().then(setNode, () => undefined)
  }, [])
  const fail = (err: unknown) => setError(errorText(err))

  return (
    <div class="page">
      <h1>Settings</h1>
      {note !== '' && (
        <p class="note" role="status">
          {note}
        </p>
      )}
      {error !== '' && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          api.setProfileName(name.trim()).then((v) => {
            p.onProfile(v)
            setNote('Name saved and sent to your contacts.')
          }, fail)
        }}
      >
        <label for="profile-name">Your name</label>
        <input
          id="profile-name"
          value={name}
          required
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Save name</button>
      </form>
      <p class="muted small">Your ID: {p.me.peerId}</p>
      {settings !== undefined && (
        <p>
          <label class="check">
            <input
              type="checkbox"
              checked={settings.readReceipts}
              onChange={(e) => {
                api.setSettings({ readReceipts: e.currentTarget.checked }).then(setSettings, fail)
              }}
            />
            Send read receipts
          </label>
        </p>
      )}
      <p>
        {notes ? (
          'Desktop notifications are on for messages that arrive while this tab is hidden.'
        ) : (
          <button type="button" onClick={() => void askNotifications().then(setNotes)}>
            Turn on desktop notifications
          </button>
        )}
      </p>
      {node !== undefined && (
        <section aria-labelledby="network-h">
          <h2 id="network-h">Network</h2>
          <p>
            {node.network ?? 'unknown'} · {node.connections} connection
            {node.connections === 1 ? '' : 's'}
            {node.contactsConnected !== undefined &&
              ` · contacts: ${node.contactsConnected.direct} direct, ${node.contactsConnected.relayed} relayed`}
          </p>
          <p class="muted small">
            Relays holding a reservation for you:{' '}
            {(node.reservations ?? []).length === 0
              ? 'none'
              : (node.reservations ?? []).map((r) => shortId(r.relay)).join(', ')}
            . Mailboxes:{' '}
            {node.mailboxes.length === 0 ? 'none' : node.mailboxes.map(shortId).join(', ')}. Relays
            are chosen with <code>kith daemon --bootstrap</code>.
          </p>
        </section>
      )}
      <p>
        <button
          type="button"
          class="danger"
          onClick={() => {
            api.logout().then(p.onLogout, fail)
          }}
        >
          Log out of this browser
        </button>
      </p>
    </div>
  )
}
