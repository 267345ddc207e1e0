// One conversation (docs/web.md "Screens"): its history, newest page first with "load older"
// paging, live messages and receipts from the event socket (./live.ts; refetched after a
// reconnect), ✓ / ✓✓ / read marks, read marking while the tab is visible, and the send box.
// Every peer-supplied string is rendered as a JSX text child: Preact sets it as a text node, never
// as HTML. Knows nothing of the other screens.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { ContactView, MessageView, ProfileView } from '../api/contract.js'
import * as api from './api.js'
import { MessageList } from './message-list.js'
import { errorText, href, nameOf, publish, useSignals, type Signal } from './state.js'

/** Messages fetched at first; each "load older" asks for twice as many (the API returns the
 *  newest N, so doubling reaches a 10,000-message history in 7 requests, not 100). */
export const PAGE_SIZE = 100

type Kind = 'direct' | 'group'

export function Chat(props: { kind: Kind; id: string; me: ProfileView; contacts: ContactView[] }) {
  const { kind, id } = props
  const [msgs, setMsgs] = useState<MessageView[] | undefined>()
  const [limit, setLimit] = useState(PAGE_SIZE)
  const [more, setMore] = useState(false)
  const [groupName, setGroupName] = useState('')
  const [text, setText] = useState('')
  const [error, setError] = useState('')
  const limitNow = useRef(limit)
  limitNow.current = limit

  const markRead = useCallback(() => {
    if (document.hidden) return
    api.markRead(id).then(
      (r) => {
        if (r.read > 0) publish({ event: 'read' })
      },
      () => undefined,
    )
  }, [id])

  const load = useCallback(() => {
    const n = limitNow.current
    api.messages(kind, id, n).then(
      (ms) => {
        setMsgs(ms)
        setMore(ms.length >= n)
        markRead()
      },
      (err: unknown) => setError(errorText(err)),
    )
  }, [kind, id, markRead])

  useEffect(load, [load, limit])
  useEffect(() => {
    if (kind === 'group') {
      api.groups().then(
        (gs) => setGroupName(gs.find((g) => g.groupId === id)?.name ?? id),
        () => undefined,
      )
    }
    document.addEventListener('visibilitychange', markRead)
    return () => document.removeEventListener('visibilitychange', markRead)
  }, [kind, id, markRead])

  useSignals(
    useCallback(
      (s: Signal) => {
        if (s.event === 'resync') load()
        else if (s.event === 'message' && s.message.conversation === id) {
          setMsgs((ms) =>
            ms === undefined || ms.some((m) => m.id === s.message.id) ? ms : [...ms, s.message],
          )
          if (s.message.direction === 'in') markRead()
        } else if (s.event === 'status' && s.conversation === id) {
          setMsgs((ms) => ms?.map((m) => (m.id === s.id ? { ...m, status: s.status } : m)))
        }
      },
      [id, load, markRead],
    ),
  )

  const contact = props.contacts.find((c) => c.peerId === id)
  const title = kind === 'group' ? groupName : (contact?.name ?? nameOf(id, props.contacts))
  const input = useRef<HTMLTextAreaElement>(null)
  useLayoutEffect(() => input.current?.focus(), [id])

  function submit() {
    const body = text
    if (body.trim() === '') return
    setText('')
    setError('')
    api.send(kind, id, body).then(
      (r) =>
        setMsgs((ms) => {
          if (ms === undefined || ms.some((m) => m.id === r.id)) return ms
          const now = Date.now()
          return [
            ...ms,
            {
              id: r.id,
              conversation: id,
              from: props.me.peerId,
              direction: 'out',
              text: body,
              sentAt: now,
              receivedAt: now,
              status: r.status,
              kind: 'text',
            },
          ]
        }),
      (err: unknown) => {
        setError(errorText(err))
        setText(body)
      },
    )
  }

  return (
    <section class="chat" aria-label={`Conversation with ${title}`}>
      <header class="chat-head">
        <a class="back" href="#/" aria-label="Back to chats">
          ←
        </a>
        <h2>{title}</h2>
        {kind === 'direct' && contact !== undefined && (
          <span class="muted small">
            {contact.online ? 'online' : 'offline'}
            {contact.verified ? ' · verified' : ''}
            {' · '}
            <a href={href('contacts', id)}>{contact.verified ? 'safety number' : 'verify'}</a>
          </span>
        )}
        {kind === 'group' && (
          <a class="small" href="#/groups">
            members
          </a>
        )}
      </header>
      <MessageList
        messages={msgs}
        group={kind === 'group'}
        contacts={props.contacts}
        self={props.me.peerId}
        {...(more ? { older: () => setLimit((l) => l * 2) } : {})}
      />
      {error !== '' && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form
        class="send"
        onSubmit={(e) => {
          e.preventDefault()
          submit()
        }}
      >
        <label for="send-text" class="visually-hidden">
          Message
        </label>
        <textarea
          id="send-text"
          ref={input}
          rows={1}
          placeholder="Message"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault()
              submit()
            }
          }}
        />
        <button type="submit">Send</button>
      </form>
    </section>
  )
}
