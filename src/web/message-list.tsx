// A conversation's messages as a virtualised list (docs/web.md "Long histories"): only the rows in
// and near the viewport are in the DOM, between two spacers whose heights are the measured (or,
// not yet seen, estimated) heights of the rows left out, so 10,000 messages scroll like 50. Owns
// row measurement, the scroll window and sticking to the bottom while new messages arrive (a row
// itself is ./message-row.tsx). Every peer-supplied string is a JSX text child (a DOM text
// node), never HTML.
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { ContactView, MessageView } from '../api/contract.js'
import { Row, type RowActions, type RowContext } from './message-row.js'

/** Height assumed for a row not yet measured (one line of text with its meta line). */
export const ROW_ESTIMATE_PX = 56
/** Extra pixels rendered above and below the viewport, so a fast scroll shows no blank. */
export const OVERSCAN_PX = 800
/** Within this distance of the bottom the list follows new messages. */
export const STICK_PX = 80

interface Props {
  messages: MessageView[] | undefined
  group: boolean
  contacts: ContactView[]
  self: string
  /** Present when there are older messages to load. */
  older?: () => void
  /** File progress by file id (./message-row.tsx). */
  files?: RowContext['files']
  actions?: RowActions
}

export function MessageList(p: Props) {
  const box = useRef<HTMLDivElement>(null)
  const heights = useRef(new Map<string, number>())
  const stuck = useRef(true)
  const anchor = useRef<{ id: string; top: number } | undefined>(undefined)
  const [view, setView] = useState({ top: 0, height: 600 })
  const [, setMeasures] = useState(0)
  const ms = p.messages ?? []
  const byId = useMemo(() => new Map((p.messages ?? []).map((m) => [m.id, m])), [p.messages])
  const ctx: RowContext = {
    group: p.group,
    contacts: p.contacts,
    self: p.self,
    byId,
    files: p.files ?? new Map<string, never>(),
    ...(p.actions !== undefined ? { actions: p.actions } : {}),
  }

  // Prefix sums of row heights: offsets[i] is where row i starts.
  const offsets = new Array<number>(ms.length + 1)
  offsets[0] = 0
  for (let i = 0; i < ms.length; i++) {
    offsets[i + 1] = (offsets[i] ?? 0) + (heights.current.get(ms[i]?.id ?? '') ?? ROW_ESTIMATE_PX)
  }
  const total = offsets[ms.length] ?? 0
  const lo = view.top - OVERSCAN_PX
  const hi = view.top + view.height + OVERSCAN_PX
  let first = 0
  while (first < ms.length && (offsets[first + 1] ?? 0) < lo) first++
  let last = first
  while (last < ms.length && (offsets[last] ?? 0) < hi) last++

  // After each render: measure the rendered rows; keep the bottom in view if we were there, or
  // the first visible message where it was after older ones were prepended.
  useLayoutEffect(() => {
    const el = box.current
    if (el === null) return
    let changed = false
    for (const row of el.querySelectorAll<HTMLElement>('[data-id]')) {
      const id = row.dataset.id ?? ''
      const h = row.offsetHeight
      if (h > 0 && heights.current.get(id) !== h) {
        heights.current.set(id, h)
        changed = true
      }
    }
    if (changed) {
      setMeasures((n) => n + 1)
      return
    }
    const a = anchor.current
    if (a !== undefined) {
      const i = ms.findIndex((m) => m.id === a.id)
      if (i >= 0) el.scrollTop = (offsets[i] ?? 0) - a.top
      anchor.current = undefined
    } else if (stuck.current) {
      el.scrollTop = el.scrollHeight
    }
  })

  function onScroll() {
    const el = box.current
    if (el === null) return
    stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX
    setView({ top: el.scrollTop, height: el.clientHeight })
  }

  function loadOlder() {
    const el = box.current
    const firstShown = ms[first]
    if (el !== null && firstShown !== undefined) {
      anchor.current = { id: firstShown.id, top: (offsets[first] ?? 0) - el.scrollTop }
    }
    stuck.current = false
    p.older?.()
  }

  return (
    <div
      class="messages"
      data-count={ms.length}
      ref={box}
      onScroll={onScroll}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      tabIndex={0}
    >
      {p.older !== undefined && (
        <button type="button" class="older" onClick={loadOlder}>
          Load older messages
        </button>
      )}
      {p.messages === undefined && <p class="muted">Loading…</p>}
      {p.messages?.length === 0 && <p class="muted">No messages yet. Say hello.</p>}
      <div style={{ height: `${offsets[first] ?? 0}px` }} aria-hidden="true" />
      {ms.slice(first, last).map((m) => (
        <Row key={m.id} m={m} c={ctx} />
      ))}
      <div style={{ height: `${total - (offsets[last] ?? 0)}px` }} aria-hidden="true" />
    </div>
  )
}
