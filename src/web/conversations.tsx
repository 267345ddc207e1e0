// The conversation list (docs/web.md "Screens"): one row per contact and group, most recent first
// (the API's order), with the unread count, the last message (as text) and an online dot.
// Refetched on every live event and after a reconnect; knows nothing of the open chat.
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { ContactView, ConversationView } from '../api/contract.js'
import * as api from './api.js'
import { href, timeOf, useDebounced, useSignals } from './state.js'

export function Conversations(props: { contacts: ContactView[]; current: string | undefined }) {
  const [rows, setRows] = useState<ConversationView[] | undefined>()
  const load = useCallback(() => {
    api.conversations().then(setRows, () => undefined)
  }, [])
  useEffect(load, [load])
  useSignals(useDebounced(load))

  const online = (id: string) => props.contacts.find((c) => c.peerId === id)?.online === true
  return (
    <section class="list" aria-label="Conversations">
      <h1 class="visually-hidden">Chats</h1>
      {rows === undefined && <p class="muted">Loading…</p>}
      {rows?.length === 0 && (
        <p class="muted">
          No conversations yet. <a href="#/contacts">Add a contact</a> to start one.
        </p>
      )}
      <ul class="rows">
        {rows?.map((r) => (
          <li key={r.conversation}>
            <a
              class="row"
              href={href('chat', r.kind, r.conversation)}
              aria-current={props.current === r.conversation ? 'page' : undefined}
            >
              <span class="row-title">
                {r.kind === 'direct' && (
                  <span
                    class={`dot${online(r.conversation) ? ' on' : ''}`}
                    role="img"
                    aria-label={online(r.conversation) ? 'online' : 'offline'}
                  />
                )}
                {r.kind === 'group' && <span aria-label="group">#</span>}
                <span class="name">{r.name}</span>
                {r.last !== null && <time class="muted small">{timeOf(r.last.sentAt)}</time>}
              </span>
              <span class="row-sub">
                <span class="last">
                  {r.last === null
                    ? ''
                    : `${r.last.direction === 'out' ? 'You: ' : ''}${r.last.text}`}
                </span>
                {r.unread > 0 && (
                  <span class="badge" aria-label={`${r.unread} unread`}>
                    {r.unread}
                  </span>
                )}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  )
}
