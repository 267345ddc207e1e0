// Groups (docs/web.md "Screens"): create one, and per group its members (names, admins), adding a
// contact, removing a member (admins only: the daemon refuses otherwise), leaving, and opening its
// chat. Knows nothing of the chat itself.
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { ContactView, GroupView, ProfileView } from '../api/contract.js'
import * as api from './api.js'
import { errorText, href, nameOf, publish, useDebounced, useSignals } from './state.js'

export function Groups({ contacts, me }: { contacts: ContactView[]; me: ProfileView }) {
  const [groups, setGroups] = useState<GroupView[] | undefined>()
  const [name, setName] = useState('')
  const [error, setError] = useState('')
  const load = useCallback(() => {
    api.groups().then(setGroups, (err: unknown) => setError(errorText(err)))
  }, [])
  useEffect(load, [load])
  useSignals(useDebounced(load))
  const act = (p: Promise<unknown>) =>
    p.then(
      () => {
        setError('')
        load()
        publish({ event: 'resync' })
      },
      (err: unknown) => setError(errorText(err)),
    )

  return (
    <div class="page">
      <h1>Groups</h1>
      {error !== '' && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault()
          void act(api.createGroup(name.trim()).then(() => setName('')))
        }}
      >
        <label for="group-name">New group’s name</label>
        <input
          id="group-name"
          required
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Create group</button>
      </form>
      {groups?.length === 0 && <p class="muted">No groups yet.</p>}
      {groups?.map((g) => (
        <Group key={g.groupId} g={g} contacts={contacts} me={me} act={act} />
      ))}
    </div>
  )
}

function Group(p: {
  g: GroupView
  contacts: ContactView[]
  me: ProfileView
  act: (x: Promise<unknown>) => unknown
}) {
  const { g, contacts, me, act } = p
  const [pick, setPick] = useState('')
  const admin = g.admins.includes(me.peerId)
  const candidates = contacts.filter((c) => !g.members.includes(c.peerId) && !c.blocked)
  const field = `add-${g.groupId}`
  return (
    <section class="group" aria-label={`Group ${g.name}`}>
      <h2>
        <a href={href('chat', 'group', g.groupId)}>{g.name}</a>
      </h2>
      <ul class="rows">
        {g.members.map((m) => (
          <li key={m} class="item">
            <span>
              {nameOf(m, contacts, me.peerId)}
              {g.admins.includes(m) && <span class="tag">admin</span>}
            </span>
            {admin && m !== me.peerId && (
              <button
                type="button"
                class="danger"
                aria-label={`Remove ${nameOf(m, contacts)} from ${g.name}`}
                onClick={() => void act(api.removeMember(g.groupId, m))}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {admin && candidates.length > 0 && (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault()
            if (pick !== '') void act(api.addMember(g.groupId, pick))
          }}
        >
          <label for={field}>Add a contact</label>
          <select id={field} value={pick} onChange={(e) => setPick(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {candidates.map((c) => (
              <option key={c.peerId} value={c.peerId}>
                {c.name}
              </option>
            ))}
          </select>
          <button type="submit">Add</button>
        </form>
      )}
      <button
        type="button"
        class="danger"
        onClick={() => {
          if (confirm(`Leave ${g.name}? Its history stays readable.`))
            void act(api.leaveGroup(g.groupId))
        }}
      >
        Leave group
      </button>
    </section>
  )
}
