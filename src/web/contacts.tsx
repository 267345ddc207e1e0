// Contacts (docs/web.md "Screens"): our invite (link and QR), adding a contact by pasting a link,
// the list with rename, block/unblock and the way to verification, and message requests (accept
// or block). Names and PeerIds are rendered as text. Knows nothing of the chat.
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { ContactView, RequestView } from '../api/contract.js'
import * as api from './api.js'
import { qrDataUrl } from './qr.js'
import { errorText, href, publish, shortId, useDebounced, useSignals } from './state.js'

export function Contacts({ contacts }: { contacts: ContactView[] }) {
  const [invite, setInvite] = useState<{ link: string; qr: string } | undefined>()
  const [requests, setRequests] = useState<RequestView[]>([])
  const [link, setLink] = useState('')
  const [name, setName] = useState('')
  const [note, setNote] = useState('')
  const [error, setError] = useState('')

  const loadRequests = useCallback(() => {
    api.requests().then(setRequests, () => undefined)
  }, [])
  useEffect(loadRequests, [loadRequests])
  useSignals(useDebounced(loadRequests))
  useEffect(() => {
    api
      .invite()
      .then(async ({ link }) => setInvite({ link, qr: await qrDataUrl(link, 'L') }))
      .catch(() => undefined)
  }, [])

  const act = (p: Promise<unknown>, done: string) =>
    p.then(
      () => {
        setError('')
        setNote(done)
        publish({ event: 'resync' }) // the shared contact list, requests, conversations
      },
      (err: unknown) => setError(errorText(err)),
    )

  return (
    <div class="page">
      <h1>Contacts</h1>
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
      <section aria-labelledby="add-h">
        <h2 id="add-h">Add a contact</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            void act(
              api.addContact(link.trim(), name.trim()).then((c) => {
                setLink('')
                setName('')
                return c
              }),
              'Contact added.',
            )
          }}
        >
          <label for="add-link">Their invite link</label>
          <textarea
            id="add-link"
            rows={3}
            required
            placeholder="kith://…"
            value={link}
            onInput={(e) => setLink(e.currentTarget.value)}
          />
          <label for="add-name">Name (optional)</label>
          <input id="add-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit">Add contact</button>
        </form>
      </section>

      <section aria-labelledby="invite-h">
        <h2 id="invite-h">Your invite</h2>
        <p>Give this link to someone, or let them scan the code.</p>
        {invite !== undefined && (
          <div class="invite">
            <img src={invite.qr} alt="QR code of your invite link" width={320} height={320} />
            <label for="invite-link">Your invite link</label>
            <textarea id="invite-link" readOnly rows={3} value={invite.link} />
            <button
              type="button"
              onClick={() => {
                navigator.clipboard.writeText(invite.link).then(
                  () => setNote('Invite link copied.'),
                  () => setError('Could not copy: select the link and copy it.'),
                )
              }}
            >
              Copy link
            </button>
          </div>
        )}
      </section>

      {requests.length > 0 && (
        <section aria-labelledby="req-h">
          <h2 id="req-h">Message requests</h2>
          <ul class="rows">
            {requests.map((r) => (
              <li key={r.peerId} class="item">
                <span>
                  <strong>{r.profileName !== '' ? r.profileName : shortId(r.peerId)}</strong>{' '}
                  <span class="muted small">
                    {r.messages} message{r.messages === 1 ? '' : 's'} · {shortId(r.peerId)}
                  </span>
                </span>
                <span class="actions">
                  <button
                    type="button"
                    onClick={() => void act(api.acceptRequest(r.peerId), 'Accepted.')}
                  >
                    Accept
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => void act(api.blockRequest(r.peerId), 'Blocked.')}
                  >
                    Block
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="list-h">
        <h2 id="list-h">Your contacts</h2>
        {contacts.length === 0 && <p class="muted">No contacts yet.</p>}
        <ul class="rows">
          {contacts.map((c) => (
            <ContactRow key={c.peerId} c={c} act={act} />
          ))}
        </ul>
      </section>
    </div>
  )
}

function ContactRow({
  c,
  act,
}: {
  c: ContactView
  act: (p: Promise<unknown>, done: string) => unknown
}) {
  const [renaming, setRenaming] = useState(false)
  const [name, setName] = useState(c.name)
  const fieldId = `rename-${c.peerId}`
  return (
    <li class="item">
      <span>
        <span
          class={`dot${c.online ? ' on' : ''}`}
          role="img"
          aria-label={c.online ? 'online' : 'offline'}
        />
        <a href={href('chat', 'direct', c.peerId)}>
          <strong>{c.name}</strong>
        </a>{' '}
        {c.profileName !== '' && c.profileName !== c.name && (
          <span class="muted small">(calls themselves {c.profileName}) </span>
        )}
        {c.verified && <span class="tag">verified</span>}
        {c.keyChanged && <span class="tag warn">key changed</span>}
        {c.blocked && <span class="tag warn">blocked</span>}
      </span>
      {renaming ? (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault()
            setRenaming(false)
            void act(api.renameContact(c.peerId, name.trim()), 'Renamed.')
          }}
        >
          <label for={fieldId} class="visually-hidden">
            New name for {c.name}
          </label>
          <input
            id={fieldId}
            value={name}
            required
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <button type="submit">Save</button>
        </form>
      ) : (
        <span class="actions">
          <a class="button" href={href('contacts', c.peerId)}>
            Verify
          </a>
          <button type="button" onClick={() => setRenaming(true)} aria-label={`Rename ${c.name}`}>
            Rename
          </button>
          <button
            type="button"
            class={c.blocked ? '' : 'danger'}
            aria-label={`${c.blocked ? 'Unblock' : 'Block'} ${c.name}`}
            onClick={() =>
              void act(
                api.blockContact(c.peerId, !c.blocked),
                c.blocked ? 'Unblocked.' : 'Blocked.',
              )
            }
          >
            {c.blocked ? 'Unblock' : 'Block'}
          </button>
        </span>
      )}
    </li>
  )
}
