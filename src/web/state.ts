// What the screens share (docs/web.md "Screens"): the live events and "resync" (after a
// reconnect), fanned out to whichever screens are mounted; the hash route; the ticks of a
// message's status; small formatting. Knows nothing of the DOM beyond location.hash.
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { ContactView, MessageStatus, ServiceEvent } from '../api/contract.js'

/** A live event; `resync` after a reconnect or a change made here (re-read everything); `read`
 *  when the open chat marked its conversation read (the list's unread counts change). */
export type Signal = ServiceEvent | { event: 'resync' } | { event: 'read' }
const listeners = new Set<(s: Signal) => void>()

export function publish(s: Signal): void {
  for (const fn of listeners) fn(s)
}

/** Calls `fn` for every event and resync while the calling component is mounted. */
export function useSignals(fn: (s: Signal) => void): void {
  useEffect(() => {
    listeners.add(fn)
    return () => {
      listeners.delete(fn)
    }
  }, [fn])
}

/** How long a screen waits after a live event before re-reading its list: a burst of events (a
 *  mailbox draining, a group catching up) costs one request, not one per event. */
export const RELOAD_DEBOUNCE_MS = 250

/** `fn`, called at most once per RELOAD_DEBOUNCE_MS after the last call (trailing edge). */
export function useDebounced(fn: () => void): () => void {
  return useMemo(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    return () => {
      if (timer !== undefined) clearTimeout(timer)
      timer = setTimeout(() => {
        timer = undefined
        fn()
      }, RELOAD_DEBOUNCE_MS)
    }
  }, [fn])
}

/** The route: location.hash without `#/`, split on `/` and URI-decoded. */
export function useRoute(): string[] {
  const read = () =>
    location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter((p) => p !== '')
      .map((p) => {
        try {
          return decodeURIComponent(p)
        } catch {
          return ''
        }
      })
  const [route, setRoute] = useState(read)
  useEffect(() => {
    const on = () => setRoute(read())
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return route
}

export const href = (...parts: string[]): string =>
  `#/${parts.map((p) => encodeURIComponent(p)).join('/')}`

/** ✓ sent, ✓✓ delivered, ✓✓ (coloured) read, … queued; with the words for screen readers. */
export function ticks(status: MessageStatus): { mark: string; label: string } {
  switch (status) {
    case 'queued':
      return { mark: '…', label: 'queued' }
    case 'sent':
      return { mark: '✓', label: 'sent' }
    case 'delivered':
      return { mark: '✓✓', label: 'delivered' }
    case 'read':
      return { mark: '✓✓', label: 'read' }
  }
}

export function timeOf(ms: number): string {
  const d = new Date(ms)
  const today = new Date().toDateString() === d.toDateString()
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' })
}

/** A PeerId shortened for display (`12D3…abcdef`). */
export const shortId = (id: string): string =>
  id.length > 16 ? `${id.slice(0, 4)}…${id.slice(-6)}` : id

/** The name we know `peerId` by: a contact's name, else its short PeerId. */
export function nameOf(peerId: string, contacts: ContactView[], self?: string): string {
  if (peerId === self) return 'you'
  return contacts.find((c) => c.peerId === peerId)?.name ?? shortId(peerId)
}

/** A text that failed: the API error's message, or the thrown thing. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
