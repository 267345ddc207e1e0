// One conversation (docs/web.md "Screens"): its history, newest page first with "load older"
// paging, live messages and receipts from the event socket (./live.ts; refetched after a
// reconnect), ✓ / ✓✓ / read marks, read marking while the tab is visible, the send box, and what
// the rows' menus do (reply, edit, delete, react; live `update` events re-render a message in
// place) and files (picker and drag and drop, progress from `file` events, download).
// Every peer-supplied string is rendered as a JSX text child: Preact sets it as a text node, never
// as HTML. Knows nothing of the other screens.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { ContactView, MessageView, ProfileView } from '../api/contract.js'
import * as api from './api.js'
import { MessageList } from './message-list.js'
import { quoteOf, type RowActions, type RowContext } from './message-row.js'
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
  const [replying, setReplying] = useState<MessageView | undefined>()
  const [editing, setEditing] = useState<MessageView | undefined>()
  const [files, setFiles] = useState<RowContext['files']>(new Map())
  const [dragging, setDragging] = useState(false)
  const picker = useRef<HTMLInputElement>(null)
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
    api.files().then(
      (rows) => setFiles(new Map(rows.map((r) => [r.fileId, r]))),
      () => undefined, // a node without files: no cards to fill
    )
  }, [id])
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
        } else if (s.event === 'update' && s.message.conversation === id) {
          setMsgs((ms) => ms?.map((m) => (m.id === s.message.id ? s.message : m)))
        } else if (s.event === 'file') {
          setFiles((fs) => new Map(fs).set(s.fileId, s))
        }
      },
      [id, load, markRead],
    ),
  )

  const contact = props.contacts.find((c) => c.peerId === id)
  const title = kind === 'group' ? groupName : (contact?.name ?? nameOf(id, props.contacts))
  const input = useRef<HTMLTextAreaElement>(null)
  useLayoutEffect(() => input.current?.focus(), [id])

  const patch = (mid: string, change: Partial<MessageView>) =>
    setMsgs((ms) => ms?.map((m) => (m.id === mid ? { ...m, ...change } : m)))
  const fail = (err: unknown) => setError(errorText(err))

  const actions: RowActions = {
    reply(m) {
      setEditing(undefined)
      setReplying(m)
      input.current?.focus()
    },
    edit(m) {
      setReplying(undefined)
      setEditing(m)
      setText(m.text)
      input.current?.focus()
    },
    remove(m, forEveryone) {
      api
        .deleteMessage(m.id, forEveryone)
        .then(() => patch(m.id, { deleted: true, text: '' }), fail)
    },
    react(m, emoji, remove) {
      api.react(m.id, emoji, remove).then((r) => patch(m.id, { reactions: r.reactions }), fail)
    },
    download(m) {
      const f = m.file
      if (f === undefined) return
      api.getFile(f.fileId).then(() => {
        // The daemon serves the written file as an attachment (never rendered: src/api/upload.ts).
        const a = document.createElement('a')
        a.href = api.fileContentUrl(f.fileId)
        a.download = f.name
        a.click()
      }, fail)
    },
  }

  function sendFiles(list: FileList | null) {
    for (const file of Array.from(list ?? [])) {
      setError('')
      api.upload(id, file).then(load, fail)
    }
  }

  function cancelCompose() {
    if (editing !== undefined) setText('')
    setEditing(undefined)
    setReplying(undefined)
  }

  function submit() {
    const body = text
    if (body.trim() === '') return
    setText('')
    setError('')
    const target = editing
    if (target !== undefined) {
      setEditing(undefined)
      api.editMessage(target.id, body).then(
        () => patch(target.id, { text: body, editedAt: Date.now() }),
        (err: unknown) => {
          fail(err)
          setText(body)
        },
      )
      return
    }
    const quoted = replying?.id
    setReplying(undefined)
    api.send(kind, id, body, quoted).then(
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
              replyTo: quoted ?? null,
              editedAt: null,
              deleted: false,
              reactions: {},
            },
          ]
        }),
      (err: unknown) => {
        setError(errorText(err))
        setText(body)
      },
    )
  }

  const rowCtx = {
    contacts: props.contacts,
    self: props.me.peerId,
    byId: new Map<string, MessageView>(),
    group: false,
    files,
  }
  if (replying !== undefined) rowCtx.byId.set(replying.id, replying)

  return (
    <section
      class={dragging ? 'chat dragging' : 'chat'}
      aria-label={`Conversation with ${title}`}
      onDragOver={(e) => {
        if (e.dataTransfer?.types.includes('Files') !== true) return
        e.preventDefault()
        setDragging(true)
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        if (e.dataTransfer?.types.includes('Files') !== true) return
        e.preventDefault()
        setDragging(false)
        sendFiles(e.dataTransfer.files)
      }}
    >
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
        files={files}
        actions={actions}
      />
      {error !== '' && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {(replying !== undefined || editing !== undefined) && (
        <div class="quote-bar">
          <span>
            {editing !== undefined
              ? 'Editing your message'
              : `↪ reply to ${quoteOf({ ...(replying as MessageView), replyTo: replying?.id ?? null }, rowCtx)}`}
          </span>
          <button type="button" class="small" onClick={cancelCompose}>
            {editing !== undefined ? 'Cancel edit' : 'Cancel reply'}
          </button>
        </div>
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
            } else if (e.key === 'Escape') cancelCompose()
          }}
        />
        <input
          ref={picker}
          type="file"
          hidden
          multiple
          aria-label="File to send"
          onChange={(e) => {
            sendFiles(e.currentTarget.files)
            e.currentTarget.value = ''
          }}
        />
        <button
          type="button"
          aria-label="Attach a file"
          title="Attach a file"
          onClick={() => picker.current?.click()}
        >
          📎
        </button>
        <button type="submit">{editing !== undefined ? 'Save' : 'Send'}</button>
      </form>
    </section>
  )
}
