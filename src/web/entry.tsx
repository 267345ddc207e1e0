// The screens before the app proper (docs/web.md "Screens"): Login, shown without a session (the
// one-time link from `kith web` is the only way in), and FirstRun, where a new user chooses the
// name sent to contacts. Knows nothing of the other screens.
import { useState } from 'preact/hooks'
import type { ProfileView } from '../api/contract.js'
import * as api from './api.js'
import { errorText } from './state.js'

export function Login({ why }: { why?: string }) {
  return (
    <main class="center narrow" id="main">
      <h1>Kith</h1>
      {why !== undefined && (
        <p class="error" role="alert">
          {why}
        </p>
      )}
      <p>You are not logged in. In a terminal on this computer, run</p>
      <pre>
        <code>kith web</code>
      </pre>
      <p>and open the link it prints. Each link works once, for five minutes.</p>
    </main>
  )
}

export function FirstRun({ me, done }: { me: ProfileView; done: (p: ProfileView) => void }) {
  const [name, setName] = useState(me.name)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  return (
    <main class="center narrow" id="main">
      <h1>Welcome to Kith</h1>
      <p>Choose the name your contacts will see. You can change it later in Settings.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setBusy(true)
          api.setProfileName(name.trim()).then(done, (err: unknown) => {
            setError(errorText(err))
            setBusy(false)
          })
        }}
      >
        <label for="first-name">Your name</label>
        <input
          id="first-name"
          value={name}
          maxLength={64}
          required
          autoFocus
          onInput={(e) => setName(e.currentTarget.value)}
        />
        {error !== '' && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Continue
        </button>
      </form>
    </main>
  )
}
