// Verification (docs/web.md "Screens"): a contact's safety number as 12 groups of 5 digits and as
// a QR code, and marking it verified by entering the number the contact's device shows (the
// daemon compares; CLI.md `kith verify --confirm`). Knows nothing of the other screens.
import { useEffect, useState } from 'preact/hooks'
import type { ContactView } from '../api/contract.js'
import * as api from './api.js'
import { qrDataUrl } from './qr.js'
import { errorText, publish, shortId } from './state.js'

/** The 60 digits as 12 groups of 5 (CLI.md "Contacts and verification"). */
export function groupsOf5(number: string): string[] {
  return number.replace(/\D/g, '').match(/.{1,5}/g) ?? []
}

export function Verify({ peerId, contacts }: { peerId: string; contacts: ContactView[] }) {
  const c = contacts.find((x) => x.peerId === peerId)
  const [number, setNumber] = useState<string | undefined>()
  const [qr, setQr] = useState('')
  const [typed, setTyped] = useState('')
  const [result, setResult] = useState('')
  const [error, setError] = useState('')
  useEffect(() => {
    api.safetyNumber(peerId).then(
      async (s) => {
        setNumber(s.safetyNumber)
        setQr(await qrDataUrl(s.safetyNumber.replace(/\D/g, '')))
      },
      (err: unknown) => setError(errorText(err)),
    )
  }, [peerId])

  return (
    <div class="page">
      <p>
        <a href="#/contacts">← Contacts</a>
      </p>
      <h1>Verify {c?.name ?? shortId(peerId)}</h1>
      <p>
        Compare this number with the one on {c?.name ?? 'your contact'}’s device, in person or on a
        call you trust. If they match, nobody is in the middle.
      </p>
      {c?.verified === true && <p class="note">Verified.</p>}
      {error !== '' && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {number !== undefined && (
        <>
          <ol class="safety" aria-label="Safety number, 12 groups of 5 digits">
            {groupsOf5(number).map((g, i) => (
              <li key={i}>{g}</li>
            ))}
          </ol>
          {qr !== '' && (
            <img class="qr" src={qr} alt="QR code of the safety number" width={200} height={200} />
          )}
          <form
            onSubmit={(e) => {
              e.preventDefault()
              api.confirmSafetyNumber(peerId, typed).then(
                (r) => {
                  setResult(
                    r.verified
                      ? 'The numbers match: verified.'
                      : 'The numbers differ: not verified.',
                  )
                  publish({ event: 'resync' })
                },
                (err: unknown) => setError(errorText(err)),
              )
            }}
          >
            <label for="verify-number">The number your contact’s device shows</label>
            <input
              id="verify-number"
              inputMode="numeric"
              autoComplete="off"
              required
              value={typed}
              onInput={(e) => setTyped(e.currentTarget.value)}
            />
            <button type="submit">Check and mark verified</button>
          </form>
          {result !== '' && (
            <p class="note" role="status">
              {result}
            </p>
          )}
        </>
      )}
    </div>
  )
}
