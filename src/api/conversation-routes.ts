// Conversations, read marks and settings (CLI.md "Conversations, receipts, edits"): each route
// calls one ChatApi method. `:ref` is a contact's name or PeerId, or a group's name or id; an
// unknown one is the service's ContactNotFound (404). An API without chat (`kith relay`) answers
// 404 NotAvailable. Knows nothing of HTTP plumbing (./server.ts).
import type { ChatApi } from '../service/index.js'
import { HttpError } from './errors.js'
import { bad, REF, type Route } from './routes.js'

function notAvailable(): never {
  throw new HttpError(404, 'NotAvailable', 'this node has no conversations')
}

export function conversationRoutes(api: ChatApi): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/conversations$/,
      handle: () => ({ body: api.conversations?.() ?? notAvailable() }),
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/conversations/${REF}/read$`),
      handle: ({ params }) => ({
        body: api.readConversation?.(params[0] ?? '') ?? notAvailable(),
      }),
    },
    {
      method: 'GET',
      path: /^\/v1\/settings$/,
      handle: () => ({ body: api.settings?.() ?? notAvailable() }),
    },
    {
      method: 'POST',
      path: /^\/v1\/settings$/,
      handle: ({ body }) => {
        const { readReceipts, ...rest } = body
        const unknown = Object.keys(rest)
        if (unknown.length > 0) throw bad(`unknown setting "${unknown[0]}"`)
        if (readReceipts !== undefined && typeof readReceipts !== 'boolean')
          throw bad('"readReceipts" must be a boolean')
        return {
          body:
            api.setSettings?.(readReceipts === undefined ? {} : { readReceipts }) ?? notAvailable(),
        }
      },
    },
  ]
}
