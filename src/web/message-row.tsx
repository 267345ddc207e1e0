// One message of a chat (docs/web.md "Replies, edits, reactions" and "Files"): its bubble — the
// quoted message of a reply, the text (or "deleted", or a file card with its progress and a
// Download button), "(edited)", ✓ marks — the reaction counts under it, and its action menu
// (Reply, Edit, React, Delete), a <details> disclosure reachable by keyboard. What the actions do
// is the chat's (./chat.tsx); this module only renders and calls back. Every peer-supplied string
// (text, quoted text, file name, emoji) is a JSX text child: a DOM text node, never HTML.
import type { ContactView, FileProgress, MessageView } from '../api/contract.js'
import { nameOf, ticks, timeOf } from './state.js'

/** The reactions the menu offers (any single emoji a peer sends is still shown). */
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢'] as const

/** The longest quoted text shown above a reply, in characters (a quote is a reminder). */
export const QUOTE_CHARS = 80

export interface RowActions {
  reply(m: MessageView): void
  edit(m: MessageView): void
  remove(m: MessageView, forEveryone: boolean): void
  react(m: MessageView, emoji: string, remove: boolean): void
  download(m: MessageView): void
}

/** What every row needs besides its message. */
export interface RowContext {
  group: boolean
  contacts: ContactView[]
  self: string
  /** The loaded messages by id (a reply's quote). */
  byId: Map<string, MessageView>
  /** Progress of files, by file id (from `file` events and GET /v1/files). */
  files: Map<string, Pick<FileProgress, 'have' | 'size' | 'state'>>
  actions?: RowActions
}

export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`
}

/** "name: text" of the message `m` replies to, cut to QUOTE_CHARS. */
export function quoteOf(m: MessageView, c: RowContext): string {
  const q = m.replyTo !== undefined && m.replyTo !== null ? c.byId.get(m.replyTo) : undefined
  if (q === undefined) return 'a message'
  const text = q.deleted === true ? '(deleted)' : q.text
  const cut = text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text
  return `${nameOf(q.from, c.contacts, c.self)}: ${cut}`
}

/** Received raster images are previewed once here (never SVG, which can carry script; the
 *  daemon serves them as application/octet-stream, nosniff, attachment: an <img> still decodes
 *  them, nothing navigates to them). Larger ones only download. */
const PREVIEW_NAME = /\.(png|jpe?g|gif|webp|avif)$/i
const PREVIEW_MAX_BYTES = 8 * 1024 * 1024

function FileCard({ m, c }: { m: MessageView; c: RowContext }) {
  const f = m.file
  if (f === undefined) return <div class="text">{m.text}</div>
  const p = c.files.get(f.fileId)
  const have = p?.have ?? (m.direction === 'out' ? f.size : 0)
  const state = p?.state ?? (m.direction === 'out' ? 'done' : 'pending')
  return (
    <div class="file-card" data-file={f.fileId} data-state={state}>
      <div class="file-name">{f.name}</div>
      <div class="muted small">
        {sizeText(f.size)} · {state}
      </div>
      <progress
        max={Math.max(f.size, 1)}
        value={f.size === 0 ? 1 : have}
        aria-label={`Progress of ${f.name}`}
      />
      {m.direction === 'in' &&
        state === 'done' &&
        f.size <= PREVIEW_MAX_BYTES &&
        PREVIEW_NAME.test(f.name) && (
          <img
            class="file-preview"
            src={`/v1/files/${encodeURIComponent(f.fileId)}/content`}
            alt={`Preview of ${f.name}`}
            loading="lazy"
          />
        )}
      {c.actions !== undefined && state !== 'cancelled' && (
        <button type="button" class="small" onClick={() => c.actions?.download(m)}>
          Download
        </button>
      )}
    </div>
  )
}

function Menu({ m, c }: { m: MessageView; c: RowContext }) {
  const a = c.actions
  if (a === undefined) return null
  const own = m.direction === 'out'
  const done = (e: Event, fn: () => void) => {
    const d = (e.currentTarget as HTMLElement).closest('details')
    if (d !== null) d.open = false
    fn()
  }
  return (
    <details class="msg-actions">
      <summary aria-label="Message actions" title="Message actions">
        ⋯
      </summary>
      <div class="menu" role="group" aria-label="Message actions">
        <button type="button" onClick={(e) => done(e, () => a.reply(m))}>
          Reply
        </button>
        {own && m.kind !== 'file' && (
          <button type="button" onClick={(e) => done(e, () => a.edit(m))}>
            Edit
          </button>
        )}
        {REACTIONS.map((emoji) => (
          <button
            key={emoji}
            type="button"
            aria-label={`React ${emoji}`}
            onClick={(e) => done(e, () => a.react(m, emoji, false))}
          >
            {emoji}
          </button>
        ))}
        {own && (
          <button type="button" onClick={(e) => done(e, () => a.remove(m, true))}>
            Delete for everyone
          </button>
        )}
        <button type="button" onClick={(e) => done(e, () => a.remove(m, false))}>
          Delete for me
        </button>
      </div>
    </details>
  )
}

export function Row({ m, c }: { m: MessageView; c: RowContext }) {
  if (m.kind === 'event') {
    return (
      <div class="event" data-id={m.id}>
        {m.text}
      </div>
    )
  }
  const t = ticks(m.status)
  const deleted = m.deleted === true
  const reactions = Object.entries(m.reactions ?? {}).filter(([, who]) => who.length > 0)
  return (
    <div class={`msg ${m.direction}`} data-id={m.id} data-status={m.status}>
      <div class="stack">
        <div class="bubble">
          {c.group && m.direction === 'in' && (
            <div class="from">{nameOf(m.from, c.contacts, c.self)}</div>
          )}
          {m.replyTo !== undefined && m.replyTo !== null && !deleted && (
            <div class="quote">↪ reply to {quoteOf(m, c)}</div>
          )}
          {deleted ? (
            <div class="text deleted muted">This message was deleted</div>
          ) : m.kind === 'file' ? (
            <FileCard m={m} c={c} />
          ) : (
            <div class="text">{m.text}</div>
          )}
          <div class="meta">
            <time>{timeOf(m.sentAt)}</time>
            {!deleted && m.editedAt !== undefined && m.editedAt !== null && (
              <span class="edited"> (edited)</span>
            )}
            {m.direction === 'out' && (
              <span class={`ticks ${m.status}`} role="img" aria-label={t.label} title={t.label}>
                {t.mark}
              </span>
            )}
          </div>
        </div>
        {reactions.length > 0 && !deleted && (
          <div class="reactions">
            {reactions.map(([emoji, who]) => {
              const mine = who.includes('me')
              return (
                <button
                  key={emoji}
                  type="button"
                  class={mine ? 'reaction mine' : 'reaction'}
                  aria-pressed={mine}
                  aria-label={`${emoji} ${who.length}${mine ? ', yours' : ''}`}
                  data-emoji={emoji}
                  onClick={() => c.actions?.react(m, emoji, mine)}
                >
                  {emoji} {who.length}
                </button>
              )
            })}
          </div>
        )}
      </div>
      {!deleted && <Menu m={m} c={c} />}
    </div>
  )
}
