// The app's shell (docs/web.md "Screens"): login (the one-time code from `kith web` in the URL's
// fragment), first run, the navigation, the offline banner and the live event link; then the
// screen the hash route names. Owns the session state and the data every screen shares (profile,
// contacts); each screen fetches the rest itself. Knows nothing of how a screen draws.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { ContactView, ProfileView } from '../api/contract.js'
import * as api from './api.js'
import { Chat } from './chat.js'
import { Contacts } from './contacts.js'
import { Conversations } from './conversations.js'
import { FirstRun, Login } from './entry.js'
import { Groups } from './groups.js'
import { connectLive } from './live.js'
import { notify } from './notify.js'
import { Settings } from './settings.js'
import { publish, useDebounced, useRoute, useSignals, type Signal } from './state.js'
import { Verify } from './verify.js'

type Auth = { state: 'checking' } | { state: 'out'; why?: string } | { state: 'in' }

/** localStorage key marking that this browser has been through first run for a node. */
const welcomedKey = (peerId: string) => `kith:welcomed:${peerId}`

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' })
  const [online, setOnline] = useState(true)
  const [me, setMe] = useState<ProfileView | undefined>()
  const [contacts, setContacts] = useState<ContactView[]>([])
  const contactsNow = useRef(contacts)
  contactsNow.current = contacts
  const [welcomed, setWelcomed] = useState(true)
  const [requests, setRequests] = useState(0)
  const route = useRoute()

  // Login: a `#code=…` fragment is exchanged once and removed from the address bar and history;
  // otherwise an existing session (a reload) is picked up.
  useEffect(() => {
    api.setLoggedOutHandler(() => setAuth({ state: 'out' }))
    const m = /^#code=([A-Za-z0-9_-]+)$/.exec(location.hash)
    if (m !== null) history.replaceState(null, '', '/')
    const start = m !== null ? api.login(m[1] ?? '') : api.session()
    start.then(
      () => setAuth({ state: 'in' }),
      (err: unknown) => {
        const why =
          err instanceof api.ApiFailure && err.name === 'LoginCodeRefused'
            ? 'That login link was already used or has expired.'
            : err instanceof api.ApiFailure && err.name === 'Offline'
              ? 'The Kith daemon is not running.'
              : undefined
        setAuth({ state: 'out', ...(why !== undefined ? { why } : {}) })
      },
    )
  }, [])

  const refreshShared = useCallback(() => {
    api.profile().then(
      (p) => {
        setMe(p)
        setWelcomed(localStorage.getItem(welcomedKey(p.peerId)) !== null)
      },
      () => undefined,
    )
    api.contacts().then(setContacts, () => undefined)
    api.requests().then(
      (rs) => setRequests(rs.length),
      () => undefined,
    )
  }, [])

  useEffect(() => {
    if (auth.state !== 'in') return
    refreshShared()
    const live = connectLive({
      event: (e) => {
        if (e.event === 'message') notify(e.message, contactsNow.current)
        publish(e)
      },
      resync: () => publish({ event: 'resync' }),
      online: setOnline,
      stillLoggedIn: () =>
        api.session().then(
          () => true,
          (err: unknown) => !(err instanceof api.ApiFailure && err.status === 401),
        ),
    })
    return () => live.close()
  }, [auth.state, refreshShared])

  const refreshSoon = useDebounced(refreshShared)
  useSignals(
    useCallback(
      (s: Signal) => {
        // A stranger's first message is a `message` event too: the requests count may change.
        if (s.event !== 'status' && s.event !== 'read') refreshSoon()
      },
      [refreshSoon],
    ),
  )

  // Moving between screens re-reads the shared data too (a stranger's held first message raises
  // no event: the requests count is fresh at least whenever the user looks around).
  const screenNow = route[0] ?? ''
  useEffect(() => {
    if (auth.state === 'in') refreshSoon()
  }, [screenNow, auth.state, refreshSoon])

  if (auth.state === 'checking') return <p class="center">Connecting to Kith…</p>
  if (auth.state === 'out') return <Login {...(auth.why !== undefined ? { why: auth.why } : {})} />
  if (me === undefined) return <p class="center">Loading…</p>
  if (!welcomed) {
    return (
      <FirstRun
        me={me}
        done={(p) => {
          localStorage.setItem(welcomedKey(p.peerId), '1')
          setMe(p)
          setWelcomed(true)
        }}
      />
    )
  }

  const [screen = 'chats', a = '', b = ''] = route
  const chatOpen = screen === 'chat' && b !== ''
  return (
    <div class={`shell${chatOpen ? ' chat-open' : ''}`}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">Kith</strong>
        <nav aria-label="Main">
          <a href="#/" aria-current={screen === 'chats' || chatOpen ? 'page' : undefined}>
            Chats
          </a>
          <a href="#/contacts" aria-current={screen === 'contacts' ? 'page' : undefined}>
            Contacts
            {requests > 0 && (
              <>
                <span class="badge" aria-hidden="true">
                  {requests}
                </span>
                <span class="visually-hidden">
                  {`, ${requests} message request${requests === 1 ? '' : 's'}`}
                </span>
              </>
            )}
          </a>
          <a href="#/groups" aria-current={screen === 'groups' ? 'page' : undefined}>
            Groups
          </a>
          <a href="#/settings" aria-current={screen === 'settings' ? 'page' : undefined}>
            Settings
          </a>
        </nav>
      </header>
      {!online && (
        <div class="banner" role="alert">
          Offline: the Kith daemon is not answering. Reconnecting…
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {(screen === 'chats' || chatOpen) && (
          <div class="split">
            <Conversations contacts={contacts} current={chatOpen ? b : undefined} />
            {chatOpen && (
              <Chat
                key={`${a}/${b}`}
                kind={a === 'group' ? 'group' : 'direct'}
                id={b}
                me={me}
                contacts={contacts}
              />
            )}
          </div>
        )}
        {screen === 'contacts' && a === '' && <Contacts contacts={contacts} />}
        {screen === 'contacts' && a !== '' && <Verify peerId={a} contacts={contacts} />}
        {screen === 'groups' && <Groups contacts={contacts} me={me} />}
        {screen === 'settings' && (
          <Settings me={me} onProfile={setMe} onLogout={() => setAuth({ state: 'out' })} />
        )}
      </main>
    </div>
  )
}
