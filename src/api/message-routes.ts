// Edits, deletes, reactions and disappearing timers (CLI.md "Conversations, receipts, edits";
// docs/architecture.md "Local API"): each route calls one ChatApi method. `:id` is a message id
// (32 hex chars); `:ref` a contact's name or PeerId, or a group's name or id. An API without chat
// (`kith relay`) answers 404 NotAvailable. Knows nothing of HTTP plumbing (./server.ts).
import type { ChatApi } from '../service/index.js'
import { MAX_SEND_BATCH, MAX_TTL_SECONDS } from './limits.js'
import { HttpError } from './errors.js'
import { bad, int, REF, str, type Body, type Route } from './routes.js'

/** A message id in a path: 16 bytes as lowercase hex. */
const ID = '([0-9a-f]{32})'

function notAvailable(): never {
  throw new HttpError(404, 'NotAvailable', 'this node has no messages')
}

function bool(body: Body, field: string): boolean {
  const v = body[field]
  if (v === undefined) return false
  if (typeof v !== 'boolean') throw bad(`"${field}" must be a boolean`)
  return v
}

export function messageRoutes(api: ChatApi): Route[] {
  return [
    {
      method: 'POST',
      path: new RegExp(`^/v1/messages/${ID}/edit$`),
      handle: ({ params, body }) => {
        if (typeof body.text !== 'string') throw bad('"text" must be a string')
        return { body: api.editMessage?.(params[0] ?? '', body.text) ?? notAvailable() }
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/messages/${ID}/delete$`),
      handle: ({ params, body }) => ({
        body: api.deleteMessage?.(params[0] ?? '', bool(body, 'forEveryone')) ?? notAvailable(),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/messages/${ID}/react$`),
      handle: ({ params, body }) => ({
        body:
          api.reactMessage?.(params[0] ?? '', str(body, 'emoji'), bool(body, 'remove')) ??
          notAvailable(),
      }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/conversations/${REF}/disappearing$`),
      handle: ({ params, body }) => ({
        body:
          api.setDisappearing?.(
            params[0] ?? '',
            int(body.ttlSeconds, 'ttlSeconds', 0, MAX_TTL_SECONDS),
          ) ?? notAvailable(),
      }),
    },
  ]
}

/**
 * `POST /v1/messages` with `{"contact", "texts": [...]}` (issue 17): a batch send, answered
 * `{"ids": [...], "status": "queued"}` once all are durably queued (one transaction). At most
 * MAX_SEND_BATCH texts; `replyTo` and `wait` are for single messages only.
 */
export function sendBatch(api: ChatApi, body: Body): { ids: string[]; status: 'queued' } {
  const contact = str(body, 'contact')
  const texts = body.texts
  if (
    !Array.isArray(texts) ||
    texts.length === 0 ||
    texts.length > MAX_SEND_BATCH ||
    !texts.every((t) => typeof t === 'string')
  )
    throw bad(`"texts" must be an array of 1 to ${MAX_SEND_BATCH} strings`)
  if (body.text !== undefined || body.replyTo !== undefined || body.wait !== undefined)
    throw bad('"texts" goes without "text", "replyTo" and "wait"')
  const r = api.sendMany?.(contact, texts) ?? notAvailable()
  return { ids: r.ids, status: 'queued' }
}

/** The optional `replyTo` of POST /v1/messages and /v1/groups/:ref/messages. */
export function replyTo(body: Body): { replyTo?: string } {
  const v = body.replyTo
  if (v === undefined || v === null) return {}
  if (typeof v !== 'string' || !/^[0-9a-f]{32}$/.test(v))
    throw bad('"replyTo" must be a message id (32 hex chars)')
  return { replyTo: v }
}
